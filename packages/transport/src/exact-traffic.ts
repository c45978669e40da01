// Exact (loss-intolerant) background traffic: a generator that runs a flow plan
// (Poisson arrivals, sizes from a distribution; see arrivals.ts) as TCP connections,
// and a sink that reads each flow and acknowledges it. A flow's completion time is
// measured at the generator, from the connection attempt to the sink's
// acknowledgement after the last byte.
import net from "node:net";
import { planFlows, sizeClass, type FlowPlanRequest, type PlannedFlow } from "./arrivals.js";
import { summarize, type Summary } from "./stats.js";
import { formatHostPort, type HostPort } from "./units.js";
import { listenTcp } from "./tcp-socket.js";
import { nowMs } from "./udp-socket.js";
import { decode, encodeFlowAck, encodeFlowHello, FLOW_HELLO_BYTES, StreamDecoder } from "./wire.js";

export interface ExactGenOptions extends Omit<FlowPlanRequest, "destinations"> {
  destinations: HostPort[];
  /** Local address to connect from. */
  bind?: HostPort;
  /** After the last flow starts, wait this long for the rest to complete. */
  timeoutMs?: number;
}

export interface FlowRecord {
  id: number;
  sizeBytes: number;
  destination: string;
  plannedStartMs: number;
  /** Actual start, relative to the run's start (late when the event loop lags). */
  startMs: number | null;
  fctMs: number | null;
  error: string | null;
}

export interface ExactGenResult {
  distribution: string;
  load: number;
  capacityMbps: number;
  arrivalsPerSec: number;
  meanSizeBytes: number;
  flowsPlanned: number;
  flowsCompleted: number;
  flowsFailed: number;
  flowsUnfinished: number;
  bytesCompleted: number;
  durationMs: number;
  /** Completed bytes over the run's duration, as a fraction of the capacity. */
  achievedLoad: number;
  fctMs: Summary;
  fctMsBySize: { small: Summary; medium: Summary; large: Summary };
  flows: FlowRecord[];
}

/** Zero bytes written in slices of this size. */
const SLICE = 64 * 1024;
const ZEROS = new Uint8Array(SLICE);

function runFlow(
  flow: PlannedFlow,
  to: HostPort,
  bind: HostPort | undefined,
  onDone: (fctMs: number | null, error: string | null) => void,
): net.Socket {
  const start = nowMs();
  const socket = net.connect({
    host: to.host,
    port: to.port,
    ...(bind ? { localAddress: bind.host } : {}),
  });
  socket.setNoDelay(true);
  let finished = false;
  let remaining = flow.sizeBytes;
  const decoder = new StreamDecoder();
  const finish = (fct: number | null, error: string | null): void => {
    if (finished) return;
    finished = true;
    socket.destroy();
    onDone(fct, error);
  };
  const writeMore = (): void => {
    while (!finished && remaining > 0) {
      const n = Math.min(SLICE, remaining);
      remaining -= n;
      if (!socket.write(n === SLICE ? ZEROS : ZEROS.subarray(0, n))) {
        socket.once("drain", writeMore);
        return;
      }
    }
  };
  socket.on("connect", () => {
    socket.write(encodeFlowHello({ jobId: flow.id, sizeBytes: flow.sizeBytes }));
    writeMore();
  });
  socket.on("data", (bytes: Buffer) => {
    const { messages, error } = decoder.push(bytes);
    if (messages.some((m) => m.type === "flowAck" && m.jobId === flow.id)) {
      finish(nowMs() - start, null);
    } else if (error) {
      finish(null, `sink sent a ${error.kind} message: ${error.detail}`);
    }
  });
  socket.on("error", (err) => finish(null, err.message));
  socket.on("close", () => finish(null, "closed before the acknowledgement"));
  return socket;
}

