// The UDP blast baseline: send every chunk once at a fixed rate (line rate), with no
// feedback and no rate control, then tell the receiver it is over (END, repeated, on
// the control port). The job counts as complete when the sender is done plus a
// drain time; the receiver (startApproxReceiver with feedback off) reports the
// delivered fraction.
import { chunkLayout, neededChunks } from "./chunks.js";
import { Pacer } from "./pacer.js";
import { formatHostPort } from "./units.js";
import {
  anyAddressFor,
  bindUdp,
  boundAddress,
  closeUdp,
  drainSendQueue,
  epochMs,
  nowMs,
  resolveHost,
  waitUntil,
} from "./udp-socket.js";
import {
  DATA_HEADER_BYTES,
  DataFlag,
  encodeData,
  encodeEnd,
  IP_UDP_OVERHEAD,
  MAX_CHUNK_PAYLOAD,
} from "./wire.js";
import { DEFAULT_CHUNK_SIZE, type JobSendTarget } from "./approx-sender.js";

/** `fraction` is only for the report: a blast sends every chunk once whatever the job needs. */
export interface BlastSendOptions extends JobSendTarget {
  /** Sending rate in bit/s at the IP layer. */
  rateBitsPerSec: number;
  /** Time after the last datagram until the job counts as complete. */
  drainMs?: number;
  /** END is sent this many times, endSpacingMs apart, as it has no acknowledgement. */
  endRepeats?: number;
  endSpacingMs?: number;
  /** Start sending at this time, ms since the epoch; default: at once. */
  startAtEpochMs?: number;
}

export interface BlastSendResult {
  jobId: number;
  /** When sending started, ms since the epoch. */
  startedAtEpochMs: number;
  /** Sending time plus the drain time. */
  jctMs: number;
  sendDurationMs: number;
  drainMs: number;
  totalBytes: number;
  chunkSize: number;
  totalChunks: number;
  neededChunks: number;
  datagramsSent: number;
  bytesSent: number;
  payloadBytesSent: number;
  rateMbps: number;
  meanSendMbps: number;
  local: string;
  receiver: string;
  receiverControl: string;
  sendErrors: number;
}

const MAX_SEND_QUEUE = 256;

export async function runBlastSender(o: BlastSendOptions): Promise<BlastSendResult> {
  const chunkSize = o.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_PAYLOAD) {
    throw new RangeError(`chunk size must be in [1, ${MAX_CHUNK_PAYLOAD}], got ${chunkSize}`);
  }
  if (!(o.rateBitsPerSec > 0))
    throw new RangeError(`rate must be positive, got ${o.rateBitsPerSec}`);
  const layout = chunkLayout(o.totalBytes, chunkSize);
  const needed = neededChunks(layout.totalChunks, o.fraction);
  const drainMs = o.drainMs ?? 200;
  const controlPort = o.controlPort ?? o.to.port + 1;
  const to = await resolveHost(o.to);
  const socket = await bindUdp(o.bind ?? anyAddressFor(to));
  const local = formatHostPort(boundAddress(socket));
  await waitUntil(o.startAtEpochMs);
  const start = nowMs();
  const rate = o.rateBitsPerSec / 8;
  const pacer = new Pacer(rate, start, 2, 2 * (chunkSize + DATA_HEADER_BYTES + IP_UDP_OVERHEAD));
  const scratch = new Uint8Array(chunkSize);
  let sendErrors = 0;
  let bytesSent = 0;
  let payloadBytesSent = 0;
  const onSent = (err: Error | null): void => {
    if (err) sendErrors++;
  };
  socket.on("error", () => sendErrors++);

  let next = 0;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      const now = nowMs();
      if (socket.getSendQueueCount() <= MAX_SEND_QUEUE) {
        let burst = 0;
        while (next < layout.totalChunks && burst < 64 && pacer.canSend(now)) {
          const length = layout.payloadLength(next);
          new DataView(scratch.buffer).setUint32(0, next);
          const bytes = encodeData({
            jobId: o.jobId,
            flags: DataFlag.blast,
            chunk: next,
            totalChunks: layout.totalChunks,
            neededChunks: needed,
            txSeq: next,
            payload: scratch.subarray(0, length),
          });
          socket.send(bytes, to.port, to.host, onSent);
          pacer.consume(bytes.length + IP_UDP_OVERHEAD, now);
          bytesSent += bytes.length + IP_UDP_OVERHEAD;
          payloadBytesSent += length;
          next++;
          burst++;
        }
      }
      if (next >= layout.totalChunks) resolve();
      else setTimeout(pump, Math.max(0, pacer.nextSendMs(nowMs()) - nowMs()));
    };
    pump();
  });
  const sendDurationMs = nowMs() - start;
  const end = encodeEnd({
    jobId: o.jobId,
    sentDatagrams: layout.totalChunks,
    totalChunks: layout.totalChunks,
    neededChunks: needed,
  });
  const repeats = o.endRepeats ?? 3;
  for (let i = 0; i < repeats; i++) {
    socket.send(end, controlPort, to.host, onSent);
    if (i + 1 < repeats) await new Promise((r) => setTimeout(r, o.endSpacingMs ?? 5));
  }
  await drainSendQueue(socket);
  await closeUdp(socket);
  return {
    jobId: o.jobId,
    startedAtEpochMs: epochMs(start),
    jctMs: sendDurationMs + drainMs,
    sendDurationMs,
    drainMs,
    totalBytes: o.totalBytes,
    chunkSize,
    totalChunks: layout.totalChunks,
    neededChunks: needed,
    datagramsSent: layout.totalChunks,
    bytesSent,
    payloadBytesSent,
    rateMbps: o.rateBitsPerSec / 1e6,
    meanSendMbps: sendDurationMs > 0 ? (bytesSent * 8) / 1000 / sendDurationMs : 0,
    local,
    receiver: formatHostPort(o.to),
    receiverControl: formatHostPort({ host: o.to.host, port: controlPort }),
    sendErrors,
  };
}
