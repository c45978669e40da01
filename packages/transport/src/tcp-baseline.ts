// The network-oblivious baselines over TCP (docs/design.md, the host transport):
//   - sender-side sampling: the sender puts only ceil(f * N) chunks, a seeded random
//     sample, on a reliable stream;
//   - receiver-side dropping: the sender puts all N chunks on the stream, the receiver
//     stops once it holds ceil(f * N) and closes.
// The stream carries the same messages as the datagrams: a stream hello, then data
// messages; the receiver answers DONE when it holds the fraction, which is when the
// job completes for the sender too.
import net from "node:net";
import { chunkLayout, ChunkSet, neededChunks } from "./chunks.js";
import { Rng } from "./random.js";
import { formatHostPort, type HostPort } from "./units.js";
import { listenTcp } from "./tcp-socket.js";
import { epochMs, nowMs, waitUntil } from "./udp-socket.js";
import {
  DATA_HEADER_BYTES,
  encodeData,
  encodeDone,
  encodeStreamHello,
  MAX_CHUNK_PAYLOAD,
  StreamDecoder,
  StreamFlag,
  STREAM_HELLO_BYTES,
  type DoneMessage,
} from "./wire.js";
import { DEFAULT_CHUNK_SIZE } from "./approx-sender.js";
import {
  startCountReports,
  type ReportHandle,
  type ReportSummary,
  type ReportTarget,
} from "./count-report.js";

export type TcpMode = "sender-sampling" | "receiver-drop";
export const TCP_MODES: readonly TcpMode[] = ["sender-sampling", "receiver-drop"];

export interface TcpSendOptions {
  to: HostPort;
  /** Local address to connect from. */
  bind?: HostPort;
  jobId: number;
  totalBytes: number;
  chunkSize?: number;
  fraction: number;
  mode: TcpMode;
  /** Seed of the sender-side sample. */
  seed?: number;
  timeoutMs?: number;
  /** Connect (and start the job's clock) at this time, ms since the epoch; default: at once. */
  startAtEpochMs?: number;
  /**
   * Connections refused are tried again (every 20 ms) for this long from the start: a
   * receiver started at the same time may not listen yet. Default 0.
   */
  connectRetryMs?: number;
}

