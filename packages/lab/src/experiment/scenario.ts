// An experiment scenario: a topology, the policy's classes and knobs, a workload of
// approximate jobs and exact background traffic, the policies to compare and the seeds to
// run them with. One scenario file drives both the simulator (`netapprox simulate`) and
// the Mininet runner, so it carries the settings of both; each ignores the other's
// section. All quantities in base units: bytes, bit/s, seconds.
import type { ConfigPath } from "@netapprox/model/config/errors.js";
import type { AllocatorName, Policy } from "@netapprox/model/policy/types.js";
import type { Topology } from "@netapprox/model/topology/types.js";
import { DEFAULT_RECEIVER_TIMING } from "@netapprox/transport/approx-receiver-core.js";
import { DEFAULT_SENDER_TIMING } from "@netapprox/transport/approx-sender-core.js";
import { DEFAULT_CHUNK_SIZE } from "@netapprox/transport/approx-sender.js";
import { DEFAULT_RATE_CONTROL } from "@netapprox/transport/rate-control.js";

/**
 * What is compared. Each runs the same workload; they differ in what the network does
 * (the allocator, see allocation/ports.ts featuresOf) and in what the approximate jobs'
 * hosts run.
 */
export const EXPERIMENT_POLICIES = [
  "netapprox",
  "tcp-sender-sampling",
  "tcp-receiver-drop",
  "udp-blast",
  "priority-only",
  "oblivious",
] as const;
export type ExperimentPolicy = (typeof EXPERIMENT_POLICIES)[number];

/** What the hosts of approximate jobs run. */
export type ApproxTransport =
  /** netapprox's loss-based approximate transport over UDP (marked LE). */
  | "approximate"
  /** TCP carrying only ceil(f N) chunks picked at random by the sender. */
  | "tcp-sender-sampling"
  /** TCP carrying every chunk; the receiver stops once it holds ceil(f N). */
  | "tcp-receiver-drop"
  /** UDP at a fixed rate (line rate), no feedback. */
  | "udp-blast";

export interface PolicyBinding {
  allocator: AllocatorName;
  transport: ApproxTransport;
}

/**
 * The allocator and host transport of each experiment policy. "oblivious" runs
 * netapprox's own host transport on a network that treats its packets as exact, which
 * separates what the network contributes from what the transport does; the two TCP
 * baselines are the oblivious allocator with the application approximating over TCP.
 */
export const POLICY_BINDINGS: Readonly<Record<ExperimentPolicy, PolicyBinding>> = {
  netapprox: { allocator: "netapprox", transport: "approximate" },
  "tcp-sender-sampling": { allocator: "oblivious", transport: "tcp-sender-sampling" },
  "tcp-receiver-drop": { allocator: "oblivious", transport: "tcp-receiver-drop" },
  "udp-blast": { allocator: "udp-blast", transport: "udp-blast" },
  "priority-only": { allocator: "priority-only", transport: "approximate" },
  oblivious: { allocator: "oblivious", transport: "approximate" },
};

/** One row of a results table: a policy, and for a TCP baseline the TCP setting it ran in. */
export interface PolicyVariant {
  policy: ExperimentPolicy;
  tcpSetting: TcpSettingName | null;
}

/** The runs a scenario's policies make: every TCP baseline once per TCP setting. */
export function policyVariants(
  policies: readonly ExperimentPolicy[],
  settings: readonly TcpSettingName[],
): PolicyVariant[] {
  return policies.flatMap((policy): PolicyVariant[] => {
    const t = POLICY_BINDINGS[policy].transport;
    return t === "tcp-sender-sampling" || t === "tcp-receiver-drop"
      ? settings.map((tcpSetting) => ({ policy, tcpSetting }))
      : [{ policy, tcpSetting: null }];
  });
}

export const JOB_KINDS = ["transfer", "stream", "shuffle", "all-to-all", "aggregation"] as const;
/**
 * transfer: one or more senders to one or more receivers, every pair at once;
 * aggregation (parameter server, reduce): the workers send to the aggregator(s) in rounds,
 * each round starting when the previous one is complete;
 * stream (Kafka-like): producers to consumers in batches at a fixed interval;
 * shuffle (Spark-like): every mapper to every reducer at once;
 * all-to-all (PyTorch-like): workers exchange with each other in rounds, each round
 * starting when the previous one is complete (a synchronous training step).
 */
