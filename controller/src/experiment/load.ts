// Loading scenario files: YAML -> schema check -> the topology and policy they name ->
// units resolved -> checks against the topology (every host exists, every job and
// traffic source can run). Every problem names the file, the path, the line and what was
// expected; problems of an inline or overridden policy point into the scenario file.
import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { stringify } from "yaml";
import { ConfigError, type ConfigIssue, type ConfigPath } from "../config/errors.js";
import { schemaIssues } from "../config/schema.js";
import { parseBytes, parseDuration, readBitRate } from "../config/units.js";
import { YamlSource } from "../config/yaml-source.js";
import { parsePolicy, policyFromSource } from "../policy/load.js";
import type { Policy } from "../policy/types.js";
import { loadTopologyFile } from "../topology/load.js";
import { scenarioSchema } from "./schema.js";
import {
  DEFAULT_APPROX_TIMING,
  DEFAULT_HOSTS,
  DEFAULT_MININET,
  DEFAULT_SIMULATOR,
  DEFAULT_TCP,
  DEFAULT_TRANSPORT,
  EXPERIMENT_POLICIES,
  type Arrival,
  type Completion,
  type ExactSpec,
  type QueueMode,
  type TcpSettingName,
  type ExperimentPolicy,
  type JobGenerator,
  type JobKind,
  type JobSpec,
  type Scenario,
} from "./scenario.js";

/** Job ids are meter indexes: at most this many jobs in one scenario. */
export const MAX_JOBS = 65535;

export function loadScenarioFile(path: string): Scenario {
  return scenarioFromSource(YamlSource.read(path), dirname(path));
}

/** `baseDir` resolves the topology and policy paths. */
export function parseScenario(text: string, file: string, baseDir = "."): Scenario {
  return scenarioFromSource(YamlSource.parse(text, file), baseDir);
}

type Quantity = number | string;
interface RawShape {
  kind?: JobKind;
  volume: Quantity;
  fraction: number;
  weight?: number;
  deadline?: Quantity;
  rounds?: number;
  batches?: number;
  interval?: Quantity;
  min_sender_fraction?: number;
}
interface RawJob extends RawShape {
  name: string;
  src: string | string[];
  dst?: string | string[];
  start?: Quantity;
}
interface RawGenerator extends RawShape {
  prefix?: string;
  kind: JobKind;
  count: number;
  senders: number;
  receivers?: number;
  hosts?: string[];
  arrival: { at?: Quantity; uniform?: [Quantity, Quantity]; poisson?: number; from?: Quantity };
}
interface RawExact {
  name?: string;
  distribution: string;
  scale?: number;
  max_size?: Quantity;
  load: number;
  declared_load?: number;
  capacity?: Quantity;
  src?: string | string[];
  dst?: string | string[];
  into_job_receivers?: boolean;
  start?: Quantity;
  stop?: Quantity;
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
  workload: { approximate?: RawJob[]; generate?: RawGenerator[]; exact?: RawExact[] };
  transport?: {
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
  };
  simulator?: {
    queue_mode?: QueueMode;
    link_delay?: Quantity;
    host_buffer?: number;
    ecmp_hash?: "per-switch" | "same";
    reallocate?: "on-change" | "static";
    control_delay?: Quantity;
    exact_demand?: "declared" | "measured" | "none";
    job_demand?: "measured" | "none";
  };
  hosts?: { queues?: "priority" | "fifo"; best_effort_share?: number };
  mininet?: { warmup?: Quantity; cooldown?: Quantity; base_port?: number; exact_port?: number };
}

