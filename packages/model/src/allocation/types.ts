// What an allocation round decides: per job its guarantee and allocated rate and the meter
// settings at each switch where its traffic enters; per switch port the LE admission and
// ECN thresholds and the queue rates and depths; the DSCP -> class -> queue map; and per
// link a summary for people. Rates of traffic are bit/s; meter rates are bytes/s (the unit
// of a byte meter in P4Runtime); queue rates are packets/s (BMv2's unit).
import type { AllocatorName, Knobs, PortRange } from "../policy/types.js";
import type { Target } from "../topology/types.js";

export type ClassName = "control" | "exact" | "approximate_guaranteed" | "approximate_best_effort";

export interface DscpMapping {
  dscp: number;
  class: ClassName;
  queue: number;
}

export interface ClassPlan {
  /** DSCP values with their own mapping; every other DSCP goes to `defaultQueue`. */
  dscp: DscpMapping[];
  defaultQueue: number;
  /** DSCP values the meter colours re-mark to (GREEN -> guaranteed, YELLOW -> best effort). */
  guaranteedDscp: number;
  bestEffortDscp: number;
  /** BMv2 `--priority-queues`: highest queue used + 1. */
  priorityQueues: number;
}

export interface Features {
  /** Approximate jobs are metered at their ingress switches (CIR/PIR, RED dropped). */
  meters: boolean;
  /** Best-effort packets are dropped above the port's LE threshold. */
  earlyDrop: boolean;
  /** How edge classifier entries treat a job's packets. */
  classify: "meter" | "mark-best-effort" | "none";
  /** What the hosts of approximate jobs run (for experiments). */
  transport: "approximate" | "tcp" | "udp-line-rate";
}

export interface MeterSettings {
  /** The job id. */
  index: number;
  /** Committed rate (the guarantee), bytes/s. */
  cir: number;
  /** Peak rate (allocation plus headroom), bytes/s. */
  pir: number;
  /** Burst sizes, bytes. */
  cbs: number;
  pbs: number;
}

export interface JobIngress {
  switch: string;
  /** Fraction of the job's traffic that enters the network at this switch. */
  share: number;
  meter: MeterSettings | null;
}

export interface JobAllocation {
  id: number;
  name: string;
  weight: number;
  /** The match as prefixes (host names resolved to /32s). */
  match: {
    src: string[];
    dst: string[];
    protocol: number | null;
    srcPort: PortRange | null;
    dstPort: PortRange | null;
  };
  /** f V / D, or the floor; bit/s. */
  requestedGuarantee: number;
  /** Granted guarantee g_j (bit/s); null when the allocator does not allocate. */
  guaranteed: number | null;
  /** Allocated rate a_j >= g_j (bit/s); null when the allocator does not allocate. */
  allocated: number | null;
  /** allocated / weight. */
  normalisedShare: number | null;
  /** The link that limits the job (name as in LinkSummary), or null. */
  bottleneck: string | null;
  ingress: JobIngress[];
  /**
   * Per sending host: its share of the job's (source, destination) pairs and what it was
   * guaranteed and given (bit/s; null when the allocator does not allocate). A job's senders
   * are allocated apart, so those on uncongested paths may get more than their share.
   */
  senders: SenderAllocation[];
}

export interface SenderAllocation {
  host: string;
  share: number;
  guaranteed: number | null;
  allocated: number | null;
}

export interface QueuePlan {
  /** Priority (higher is served first). */
  queue: number;
  classes: ClassName[];
  /** BMv2 egress rate of this priority queue, packets/s; a port's queues sum to its capacity. */
  ratePps: number;
  depthPackets: number;
  /**
   * Weighted scheduling (a work-conserving traffic manager): the queue's share of the port's
   * data capacity when every queue is backlogged; each may use what the others leave idle.
   * 0: served only when no queue with a weight waits. The control queue goes first regardless.
   */
  weight: number;
}

export interface TofinoQueuePlan {
  queue: number;
  /** Strict priority, higher first; queues of one priority share it by their DWRR weights. */
  priority: number;
  /** DWRR weight within its priority (the queue's share of the port's data capacity, percent). */
  weight: number;
  classes: ClassName[];
  /**
   * Rate the traffic manager guarantees the queue, bit/s: the control share; the exact
   * queue's traffic and guarantees; the best-effort queue's weighted share of the port.
   */
  minRate: number;
  depthPackets: number;
  /** Colour-aware drop: YELLOW packets above this depth (packets); null when off. */
  yellowLimitPackets: number | null;
}

export interface TofinoPortPlan {
  /** Port shaping rate, bit/s. */
  shapingRate: number;
  queues: TofinoQueuePlan[];
}

export interface PortPlan {
  port: number;
  /** The node at the other end and its port (null for a host). */
  peer: string;
  peerPort: number | null;
  capacity: number;
  buffer: number;
  /** Queue depth (packets) above which best-effort approximate packets drop; null: no early drop. */
  leThreshold: number | null;
  ecnThreshold: number | null;
  queues: QueuePlan[];
  /** Traffic-manager settings for Tofino switches; null on BMv2. */
  tofino: TofinoPortPlan | null;
}

export interface HostPort {
  port: number;
  host: string;
  ipv4: string;
  mac: string;
}

export interface Classifier {
  jobId: number;
  action: "meter" | "mark-best-effort";
  meter: MeterSettings | null;
}

export interface SwitchPlan {
  name: string;
  deviceId: number;
  target: Target;
  /** Edge ports facing hosts, where classification and metering happen. */
  hostPorts: HostPort[];
  /** Jobs whose traffic enters here, by job id. */
  classifiers: Classifier[];
  /** Ports with a link, by port number. */
  ports: PortPlan[];
}

export interface LinkSummary {
  /** "s1:3->s2:1" */
  name: string;
  from: string;
  fromPort: number | null;
  to: string;
  toPort: number | null;
  capacity: number;
  /** Capacity minus the control share: what exact and approximate traffic may use. */
  dataCapacity: number;
  exactLoad: number;
  /** Sum of guarantees crossing the link; null when the allocator does not allocate. */
  guaranteed: number | null;
  /** Sum of allocated approximate rates crossing the link (includes the guarantees). */
  allocated: number | null;
  /** (exact + allocated) / capacity. */
  utilisation: number;
  /** Approximate jobs that cross the link. */
  jobs: number;
}

export interface Allocation {
  allocator: AllocatorName;
  features: Features;
  classes: ClassPlan;
  knobs: Knobs;
  /** By job id. */
  jobs: JobAllocation[];
  /** Directed links in canonical order (by source name, then port). */
  links: LinkSummary[];
  /** By switch name. */
  switches: SwitchPlan[];
}