/** A connected socket, or why there is none: refused connections retried until `untilMs`. */
async function connectTcp(
  o: Pick<TcpSendOptions, "to" | "bind">,
  untilMs: number,
): Promise<{ socket: net.Socket } | { error: string }> {
  for (;;) {
    const socket = net.connect({
      host: o.to.host,
      port: o.to.port,
      ...(o.bind ? { localAddress: o.bind.host, localPort: o.bind.port || undefined } : {}),
    });
    const outcome = await new Promise<Error | null>((resolve) => {
      socket.once("connect", () => resolve(null));
      socket.once("error", resolve);
    });
    if (outcome === null) return { socket };
    socket.destroy();
    const refused = (outcome as NodeJS.ErrnoException).code === "ECONNREFUSED";
    if (!refused || nowMs() >= untilMs) return { error: outcome.message };
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface TcpSendResult {
  mode: TcpMode;
  outcome: "done" | "closed" | "error" | "timeout";
  completed: boolean;
  jobId: number;
  /** When the connection attempt started, ms since the epoch. */
  startedAtEpochMs: number;
  /** From the connection attempt to the receiver's DONE. */
  jctMs: number | null;
  totalBytes: number;
  chunkSize: number;
  totalChunks: number;
  neededChunks: number;
  chunksToSend: number;
  chunksWritten: number;
  /** Stream bytes handed to TCP (messages with their headers). */
  bytesSent: number;
  /** Stream bytes the receiver had read when it held the fraction. */
  bytesDelivered: number | null;
  deliveredChunks: number | null;
  /** Bytes handed to TCP beyond what the needed chunks take. */
  bytesBeyondNeeded: number;
  error: string | null;
  local: string | null;
  receiver: string;
}

export async function runTcpSender(o: TcpSendOptions): Promise<TcpSendResult> {
  const chunkSize = o.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_PAYLOAD) {
    throw new RangeError(`chunk size must be in [1, ${MAX_CHUNK_PAYLOAD}], got ${chunkSize}`);
  }
  if (!TCP_MODES.includes(o.mode)) throw new RangeError(`unknown TCP mode '${o.mode}'`);
  const layout = chunkLayout(o.totalBytes, chunkSize);
  const needed = neededChunks(layout.totalChunks, o.fraction);
  const list =
    o.mode === "sender-sampling"
      ? new Rng(o.seed ?? 1).sampleWithoutReplacement(layout.totalChunks, needed)
      : Array.from({ length: layout.totalChunks }, (_, i) => i);
  // Stream bytes the needed chunks take at most, so "beyond needed" is never overstated.
  const neededStreamBytes =
    STREAM_HELLO_BYTES +
    (needed === layout.totalChunks
      ? o.totalBytes + needed * DATA_HEADER_BYTES
      : needed * (DATA_HEADER_BYTES + chunkSize));
  const payload = new Uint8Array(chunkSize);
  await waitUntil(o.startAtEpochMs);
  const start = nowMs();
  const connection = await connectTcp(o, start + (o.connectRetryMs ?? 0));
  const socket = "socket" in connection ? connection.socket : new net.Socket();

  return await new Promise<TcpSendResult>((resolve) => {
    let finished = false;
    let written = 0;
    let next = 0;
    let done: DoneMessage | null = null;
    let doneAt: number | null = null;
    let local: string | null = null;
    const decoder = new StreamDecoder();

    const finish = (outcome: TcpSendResult["outcome"], error: string | null = null): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const bytesSent = socket.bytesWritten;
      socket.destroy();
      resolve({
        mode: o.mode,
        outcome,
        completed: outcome === "done",
        jobId: o.jobId,
        startedAtEpochMs: epochMs(start),
        jctMs: doneAt === null ? null : doneAt - start,
        totalBytes: o.totalBytes,
        chunkSize,
        totalChunks: layout.totalChunks,
        neededChunks: needed,
        chunksToSend: list.length,
        chunksWritten: written,
        bytesSent,
        bytesDelivered: done?.receivedBytes ?? null,
        deliveredChunks: done?.uniqueChunks ?? null,
        bytesBeyondNeeded: Math.max(0, bytesSent - neededStreamBytes),
        error,
        local,
        receiver: formatHostPort(o.to),
      });
    };
    const writeMore = (): void => {
      while (!finished && next < list.length) {
        const chunk = list[next++]!;
        const ok = socket.write(
          encodeData({
            jobId: o.jobId,
            flags: 0,
            chunk,
            totalChunks: layout.totalChunks,
            neededChunks: needed,
            txSeq: written,
            payload: payload.subarray(0, layout.payloadLength(chunk)),
          }),
        );
        written++;
        if (!ok) {
          socket.once("drain", writeMore);
          return;
        }
      }
    };
    const timer = setTimeout(
      () => finish("timeout", "no DONE before the timeout"),
      o.timeoutMs ?? 60_000,
    );

    socket.on("data", (bytes: Buffer) => {
      const { messages, error } = decoder.push(bytes);
      for (const m of messages) {
        if (m.type === "done" && m.jobId === o.jobId) {
          done = m;
          doneAt = nowMs();
          finish("done");
          return;
        }
      }
      if (error) finish("error", `receiver sent a ${error.kind} message: ${error.detail}`);
    });
    socket.on("error", (err) => finish("error", err.message));
    socket.on("close", () => finish("closed", "the receiver closed before holding the fraction"));
    if ("error" in connection) {
      finish("error", connection.error);
      return;
    }
    local = formatHostPort({ host: socket.localAddress ?? "", port: socket.localPort ?? 0 });
    socket.write(
      encodeStreamHello({
        jobId: o.jobId,
        flags: o.mode === "sender-sampling" ? StreamFlag.senderSampling : 0,
        totalChunks: layout.totalChunks,
        neededChunks: needed,
        chunksToSend: list.length,
        chunkSize,
      }),
    );
    writeMore();
  });
}