export async function runExactGenerator(o: ExactGenOptions): Promise<ExactGenResult> {
  if (o.destinations.length === 0) throw new RangeError("at least one destination is needed");
  const plan = planFlows({ ...o, destinations: o.destinations.length });
  const records: FlowRecord[] = plan.flows.map((f) => ({
    id: f.id,
    sizeBytes: f.sizeBytes,
    destination: formatHostPort(o.destinations[f.destination]!),
    plannedStartMs: f.startMs,
    startMs: null,
    fctMs: null,
    error: null,
  }));
  const open = new Set<net.Socket>();
  const start = nowMs();
  let outstanding = plan.flows.length;
  let next = 0;

  await new Promise<void>((resolve) => {
    if (outstanding === 0) {
      resolve();
      return;
    }
    let deadline: NodeJS.Timeout | null = null;
    const settle = (): void => {
      if (deadline !== null) clearTimeout(deadline);
      resolve();
    };
    const launchDue = (): void => {
      const elapsed = nowMs() - start;
      while (next < plan.flows.length && plan.flows[next]!.startMs <= elapsed) {
        const index = next++;
        const flow = plan.flows[index]!;
        records[index]!.startMs = nowMs() - start;
        const socket = runFlow(flow, o.destinations[flow.destination]!, o.bind, (fct, error) => {
          open.delete(socket);
          records[index]!.fctMs = fct;
          records[index]!.error = error;
          if (--outstanding === 0) settle();
        });
        open.add(socket);
      }
      if (next < plan.flows.length) {
        setTimeout(launchDue, Math.max(0, plan.flows[next]!.startMs - (nowMs() - start)));
      } else {
        deadline = setTimeout(resolve, o.timeoutMs ?? 60_000);
      }
    };
    launchDue();
  });
  for (const s of open) s.destroy();

  const durationMs = nowMs() - start;
  const done = records.filter((r) => r.fctMs !== null);
  const fcts = (cls?: string): number[] =>
    done.filter((r) => cls === undefined || sizeClass(r.sizeBytes) === cls).map((r) => r.fctMs!);
  const bytesCompleted = done.reduce((s, r) => s + r.sizeBytes, 0);
  return {
    distribution: o.distribution.name,
    load: o.load,
    capacityMbps: o.capacityBitsPerSec / 1e6,
    arrivalsPerSec: plan.arrivalsPerSec,
    meanSizeBytes: plan.meanSizeBytes,
    flowsPlanned: records.length,
    flowsCompleted: done.length,
    flowsFailed: records.filter((r) => r.error !== null).length,
    flowsUnfinished: records.filter((r) => r.fctMs === null && r.error === null).length,
    bytesCompleted,
    durationMs,
    achievedLoad:
      durationMs > 0 ? (bytesCompleted * 8 * 1000) / durationMs / o.capacityBitsPerSec : 0,
    fctMs: summarize(fcts()),
    fctMsBySize: {
      small: summarize(fcts("small")),
      medium: summarize(fcts("medium")),
      large: summarize(fcts("large")),
    },
    flows: records.map((r) =>
      r.fctMs === null && r.error === null ? { ...r, error: "unfinished at the timeout" } : r,
    ),
  };
}

export interface ExactSinkOptions {
  bind: HostPort;
  /** Finish after this many flows (default: run until stopped or idle). */
  flows?: number;
  /** Finish when no connection is open and none arrived for this long. */
  idleTimeoutMs?: number;
  timeoutMs?: number;
}

export interface SinkFlowRecord {
  id: number;
  sizeBytes: number;
  from: string;
  /** From the connection's arrival to its last byte. */
  receiveMs: number;
}

export interface ExactSinkResult {
  outcome: "flows" | "idle" | "timeout" | "stopped";
  flowsCompleted: number;
  flowsIncomplete: number;
  bytesReceived: number;
  durationMs: number;
  receiveMs: Summary;
  foreign: number;
  malformed: number;
  address: string;
  flows: SinkFlowRecord[];
}