export type JobKind = (typeof JOB_KINDS)[number];

/** When generated jobs start. */
export type Arrival =
  | { kind: "at"; time: number }
  | { kind: "uniform"; from: number; to: number }
  | { kind: "poisson"; rate: number; from: number };

/** What explicit jobs and job generators both describe. */
export interface JobShape {
  kind: JobKind;
  /** Bytes the job moves in all (one pass over its data). */
  volume: number;
  fraction: number;
  weight: number;
  /** Seconds after the job's start; null when none. */
  deadline: number | null;
  /** all-to-all, aggregation: number of rounds. */
  rounds: number;
  /**
   * With job-level completion, a round also waits until every sender has delivered at least
   * this fraction of its own data (some applications need every source represented).
   */
  minSenderFraction: number;
  /** stream: number of batches and the time between their starts. */
  batches: number;
  interval: number;
}

export interface JobSpec extends JobShape {
  name: string;
  /** Host names; for all-to-all the workers. */
  src: string[];
  /** Host names; empty for all-to-all. */
  dst: string[];
  start: number;
  /** Where the job is in the scenario file, for errors. */
  path: ConfigPath;
}

export interface JobGenerator extends JobShape {
  /** Names are `<prefix>-<n>`. */
  prefix: string;
  count: number;
  /** Hosts per job: senders (producers, mappers, workers) and receivers. */
  senders: number;
  receivers: number;
  /** Hosts to pick from; all hosts when empty. */
  hosts: string[];
  arrival: Arrival;
  path: ConfigPath;
}

export interface ExactSpec {
  name: string;
  /** "websearch", "datamining" or "fixed:<bytes>". */
  distribution: string;
  /** Multiplies every flow size (to shrink a workload to a small network). */
  scale: number;
  /** Flow sizes are clipped here; null: no cap. */
  maxSize: number | null;
  /** Offered load as a fraction of `capacity`. */
  load: number;
  /**
   * The load declared to the allocation (the exact demand it provisions), as a fraction of
   * `capacity`; the offered load unless the scenario provisions for peaks.
   */
  declaredLoad: number;
  /**
   * bit/s the load refers to, split evenly over the sources; null: every source offers
   * `load` times its own access link.
   */
  capacity: number | null;
  /** Host names; all hosts when empty. */
  src: string[];
  dst: string[];
  /**
   * Destinations are the hosts that receive approximate jobs in the seed's workload (the
   * aggregators), instead of `dst`: exact flows into the aggregators.
   */
  intoJobReceivers: boolean;
  /** Flows arrive in [start, stop); stop null: the scenario's duration. */
  start: number;
  stop: number | null;
  path: ConfigPath;
}

export interface TcpSettings {
  /** Payload bytes per segment. */
  mss: number;
  /** Segments. */
  initialWindow: number;
  /** Seconds: the retransmission timeout's floor and its value before any RTT sample. */
  minRto: number;
  initialRto: number;
  /** "dctcp" needs ECN marking (the policy's ecn_threshold). */
  variant: "reno" | "dctcp";
}

/**
 * Timers of the approximate transport, seconds. The defaults are the host programs' own
 * (sized for Mininet's megabit links); faster simulated networks need faster feedback.
 */
export interface ApproxTiming {
  /** The receiver reports this often while data arrives... */
  feedbackInterval: number;
  /** ...and at least this often while the job is open. */
  keepalive: number;
  /** No feedback for this long: the sender halves its rate. */
  silence: number;
  /** Longest wait after a pass for the receiver's complete picture. */
  passEndWait: number;
  /** No feedback for this long: the sender gives up. */
  giveUp: number;
  /** DONE is repeated this often until acknowledged. */
  doneRetry: number;
  /** A rate sample spans at least this long. */
  minSample: number;
  /** Sending time the sender's pacer may save up while idle. */
  burst: number;
  /**
   * How long the sender's rate control remembers the best delivered rate: longer than the
   * exact bursts that stop the lowest queue.
   */
  memory: number;
}

