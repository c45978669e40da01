// Flags of the host programs (`netapprox approx-send` and friends) and their
// translation into the options of the transport functions. Pure, so the flag
// handling is tested without sockets; every problem is a RangeError that names the
// flag and what it expected (the command turns it into a usage error).
//
// Over 500 lines because each host tool's flags sit next to their translation and the shared
// flag parsers; one table (packages/cli/src/host-tools.ts) runs them.
import type { ApproxRecvOptions } from "./approx-receiver.js";
import { DEFAULT_CHUNK_SIZE, type ApproxSendOptions } from "./approx-sender.js";
import type { ExactGenOptions, ExactSinkOptions } from "./exact-traffic.js";
import type { ReportTarget } from "./count-report.js";
import {
  checkSpec,
  loadSpecFile,
  parseGroup,
  type JobCoordinatorOptions,
} from "./job-coordinator.js";
import type { ApproxPorts } from "./marking.js";
import { distributionByName } from "./size-distributions.js";
import {
  TCP_MODES,
  type TcpMode,
  type TcpRecvOptions,
  type TcpSendOptions,
} from "./tcp-baseline.js";
import type { BlastSendOptions } from "./udp-blast.js";
import {
  parseBytes,
  parseDurationMs,
  parseHostPort,
  parseRateBitsPerSec,
  type HostPort,
} from "./units.js";

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

type Spec = Record<string, { type: "string" | "boolean"; multiple?: boolean }>;

const str = { type: "string" } as const;
const flag = { type: "boolean" } as const;

const common = { pretty: flag } as const;
const jobShape = { job: str, bytes: str, chunks: str, "chunk-size": str, fraction: str } as const;
/** The flags udpSenderCommon and receiverCommon read. */
const udpSenderShape = {
  ...jobShape,
  to: str,
  "control-port": str,
  bind: str,
  rate: str,
  "start-at": str,
} as const;
const udpReceiverShape = { bind: str, "control-port": str, job: str } as const;
/** Job-level completion: where a receiver reports (reportTarget reads these). */
const reportShape = {
  coordinator: str,
  group: str,
  transfer: str,
  "report-interval": str,
  keepalive: str,
} as const;

export const SPECS = {
  "approx-send": {
    ...common,
    ...udpSenderShape,
    "start-rate": str,
    "min-rate": str,
    probe: str,
    memory: str,
    "max-passes": str,
    timeout: str,
  },
  "approx-recv": {
    ...common,
    ...udpReceiverShape,
    ...reportShape,
    "feedback-interval": str,
    "window-bits": str,
    "idle-timeout": str,
    timeout: str,
  },
  "blast-send": { ...common, ...udpSenderShape, drain: str },
  "blast-recv": { ...common, ...udpReceiverShape, drain: str, "idle-timeout": str, timeout: str },
  "tcp-send": {
    ...common,
    ...jobShape,
    to: str,
    bind: str,
    mode: str,
    seed: str,
    timeout: str,
    "start-at": str,
    "connect-retry": str,
  },
  "tcp-recv": { ...common, ...reportShape, bind: str, job: str, timeout: str, linger: str },
  "job-coordinator": {
    ...common,
    bind: str,
    spec: str,
    job: str,
    fraction: str,
    "min-sender-fraction": str,
    group: { type: "string", multiple: true },
    retry: str,
    attempts: str,
    linger: str,
    timeout: str,
  },
  "exact-gen": {
    ...common,
    to: { type: "string", multiple: true },
    bind: str,
    dist: str,
    scale: str,
    "max-size": str,
    load: str,
    capacity: str,
    flows: str,
    duration: str,
    seed: str,
    "first-id": str,
    timeout: str,
    "summary-only": flag,
  },
  "exact-sink": {
    ...common,
    bind: str,
    flows: str,
    "idle-timeout": str,
    timeout: str,
    "summary-only": flag,
  },
  "approx-marking": {
    port: { type: "string", multiple: true },
    delete: flag,
    iptables: str,
    "data-dscp": str,
    "control-dscp": str,
    json: flag,
  },
} as const satisfies Record<string, Spec>;

