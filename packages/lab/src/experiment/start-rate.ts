// Where an approximate sender starts with `rate_hint: allocation`: one rule for both
// runners (the simulator and Mininet), so that the two start their senders alike. Pure.
import type { JobAllocation } from "@netapprox/model/allocation/types.js";

/** What the allocation gave one job, as the rate hints need it; parts keyed by K. */
export interface JobRates<K> {
  /** a_j, bit/s (null: the allocator does not allocate). */
  allocated: number | null;
  /** Its meters' peak rates summed over its ingress switches, bit/s (0: no meters). */
  peak: number;
  /** Its meters' committed rates summed likewise, bit/s. */
  committed: number;
  /** Per sending host: what its part of the job was given and guaranteed, bit/s. */
  parts: Map<K, { allocated: number; guaranteed: number }>;
}

/** The rates of one job of an allocation, its parts keyed by `key(host name)`. */
export function jobRates<K>(job: JobAllocation, key: (host: string) => K): JobRates<K> {
  const parts = new Map<K, { allocated: number; guaranteed: number }>();
  for (const p of job.senders) {
    if (p.allocated !== null && p.guaranteed !== null)
      parts.set(key(p.host), { allocated: p.allocated, guaranteed: p.guaranteed });
  }
  let peak = 0;
  let committed = 0;
  for (const ingress of job.ingress) {
    if (ingress.meter === null) continue;
    peak += ingress.meter.pir * 8;
    committed += ingress.meter.cir * 8;
  }
  return { allocated: job.allocated, peak, committed, parts };
}

/**
 * A sender's starting rate (bit/s): its share of its host's part of the job's peak rate
 * (the part's allocation times 1 + headroom, split among that host's senders of the
 * phase), else its share of the job's peak (or allocation) among the job's running
 * senders; null when that gives nothing (the sender then starts at line rate and finds
 * what its path carries).
 */
export function startRate<K>(
  job: Pick<JobRates<K>, "allocated" | "peak" | "parts">,
  host: K,
  hostSenders: number,
  jobSenders: number,
  headroomFactor: number,
): number | null {
  const part = job.parts.get(host);
  const share =
    part !== undefined
      ? (part.allocated * headroomFactor) / Math.max(1, hostSenders)
      : (job.peak > 0 ? job.peak : (job.allocated ?? 0)) / Math.max(1, jobSenders);
  return share > 0 ? share : null;
}
