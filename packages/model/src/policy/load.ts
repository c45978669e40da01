// Loading policy files: YAML -> schema check -> units and defaults resolved -> checks that
// need no topology (unique job names and ids, distinct DSCP values, a queue order the data
// plane can honour). Checks against a topology are in resolve.ts.
import { ConfigError, type ConfigIssue, type ConfigPath } from "../config/errors.js";
import { schemaIssues } from "../config/schema.js";
import { parseBytes, parseDuration, readBitRate } from "../config/units.js";
import type { ConfigSource } from "../config/source.js";
import { YamlSource } from "../config/yaml-source.js";
import { policySchema } from "./schema.js";
import {
  DEFAULT_CLASSES,
  DEFAULT_KNOBS,
  type AllocatorName,
  type ApproximateJob,
  type Classes,
  type Knobs,
  type Policy,
  type PortRange,
  type TrafficClass,
} from "./types.js";

export interface PolicyLoadOptions {
  /**
   * The file must list its jobs (`jobs: []` for none), so that a truncated or emptied
   * file is never read as "no jobs". Default true; false for a scenario's policy, whose
   * jobs come from its workload.
   */
  jobsRequired?: boolean;
}

export function loadPolicyFile(path: string, options: PolicyLoadOptions = {}): Policy {
  return policyFromSource(YamlSource.read(path), options);
}

export function parsePolicy(text: string, file: string, options: PolicyLoadOptions = {}): Policy {
  return policyFromSource(YamlSource.parse(text, file), options);
}

type RawClass = { dscp?: number; queue?: number };
type Quantity = number | string;
interface RawPolicy {
  allocator?: AllocatorName;
  classes?: {
    control?: RawClass;
    exact?: RawClass;
    approximate_guaranteed?: RawClass;
    approximate_best_effort?: RawClass;
  };
  knobs?: {
    beta?: number;
    headroom?: number;
    guarantee_floor?: Quantity;
    guarantee_per_sender?: Quantity;
    job_weights?: "declared" | "smaller-first";
    le_threshold?: number;
    ecn_threshold?: number | null;
    hysteresis?: number;
    poll_interval?: Quantity;
    ewma_alpha?: number;
    mean_packet_size?: number;
    mtu?: number;
    control_share?: number;
    meter_burst?: Quantity;
  };
  jobs?: {
    name: string;
    id: number;
    match: {
      src: string | string[];
      dst: string | string[];
      protocol?: "tcp" | "udp" | number;
      src_port?: number | string;
      dst_port?: number | string;
    };
    volume: Quantity;
    fraction: number;
    weight?: number;
    deadline?: Quantity;
  }[];
  exact?: {
    source?: "declared" | "measured";
    flows?: { src: string; dst: string; rate: Quantity }[];
  };
}

const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17 };