function text(v: OptionValues, name: string): string | undefined {
  const x = v[name];
  if (x === undefined) return undefined;
  if (typeof x !== "string") throw new RangeError(`--${name} takes a value`);
  return x;
}

function required(v: OptionValues, name: string, what: string): string {
  const x = text(v, name);
  if (x === undefined) throw new RangeError(`--${name} is required (${what})`);
  return x;
}

/** Wraps a parser so its message names the flag. */
function flagged<T>(name: string, value: string, parse: (s: string) => T): T {
  try {
    return parse(value);
  } catch (err) {
    throw new RangeError(`--${name}: ${(err as Error).message}`, { cause: err });
  }
}

export function integer(name: string, value: string, min: number, max: number): number {
  if (!/^[0-9]+$/.test(value.trim()))
    throw new RangeError(`--${name}: '${value}' is not a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new RangeError(`--${name}: ${n} is outside [${min}, ${max}]`);
  return n;
}

export function decimal(
  name: string,
  value: string,
  min: number,
  max: number,
  openMin = false,
): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n))
    throw new RangeError(`--${name}: '${value}' is not a number`);
  if (n > max || n < min || (openMin && n === min)) {
    throw new RangeError(`--${name}: ${n} is outside ${openMin ? "(" : "["}${min}, ${max}]`);
  }
  return n;
}

const optional = <T>(v: OptionValues, name: string, parse: (s: string) => T): T | undefined => {
  const x = text(v, name);
  return x === undefined ? undefined : parse(x);
};

/** The entries of `o` that have a value: options not given stay absent, not undefined. */
function present<T extends Record<string, unknown>>(
  o: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

const hostPort = (name: string, value: string): HostPort =>
  flagged(name, value, (s) => parseHostPort(s));
const duration = (name: string) => (s: string) => flagged(name, s, parseDurationMs);
const port = (name: string) => (s: string) => integer(name, s, 1, 65535);

function jobId(v: OptionValues): number {
  return integer("job", required(v, "job", "the job id, an integer"), 0, 0xffffffff);
}

function fraction(v: OptionValues): number {
  return decimal(
    "fraction",
    required(v, "fraction", "the required fraction f in (0, 1]"),
    0,
    1,
    true,
  );
}

/** --bytes, or --chunks times --chunk-size; exactly one of the two. */
function jobSize(v: OptionValues, chunkSize: number): number {
  const bytes = text(v, "bytes");
  const chunks = text(v, "chunks");
  if ((bytes === undefined) === (chunks === undefined)) {
    throw new RangeError("give the job size with exactly one of --bytes and --chunks");
  }
  if (bytes !== undefined) return flagged("bytes", bytes, parseBytes);
  return integer("chunks", chunks!, 1, 0xffffffff) * chunkSize;
}

function chunkSize(v: OptionValues, fallback: number): number {
  return optional(v, "chunk-size", (s) => flagged("chunk-size", s, parseBytes)) ?? fallback;
}

/** --start-at: when a sender started ahead of its time begins, ms since the epoch. */
function startAt(v: OptionValues): number | undefined {
  return optional(v, "start-at", (s) => decimal("start-at", s, 0, 1e15));
}

/** Default sending rate when --rate is absent: a hint, since a host cannot know its path. */
export const DEFAULT_RATE_BPS = 100e6;

/** The flags approx-send and blast-send share: where to, the job, the rate and the ports. */
function udpSenderCommon(
  v: OptionValues,
): Pick<
  BlastSendOptions,
  | "to"
  | "jobId"
  | "chunkSize"
  | "totalBytes"
  | "fraction"
  | "rateBitsPerSec"
  | "controlPort"
  | "bind"
  | "startAtEpochMs"
> {
  const size = chunkSize(v, DEFAULT_CHUNK_SIZE);
  const controlPort = optional(v, "control-port", port("control-port"));
  const bind = optional(v, "bind", (s) => hostPort("bind", s));
  const startAtEpochMs = startAt(v);
  return {
    to: hostPort("to", required(v, "to", "the receiver's data address, host:port")),
    jobId: jobId(v),
    chunkSize: size,
    totalBytes: jobSize(v, size),
    fraction: fraction(v),
    rateBitsPerSec:
      optional(v, "rate", (s) => flagged("rate", s, parseRateBitsPerSec)) ?? DEFAULT_RATE_BPS,
    ...present({ controlPort, bind, startAtEpochMs }),
  };
}

export function approxSendOptions(v: OptionValues): ApproxSendOptions {
  const common = udpSenderCommon(v);
  const minRate = optional(v, "min-rate", (s) => flagged("min-rate", s, parseRateBitsPerSec));
  const startRate = optional(v, "start-rate", (s) => flagged("start-rate", s, parseRateBitsPerSec));
  const probe = optional(v, "probe", (s) => decimal("probe", s, 0, 0.5, true));
  const memoryMs = optional(v, "memory", duration("memory"));
  const maxPasses = optional(v, "max-passes", (s) => integer("max-passes", s, 1, 1000));
  const timeoutMs = optional(v, "timeout", duration("timeout"));
  const timing = present({ timeoutMs, maxPasses });
  return {
    ...common,
    ...present({
      startRateBitsPerSec: startRate,
      minRateBitsPerSec: minRate,
      probeMargin: probe,
      lossTolerance: probe === undefined ? undefined : Math.min(0.02, (probe / (1 + probe)) * 0.4),
      memoryMs,
    }),
    ...(Object.keys(timing).length > 0 ? { timing } : {}),
  };
}

function receiverCommon(
  v: OptionValues,
): Pick<ApproxRecvOptions, "bind" | "jobId" | "controlPort"> {
  const controlPort = optional(v, "control-port", port("control-port"));
  return {
    bind: hostPort("bind", required(v, "bind", "the data address to listen on, host:port")),
    jobId: jobId(v),
    ...present({ controlPort }),
  };
}

/**
 * --coordinator HOST:PORT with --group and --transfer: the receiver reports its count to the
 * job's coordinator (job-level completion); undefined without --coordinator.
 */
export function reportTarget(v: OptionValues): ReportTarget | undefined {
  const coordinator = optional(v, "coordinator", (s) => hostPort("coordinator", s));
  if (coordinator === undefined) {
    for (const name of ["group", "transfer", "report-interval", "keepalive"]) {
      if (text(v, name) !== undefined) throw new RangeError(`--${name} needs --coordinator`);
    }
    return undefined;
  }
  if (coordinator.host === "0.0.0.0" || coordinator.host === "::")
    throw new RangeError("--coordinator: give the coordinator's address, host:port");
  return {
    coordinator,
    group: integer(
      "group",
      required(v, "group", "the completion group (round, batch) this transfer is in"),
      0,
      0xffff,
    ),
    transfer: integer(
      "transfer",
      required(v, "transfer", "the transfer's index in its group"),
      0,
      0xffffffff,
    ),
    ...present({
      intervalMs: optional(v, "report-interval", duration("report-interval")),
      keepaliveMs: optional(v, "keepalive", duration("keepalive")),
    }),
  };
}

export function approxRecvOptions(v: OptionValues): ApproxRecvOptions {
  const timing = present({
    feedbackIntervalMs: optional(v, "feedback-interval", duration("feedback-interval")),
    maxWindowBits: optional(v, "window-bits", (s) => integer("window-bits", s, 0, 65536)),
    idleTimeoutMs: optional(v, "idle-timeout", duration("idle-timeout")),
    timeoutMs: optional(v, "timeout", duration("timeout")),
  });
  const report = reportTarget(v);
  return { ...receiverCommon(v), feedback: true, timing, ...present({ report }) };
}

export function blastRecvOptions(v: OptionValues): ApproxRecvOptions {
  const timing = present({
    drainMs: optional(v, "drain", duration("drain")),
    idleTimeoutMs: optional(v, "idle-timeout", duration("idle-timeout")),
    timeoutMs: optional(v, "timeout", duration("timeout")),
  });
  return { ...receiverCommon(v), feedback: false, timing };
}

export function blastSendOptions(v: OptionValues): BlastSendOptions {
  const common = udpSenderCommon(v);
  const drainMs = optional(v, "drain", duration("drain"));
  return { ...common, ...present({ drainMs }) };
}

export function tcpSendOptions(v: OptionValues): TcpSendOptions {
  const size = chunkSize(v, DEFAULT_CHUNK_SIZE);
  const mode = required(v, "mode", `one of ${TCP_MODES.join(", ")}`);
  if (!(TCP_MODES as readonly string[]).includes(mode)) {
    throw new RangeError(`--mode: '${mode}' is not one of ${TCP_MODES.join(", ")}`);
  }
  const bind = optional(v, "bind", (s) => hostPort("bind", s));
  const timeoutMs = optional(v, "timeout", duration("timeout"));
  const startAtEpochMs = startAt(v);
  const connectRetryMs = optional(v, "connect-retry", duration("connect-retry"));
  return {
    to: hostPort("to", required(v, "to", "the receiver's address, host:port")),
    jobId: jobId(v),
    chunkSize: size,
    totalBytes: jobSize(v, size),
    fraction: fraction(v),
    mode: mode as TcpMode,
    seed: optional(v, "seed", (s) => integer("seed", s, 0, 0xffffffff)) ?? 1,
    ...present({ bind, timeoutMs, startAtEpochMs, connectRetryMs }),
  };
}

export function tcpRecvOptions(v: OptionValues): TcpRecvOptions {
  const job = optional(v, "job", (s) => integer("job", s, 0, 0xffffffff));
  const timeoutMs = optional(v, "timeout", duration("timeout"));
  const lingerMs = optional(v, "linger", duration("linger"));
  const report = reportTarget(v);
  if (report !== undefined && job === undefined)
    throw new RangeError("--coordinator needs --job (the job the counts are of)");
  return {
    bind: hostPort("bind", required(v, "bind", "the address to listen on, host:port")),
    ...present({ jobId: job, timeoutMs, lingerMs, report }),
  };
}

/** The job as --spec FILE, or as --job, --fraction, --min-sender-fraction and --group. */
export function jobCoordinatorOptions(v: OptionValues): JobCoordinatorOptions {
  const file = text(v, "spec");
  const groups = v.group;
  const groupList = Array.isArray(groups) ? groups : typeof groups === "string" ? [groups] : [];
  let spec;
  if (file !== undefined) {
    for (const name of ["job", "fraction", "min-sender-fraction"]) {
      if (text(v, name) !== undefined)
        throw new RangeError(`--${name} and --spec exclude each other`);
    }
    if (groupList.length > 0) throw new RangeError("--group and --spec exclude each other");
    spec = loadSpecFile(file);
  } else {
    if (groupList.length === 0)
      throw new RangeError(
        "give the job's transfers with --spec FILE or one --group SENDER:CHUNKS,... per group",
      );
    spec = checkSpec(
      {
        jobId: jobId(v),
        fraction: fraction(v),
        minSenderFraction:
          optional(v, "min-sender-fraction", (s) => decimal("min-sender-fraction", s, 0, 1)) ?? 0,
        groups: groupList.map((g) => flagged("group", g, parseGroup)),
      },
      "the flags",
    );
  }
  return {
    bind: hostPort("bind", required(v, "bind", "the address to listen on for counts, host:port")),
    spec,
    ...present({
      retryMs: optional(v, "retry", duration("retry")),
      attempts: optional(v, "attempts", (s) => integer("attempts", s, 1, 1000)),
      lingerMs: optional(v, "linger", duration("linger")),
      timeoutMs: optional(v, "timeout", duration("timeout")),
    }),
  };
}

export function exactGenOptions(v: OptionValues): ExactGenOptions {
  const to = v.to;
  const list = (Array.isArray(to) ? to : typeof to === "string" ? [to] : []).flatMap((s) =>
    s.split(","),
  );
  if (list.length === 0)
    throw new RangeError("--to is required (one or more sink addresses, host:port)");
  const scale = optional(v, "scale", (s) => decimal("scale", s, 0, 1e6, true));
  const maxBytes = optional(v, "max-size", (s) => flagged("max-size", s, parseBytes));
  const dist = required(v, "dist", "websearch, datamining or fixed:<bytes>");
  const distribution = flagged("dist", dist, (s) =>
    distributionByName(s, {
      parseBytes,
      ...present({ scale, maxBytes }),
    }),
  );
  const flows = optional(v, "flows", (s) => integer("flows", s, 0, 1_000_000));
  const durationMs = optional(v, "duration", duration("duration"));
  if (flows === undefined && durationMs === undefined) {
    throw new RangeError("give --flows or --duration (or both: whichever ends first)");
  }
  const bindHost = optional(v, "bind", (s) => s);
  const timeoutMs = optional(v, "timeout", duration("timeout"));
  return {
    destinations: list.map((s) => hostPort("to", s)),
    distribution,
    load: decimal(
      "load",
      required(v, "load", "offered load as a fraction of --capacity"),
      0,
      10,
      true,
    ),
    capacityBitsPerSec: flagged(
      "capacity",
      required(v, "capacity", "the link capacity, e.g. 10M"),
      parseRateBitsPerSec,
    ),
    seed: optional(v, "seed", (s) => integer("seed", s, 0, 0xffffffff)) ?? 1,
    firstId: optional(v, "first-id", (s) => integer("first-id", s, 0, 0xffffffff)) ?? 0,
    ...present({
      flows,
      durationMs,
      bind: bindHost === undefined ? undefined : { host: bindHost, port: 0 },
      timeoutMs,
    }),
  };
}

export function exactSinkOptions(v: OptionValues): ExactSinkOptions {
  const flows = optional(v, "flows", (s) => integer("flows", s, 1, 1_000_000));
  const idleTimeoutMs = optional(v, "idle-timeout", duration("idle-timeout"));
  const timeoutMs = optional(v, "timeout", duration("timeout"));
  return {
    bind: hostPort("bind", required(v, "bind", "the address to listen on, host:port")),
    ...present({ flows, idleTimeoutMs, timeoutMs }),
  };
}

/** --port DATA[/CONTROL], repeatable; the control port defaults to DATA + 1. */
export function markingPorts(v: OptionValues): ApproxPorts[] {
  const ports = v.port;
  const list = (Array.isArray(ports) ? ports : typeof ports === "string" ? [ports] : []).flatMap(
    (s) => s.split(","),
  );
  if (list.length === 0)
    throw new RangeError("--port is required (a receiver's data port, optionally /control port)");
  return list.map((item) => {
    const [data, control, extra] = item.split("/");
    if (extra !== undefined || data === undefined)
      throw new RangeError(`--port: '${item}' is not DATA or DATA/CONTROL`);
    const dataPort = integer("port", data, 1, 65535);
    return {
      dataPort,
      controlPort: control === undefined ? dataPort + 1 : integer("port", control, 1, 65535),
    };
  });
}

/** One JSON object on one line (or indented with --pretty), tagged with the command. */
export function resultJson(command: string, result: object, pretty: boolean): string {
  return JSON.stringify({ command, ...result }, null, pretty ? 2 : undefined);
}

/** A socket error the user can act on (address in use, no such host), as one line. */
export function socketErrorMessage(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  const known: Record<string, string> = {
    EADDRINUSE: "address already in use",
    EADDRNOTAVAIL: "address not available on this host",
    EACCES: "permission denied (ports below 1024 need privileges)",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "host name lookup failed",
    EINVAL: "invalid address",
  };
  if (typeof code !== "string" || !(code in known)) return null;
  return `${known[code]}: ${(err as Error).message}`;
}