type Report = (path: ConfigPath, message: string) => void;

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

  // The schema has checked every quantity's form; these only convert.
  const seconds = (v: Quantity | undefined, fallback: number) =>
    v === undefined ? fallback : parseDuration(v)!;
  const bytes = (v: Quantity) => parseBytes(v)!;
  // Rates have the right form; whether they are positive and within any link is checked here.
  const bits = (v: Quantity, path: ConfigPath) => {
    const r = readBitRate(v);
    if ("bits" in r && r.bits > 0) return r.bits;
    report(
      path,
      "problem" in r
        ? `expected a positive bit rate with its unit: ${r.problem}`
        : `expected a positive bit rate such as "10Mbit", got ${JSON.stringify(v)}`,
    );
    return 1;
  };

  const duration = seconds(raw.duration, 0);
  if (!(duration > 0)) {
    // "0s" passes the duration pattern; a scenario that lasts no time measures nothing.
    report(
      ["duration"],
      `expected a positive duration such as "30s", got ${JSON.stringify(raw.duration)}`,
    );
  }
  const timeLimit = seconds(raw.time_limit, Math.max(60, 4 * duration));
  if (timeLimit < duration) {
    report(["time_limit"], `expected at least the duration (${duration} s), got ${timeLimit} s`);
  }

  const hostNames = new Set(topology.hosts.map((h) => h.name));
  const hostList = (value: string | string[] | undefined, path: ConfigPath): string[] => {
    if (value === undefined) return [];
    const list = Array.isArray(value) ? value : [value];
    const seen = new Set<string>();
    list.forEach((name, i) => {
      const at = Array.isArray(value) ? [...path, i] : path;
      if (!hostNames.has(name)) {
        report(at, `no host named "${name}" in ${topologyFile}; expected a host of the topology`);
      } else if (seen.has(name)) report(at, `host "${name}" is listed twice`);
      seen.add(name);
    });
    return list;
  };

  const shape = (j: RawShape, path: ConfigPath, kind: JobKind) => {
    const s = {
      kind,
      volume: bytes(j.volume),
      fraction: j.fraction,
      weight: j.weight ?? 1,
      deadline: j.deadline === undefined ? null : parseDuration(j.deadline)!,
      rounds: j.rounds ?? 1,
      batches: j.batches ?? 1,
      interval: seconds(j.interval, 0),
      minSenderFraction: j.min_sender_fraction ?? 0,
    };
    if (j.rounds !== undefined && kind !== "all-to-all" && kind !== "aggregation") {
      report(
        [...path, "rounds"],
        `only all-to-all and aggregation jobs have rounds; this job is a ${kind}`,
      );
    }
    if (j.min_sender_fraction !== undefined && j.min_sender_fraction > j.fraction) {
      report(
        [...path, "min_sender_fraction"],
        `expected at most the job's fraction (${j.fraction}), got ${j.min_sender_fraction}`,
      );
    }
    if ((j.batches !== undefined || j.interval !== undefined) && kind !== "stream") {
      const key = j.batches !== undefined ? "batches" : "interval";
      report(
        [...path, key],
        `only stream jobs have batches and an interval; this job is a ${kind}`,
      );
    }
    return s;
  };

  const jobs: JobSpec[] = [];
  const names = new Map<string, string>();
  const claimName = (name: string, path: ConfigPath, what: string) => {
    const other = names.get(name);
    if (other !== undefined) report(path, `job name "${name}" is also used by ${other}`);
    else names.set(name, what);
  };
  (raw.workload.approximate ?? []).forEach((j, i) => {
    const path = ["workload", "approximate", i];
    const kind = j.kind ?? "transfer";
    claimName(j.name, [...path, "name"], `workload.approximate[${i}]`);
    const src = hostList(j.src, [...path, "src"]);
    const dst = hostList(j.dst, [...path, "dst"]);
    const spec: JobSpec = {
      name: j.name,
      ...shape(j, path, kind),
      src,
      dst,
      start: seconds(j.start, 0),
      path,
    };
    if (kind === "all-to-all") {
      if (j.dst !== undefined) {
        report(
          [...path, "dst"],
          "an all-to-all job has no receivers apart from its workers (src); remove dst",
        );
      }
      if (src.length < 2)
        report([...path, "src"], "expected at least two workers for an all-to-all job");
    } else if (j.dst === undefined) {
      report(path, `missing dst; expected the receivers of the ${kind}`);
    } else if (src.length === 1 && dst.length === 1 && src[0] === dst[0]) {
      report([...path, "dst"], `the job's only sender and receiver are the same host (${src[0]})`);
    }
    const transfers = transferCount(spec);
    if (transfers > 0 && spec.volume / transfers < 1) {
      report(
        [...path, "volume"],
        `expected at least one byte per transfer (${transfers} transfers), got ${spec.volume}`,
      );
    }
    jobs.push(spec);
  });

  const generators: JobGenerator[] = [];
  let generatedJobs = 0;
  (raw.workload.generate ?? []).forEach((g, i) => {
    const path = ["workload", "generate", i];
    const prefix = g.prefix ?? `${g.kind}${i + 1}`;
    for (let n = 1; n <= g.count; n++) {
      const name = `${prefix}-${n}`;
      if (names.has(name)) {
        report(
          [...path, "prefix"],
          `generated job name "${name}" is also used by ${names.get(name)}; choose another prefix`,
        );
        break;
      }
    }
    for (let n = 1; n <= g.count; n++) names.set(`${prefix}-${n}`, `workload.generate[${i}]`);
    generatedJobs += g.count;
    const pool = hostList(g.hosts, [...path, "hosts"]);
    const poolSize = pool.length > 0 ? pool.length : topology.hosts.length;
    const receivers = g.kind === "all-to-all" ? 0 : (g.receivers ?? 1);
    if (g.kind === "all-to-all") {
      if (g.receivers !== undefined) {
        report(
          [...path, "receivers"],
          "an all-to-all job's workers both send and receive; give only senders",
        );
      }
      if (g.senders < 2)
        report([...path, "senders"], "expected at least two workers for an all-to-all job");
    }
    if (g.senders + receivers > poolSize) {
      report(
        [...path, "senders"],
        `expected at most ${poolSize} hosts per job (the hosts to pick from), got ${g.senders} senders + ${receivers} receivers`,
      );
    }
    const arrival = arrivalOf(g.arrival, [...path, "arrival"], report);
    generators.push({
      prefix,
      ...shape(g, path, g.kind),
      count: g.count,
      senders: g.senders,
      receivers,
      hosts: pool,
      arrival,
      path,
    });
  });
  if (jobs.length + generatedJobs > MAX_JOBS) {
    report(
      ["workload"],
      `expected at most ${MAX_JOBS} approximate jobs (job ids are meter indexes), got ${jobs.length + generatedJobs}`,
    );
  }

  const exact: ExactSpec[] = [];
  (raw.workload.exact ?? []).forEach((e, i) => {
    const path = ["workload", "exact", i];
    const src = hostList(e.src, [...path, "src"]);
    const dst = hostList(e.dst, [...path, "dst"]);
    const srcs = src.length > 0 ? src : [...hostNames];
    const dsts = dst.length > 0 ? dst : [...hostNames];
    if (dsts.length === 1 && srcs.length === 1 && srcs[0] === dsts[0]) {
      report([...path, "dst"], `the only source and destination are the same host (${srcs[0]})`);
    }
    if (e.distribution.startsWith("fixed:") && parseBytes(e.distribution.slice(6)) === undefined) {
      report(
        [...path, "distribution"],
        `expected "fixed:<size>" with a size such as 100KB, got "${e.distribution}"`,
      );
    }
    const start = seconds(e.start, 0);
    const stop = e.stop === undefined ? null : parseDuration(e.stop)!;
    if (stop !== null && stop <= start) {
      report([...path, "stop"], `expected a time after start (${start} s), got ${stop} s`);
    }
    if (start >= duration && e.start !== undefined) {
      report(
        [...path, "start"],
        `expected a time before the duration (${duration} s), got ${start} s`,
      );
    }
    exact.push({
      name: e.name ?? `exact${i + 1}`,
      distribution: e.distribution,
      scale: e.scale ?? 1,
      maxSize: e.max_size === undefined ? null : bytes(e.max_size),
      load: e.load,
      declaredLoad: e.declared_load ?? e.load,
      capacity: e.capacity === undefined ? null : bits(e.capacity, [...path, "capacity"]),
      src,
      dst,
      intoJobReceivers: e.into_job_receivers ?? false,
      start,
      stop,
      path,
    });
    if (e.into_job_receivers === true && e.dst !== undefined) {
      report(
        [...path, "into_job_receivers"],
        "give either dst or into_job_receivers: the destinations are one or the other",
      );
    }
  });
  if (jobs.length === 0 && generators.length === 0 && exact.length === 0) {
    report(
      ["workload"],
      "expected at least one approximate job, job generator or exact traffic source",
    );
  }

  const t = raw.transport ?? {};
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
  const s = raw.simulator ?? {};
  const m = raw.mininet ?? {};
  const seeds = raw.seeds === undefined ? [1] : Array.isArray(raw.seeds) ? raw.seeds : [raw.seeds];
  seeds.forEach((seed, i) => {
    if (seeds.indexOf(seed) !== i) report(["seeds", i], `seed ${seed} is listed twice`);
  });
  (t.tcp_settings ?? []).forEach((name, i, all) => {
    if (all.indexOf(name) !== i)
      report(["transport", "tcp_settings", i], `TCP setting "${name}" is listed twice`);
  });
  const policies = raw.policies ?? [...EXPERIMENT_POLICIES];
  policies.forEach((p, i) => {
    if (policies.indexOf(p) !== i) report(["policies", i], `policy "${p}" is listed twice`);
  });
  const mininet = {
    warmup: seconds(m.warmup, DEFAULT_MININET.warmup),
    cooldown: seconds(m.cooldown, DEFAULT_MININET.cooldown),
    basePort: m.base_port ?? DEFAULT_MININET.basePort,
    exactPort: m.exact_port ?? DEFAULT_MININET.exactPort,
  };
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
    transport: {
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
        t.blast_rate === undefined ? null : bits(t.blast_rate, ["transport", "blast_rate"]),
      blastDrain: seconds(t.blast_drain, DEFAULT_TRANSPORT.blastDrain),
      tcp,
      tcpSettings: t.tcp_settings ?? [...DEFAULT_TRANSPORT.tcpSettings],
      dctcpThreshold: t.dctcp_threshold ?? DEFAULT_TRANSPORT.dctcpThreshold,
    },
    hosts: {
      queues: raw.hosts?.queues ?? DEFAULT_HOSTS.queues,
      bestEffortShare: raw.hosts?.best_effort_share ?? DEFAULT_HOSTS.bestEffortShare,
    },
    simulator: {
      queueMode: s.queue_mode ?? DEFAULT_SIMULATOR.queueMode,
      linkDelay: seconds(s.link_delay, DEFAULT_SIMULATOR.linkDelay),
      hostBuffer: s.host_buffer ?? DEFAULT_SIMULATOR.hostBuffer,
      ecmpHash: s.ecmp_hash ?? DEFAULT_SIMULATOR.ecmpHash,
      reallocate: s.reallocate ?? DEFAULT_SIMULATOR.reallocate,
      controlDelay: seconds(s.control_delay, DEFAULT_SIMULATOR.controlDelay),
      exactDemand: s.exact_demand ?? DEFAULT_SIMULATOR.exactDemand,
      jobDemand: s.job_demand ?? DEFAULT_SIMULATOR.jobDemand,
    },
    mininet,
    notes,
  };
}

