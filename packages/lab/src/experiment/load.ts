// Loading scenario files: YAML -> schema check -> the topology and policy they name ->
// units resolved -> checks against the topology (every host exists, every job and
// traffic source can run). Every problem names the file, the path, the line and what was
// expected; problems of an inline or overridden policy point into the scenario file.
// One reader per section: the workload (load-workload.ts), the policy (load-policy.ts),
// and here the run's timing, transport, simulator, hosts and Mininet settings.
import { dirname } from "node:path";
import { ConfigError, type ConfigIssue } from "@netapprox/model/config/errors.js";
import { schemaIssues } from "@netapprox/model/config/schema.js";
import { YamlSource } from "@netapprox/model/config/yaml-source.js";
import type { Policy } from "@netapprox/model/policy/types.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import { isFile, relativeTo, scenarioPolicy } from "./load-policy.js";
import { sectionReader, type Quantity, type Report, type SectionReader } from "./load-reader.js";
import { workloadOf, type RawWorkload } from "./load-workload.js";
import { scenarioSchema } from "./schema.js";
import {
  DEFAULT_APPROX_TIMING,
  DEFAULT_HOSTS,
  DEFAULT_MININET,
  DEFAULT_SIMULATOR,
  DEFAULT_TCP,
  DEFAULT_TRANSPORT,
  EXPERIMENT_POLICIES,
  type Completion,
  type QueueMode,
  type TcpSettingName,
  type ExperimentPolicy,
  type Scenario,
} from "./scenario.js";

export { MAX_JOBS, pairs, transferCount } from "./load-workload.js";

export function loadScenarioFile(path: string): Scenario {
  return scenarioFromSource(YamlSource.read(path), dirname(path));
}

/** `baseDir` resolves the topology and policy paths. */
export function parseScenario(text: string, file: string, baseDir = "."): Scenario {
  return scenarioFromSource(YamlSource.parse(text, file), baseDir);
}

interface RawScenario {
  name: string;
  description?: string;
  topology: string;
  policy?: string | Record<string, unknown>;
  policy_overrides?: Record<string, unknown>;
  policies?: ExperimentPolicy[];
  seeds?: number | number[];
  duration: Quantity;
  time_limit?: Quantity;
  completion?: Completion;
  workload: RawWorkload;
  transport?: RawTransport;
  simulator?: RawSimulator;
  hosts?: { queues?: "priority" | "fifo"; best_effort_share?: number };
  mininet?: RawMininet;
}
interface RawTransport {
  chunk_size?: number;
  approximate?: {
    feedback_interval?: Quantity;
    keepalive?: Quantity;
    silence?: Quantity;
    pass_end_wait?: Quantity;
    give_up?: Quantity;
    done_retry?: Quantity;
    min_sample?: Quantity;
    burst?: Quantity;
    memory?: Quantity;
  };
  rate_hint?: "line-rate" | "allocation";
  blast_rate?: Quantity;
  blast_drain?: Quantity;
  tcp?: {
    mss?: number;
    initial_window?: number;
    min_rto?: Quantity;
    initial_rto?: Quantity;
    variant?: "reno" | "dctcp";
  };
  tcp_settings?: TcpSettingName[];
  dctcp_threshold?: number;
}
interface RawSimulator {
  queue_mode?: QueueMode;
  link_delay?: Quantity;
  host_buffer?: number;
  ecmp_hash?: "per-switch" | "same";
  reallocate?: "on-change" | "static";
  control_delay?: Quantity;
  exact_demand?: "declared" | "measured" | "none";
  job_demand?: "measured" | "none";
}
interface RawMininet {
  warmup?: Quantity;
  cooldown?: Quantity;
  base_port?: number;
  exact_port?: number;
}

export function scenarioFromSource(source: YamlSource, baseDir: string): Scenario {
  const schemaProblems = schemaIssues(source, scenarioSchema);
  if (schemaProblems.length > 0) throw new ConfigError(schemaProblems);
  const raw = source.data as RawScenario;
  const issues: ConfigIssue[] = [];
  const report: Report = (path, message) => issues.push(source.issue(path, message));
  const fail = () => new ConfigError(issues);

  const topologyFile = relativeTo(baseDir, raw.topology);
  if (!isFile(topologyFile, ["topology"], "topology", report)) throw fail();
  const topology = loadTopologyFile(topologyFile);

  const notes: string[] = [];
  const { policy, policyFile } = scenarioPolicy(source, raw, baseDir, notes, report, (i) =>
    issues.push(i),
  );
  if (policy === undefined) throw fail();

  const read = sectionReader(report);
  const { duration, timeLimit } = timesOf(raw, read);
  const { jobs, generators, exact } = workloadOf(
    raw.workload,
    topology,
    topologyFile,
    duration,
    read,
  );
  const transport = transportOf(raw.transport ?? {}, policy, read);
  const { seeds, policies } = runsOf(raw, report);
  const simulator = simulatorOf(raw.simulator ?? {}, read);
  const hosts = hostsOf(raw.hosts ?? {});
  const mininet = mininetOf(raw.mininet ?? {}, read);
  if (issues.length > 0) throw fail();

  return {
    name: raw.name,
    description: raw.description ?? null,
    file: source.file,
    topologyFile,
    topology,
    policyFile,
    policy,
    policies,
    seeds,
    duration,
    timeLimit,
    completion: raw.completion ?? "job",
    jobs,
    generators,
    exact,
    transport,
    hosts,
    simulator,
    mininet,
    notes,
  };
}

