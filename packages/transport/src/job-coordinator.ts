// A job's coordinator as a host program: the UDP edge around JobCoordinatorCore. The job's
// receivers report their counts to it; once the distinct chunks of a completion group (a
// round, a batch, or the whole job) reach the job's fraction, and every sender its floor,
// it sends JOB-DONE to every receiver of the group, repeated until each acknowledges. Each
// receiver then stops its sender. It ends when every group is complete and every receiver
// it knows of has acknowledged (or stopped answering), and prints what it saw: when each
// group completed, what each sender had delivered by then, who acknowledged.
//
// The job comes as a spec: its id, fraction, per-sender floor and, per group, the transfers
// (sending host and chunks), in the order the receivers number them (--transfer).
import type dgram from "node:dgram";
import { readFileSync } from "node:fs";
import {
  JobCoordinatorCore,
  type CompletionTransfer,
  type CoordinatorOutgoing,
  type GroupOutcome,
} from "./job-completion.js";
import { formatHostPort, type HostPort } from "./units.js";
import {
  bindUdp,
  boundAddress,
  closeUdp,
  drainSendQueue,
  epochMs as epoch,
  nowMs,
  WakeTimer,
} from "./udp-socket.js";
import { decode, encodeJobDone } from "./wire.js";

export interface CoordinatorSpec {
  jobId: number;
  fraction: number;
  minSenderFraction: number;
  /** Group g's transfers; transfer i is what the receiver started with --transfer i reports. */
  groups: CompletionTransfer[][];
}

export interface JobCoordinatorOptions {
  bind: HostPort;
  spec: CoordinatorSpec;
  /** JOB-DONE is repeated this often to a receiver that has not acknowledged... */
  retryMs?: number;
  /** ...at most this many times. */
  attempts?: number;
  /** Gives up after this long in all. */
  timeoutMs?: number;
  /**
   * Once every group is complete, waits at most this long for receivers that never
   * reported (a receiver that started late is told at its first report).
   */
  lingerMs?: number;
}

export const DEFAULT_COORDINATOR_TIMING = {
  retryMs: 20,
  attempts: 25,
  timeoutMs: 60_000,
  lingerMs: 2000,
} as const;

export interface GroupReport extends Omit<GroupOutcome, "completedAtMs"> {
  /** When the group became complete, ms since the epoch (comparable across hosts of one machine). */
  completedAtEpochMs: number | null;
  /** From the coordinator's start to the group's completion, ms. */
  completedAfterMs: number | null;
  /** Transfers of the group. */
  transfers: number;
}

export interface JobCoordinatorResult {
  outcome: "complete" | "timeout" | "stopped";
  /** Every group complete. */
  completed: boolean;
  jobId: number;
  fraction: number;
  minSenderFraction: number;
  address: string;
  startedAtEpochMs: number;
  groups: GroupReport[];
  countsReceived: number;
  jobDoneSent: number;
  malformed: number;
  foreign: number;
  sendErrors: number;
}

export interface CoordinatorHandle {
  address: HostPort;
  result: Promise<JobCoordinatorResult>;
  /** Ends now (SIGTERM): prints what it has. */
  stop(): void;
}

/** Checks a spec (from flags or a file); a RangeError names what is wrong. */
export function checkSpec(spec: CoordinatorSpec, where = "the job spec"): CoordinatorSpec {
  const fail = (path: string, expected: string, got: unknown): never => {
    throw new RangeError(`${where}: ${path}: expected ${expected}, got ${JSON.stringify(got)}`);
  };
  if (!Number.isInteger(spec.jobId) || spec.jobId < 0 || spec.jobId > 0xffffffff)
    fail("jobId", "an integer in [0, 4294967295]", spec.jobId);
  if (!(spec.fraction > 0 && spec.fraction <= 1))
    fail("fraction", "a number in (0, 1]", spec.fraction);
  if (!(spec.minSenderFraction >= 0 && spec.minSenderFraction <= 1))
    fail("minSenderFraction", "a number in [0, 1]", spec.minSenderFraction);
  if (!Array.isArray(spec.groups) || spec.groups.length === 0 || spec.groups.length > 0xffff)
    fail("groups", "a list of 1 to 65535 groups", spec.groups);
  spec.groups.forEach((g, gi) => {
    if (!Array.isArray(g) || g.length === 0)
      fail(`groups[${gi}]`, "a non-empty list of transfers", g);
    g.forEach((t, ti) => {
      const at = `groups[${gi}][${ti}]`;
      if (typeof t !== "object" || t === null) fail(at, "{sender, totalChunks}", t);
      if (typeof t.sender !== "string" || t.sender === "")
        fail(`${at}.sender`, "a host name", t.sender);
      if (!Number.isInteger(t.totalChunks) || t.totalChunks < 1 || t.totalChunks > 0xffffffff)
        fail(`${at}.totalChunks`, "a positive integer", t.totalChunks);
    });
  });
  return spec;
}

