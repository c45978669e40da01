// A scenario file's workload section: its approximate jobs, job generators and exact traffic
// sources, checked against the topology's hosts (every host exists, every job can run).
import type { ConfigPath } from "@netapprox/model/config/errors.js";
import { parseBytes, parseDuration } from "@netapprox/model/config/units.js";
import type { Topology } from "@netapprox/model/topology/types.js";
import type { Quantity, Report, SectionReader } from "./load-reader.js";
import type { Arrival, ExactSpec, JobGenerator, JobKind, JobSpec } from "./scenario.js";

/** Job ids are meter indexes: at most this many jobs in one scenario. */
export const MAX_JOBS = 65535;

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
export interface RawWorkload {
  approximate?: RawJob[];
  generate?: RawGenerator[];
  exact?: RawExact[];
}

export interface Workload {
  jobs: JobSpec[];
  generators: JobGenerator[];
  exact: ExactSpec[];
}

/** Reads the workload; `duration` bounds the exact sources' start times. */
export function workloadOf(
  raw: RawWorkload,
  topology: Topology,
  topologyFile: string,
  duration: number,
  read: SectionReader,
): Workload {
  const { report } = read;
  const hostNames = new Set(topology.hosts.map((h) => h.name));
  const hostList = hostLister(hostNames, topologyFile, report);
  const names = new Map<string, string>();
  const jobs = (raw.approximate ?? []).map((j, i) => jobOf(j, i, names, hostList, read));
  const generators: JobGenerator[] = [];
  let generatedJobs = 0;
  (raw.generate ?? []).forEach((g, i) => {
    generators.push(generatorOf(g, i, names, hostList, topology.hosts.length, read));
    generatedJobs += g.count;
  });
  if (jobs.length + generatedJobs > MAX_JOBS) {
    report(
      ["workload"],
      `expected at most ${MAX_JOBS} approximate jobs (job ids are meter indexes), got ${jobs.length + generatedJobs}`,
    );
  }
  const exact = (raw.exact ?? []).map((e, i) => exactOf(e, i, hostNames, hostList, duration, read));
  if (jobs.length === 0 && generators.length === 0 && exact.length === 0) {
    report(
      ["workload"],
      "expected at least one approximate job, job generator or exact traffic source",
    );
  }
  return { jobs, generators, exact };
}

type HostList = (value: string | string[] | undefined, path: ConfigPath) => string[];

/** Reads a host or list of hosts: each must be a host of the topology, listed once. */
function hostLister(
  hostNames: ReadonlySet<string>,
  topologyFile: string,
  report: Report,
): HostList {
  return (value, path) => {
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
}

/** What a job and a generator's jobs share: its kind, volume, fraction and phases. */
function shapeOf(j: RawShape, path: ConfigPath, kind: JobKind, read: SectionReader) {
  const { report } = read;
  const s = {
    kind,
    volume: read.bytes(j.volume),
    fraction: j.fraction,
    weight: j.weight ?? 1,
    deadline: j.deadline === undefined ? null : parseDuration(j.deadline)!,
    rounds: j.rounds ?? 1,
    batches: j.batches ?? 1,
    interval: read.seconds(j.interval, 0),
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
    report([...path, key], `only stream jobs have batches and an interval; this job is a ${kind}`);
  }
  return s;
}

/** workload.approximate[i]; `names` holds the job names taken so far, and where. */
function jobOf(
  j: RawJob,
  i: number,
  names: Map<string, string>,
  hostList: HostList,
  read: SectionReader,
): JobSpec {
  const { report } = read;
  const path = ["workload", "approximate", i];
  const kind = j.kind ?? "transfer";
  const other = names.get(j.name);
  if (other !== undefined)
    report([...path, "name"], `job name "${j.name}" is also used by ${other}`);
  else names.set(j.name, `workload.approximate[${i}]`);
  const src = hostList(j.src, [...path, "src"]);
  const dst = hostList(j.dst, [...path, "dst"]);
  const spec: JobSpec = {
    name: j.name,
    ...shapeOf(j, path, kind, read),
    src,
    dst,
    start: read.seconds(j.start, 0),
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
  return spec;
}

/** workload.generate[i]; its jobs' names are claimed in `names`. */
function generatorOf(
  g: RawGenerator,
  i: number,
  names: Map<string, string>,
  hostList: HostList,
  topologyHosts: number,
  read: SectionReader,
): JobGenerator {
  const { report } = read;
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
  const pool = hostList(g.hosts, [...path, "hosts"]);
  const poolSize = pool.length > 0 ? pool.length : topologyHosts;
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
  return {
    prefix,
    ...shapeOf(g, path, g.kind, read),
    count: g.count,
    senders: g.senders,
    receivers,
    hosts: pool,
    arrival,
    path,
  };
}

/** workload.exact[i]. */
function exactOf(
  e: RawExact,
  i: number,
  hostNames: ReadonlySet<string>,
  hostList: HostList,
  duration: number,
  read: SectionReader,
): ExactSpec {
  const { report } = read;
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
  const start = read.seconds(e.start, 0);
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
  const spec: ExactSpec = {
    name: e.name ?? `exact${i + 1}`,
    distribution: e.distribution,
    scale: e.scale ?? 1,
    maxSize: e.max_size === undefined ? null : read.bytes(e.max_size),
    load: e.load,
    declaredLoad: e.declared_load ?? e.load,
    capacity: e.capacity === undefined ? null : read.bits(e.capacity, [...path, "capacity"]),
    src,
    dst,
    intoJobReceivers: e.into_job_receivers ?? false,
    start,
    stop,
    path,
  };
  if (e.into_job_receivers === true && e.dst !== undefined) {
    report(
      [...path, "into_job_receivers"],
      "give either dst or into_job_receivers: the destinations are one or the other",
    );
  }
  return spec;
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
