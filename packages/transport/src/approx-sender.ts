// The approximate sender on a UDP socket: the edge around ApproxSenderCore. Data goes
// to the receiver's data port, control messages (DONE-ACK, ABORT) to its control port,
// both from one socket, so the receiver answers to the address it sees data from.
import type dgram from "node:dgram";
import {
  ApproxSenderCore,
  DEFAULT_SENDER_TIMING,
  type ApproxSenderConfig,
  type SenderControl,
  type SenderReport,
} from "./approx-sender-core.js";
import { DEFAULT_RATE_CONTROL } from "./rate-control.js";
import { formatHostPort, type HostPort } from "./units.js";
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
  WakeTimer,
} from "./udp-socket.js";
import { DataFlag, encodeAbort, encodeData, encodeDoneAck } from "./wire.js";

export const DEFAULT_CHUNK_SIZE = 1200;

/** Where a sender of one job's chunks sends them, and what the job is: every sender has it. */
export interface JobSendTarget {
  /** The receiver's data port. */
  to: HostPort;
  /** The receiver's control port; default: data port + 1. */
  controlPort?: number;
  /** Local address; default: any address, ephemeral port. */
  bind?: HostPort;
  jobId: number;
  totalBytes: number;
  chunkSize?: number;
  /** The fraction of the job's chunks the job needs. */
  fraction: number;
}

export interface ApproxSendOptions extends JobSendTarget {
  /** Maximum rate in bit/s at the IP layer (the access link's), and the start rate unless... */
  rateBitsPerSec: number;
  /** ...a lower start rate is given: a hint (the sender's share of its job's allocation). */
  startRateBitsPerSec?: number;
  minRateBitsPerSec?: number;
  probeMargin?: number;
  lossTolerance?: number;
  /** How long the rate control remembers the best delivered rate (ms). */
  memoryMs?: number;
  /** The job's bytes (length totalBytes); default: synthetic chunks. */
  data?: Uint8Array;
  /** After the job ends, keep answering repeated DONEs this long. */
  lingerMs?: number;
  /** Start sending (and the job's clock) at this time, ms since the epoch; default: at once. */
  startAtEpochMs?: number;
  timing?: Partial<
    Omit<ApproxSenderConfig, "jobId" | "totalBytes" | "chunkSize" | "fraction" | "rate">
  >;
}

export interface ApproxSendResult extends SenderReport {
  /** When the job's clock started (the sender's start), ms since the epoch. */
  startedAtEpochMs: number;
  local: string;
  receiver: string;
  receiverControl: string;
  sendErrors: number;
}

/** Sends datagrams only while the kernel keeps up; beyond this the sender waits. */
const MAX_SEND_QUEUE = 256;

export function senderConfig(o: ApproxSendOptions): ApproxSenderConfig {
  const maxRate = o.rateBitsPerSec / 8;
  const minRate = Math.min(maxRate, (o.minRateBitsPerSec ?? DEFAULT_RATE_CONTROL.minRate * 8) / 8);
  return {
    ...DEFAULT_SENDER_TIMING,
    ...o.timing,
    jobId: o.jobId,
    totalBytes: o.totalBytes,
    chunkSize: o.chunkSize ?? DEFAULT_CHUNK_SIZE,
    fraction: o.fraction,
    rate: {
      ...DEFAULT_RATE_CONTROL,
      initialRate: Math.min(maxRate, (o.startRateBitsPerSec ?? o.rateBitsPerSec) / 8),
      maxRate,
      minRate,
      ...(o.probeMargin !== undefined ? { probeMargin: o.probeMargin } : {}),
      ...(o.lossTolerance !== undefined ? { lossTolerance: o.lossTolerance } : {}),
      ...(o.memoryMs !== undefined ? { memoryMs: o.memoryMs } : {}),
    },
  };
}

export async function runApproxSender(o: ApproxSendOptions): Promise<ApproxSendResult> {
  const config = senderConfig(o);
  if (o.data !== undefined && o.data.length !== o.totalBytes) {
    throw new RangeError(`data has ${o.data.length} bytes, the job ${o.totalBytes}`);
  }
  const controlPort = o.controlPort ?? o.to.port + 1;
  // Built (and so validated) before touching the network; the job's clock starts here, or
  // at the start time it was given.
  let startedAt = nowMs();
  let core = new ApproxSenderCore(config, startedAt);
  const to = await resolveHost(o.to);
  const local = o.bind ?? anyAddressFor(to);
  const socket = await bindUdp(local);
  if (o.startAtEpochMs !== undefined) {
    await waitUntil(o.startAtEpochMs);
    startedAt = nowMs();
    core = new ApproxSenderCore(config, startedAt);
  }
  const localAddress = formatHostPort(boundAddress(socket));
  const scratch = new Uint8Array(config.chunkSize);
  const payloadOf = (chunk: number, length: number): Uint8Array => {
    if (o.data !== undefined) {
      const start = chunk * config.chunkSize;
      return o.data.subarray(start, start + length);
    }
    // Synthetic content: the chunk number up front, so a capture is readable.
    new DataView(scratch.buffer).setUint32(0, chunk);
    return scratch.subarray(0, length);
  };
  let sendErrors = 0;
  const onSent = (err: Error | null): void => {
    if (err) sendErrors++;
  };

  return await new Promise<ApproxSendResult>((resolve) => {
    let lingering = false;

    const send = (bytes: Uint8Array, port: number): void => {
      socket.send(bytes, port, to.host, onSent);
    };
    const flushControl = (messages: SenderControl[]): void => {
      for (const c of messages) {
        const bytes =
          c.type === "doneAck"
            ? encodeDoneAck({ jobId: config.jobId })
            : encodeAbort({ jobId: config.jobId, reason: c.reason });
        send(bytes, controlPort);
      }
    };
    const finish = (): void => {
      if (lingering) return;
      lingering = true;
      timer.cancel();
      setTimeout(() => {
        socket.removeAllListeners("message");
        void drainSendQueue(socket)
          .then(() => closeUdp(socket))
          .then(() =>
            resolve({
              ...core.report(),
              startedAtEpochMs: epochMs(startedAt),
              local: localAddress,
              receiver: formatHostPort(o.to),
              receiverControl: formatHostPort({ host: o.to.host, port: controlPort }),
              sendErrors,
            }),
          );
      }, o.lingerMs ?? 100);
    };
    const pump = (): void => {
      if (lingering) return;
      const now = nowMs();
      if (socket.getSendQueueCount() > MAX_SEND_QUEUE) {
        timer.arm(now + 1);
        return;
      }
      for (const tx of core.poll(now)) {
        const bytes = encodeData({
          jobId: config.jobId,
          flags: tx.resend ? DataFlag.resend : 0,
          chunk: tx.chunk,
          totalChunks: core.totalChunks,
          neededChunks: core.neededChunks,
          txSeq: tx.txSeq,
          payload: payloadOf(tx.chunk, tx.payloadBytes),
        });
        send(bytes, to.port);
      }
      flushControl(core.takeControl());
      if (core.finished) finish();
      else timer.arm(core.nextWakeMs(nowMs()));
    };
    const timer = new WakeTimer(pump);

    socket.on("message", (msg: Buffer, _rinfo: dgram.RemoteInfo) => {
      core.onDatagram(msg, nowMs());
      flushControl(core.takeControl());
      if (core.finished) finish();
      else pump(); // the rate may have changed
    });
    socket.on("error", () => {
      sendErrors++;
    });
    pump();
  });
}
