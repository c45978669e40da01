// The policy: traffic classes and their DSCP values and queues, the approximate jobs, the
// exact demands, the knobs of the allocation and control loop, and the allocator to run.
// All quantities in base units: bit/s, bytes, seconds, packets.
import type { ConfigPath } from "../config/errors.js";

export const ALLOCATORS = ["netapprox", "oblivious", "udp-blast", "priority-only"] as const;
export type AllocatorName = (typeof ALLOCATORS)[number];

export interface TrafficClass {
  dscp: number;
  /** Priority queue (BMv2 `standard_metadata.priority`, Tofino qid); higher is served first. */
  queue: number;
}

export interface Classes {
  control: TrafficClass;
  exact: TrafficClass;
  /** Approximate traffic within its guarantee (meter GREEN). */
  guaranteed: TrafficClass;
  /** Approximate traffic above its guarantee (meter YELLOW), admitted while queues are short. */
  bestEffort: TrafficClass;
}

export interface PortRange {
  from: number;
  to: number;
}

export interface TrafficMatch {
  /** Host names, addresses or prefixes ("h1", "10.0.1.0/24"). */
  src: string[];
  dst: string[];
  /** IP protocol number, null for any. */
  protocol: number | null;
  srcPort: PortRange | null;
  dstPort: PortRange | null;
}

export interface ApproximateJob {
  name: string;
  /** Also the index of its meter in the data plane. */
  id: number;
  match: TrafficMatch;
  /** Bytes the job sends in one pass. */
  volume: number;
  /** Fraction of the volume the job needs delivered (1 - loss tolerance). */
  fraction: number;
  weight: number;
  /** Seconds; null when the job has none. */
  deadline: number | null;
}

export interface ExactFlow {
  /** Host names or addresses. */
  src: string;
  dst: string;
  /** bit/s */
  rate: number;
}

export interface Knobs {
  /** Share of a link's data capacity that guarantees may take in total. */
  beta: number;
  /** Probe headroom h: PIR = allocated * (1 + h). */
  headroom: number;
  /** Guarantee of a job without a deadline, bit/s. */
  guaranteeFloor: number;
  /**
   * Guarantee of a job without a deadline per sending host, bit/s: a job's guarantee then
   * grows with its fan-in (as TCP's share grows with its connections); the larger of this
   * and the floor applies.
   */
  guaranteePerSender: number;
  /**
   * declared: the jobs' weights as written; smaller-first: each weight also scaled by the
   * mean job volume over the job's volume, so that smaller jobs get larger shares and finish
   * first (which lowers the mean completion time, as shortest-job-first does).
   */
  jobWeights: "declared" | "smaller-first";
  /** LE admission threshold: queue depth in packets above which best-effort packets drop. */
  leThreshold: number;
  /** ECN marking threshold in packets; null disables marking. */
  ecnThreshold: number | null;
  /** Relative change below which the control loop leaves a setting alone. */
  hysteresis: number;
  /** Counter poll interval, seconds. */
  pollInterval: number;
  /** Weight of the newest sample in the exact-load EWMA. */
  ewmaAlpha: number;
  /** Bytes per packet used to turn bit rates into BMv2 queue rates (packets/s). */
  meanPacketSize: number;
  /** Largest packet in bytes (smallest meter burst). */
  mtu: number;
  /** Share of every link kept for the control class (feedback, ACKs). */
  controlShare: number;
  /** Meter burst sizes cover this many seconds at the metered rate. */
  meterBurst: number;
}

export interface Policy {
  allocator: AllocatorName;
  classes: Classes;
  knobs: Knobs;
  jobs: ApproximateJob[];
  exact: {
    /** "measured": the runtime replaces declared loads by measured ones as they arrive. */
    source: "declared" | "measured";
    flows: ExactFlow[];
  };
  /** Where the policy came from, for error messages about it; null when built in code. */
  origin: PolicyOrigin | null;
}

/** Locates paths of the policy file (used when checking it against a topology). */
export interface PolicyOrigin {
  file: string;
  locate(path: ConfigPath): { line: number; column: number };
}

export const DEFAULT_CLASSES: Classes = {
  control: { dscp: 48, queue: 2 },
  exact: { dscp: 0, queue: 1 },
  guaranteed: { dscp: 10, queue: 1 },
  bestEffort: { dscp: 1, queue: 0 },
};

export const DEFAULT_KNOBS: Knobs = {
  beta: 0.5,
  headroom: 0.05,
  guaranteeFloor: 0,
  guaranteePerSender: 0,
  jobWeights: "declared",
  leThreshold: 8,
  ecnThreshold: null,
  hysteresis: 0.05,
  pollInterval: 1,
  ewmaAlpha: 0.3,
  meanPacketSize: 1500,
  mtu: 1500,
  controlShare: 0.02,
  meterBurst: 0.01,
};

/** A policy with defaults for everything not given. */
export function makePolicy(
  parts: Partial<Omit<Policy, "knobs">> & { knobs?: Partial<Knobs> } = {},
): Policy {
  return {
    allocator: parts.allocator ?? "netapprox",
    classes: parts.classes ?? DEFAULT_CLASSES,
    knobs: { ...DEFAULT_KNOBS, ...parts.knobs },
    jobs: parts.jobs ?? [],
    exact: parts.exact ?? { source: "declared", flows: [] },
    origin: parts.origin ?? null,
  };
}
