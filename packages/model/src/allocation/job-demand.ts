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
import type { Knobs } from "../policy/types.js";
import { ewma, movedBeyond } from "./smoothing.js";
import type { Allocation } from "./types.js";

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

/** What one demand-loop round carries to the next. */
export interface JobDemandState {
  /** Smoothed offered load per job id, bit/s. */
  offered: ReadonlyMap<number, number>;
  /** Caps in force, job id -> bit/s (empty: nobody capped). */
  caps: ReadonlyMap<number, number>;
}

export const EMPTY_JOB_DEMAND: JobDemandState = { offered: new Map(), caps: new Map() };

export interface JobDemandRound {
  state: JobDemandState;
  /** The caps moved beyond the hysteresis: the allocation should be recomputed. */
  changed: boolean;
}

/** The jobs of an allocation round, as far as the demand loop needs them. */
type MeteredJobs = Pick<Allocation, "jobs">["jobs"];

/** Each job's peak rate in an allocation: its meters' PIR summed over its ingress switches, bit/s. */
export function jobPeakRates(jobs: MeteredJobs): Map<number, number> {
  const peak = new Map<number, number>();
  for (const j of jobs) {
    let pir = 0;
    for (const i of j.ingress) if (i.meter !== null) pir += i.meter.pir * 8;
    if (pir > 0) peak.set(j.id, pir);
  }
  return peak;
}

/**
 * One round of the demand loop that the controller and the simulator both run: smooth the
 * new samples of offered load (EWMA; jobs no longer allocated are forgotten), derive caps
 * against each job's peak rate in the current allocation, and report whether they moved
 * beyond the hysteresis. Pure: the caller keeps the returned state and re-allocates when
 * `changed`.
 */
export function jobDemandRound(
  previous: JobDemandState,
  samples: ReadonlyMap<number, number>,
  allocation: Pick<Allocation, "jobs">,
  knobs: Pick<Knobs, "ewmaAlpha" | "hysteresis">,
  options: JobDemandOptions = DEFAULT_JOB_DEMAND,
): JobDemandRound {
  const offered = ewma(previous.offered, samples, knobs.ewmaAlpha);
  const allocated = new Set(allocation.jobs.map((j) => j.id));
  for (const id of offered.keys()) if (!allocated.has(id)) offered.delete(id);
  const caps = estimateJobCaps(offered, jobPeakRates(allocation.jobs), options);
  const same =
    caps.size === previous.caps.size &&
    [...caps].every(([id, cap]) => !movedBeyond(previous.caps.get(id) ?? 0, cap, knobs.hysteresis));
  return same
    ? { state: { offered, caps: previous.caps }, changed: false }
    : { state: { offered, caps }, changed: true };
}