/** How many host-to-host transfers a job makes in all (all phases). */
export function transferCount(job: {
  kind: JobKind;
  src: string[];
  dst: string[];
  rounds: number;
  batches: number;
}): number {
  switch (job.kind) {
    case "all-to-all":
      return job.src.length * (job.src.length - 1) * job.rounds;
    case "stream":
      return job.src.length * job.batches;
    case "aggregation":
      return pairs(job.src, job.dst) * job.rounds;
    default:
      return pairs(job.src, job.dst);
  }
}

/** Sender-receiver pairs of distinct hosts. */
export function pairs(src: readonly string[], dst: readonly string[]): number {
  const d = new Set(dst);
  return src.length * dst.length - src.filter((h) => d.has(h)).length;
}

function arrivalOf(raw: RawGenerator["arrival"], path: ConfigPath, report: Report): Arrival {
  const t = (v: Quantity) => parseDuration(v)!;
  const given = ["at", "uniform", "poisson"].filter(
    (k) => raw[k as keyof typeof raw] !== undefined,
  );
  if (given.length !== 1) {
    report(path, "expected exactly one of at, uniform or poisson");
    return { kind: "at", time: 0 };
  }
  if (raw.from !== undefined && raw.poisson === undefined) {
    report([...path, "from"], "only poisson arrivals take from");
  }
  if (raw.at !== undefined) return { kind: "at", time: t(raw.at) };
  if (raw.uniform !== undefined) {
    const [from, to] = raw.uniform.map(t) as [number, number];
    if (to < from)
      report([...path, "uniform"], `expected [from, to] with from <= to, got [${from}, ${to}]`);
    return { kind: "uniform", from, to };
  }
  return { kind: "poisson", rate: raw.poisson!, from: raw.from === undefined ? 0 : t(raw.from) };
}