export interface ExactSinkHandle {
  address: HostPort;
  result: Promise<ExactSinkResult>;
  stop(): void;
}

export async function startExactSink(o: ExactSinkOptions): Promise<ExactSinkHandle> {
  const { server, address } = await listenTcp(o.bind);
  const start = nowMs();
  const flows: SinkFlowRecord[] = [];
  const open = new Set<net.Socket>();
  let incomplete = 0;
  let bytesReceived = 0;
  let foreign = 0;
  let malformed = 0;
  let finished = false;
  let idleTimer: NodeJS.Timeout | null = null;
  let resolveResult!: (r: ExactSinkResult) => void;
  const result = new Promise<ExactSinkResult>((resolve) => (resolveResult = resolve));

  const finish = (outcome: ExactSinkResult["outcome"]): void => {
    if (finished) return;
    finished = true;
    clearTimeout(overall);
    if (idleTimer !== null) clearTimeout(idleTimer);
    for (const s of open) s.destroy();
    server.close(() =>
      resolveResult({
        outcome,
        flowsCompleted: flows.length,
        flowsIncomplete: incomplete,
        bytesReceived,
        durationMs: nowMs() - start,
        receiveMs: summarize(flows.map((f) => f.receiveMs)),
        foreign,
        malformed,
        address: formatHostPort(address),
        flows,
      }),
    );
  };
  const overall = setTimeout(() => finish("timeout"), o.timeoutMs ?? 24 * 3600_000);
  const armIdle = (): void => {
    if (o.idleTimeoutMs === undefined) return;
    if (idleTimer !== null) clearTimeout(idleTimer);
    idleTimer = open.size === 0 ? setTimeout(() => finish("idle"), o.idleTimeoutMs) : null;
  };
  armIdle();

  server.on("connection", (conn) => {
    if (finished) {
      conn.destroy();
      return;
    }
    open.add(conn);
    armIdle();
    const arrived = nowMs();
    let header = new Uint8Array(0);
    let flow: { id: number; sizeBytes: number } | null = null;
    let received = 0;
    let complete = false;
    conn.on("data", (bytes: Buffer) => {
      if (complete) {
        malformed++; // bytes past the announced size
        conn.destroy();
        return;
      }
      let body: Uint8Array = bytes;
      if (flow === null) {
        const joined = new Uint8Array(header.length + bytes.length);
        joined.set(header, 0);
        joined.set(bytes, header.length);
        if (joined.length < FLOW_HELLO_BYTES) {
          header = joined;
          return;
        }
        const d = decode(joined.subarray(0, FLOW_HELLO_BYTES));
        if (d.kind !== "ok" || d.message.type !== "flowHello") {
          if (d.kind === "malformed" || d.kind === "ok") malformed++;
          else foreign++;
          conn.destroy();
          return;
        }
        flow = { id: d.message.jobId, sizeBytes: d.message.sizeBytes };
        body = joined.subarray(FLOW_HELLO_BYTES);
      }
      received += body.length;
      bytesReceived += body.length;
      if (received > flow.sizeBytes) {
        malformed++;
        conn.destroy();
        return;
      }
      if (received === flow.sizeBytes) {
        complete = true;
        // The connection now closes by itself; stopping the sink must not cut its ack.
        open.delete(conn);
        flows.push({
          id: flow.id,
          sizeBytes: flow.sizeBytes,
          from: formatHostPort({ host: conn.remoteAddress ?? "", port: conn.remotePort ?? 0 }),
          receiveMs: nowMs() - arrived,
        });
        conn.end(encodeFlowAck({ jobId: flow.id }));
        if (o.flows !== undefined && flows.length >= o.flows) setImmediate(() => finish("flows"));
      }
    });
    conn.on("error", () => {
      /* the close event follows */
    });
    conn.on("close", () => {
      open.delete(conn);
      if (!complete && flow !== null) incomplete++;
      armIdle();
    });
  });

  return { address, result, stop: () => finish("stopped") };
}