/**
 * The TCP settings the TCP baselines run in, named in every results table:
 * linux-default: what Kafka, Flink and Spark run on unless tuned (200 ms minimum RTO, 1 s
 * initial RTO); dc-tuned: a few milliseconds of minimum RTO; dctcp: the same with DCTCP and
 * ECN marking at a queue threshold.
 */
export const TCP_SETTINGS = ["linux-default", "dc-tuned", "dctcp"] as const;
export type TcpSettingName = (typeof TCP_SETTINGS)[number];

export interface TransportSettings {
  /** Payload bytes per chunk of approximate jobs. */
  chunkSize: number;
  approximate: ApproxTiming;
  /** Where approximate senders start: line rate, or the rate the allocation gave them. */
  rateHint: "line-rate" | "allocation";
  /** UDP blast rate in bit/s; null: the sender's access link capacity. */
  blastRate: number | null;
  /** A UDP blast job counts as complete this long after its last datagram. */
  blastDrain: number;
  /** The co-running exact flows' TCP: the same under every policy. */
  tcp: TcpSettings;
  /** The settings every TCP baseline runs in (one run set per setting). */
  tcpSettings: TcpSettingName[];
  /** dctcp: ECN marking threshold in packets when the policy sets none. */
  dctcpThreshold: number;
}

/**
 * strict: each port sends at its link's capacity, highest priority queue first.
 * weighted: the control queue first; the other queues share the link by the weights the
 * allocation sets per port (deficit round robin), each using what the others leave idle.
 * bmv2-paced: each priority queue is paced at its own rate from the allocation's queue
 * plan and queues do not block each other, as BMv2 does.
 */
export const QUEUE_MODES = ["strict", "weighted", "bmv2-paced"] as const;
export type QueueMode = (typeof QUEUE_MODES)[number];

export interface SimulatorSettings {
  queueMode: QueueMode;
  /** One-way delay of links whose topology entry has none, seconds. */
  linkDelay: number;
  /** Packets a host's interface queue holds. */
  hostBuffer: number;
  /** per-switch: each switch hashes with its own seed; same: one hash everywhere (BMv2's crc16). */
  ecmpHash: "per-switch" | "same";
  /** on-change: the allocation is recomputed when the set of running jobs changes. */
  reallocate: "on-change" | "static";
  /** Time from a change to the new meters being in place, seconds. */
  controlDelay: number;
  /**
   * Exact load the allocation is told about: the workload's mean rates (declared), what the
   * controller measures from port counters every poll interval (measured), or none.
   */
  exactDemand: "declared" | "measured" | "none";
  /**
   * measured: like the controller, poll the jobs' meters every poll_interval and cap the
   * allocation of jobs that offer less than their share (estimateJobCaps), so that others
   * get it; none: allocate by the job set alone.
   */
  jobDemand: "measured" | "none";
}

/** How hosts send: read by both runners (the Mininet launcher sets each host's qdisc). */
export interface HostSettings {
  /**
   * priority: a host's interface serves its exact (and control) traffic ahead of its
   * approximate data, as the switches do (on Mininet, an htb tree by DSCP); fifo: one queue.
   */
  queues: "priority" | "fifo";
  /**
   * With priority: the share of the interface its approximate data keeps when exact traffic
   * wants the whole link (an htb class's assured rate), so the host's exact bursts delay its
   * approximate senders but never stop them.
   */
  bestEffortShare: number;
}

export const DEFAULT_HOSTS: HostSettings = { queues: "priority", bestEffortShare: 0.1 };

/** Read by the Mininet runner only. */
export interface MininetSettings {
  /** Time between the network being up and the first traffic, seconds. */
  warmup: number;
  /** Time after the last job for stragglers before tearing down, seconds. */
  cooldown: number;
  /** First port of the approximate jobs' receivers (two per transfer: data, control). */
  basePort: number;
  /** First port of the exact-traffic sinks (one per destination host). */
  exactPort: number;
}

/**
 * job: a job (each round or batch of it) is complete when the distinct chunks across all its
 * transfers reach its fraction, and then its senders are told to stop; transfer: every
 * transfer must reach the fraction on its own.
 */