function timesOf(raw: RawScenario, read: SectionReader): { duration: number; timeLimit: number } {
  const duration = read.seconds(raw.duration, 0);
  if (!(duration > 0)) {
    // "0s" passes the duration pattern; a scenario that lasts no time measures nothing.
    read.report(
      ["duration"],
      `expected a positive duration such as "30s", got ${JSON.stringify(raw.duration)}`,
    );
  }
  const timeLimit = read.seconds(raw.time_limit, Math.max(60, 4 * duration));
  if (timeLimit < duration) {
    read.report(
      ["time_limit"],
      `expected at least the duration (${duration} s), got ${timeLimit} s`,
    );
  }
  return { duration, timeLimit };
}

/** The seeds and the policies to run, each listed once. */
function runsOf(
  raw: RawScenario,
  report: Report,
): { seeds: number[]; policies: ExperimentPolicy[] } {
  const seeds = raw.seeds === undefined ? [1] : Array.isArray(raw.seeds) ? raw.seeds : [raw.seeds];
  seeds.forEach((seed, i) => {
    if (seeds.indexOf(seed) !== i) report(["seeds", i], `seed ${seed} is listed twice`);
  });
  const policies = raw.policies ?? [...EXPERIMENT_POLICIES];
  policies.forEach((p, i) => {
    if (policies.indexOf(p) !== i) report(["policies", i], `policy "${p}" is listed twice`);
  });
  return { seeds, policies };
}

function transportOf(t: RawTransport, policy: Policy, read: SectionReader): Scenario["transport"] {
  const { seconds, report } = read;
  const a = t.approximate ?? {};
  const tcpRaw = t.tcp ?? {};
  const tcp = {
    mss: tcpRaw.mss ?? DEFAULT_TCP.mss,
    initialWindow: tcpRaw.initial_window ?? DEFAULT_TCP.initialWindow,
    minRto: seconds(tcpRaw.min_rto, DEFAULT_TCP.minRto),
    initialRto: seconds(tcpRaw.initial_rto, DEFAULT_TCP.initialRto),
    variant: tcpRaw.variant ?? DEFAULT_TCP.variant,
  };
  if (tcp.variant === "dctcp" && policy.knobs.ecnThreshold === null) {
    report(
      ["transport", "tcp", "variant"],
      "DCTCP needs ECN marking: set the policy knob ecn_threshold (e.g. in policy_overrides.knobs)",
    );
  }
  (t.tcp_settings ?? []).forEach((name, i, all) => {
    if (all.indexOf(name) !== i)
      report(["transport", "tcp_settings", i], `TCP setting "${name}" is listed twice`);
  });
  return {
    chunkSize: t.chunk_size ?? DEFAULT_TRANSPORT.chunkSize,
    approximate: {
      feedbackInterval: seconds(a.feedback_interval, DEFAULT_APPROX_TIMING.feedbackInterval),
      keepalive: seconds(a.keepalive, DEFAULT_APPROX_TIMING.keepalive),
      silence: seconds(a.silence, DEFAULT_APPROX_TIMING.silence),
      passEndWait: seconds(a.pass_end_wait, DEFAULT_APPROX_TIMING.passEndWait),
      giveUp: seconds(a.give_up, DEFAULT_APPROX_TIMING.giveUp),
      doneRetry: seconds(a.done_retry, DEFAULT_APPROX_TIMING.doneRetry),
      minSample: seconds(a.min_sample, DEFAULT_APPROX_TIMING.minSample),
      burst: seconds(a.burst, DEFAULT_APPROX_TIMING.burst),
      memory: seconds(a.memory, DEFAULT_APPROX_TIMING.memory),
    },
    rateHint: t.rate_hint ?? DEFAULT_TRANSPORT.rateHint,
    blastRate:
      t.blast_rate === undefined ? null : read.bits(t.blast_rate, ["transport", "blast_rate"]),
    blastDrain: seconds(t.blast_drain, DEFAULT_TRANSPORT.blastDrain),
    tcp,
    tcpSettings: t.tcp_settings ?? [...DEFAULT_TRANSPORT.tcpSettings],
    dctcpThreshold: t.dctcp_threshold ?? DEFAULT_TRANSPORT.dctcpThreshold,
  };
}

function simulatorOf(s: RawSimulator, read: SectionReader): Scenario["simulator"] {
  return {
    queueMode: s.queue_mode ?? DEFAULT_SIMULATOR.queueMode,
    linkDelay: read.seconds(s.link_delay, DEFAULT_SIMULATOR.linkDelay),
    hostBuffer: s.host_buffer ?? DEFAULT_SIMULATOR.hostBuffer,
    ecmpHash: s.ecmp_hash ?? DEFAULT_SIMULATOR.ecmpHash,
    reallocate: s.reallocate ?? DEFAULT_SIMULATOR.reallocate,
    controlDelay: read.seconds(s.control_delay, DEFAULT_SIMULATOR.controlDelay),
    exactDemand: s.exact_demand ?? DEFAULT_SIMULATOR.exactDemand,
    jobDemand: s.job_demand ?? DEFAULT_SIMULATOR.jobDemand,
  };
}

function hostsOf(h: NonNullable<RawScenario["hosts"]>): Scenario["hosts"] {
  return {
    queues: h.queues ?? DEFAULT_HOSTS.queues,
    bestEffortShare: h.best_effort_share ?? DEFAULT_HOSTS.bestEffortShare,
  };
}

function mininetOf(m: RawMininet, read: SectionReader): Scenario["mininet"] {
  return {
    warmup: read.seconds(m.warmup, DEFAULT_MININET.warmup),
    cooldown: read.seconds(m.cooldown, DEFAULT_MININET.cooldown),
    basePort: m.base_port ?? DEFAULT_MININET.basePort,
    exactPort: m.exact_port ?? DEFAULT_MININET.exactPort,
  };
}