export interface TcpRecvOptions {
  bind: HostPort;
  /** Accept only this job (others count as foreign); default: the first job to arrive. */
  jobId?: number;
  timeoutMs?: number;
  /** After DONE, keep reading (and counting) what the sender still pushes this long. */
  lingerMs?: number;
  /**
   * Job-level completion (receiver-side dropping): report the count to the job's
   * coordinator and, when it says the group is complete, send DONE and close. Needs jobId.
   */
  report?: ReportTarget;
}

export interface TcpRecvResult {
  outcome: "done" | "incomplete" | "timeout" | "stopped";
  completed: boolean;
  jobId: number | null;
  mode: TcpMode | null;
  /** From the stream hello to holding the fraction. */
  jctMs: number | null;
  totalChunks: number | null;
  neededChunks: number | null;
  chunksToSend: number | null;
  uniqueChunks: number;
  deliveredFraction: number;
  /** Stream bytes read until the fraction was reached. */
  bytesReceived: number;
  /** Stream bytes read after DONE (what the sender pushed for nothing). */
  bytesAfterDone: number;
  connections: number;
  foreignConnections: number;
  malformed: number;
  sender: string | null;
  address: string;
  /** The reports to the job's coordinator; null without one. */
  coordination: ReportSummary | null;
  /** The coordinator stopped the stream before the receiver held its own fraction. */
  stoppedByCoordinator: boolean;
}

export interface TcpReceiverHandle {
  address: HostPort;
  result: Promise<TcpRecvResult>;
  stop(): void;
}