function relativeTo(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function isFile(path: string, at: ConfigPath, what: string, report: Report): boolean {
  if (!existsSync(path)) report(at, `cannot read the ${what} file ${path}: no such file`);
  else if (!statSync(path).isFile()) report(at, `the ${what} path ${path} is not a file`);
  else return true;
  return false;
}

/**
 * The scenario's policy: a file, an inline policy, or the defaults, with overrides of
 * classes and knobs on top. Jobs and exact flows come from the workload, so any the policy
 * declares are dropped (with a note). Problems are located where their value was written.
 */
function scenarioPolicy(
  source: YamlSource,
  raw: RawScenario,
  baseDir: string,
  notes: string[],
  report: Report,
  push: (issue: ConfigIssue) => void,
): { policy: Policy | undefined; policyFile: string | null } {
  let base: Record<string, unknown> = {};
  let fileSource: YamlSource | null = null;
  let policyFile: string | null = null;
  if (typeof raw.policy === "string") {
    policyFile = relativeTo(baseDir, raw.policy);
    if (!isFile(policyFile, ["policy"], "policy", report)) return { policy: undefined, policyFile };
    fileSource = YamlSource.read(policyFile);
    // The file must be a valid policy on its own; its problems are reported against it.
    policyFromSource(fileSource, { jobsRequired: false });
    base = { ...((fileSource.data ?? {}) as Record<string, unknown>) };
  } else if (raw.policy !== undefined) {
    base = { ...raw.policy };
  }
  for (const key of ["jobs", "exact"] as const) {
    if (base[key] !== undefined) {
      notes.push(
        `the policy's ${key === "jobs" ? "jobs" : "exact flows"} are ignored: a scenario's approximate jobs and exact traffic come from its workload`,
      );
      delete base[key];
    }
  }
  const overrides = raw.policy_overrides ?? {};
  const merged: Record<string, unknown> = { ...base };
  for (const key of ["classes", "knobs"] as const) {
    const o = overrides[key] as Record<string, unknown> | undefined;
    if (o !== undefined)
      merged[key] = { ...((base[key] as Record<string, unknown> | undefined) ?? {}), ...o };
  }
  const label = policyFile ?? source.file;
  try {
    const policy = parsePolicy(stringify(merged), label, { jobsRequired: false });
    // Later checks (against the topology) locate their problems where the policy came from.
    policy.origin =
      fileSource !== null
        ? { file: label, locate: (path) => fileSource.position(path) }
        : { file: label, locate: (path) => source.position(["policy", ...path]) };
    return { policy, policyFile };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const issue of err.issues) {
      if (issue.path === null) {
        push({ ...issue, file: label });
        continue;
      }
      const where = locate(issue.path);
      push({ file: where.file, path: where.path, ...where.position, message: issue.message });
    }
    return { policy: undefined, policyFile };
  }

  /** Where a path of the merged policy was written: in the overrides, inline, or the file. */
  function locate(path: ConfigPath): {
    file: string;
    path: ConfigPath;
    position: { line: number; column: number };
  } {
    const [section, key] = path;
    const overridden =
      (section === "classes" || section === "knobs") &&
      typeof key === "string" &&
      (overrides[section] as Record<string, unknown> | undefined)?.[key] !== undefined;
    if (overridden || fileSource === null) {
      const p = [overridden ? "policy_overrides" : "policy", ...path];
      return { file: source.file, path: p, position: source.position(p) };
    }
    return { file: fileSource.file, path, position: fileSource.position(path) };
  }
}