export function policyFromSource(source: ConfigSource, options: PolicyLoadOptions = {}): Policy {
  // An empty file is an error, never "no jobs": that is what `>` or a half-saved file looks like.
  if (source.isEmpty) {
    throw source.emptyError(
      "a policy lists its approximate jobs (write `jobs: []` for a policy without any)",
    );
  }
  const schemaProblems = schemaIssues(source, policySchema);
  if (schemaProblems.length > 0) throw new ConfigError(schemaProblems);
  const raw = source.data as RawPolicy;
  const issues: ConfigIssue[] = [];
  const report = (path: ConfigPath, message: string) => issues.push(source.issue(path, message));
  if ((options.jobsRequired ?? true) && raw.jobs === undefined) {
    report(
      [],
      "no jobs: a policy lists its approximate jobs (write `jobs: []` for a policy without any)",
    );
  }

  const cls = (
    key: keyof NonNullable<RawPolicy["classes"]>,
    fallback: TrafficClass,
  ): TrafficClass => ({
    dscp: raw.classes?.[key]?.dscp ?? fallback.dscp,
    queue: raw.classes?.[key]?.queue ?? fallback.queue,
  });
  const classes: Classes = {
    control: cls("control", DEFAULT_CLASSES.control),
    exact: cls("exact", DEFAULT_CLASSES.exact),
    guaranteed: cls("approximate_guaranteed", DEFAULT_CLASSES.guaranteed),
    bestEffort: cls("approximate_best_effort", DEFAULT_CLASSES.bestEffort),
  };
  checkClasses(classes, report);

  const k = raw.knobs ?? {};
  const quantity = (
    value: Quantity | undefined,
    path: ConfigPath,
    parse: (v: Quantity) => number | undefined,
    fallback: number,
    what: string,
  ): number => {
    if (value === undefined) return fallback;
    const parsed = parse(value);
    if (parsed === undefined) {
      report(path, `expected ${what}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return parsed;
  };
  const rate = (value: Quantity | undefined, path: ConfigPath, fallback: number): number => {
    if (value === undefined) return fallback;
    const r = readBitRate(value);
    if ("bits" in r) return r.bits;
    report(path, `expected a bit rate with its unit: ${r.problem}`);
    return fallback;
  };
  const positiveDuration = (v: Quantity) => {
    const s = parseDuration(v);
    return s !== undefined && s > 0 ? s : undefined;
  };
  const knobs: Knobs = {
    beta: k.beta ?? DEFAULT_KNOBS.beta,
    headroom: k.headroom ?? DEFAULT_KNOBS.headroom,
    guaranteeFloor: rate(
      k.guarantee_floor,
      ["knobs", "guarantee_floor"],
      DEFAULT_KNOBS.guaranteeFloor,
    ),
    guaranteePerSender: rate(
      k.guarantee_per_sender,
      ["knobs", "guarantee_per_sender"],
      DEFAULT_KNOBS.guaranteePerSender,
    ),
    jobWeights: k.job_weights ?? DEFAULT_KNOBS.jobWeights,
    leThreshold: k.le_threshold ?? DEFAULT_KNOBS.leThreshold,
    ecnThreshold: k.ecn_threshold === undefined ? DEFAULT_KNOBS.ecnThreshold : k.ecn_threshold,
    hysteresis: k.hysteresis ?? DEFAULT_KNOBS.hysteresis,
    pollInterval: quantity(
      k.poll_interval,
      ["knobs", "poll_interval"],
      positiveDuration,
      DEFAULT_KNOBS.pollInterval,
      'a positive duration such as "500ms", "2s" or 1.5 (seconds)',
    ),
    ewmaAlpha: k.ewma_alpha ?? DEFAULT_KNOBS.ewmaAlpha,
    meanPacketSize: k.mean_packet_size ?? DEFAULT_KNOBS.meanPacketSize,
    mtu: k.mtu ?? DEFAULT_KNOBS.mtu,
    controlShare: k.control_share ?? DEFAULT_KNOBS.controlShare,
    meterBurst: quantity(
      k.meter_burst,
      ["knobs", "meter_burst"],
      positiveDuration,
      DEFAULT_KNOBS.meterBurst,
      'a positive duration such as "500ms", "2s" or 1.5 (seconds)',
    ),
  };
  if (knobs.meanPacketSize > knobs.mtu) {
    report(
      ["knobs", "mean_packet_size"],
      `expected at most the mtu (${knobs.mtu} bytes), got ${knobs.meanPacketSize}`,
    );
  }

  const jobs: ApproximateJob[] = [];
  const names = new Map<string, number>();
  const ids = new Map<number, number>();
  (raw.jobs ?? []).forEach((job, i) => {
    const path = ["jobs", i];
    const firstName = names.get(job.name);
    if (firstName !== undefined) {
      report(
        [...path, "name"],
        `duplicate job name "${job.name}" (also used by jobs[${firstName}])`,
      );
    } else names.set(job.name, i);
    const firstId = ids.get(job.id);
    if (firstId !== undefined) {
      report(
        [...path, "id"],
        `duplicate job id ${job.id} (also used by jobs[${firstId}]); each job needs its own meter`,
      );
    } else ids.set(job.id, i);
    const volume = quantity(
      job.volume,
      [...path, "volume"],
      (v) => {
        const bytes = parseBytes(v);
        return bytes !== undefined && bytes > 0 ? bytes : undefined;
      },
      0,
      'a positive volume in bytes such as 500000000, "500MB" or "2GiB"',
    );
    const deadline =
      job.deadline === undefined
        ? null
        : quantity(
            job.deadline,
            [...path, "deadline"],
            positiveDuration,
            0,
            'a positive duration such as "500ms", "2s" or 1.5 (seconds)',
          );
    const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
    jobs.push({
      name: job.name,
      id: job.id,
      match: {
        src: list(job.match.src),
        dst: list(job.match.dst),
        protocol:
          job.match.protocol === undefined
            ? null
            : typeof job.match.protocol === "number"
              ? job.match.protocol
              : PROTOCOLS[job.match.protocol]!,
        srcPort: portRange(job.match.src_port, [...path, "match", "src_port"], report),
        dstPort: portRange(job.match.dst_port, [...path, "match", "dst_port"], report),
      },
      volume,
      fraction: job.fraction,
      weight: job.weight ?? 1,
      deadline,
    });
  });

  const flows = (raw.exact?.flows ?? []).map((flow, i) => {
    const path = ["exact", "flows", i];
    if (flow.src === flow.dst)
      report([...path, "dst"], `the flow's source and destination are both ${flow.src}`);
    return {
      src: flow.src,
      dst: flow.dst,
      rate: Math.round(rate(flow.rate, [...path, "rate"], 0)),
    };
  });

  if (issues.length > 0) throw new ConfigError(issues);
  return {
    allocator: raw.allocator ?? "netapprox",
    classes,
    knobs,
    jobs,
    exact: { source: raw.exact?.source ?? "declared", flows },
    origin: { file: source.file, locate: (path) => source.position(path) },
  };
}

function portRange(
  value: number | string | undefined,
  path: ConfigPath,
  report: (path: ConfigPath, message: string) => void,
): PortRange | null {
  if (value === undefined) return null;
  const [from, to = from] = String(value).split("-").map(Number) as [number, number?];
  if (from > 65535 || to > 65535 || from > to) {
    report(
      path,
      `expected a port from 0 to 65535 or a range low-high with low <= high, got ${JSON.stringify(value)}`,
    );
    return null;
  }
  return { from, to };
}

/**
 * The data plane gives control the highest queue, exact traffic and the guaranteed part of
 * approximate traffic one queue (the guarantee is admitted into the same capacity budget as
 * exact traffic), and best-effort approximate traffic a lower queue. DSCP values tell the
 * classes apart, so they must differ.
 */
function checkClasses(c: Classes, report: (path: ConfigPath, message: string) => void): void {
  const names: [keyof Classes, string][] = [
    ["control", "control"],
    ["exact", "exact"],
    ["guaranteed", "approximate_guaranteed"],
    ["bestEffort", "approximate_best_effort"],
  ];
  const seen = new Map<number, string>();
  for (const [key, yamlName] of names) {
    const other = seen.get(c[key].dscp);
    if (other !== undefined) {
      report(
        ["classes", yamlName, "dscp"],
        `DSCP ${c[key].dscp} is also the ${other} class's; expected a value distinct from the other classes`,
      );
    } else seen.set(c[key].dscp, yamlName);
  }
  if (c.guaranteed.queue !== c.exact.queue) {
    report(
      ["classes", "approximate_guaranteed", "queue"],
      `expected the exact class's queue (${c.exact.queue}): guaranteed approximate traffic shares the exact queue, got ${c.guaranteed.queue}`,
    );
  }
  if (c.bestEffort.queue >= c.exact.queue) {
    report(
      ["classes", "approximate_best_effort", "queue"],
      `expected a queue below the exact class's (${c.exact.queue}), got ${c.bestEffort.queue}`,
    );
  }
  if (c.control.queue <= c.exact.queue) {
    report(
      ["classes", "control", "queue"],
      `expected a queue above the exact class's (${c.exact.queue}), got ${c.control.queue}`,
    );
  }
}