export async function startTcpReceiver(o: TcpRecvOptions): Promise<TcpReceiverHandle> {
  if (o.report !== undefined && o.jobId === undefined)
    throw new RangeError("a receiver that reports to a coordinator needs its job id");
  const { server, address } = await listenTcp(o.bind);
  const lingerMs = o.lingerMs ?? 200;

  let finished = false;
  let job: net.Socket | null = null;
  let hello: {
    jobId: number;
    mode: TcpMode;
    totalChunks: number;
    neededChunks: number;
    chunksToSend: number;
  } | null = null;
  let chunks: ChunkSet | null = null;
  let helloAt: number | null = null;
  let doneAt: number | null = null;
  let bytesReceived = 0;
  let bytesAfterDone = 0;
  let connections = 0;
  let foreign = 0;
  let malformed = 0;
  let sender: string | null = null;
  let reports: ReportHandle | null = null;
  /** The coordinator said the job is complete (before or after the stream arrived). */
  let jobDone = false;
  let stoppedByCoordinator = false;
  let resolveResult!: (r: TcpRecvResult) => void;
  const result = new Promise<TcpRecvResult>((resolve) => (resolveResult = resolve));

  const finish = (outcome: TcpRecvResult["outcome"]): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    clearTimeout(lingerTimer);
    job?.destroy();
    const closed = new Promise<void>((r) => server.close(() => r()));
    void closed
      .then(() => reports?.close() ?? null)
      .then((coordination) =>
        resolveResult({
          outcome,
          completed: doneAt !== null,
          jobId: hello?.jobId ?? null,
          mode: hello?.mode ?? null,
          jctMs: doneAt !== null && helloAt !== null ? doneAt - helloAt : null,
          totalChunks: hello?.totalChunks ?? null,
          neededChunks: hello?.neededChunks ?? null,
          chunksToSend: hello?.chunksToSend ?? null,
          uniqueChunks: chunks?.unique ?? 0,
          deliveredFraction: chunks === null ? 0 : chunks.unique / chunks.totalChunks,
          bytesReceived,
          bytesAfterDone,
          connections,
          foreignConnections: foreign,
          malformed,
          sender,
          address: formatHostPort(address),
          coordination,
          stoppedByCoordinator,
        }),
      );
  };
  let lingerTimer: NodeJS.Timeout | undefined;
  /** DONE to the sender and the end of the stream: the fraction is held, or the job is complete. */
  const stopStream = (conn: net.Socket): void => {
    if (doneAt !== null) return;
    doneAt = nowMs();
    conn.end(
      encodeDone({
        jobId: hello!.jobId,
        uniqueChunks: chunks!.unique,
        receivedDatagrams: chunks!.unique,
        receivedBytes: bytesReceived,
        elapsedMs: doneAt - helloAt!,
      }),
    );
    // Keep reading what is still in flight, then let go.
    lingerTimer = setTimeout(() => finish("done"), lingerMs);
  };
  const timer = setTimeout(
    () => finish(doneAt !== null ? "done" : "timeout"),
    o.timeoutMs ?? 60_000,
  );

  server.on("connection", (conn) => {
    connections++;
    if (finished || job !== null) {
      // One job per receiver: a second stream is not ours.
      foreign++;
      conn.destroy();
      return;
    }
    const decoder = new StreamDecoder();
    let accepted = false;
    conn.on("data", (bytes: Buffer) => {
      if (doneAt !== null) {
        bytesAfterDone += bytes.length;
        return;
      }
      const { messages, error } = decoder.push(bytes);
      for (const m of messages) {
        if (doneAt !== null) {
          if (m.type === "data") bytesAfterDone += DATA_HEADER_BYTES + m.payload.length;
          continue;
        }
        if (!accepted) {
          if (m.type !== "streamHello" || (o.jobId !== undefined && m.jobId !== o.jobId)) {
            foreign++;
            conn.destroy();
            return;
          }
          accepted = true;
          job = conn;
          sender = formatHostPort({ host: conn.remoteAddress ?? "", port: conn.remotePort ?? 0 });
          helloAt = nowMs();
          hello = {
            jobId: m.jobId,
            mode: (m.flags & StreamFlag.senderSampling) !== 0 ? "sender-sampling" : "receiver-drop",
            totalChunks: m.totalChunks,
            neededChunks: m.neededChunks,
            chunksToSend: m.chunksToSend,
          };
          chunks = new ChunkSet(m.totalChunks);
          bytesReceived += STREAM_HELLO_BYTES;
          reports?.poke();
          if (jobDone) {
            stoppedByCoordinator = true;
            stopStream(conn);
          }
          continue;
        }
        if (m.type !== "data" || m.jobId !== hello!.jobId || m.totalChunks !== hello!.totalChunks) {
          malformed++;
          continue;
        }
        bytesReceived += DATA_HEADER_BYTES + m.payload.length;
        if (chunks!.add(m.chunk)) reports?.poke();
        if (chunks!.unique >= hello!.neededChunks) stopStream(conn);
      }
      if (doneAt !== null) bytesAfterDone += decoder.buffered;
      if (error) {
        if (!accepted) foreign++;
        else malformed++;
        conn.destroy();
      }
    });
    conn.on("error", () => {
      /* the close event follows */
    });
    conn.on("close", () => {
      if (!accepted) return;
      finish(doneAt !== null ? "done" : "incomplete");
    });
  });

  if (o.report !== undefined) {
    try {
      reports = await startCountReports({
        ...o.report,
        jobId: o.jobId!,
        intervalMs: o.report.intervalMs ?? 20,
        keepaliveMs: o.report.keepaliveMs ?? 50,
        progress: () => ({
          uniqueChunks: chunks?.unique ?? 0,
          totalChunks: chunks?.totalChunks ?? 0,
        }),
        onJobDone: () => {
          jobDone = true;
          if (job !== null && hello !== null && doneAt === null) {
            stoppedByCoordinator = true;
            stopStream(job);
          }
        },
      });
    } catch (err) {
      finish("stopped");
      await result;
      throw err;
    }
  }

  return { address, result, stop: () => finish(doneAt !== null ? "done" : "stopped") };
}
