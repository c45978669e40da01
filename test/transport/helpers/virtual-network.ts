// Test-only virtual-time harness: runs the pure sender and receiver state machines
// over a simulated path (a drop-tail bottleneck queue and a propagation delay), with
// no sockets and no real time. Events at equal times run in scheduling order.
import {
  ApproxReceiverCore,
  DEFAULT_RECEIVER_TIMING,
  type ApproxReceiverConfig,
} from "@netapprox/transport/approx-receiver-core.js";
import {
  ApproxSenderCore,
  DEFAULT_SENDER_TIMING,
  type ApproxSenderConfig,
} from "@netapprox/transport/approx-sender-core.js";
import { DEFAULT_RATE_CONTROL } from "@netapprox/transport/rate-control.js";
import {
  DataFlag,
  encodeAbort,
  encodeData,
  encodeDone,
  encodeDoneAck,
  encodeFeedback,
  IP_UDP_OVERHEAD,
  type DataMessage,
} from "@netapprox/transport/wire.js";

interface Event {
  at: number;
  seq: number;
  run: () => void;
}

export class EventQueue {
  now = 0;
  private events: Event[] = [];
  private seq = 0;

  at(time: number, run: () => void): void {
    const e = { at: Math.max(time, this.now), seq: this.seq++, run };
    // Binary insertion keeps the queue sorted by (at, seq).
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.events[mid]!;
      if (m.at < e.at || (m.at === e.at && m.seq < e.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.events.splice(lo, 0, e);
  }

  runUntil(limitMs: number, stop: () => boolean, maxEvents = 5_000_000): void {
    let budget = maxEvents;
    while (this.events.length > 0 && !stop()) {
      if (budget-- === 0) throw new Error(`no progress: ${maxEvents} events by t=${this.now} ms`);
      const e = this.events.shift()!;
      if (e.at > limitMs) break;
      this.now = e.at;
      e.run();
    }
  }
}

export interface PathOptions {
  /** Bottleneck rate towards the receiver, bytes per second; may change over time. */
  capacity: (nowMs: number) => number;
  /** Queue limit of the bottleneck in bytes. */
  queueBytes: number;
  /** One-way propagation delay. */
  delayMs: number;
  /** Drop a data datagram regardless of the queue (deterministic loss). */
  dropData?: (m: Omit<DataMessage, "type" | "payload">) => boolean;
  /** Drop every message from the receiver. */
  muteReceiver?: boolean;
}

export interface RunResult {
  sender: ApproxSenderCore;
  receiver: ApproxReceiverCore;
  /** (time, sending rate in bytes/s) after each rate change. */
  rateTrace: [number, number][];
  /** (time, IP bytes) of every datagram the sender put on the path. */
  sends: [number, number][];
  dropped: number;
  /** Times at which the path dropped a data datagram. */
  dropTimes: number[];
  endMs: number;
}

export function senderConfig(
  overrides: Partial<ApproxSenderConfig> & { rateBps: number },
): ApproxSenderConfig {
  const { rateBps, ...rest } = overrides;
  return {
    ...DEFAULT_SENDER_TIMING,
    jobId: 1,
    totalBytes: 1_200_000,
    chunkSize: 1200,
    fraction: 0.9,
    rate: { ...DEFAULT_RATE_CONTROL, initialRate: rateBps, maxRate: rateBps },
    ...rest,
  };
}

export function receiverConfig(
  overrides: Partial<ApproxReceiverConfig> = {},
): ApproxReceiverConfig {
  return { ...DEFAULT_RECEIVER_TIMING, jobId: 1, feedback: true, ...overrides };
}

/** Runs one job over the path until both ends finish (or limitMs). */
export function runJob(
  sc: ApproxSenderConfig,
  rc: ApproxReceiverConfig,
  path: PathOptions,
  limitMs = 120_000,
): RunResult {
  const q = new EventQueue();
  const sender = new ApproxSenderCore(sc, 0);
  const receiver = new ApproxReceiverCore(rc, 0);
  const rateTrace: [number, number][] = [[0, sender.rate]];
  const sends: [number, number][] = [];
  let dropped = 0;
  const dropTimes: number[] = [];
  let linkFreeAt = 0;
  let senderWake = 0;
  let receiverWake = 0;
  const payload = new Uint8Array(sc.chunkSize);

  const toSender = (bytes: Uint8Array): void => {
    if (path.muteReceiver) return;
    q.at(q.now + path.delayMs, () => {
      sender.onDatagram(bytes, q.now);
      pollSender();
    });
  };
  const fromSenderControl = (): void => {
    for (const c of sender.takeControl()) {
      const bytes =
        c.type === "doneAck"
          ? encodeDoneAck({ jobId: sc.jobId })
          : encodeAbort({ jobId: sc.jobId, reason: c.reason });
      q.at(q.now + path.delayMs, () => {
        receiver.onDatagram(bytes, q.now);
        armReceiver();
      });
    }
  };
  const sendReceiver = (messages: ReturnType<ApproxReceiverCore["tick"]>): void => {
    for (const m of messages) toSender(m.type === "feedback" ? encodeFeedback(m) : encodeDone(m));
  };
  const armReceiver = (): void => {
    const at = receiver.nextWakeMs(q.now);
    if (at === null) return;
    const token = ++receiverWake;
    q.at(at, () => {
      if (token !== receiverWake) return;
      sendReceiver(receiver.tick(q.now));
      armReceiver();
    });
  };
  const pollSender = (): void => {
    const before = sender.rate;
    for (const tx of sender.poll(q.now)) {
      const header = {
        jobId: sc.jobId,
        flags: tx.resend ? DataFlag.resend : 0,
        chunk: tx.chunk,
        totalChunks: sender.totalChunks,
        neededChunks: sender.neededChunks,
        txSeq: tx.txSeq,
      };
      const bytes = encodeData({ ...header, payload: payload.subarray(0, tx.payloadBytes) });
      const size = bytes.length + IP_UDP_OVERHEAD;
      sends.push([q.now, size]);
      const capacity = path.capacity(q.now);
      const backlog = Math.max(0, linkFreeAt - q.now) * (capacity / 1000);
      if (path.dropData?.(header) === true || backlog + size > path.queueBytes) {
        dropped++;
        dropTimes.push(q.now);
        continue;
      }
      linkFreeAt = Math.max(linkFreeAt, q.now) + (size * 1000) / capacity;
      q.at(linkFreeAt + path.delayMs, () => {
        const r = receiver.onDatagram(bytes, q.now);
        sendReceiver(r.replies);
        armReceiver();
      });
    }
    if (sender.rate !== before) rateTrace.push([q.now, sender.rate]);
    fromSenderControl();
    const at = sender.nextWakeMs(q.now);
    if (at === null) return;
    const token = ++senderWake;
    q.at(at, () => {
      if (token === senderWake) pollSender();
    });
  };
  // Feedback changes the rate outside poll; record it too.
  const onFeedbackRate = (): void => {
    const last = rateTrace[rateTrace.length - 1]!;
    if (sender.rate !== last[1]) rateTrace.push([q.now, sender.rate]);
  };
  const originalOnDatagram = sender.onDatagram.bind(sender);
  sender.onDatagram = (bytes: Uint8Array, now: number) => {
    originalOnDatagram(bytes, now);
    onFeedbackRate();
  };

  pollSender();
  armReceiver();
  q.runUntil(limitMs, () => sender.finished && receiver.finished);
  return { sender, receiver, rateTrace, sends, dropped, dropTimes, endMs: q.now };
}

/** Mean sending rate (bytes/s) of the datagrams sent in [fromMs, toMs). */
export function sendRate(sends: [number, number][], fromMs: number, toMs: number): number {
  const bytes = sends.filter(([t]) => t >= fromMs && t < toMs).reduce((s, [, b]) => s + b, 0);
  return (bytes * 1000) / (toMs - fromMs);
}
