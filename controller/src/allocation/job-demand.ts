// Demand estimates of approximate jobs, from what their edge meters saw. Pure.
//
// An approximate sender offers its traffic aggressively, so the packets a job's
// meter counts (GREEN + YELLOW + RED, before RED is dropped) are its offered load.
// A job offering close to (or above) its current peak rate is limited by the
// network and may use more: it is not capped. A job offering clearly less (it is
// finishing, paused, or not started) is capped near what it offers, so the water-
// filling gives its unused share to the others; a small floor lets a job that
// starts again be seen at once (it then offers far above its cap and is uncapped
// at the next round). When no job is limited there is nobody to give a share to,
// and nothing is capped: an idle network keeps the allocation it has.

export interface JobDemandOptions {
  /** A job offering at least this fraction of its peak rate counts as limited. */
  limitedRatio: number;
  /** Room above the offered load for a job that is not limited. */
  margin: number;
  /** Smallest cap, bit/s. */
  floor: number;
}

export const DEFAULT_JOB_DEMAND: JobDemandOptions = {
  limitedRatio: 0.8,
  margin: 0.25,
  floor: 100_000,
};

/**
 * Caps for the next allocation round, job id -> bit/s. `offered` is the measured
 * offered load per job (bit/s, smoothed); `peak` the peak rate each job's meters
 * allowed in the last round (bit/s; PIR summed over its ingress switches). Jobs
 * without a measurement are left out (uncapped).
 */
export function estimateJobCaps(
  offered: ReadonlyMap<number, number>,
  peak: ReadonlyMap<number, number>,
  options: JobDemandOptions = DEFAULT_JOB_DEMAND,
): Map<number, number> {
  const caps = new Map<number, number>();
  let limited = false;
  for (const [job, load] of offered) {
    const allowed = peak.get(job);
    if (allowed === undefined) continue;
    if (load >= options.limitedRatio * allowed) limited = true;
    else caps.set(job, Math.max(options.floor, load * (1 + options.margin)));
  }
  return limited ? caps : new Map();
}