/** A spec from a JSON file: {jobId, fraction, minSenderFraction?, groups: [[{sender, totalChunks}]]}. */
export function loadSpecFile(file: string): CoordinatorSpec {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new RangeError(`${file}: cannot read the job spec: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new RangeError(`${file}: not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new RangeError(`${file}: expected a JSON object {jobId, fraction, groups}`);
  const d = doc as Record<string, unknown>;
  return checkSpec(
    {
      jobId: d.jobId as number,
      fraction: d.fraction as number,
      minSenderFraction: (d.minSenderFraction ?? 0) as number,
      groups: d.groups as CompletionTransfer[][],
    },
    file,
  );
}

/** A group given on the command line: "h1:100,h2:100" (sending host and chunks per transfer). */
export function parseGroup(text: string): CompletionTransfer[] {
  return text.split(",").map((item) => {
    const m = /^([^:,\s]+):([0-9]+)$/.exec(item.trim());
    if (m === null) throw new RangeError(`'${item}' is not SENDER:CHUNKS`);
    return { sender: m[1]!, totalChunks: Number(m[2]) };
  });
}

export async function startJobCoordinator(o: JobCoordinatorOptions): Promise<CoordinatorHandle> {
  const spec = checkSpec(o.spec);
  const d = DEFAULT_COORDINATOR_TIMING;
  const timing = {
    retryMs: o.retryMs ?? d.retryMs,
    attempts: o.attempts ?? d.attempts,
    timeoutMs: o.timeoutMs ?? d.timeoutMs,
    lingerMs: o.lingerMs ?? d.lingerMs,
  };
  const core = new JobCoordinatorCore<dgram.RemoteInfo>({
    jobId: spec.jobId,
    fraction: spec.fraction,
    minSenderFraction: spec.minSenderFraction,
    groups: spec.groups,
    retryMs: timing.retryMs,
    attempts: timing.attempts,
  });
  const socket = await bindUdp(o.bind);
  const address = boundAddress(socket);
  const startMs = nowMs();
  let counts = 0;
  let jobDoneSent = 0;
  let foreign = 0;
  let malformed = 0;
  let sendErrors = 0;
  let finished = false;
  let allCompleteAt: number | null = null;
  let resolveResult!: (r: JobCoordinatorResult) => void;
  const result = new Promise<JobCoordinatorResult>((resolve) => (resolveResult = resolve));

  const groups = spec.groups.map((_, g) => g);
  const send = (out: CoordinatorOutgoing<dgram.RemoteInfo>[]): void => {
    for (const { to, message } of out) {
      jobDoneSent++;
      socket.send(encodeJobDone(message), to.port, to.address, (err) => {
        if (err) sendErrors++;
      });
    }
  };
  const report = (outcome: JobCoordinatorResult["outcome"]): JobCoordinatorResult => {
    const reports = groups.map((g): GroupReport => {
      const { completedAtMs, ...rest } = core.outcome(g);
      return {
        ...rest,
        completedAtEpochMs: completedAtMs === null ? null : epoch(completedAtMs),
        completedAfterMs: completedAtMs === null ? null : completedAtMs - startMs,
        transfers: spec.groups[g]!.length,
      };
    });
    return {
      outcome,
      completed: reports.every((r) => r.completedAtEpochMs !== null),
      jobId: spec.jobId,
      fraction: spec.fraction,
      minSenderFraction: spec.minSenderFraction,
      address: formatHostPort(address),
      startedAtEpochMs: epoch(startMs),
      groups: reports,
      countsReceived: counts,
      jobDoneSent,
      malformed: malformed + core.malformed,
      foreign,
      sendErrors,
    };
  };
  const finish = (outcome: JobCoordinatorResult["outcome"]): void => {
    if (finished) return;
    finished = true;
    timer.cancel();
    socket.removeAllListeners("message");
    const r = report(outcome);
    void drainSendQueue(socket)
      .then(() => closeUdp(socket))
      .then(() => resolveResult(r));
  };
  /** Every group complete, and nothing more owed to any receiver that reported. */
  const settled = (now: number): boolean => {
    if (!groups.every((g) => core.completedAtMs(g) !== null)) return false;
    allCompleteAt ??= now;
    if (core.nextWakeMs(now) !== null) return false;
    const everyoneKnown = groups.every((g) => core.outcome(g).receivers === spec.groups[g]!.length);
    return everyoneKnown || now >= allCompleteAt + timing.lingerMs;
  };
  const wake = (): void => {
    const now = nowMs();
    if (now >= startMs + timing.timeoutMs) {
      finish("timeout");
      return;
    }
    send(core.tick(now));
    if (settled(now)) {
      finish("complete");
      return;
    }
    arm(now);
  };
  const arm = (now: number): void => {
    const times = [startMs + timing.timeoutMs];
    const next = core.nextWakeMs(now);
    if (next !== null) times.push(next);
    if (allCompleteAt !== null) times.push(allCompleteAt + timing.lingerMs);
    timer.arm(Math.min(...times));
  };
  const timer = new WakeTimer(wake);
  socket.on("message", (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    const d = decode(msg);
    if (d.kind === "foreign") {
      foreign++;
      return;
    }
    if (d.kind === "malformed" || d.message.type !== "count") {
      malformed++;
      return;
    }
    counts++;
    const now = nowMs();
    send(core.onCount(d.message, rinfo, now));
    if (settled(now)) finish("complete");
    else arm(now);
  });
  socket.on("error", () => sendErrors++);
  arm(startMs);

  return {
    address,
    result,
    stop: () => {
      const complete = groups.every((g) => core.completedAtMs(g) !== null);
      finish(complete ? "complete" : "stopped");
    },
  };
}