export type Completion = "job" | "transfer";

export interface Scenario {
  name: string;
  description: string | null;
  /** The scenario file as given. */
  file: string;
  topologyFile: string;
  topology: Topology;
  /** The policy file, or null when the policy is inline or all defaults. */
  policyFile: string | null;
  /** Classes and knobs; its jobs and exact flows come from the workload at run time. */
  policy: Policy;
  policies: ExperimentPolicy[];
  seeds: number[];
  /** Exact traffic arrives in [0, duration). */
  duration: number;
  /** Runs stop here; jobs and flows still open are reported unfinished. */
  timeLimit: number;
  completion: Completion;
  jobs: JobSpec[];
  generators: JobGenerator[];
  exact: ExactSpec[];
  transport: TransportSettings;
  hosts: HostSettings;
  simulator: SimulatorSettings;
  mininet: MininetSettings;
  /** Things the loader ignored on purpose (e.g. jobs in the policy file). */
  notes: string[];
}

export const DEFAULT_TCP: TcpSettings = {
  mss: 1460,
  initialWindow: 10,
  minRto: 0.2,
  initialRto: 1,
  variant: "reno",
};

export const DEFAULT_APPROX_TIMING: ApproxTiming = {
  feedbackInterval: DEFAULT_RECEIVER_TIMING.feedbackIntervalMs / 1000,
  keepalive: DEFAULT_RECEIVER_TIMING.keepaliveMs / 1000,
  silence: DEFAULT_SENDER_TIMING.silenceMs / 1000,
  passEndWait: DEFAULT_SENDER_TIMING.passEndWaitMs / 1000,
  giveUp: DEFAULT_SENDER_TIMING.giveUpMs / 1000,
  doneRetry: DEFAULT_RECEIVER_TIMING.doneRetryMs / 1000,
  minSample: DEFAULT_SENDER_TIMING.minSampleMs / 1000,
  burst: DEFAULT_SENDER_TIMING.burstMs / 1000,
  memory: DEFAULT_RATE_CONTROL.memoryMs / 1000,
};

export const DEFAULT_TRANSPORT: TransportSettings = {
  chunkSize: DEFAULT_CHUNK_SIZE,
  approximate: DEFAULT_APPROX_TIMING,
  rateHint: "line-rate",
  blastRate: null,
  blastDrain: 0.2,
  tcp: DEFAULT_TCP,
  tcpSettings: [...TCP_SETTINGS],
  dctcpThreshold: 20,
};

/** The TCP baselines' settings: the scenario's TCP with each setting's timers and variant. */
export function tcpSetting(name: TcpSettingName, base: TcpSettings): TcpSettings {
  switch (name) {
    case "linux-default":
      return { ...base, minRto: 0.2, initialRto: 1, variant: "reno" };
    case "dc-tuned":
      return {
        ...base,
        minRto: DC_TUNED_MIN_RTO,
        initialRto: DC_TUNED_INITIAL_RTO,
        variant: "reno",
      };
    case "dctcp":
      return {
        ...base,
        minRto: DC_TUNED_MIN_RTO,
        initialRto: DC_TUNED_INITIAL_RTO,
        variant: "dctcp",
      };
  }
}

/**
 * dc-tuned: a few milliseconds of minimum RTO (Linux: `ip route ... rto_min 5ms`) and of
 * initial RTO, so that a lost SYN or first flight costs milliseconds, not Linux's 1 s
 * (Linux changes its initial RTO only from a BPF program; a data center that tunes one tunes
 * both).
 */
export const DC_TUNED_MIN_RTO = 0.005;
export const DC_TUNED_INITIAL_RTO = 0.01;

export const DEFAULT_SIMULATOR: SimulatorSettings = {
  queueMode: "strict",
  linkDelay: 0,
  hostBuffer: 1000,
  ecmpHash: "per-switch",
  reallocate: "on-change",
  controlDelay: 0,
  exactDemand: "declared",
  jobDemand: "measured",
};

export const DEFAULT_MININET: MininetSettings = {
  warmup: 3,
  cooldown: 5,
  basePort: 20000,
  exactPort: 19000,
};
