// The approximate transport on simulated hosts: the real host programs' own state
// machines (packages/transport/src/approx-sender-core.ts and approx-receiver-core.ts, with their
// loss-based rate control and chunk bookkeeping) driven by simulated time, so the
// simulator and real hosts behave alike. Data packets carry their chunk and transmission
// numbers in packet fields; control messages (feedback, DONE, DONE-ACK, ABORT, END) ride
// in the control class as objects of the wire format's types, sized as encoded.
// Also the UDP blast baseline: every chunk once at a fixed rate, no feedback.
import {
  ApproxReceiverCore,
  DEFAULT_RECEIVER_TIMING,
  type ReceiverOutgoing,
  type ReceiverReport,
} from "@netapprox/transport/approx-receiver-core.js";
import { ApproxSenderCore, type SenderReport } from "@netapprox/transport/approx-sender-core.js";
import { senderConfig } from "@netapprox/transport/approx-sender.js";
import { chunkLayout, neededChunks } from "@netapprox/transport/chunks.js";
import { Pacer } from "@netapprox/transport/pacer.js";
import {
  DATA_HEADER_BYTES,
  encodeAbort,
  encodeDone,
  encodeDoneAck,
  encodeEnd,
  FEEDBACK_HEADER_BYTES,
  IP_UDP_OVERHEAD,
  type DataMessage,
} from "@netapprox/transport/wire.js";
import type { ApproxTiming } from "../../experiment/scenario.js";
import { Endpoint, type Simulation } from "../simulation.js";
import type { ReportChannel, ReportedReceiver } from "./coordination.js";
import { KIND_CONTROL, KIND_DATA } from "./packets.js";

export interface ApproxTransferConfig {
  /** Policy job id: the wire format's job id. */
  jobId: number;
  /** Job index for the fabric's per-job counters. */
  job: number;
  bytes: number;
  chunkSize: number;
  fraction: number;
  /** bit/s the sender never exceeds (its access link). */
  lineRate: number;
  /** bit/s it starts at. */
  initialRate: number;
  dataDscp: number;
  controlDscp: number;
  /** Edge meter of the job at the sender's switch, -1 when none. */
  meter: number;
  hash: number;
  reverseHash: number;
  /** The sender gives up after this long. */
  timeoutMs: number;
  timing: ApproxTiming;
}

const DATA_OVERHEAD = DATA_HEADER_BYTES + IP_UDP_OVERHEAD;
// IP-level sizes of the fixed-size control messages, as the wire format encodes them.
const DONE_SIZE =
  encodeDone({ jobId: 0, uniqueChunks: 0, receivedDatagrams: 0, receivedBytes: 0, elapsedMs: 0 })
    .length + IP_UDP_OVERHEAD;
const DONE_ACK_SIZE = encodeDoneAck({ jobId: 0 }).length + IP_UDP_OVERHEAD;
const ABORT_SIZE = encodeAbort({ jobId: 0, reason: "timeout" }).length + IP_UDP_OVERHEAD;

/**
 * Simulated time for a transport core's wake-up in milliseconds, a nanosecond late: the
 * core must see at least the time it asked for after the round trip through seconds, or
 * it would ask for the same instant again.
 */
export function wakeTime(ms: number): number {
  return (ms + 1e-6) / 1000;
}

function controlSize(m: ReceiverOutgoing): number {
  return m.type === "feedback"
    ? FEEDBACK_HEADER_BYTES + Math.ceil(m.windowBits / 8) + IP_UDP_OVERHEAD
    : DONE_SIZE;
}

/** Sends a control packet carrying `message` from endpoint `ep`. */
function sendControl(
  ep: Endpoint,
  dst: number,
  dscp: number,
  hash: number,
  message: unknown,
  size: number,
): void {
  const f = ep.sim.fabric;
  const p = f.alloc();
  f.pSize[p] = size;
  f.pKind[p] = KIND_CONTROL;
  f.pDscp[p] = dscp;
  f.pEp[p] = ep.id;
  f.pDst[p] = dst;
  f.pHash[p] = hash;
  f.pObj[p] = message;
  ep.transmit(p);
}

export class ApproxSender extends Endpoint {
  readonly core: ApproxSenderCore;
  readonly startTime: number;
  doneTime: number | null = null;
  private report: SenderReport | null = null;

  constructor(
    sim: Simulation,
    id: number,
    host: number,
    private readonly dstHost: number,
    readonly config: ApproxTransferConfig,
    private readonly onDone: (sender: ApproxSender) => void,
  ) {
    super(sim, id, host);
    const c = senderConfig({
      to: { host: "0.0.0.0", port: 0 },
      jobId: config.jobId,
      totalBytes: config.bytes,
      chunkSize: config.chunkSize,
      fraction: config.fraction,
      rateBitsPerSec: config.lineRate,
      memoryMs: config.timing.memory * 1000,
      timing: {
        timeoutMs: config.timeoutMs,
        silenceMs: config.timing.silence * 1000,
        passEndWaitMs: config.timing.passEndWait * 1000,
        giveUpMs: config.timing.giveUp * 1000,
        minSampleMs: config.timing.minSample * 1000,
        burstMs: config.timing.burst * 1000,
      },
    });
    c.rate.initialRate = Math.min(c.rate.maxRate, Math.max(c.rate.minRate, config.initialRate / 8));
    this.startTime = sim.now;
    this.core = new ApproxSenderCore(c, sim.now * 1000);
  }

  /** Call once both ends are attached to the simulation. */
  start(): void {
    this.wake();
  }

  /** A rate hint from the controller (bit/s): the most it may send, and its floor. */
  setRateBounds(maxBits: number, minBits: number): void {
    if (this.core.finished) return;
    this.core.setRateBounds(maxBits / 8, minBits / 8, this.sim.now * 1000);
  }

  receive(p: number): void {
    const f = this.sim.fabric;
    if (f.pKind[p] !== KIND_CONTROL) return;
    const m = f.pObj[p] as ReceiverOutgoing;
    const nowMs = this.sim.now * 1000;
    if (m.type === "feedback") this.core.onFeedback(m, nowMs);
    else this.core.onDone(m, nowMs);
    this.wake();
  }

  wake(): void {
    const now = this.sim.now;
    const nowMs = now * 1000;
    const core = this.core;
    const room = this.hostLimit - this.queuedAtHost;
    if (room > 0) {
      const f = this.sim.fabric;
      const c = this.config;
      for (const t of core.poll(nowMs, room)) {
        const p = f.alloc();
        f.pSize[p] = t.payloadBytes + DATA_OVERHEAD;
        f.pKind[p] = KIND_DATA;
        f.pDscp[p] = c.dataDscp;
        f.pEp[p] = this.id;
        f.pDst[p] = this.dstHost;
        f.pHash[p] = c.hash;
        f.pSeq[p] = t.chunk;
        f.pAux[p] = t.txSeq;
        f.pMeter[p] = c.meter;
        f.pJob[p] = c.job;
        this.transmit(p);
      }
    }
    for (const m of core.takeControl()) {
      const c = this.config;
      if (m.type === "doneAck") {
        sendControl(
          this,
          this.dstHost,
          c.controlDscp,
          c.hash,
          encodeDoneAck({ jobId: c.jobId }),
          DONE_ACK_SIZE,
        );
      } else {
        sendControl(
          this,
          this.dstHost,
          c.controlDscp,
          c.hash,
          encodeAbort({ jobId: c.jobId, reason: m.reason }),
          ABORT_SIZE,
        );
      }
    }
    if (core.finished) {
      if (this.doneTime === null) {
        this.doneTime = now;
        this.report = core.report();
        this.onDone(this);
      }
      return;
    }
    let next = core.nextWakeMs(nowMs);
    if (next === null) return;
    if (this.queuedAtHost >= this.hostLimit) {
      // Blocked by the host's interface: room wakes us; timers need not be exact meanwhile.
      this.waitingForHost = true;
      next = Math.max(next, nowMs + 1);
    }
    this.wakeAt(wakeTime(next));
  }

  /** The sender's report, once finished. */
  get result(): SenderReport | null {
    return this.report;
  }
}

/** The receiver of an approximate transfer, or (feedback off) of a UDP blast. */
export class ApproxReceiver extends Endpoint implements ReportedReceiver {
  readonly core: ApproxReceiverCore;
  /** Where it reports its count when its job completes as a whole; null: on its own. */
  channel: ReportChannel | null = null;
  private readonly scratch: DataMessage;
  private readonly payloads = new Map<number, Uint8Array>();
  private readonly buffer: Uint8Array;

  constructor(
    sim: Simulation,
    id: number,
    host: number,
    private readonly srcHost: number,
    private readonly config: ApproxTransferConfig,
    feedback: boolean,
    drainMs: number,
  ) {
    super(sim, id, host);
    this.core = new ApproxReceiverCore(
      {
        ...DEFAULT_RECEIVER_TIMING,
        jobId: config.jobId,
        feedback,
        timeoutMs: config.timeoutMs,
        drainMs,
        feedbackIntervalMs: config.timing.feedbackInterval * 1000,
        keepaliveMs: config.timing.keepalive * 1000,
        doneRetryMs: config.timing.doneRetry * 1000,
      },
      sim.now * 1000,
    );
    const layout = chunkLayout(config.bytes, config.chunkSize);
    this.scratch = {
      type: "data",
      jobId: config.jobId,
      flags: 0,
      chunk: 0,
      totalChunks: layout.totalChunks,
      neededChunks: neededChunks(layout.totalChunks, config.fraction),
      txSeq: 0,
      payload: new Uint8Array(0),
    };
    this.buffer = new Uint8Array(config.chunkSize);
  }

  /** A payload view of the given length (the core reads only its length). */
  private payload(length: number): Uint8Array {
    let view = this.payloads.get(length);
    if (view === undefined) {
      view = this.buffer.subarray(0, length);
      this.payloads.set(length, view);
    }
    return view;
  }

  receive(p: number): void {
    const f = this.sim.fabric;
    const nowMs = this.sim.now * 1000;
    const kind = f.pKind[p]!;
    if (kind === KIND_DATA) {
      const size = f.pSize[p]!;
      const m = this.scratch;
      m.chunk = f.pSeq[p]!;
      m.txSeq = f.pAux[p]!;
      m.payload = this.payload(size - DATA_OVERHEAD);
      const result = this.core.onData(m, size, nowMs);
      for (const reply of result.replies) this.reply(reply);
      if (result.newChunk !== undefined) this.channel?.onProgress();
    } else if (kind === KIND_CONTROL) {
      this.core.onDatagram(f.pObj[p] as Uint8Array, nowMs);
    } else return;
    this.schedule(nowMs);
  }

  progress(): { uniqueChunks: number; totalChunks: number } {
    return this.core.progress;
  }

  stopForJob(): void {
    const nowMs = this.sim.now * 1000;
    for (const m of this.core.completeJob(nowMs)) this.reply(m);
    this.schedule(nowMs);
  }

  private reply(m: ReceiverOutgoing): void {
    sendControl(
      this,
      this.srcHost,
      this.config.controlDscp,
      this.config.reverseHash,
      m,
      controlSize(m),
    );
  }

  private schedule(nowMs: number): void {
    const next = this.core.nextWakeMs(nowMs);
    if (next !== null) this.wakeAt(wakeTime(next));
  }

  wake(): void {
    const nowMs = this.sim.now * 1000;
    for (const m of this.core.tick(nowMs)) this.reply(m);
    this.schedule(nowMs);
  }

  get result(): ReceiverReport {
    return this.core.report();
  }
}

/** UDP blast: every chunk once at a fixed rate, then END (three times), no feedback. */
export class BlastSender extends Endpoint {
  private readonly layout: { totalChunks: number; payloadLength: (chunk: number) => number };
  private readonly needed: number;
  private readonly pacer: Pacer;
  private next = 0;
  private endsSent = 0;
  readonly startTime: number;
  /** When the last datagram left the sender; null while sending. */
  lastSendTime: number | null = null;
  doneTime: number | null = null;

  constructor(
    sim: Simulation,
    id: number,
    host: number,
    private readonly dstHost: number,
    readonly config: ApproxTransferConfig,
    /** bit/s */
    rate: number,
    private readonly drain: number,
    private readonly onDone: (sender: BlastSender) => void,
  ) {
    super(sim, id, host);
    this.layout = chunkLayout(config.bytes, config.chunkSize);
    this.needed = neededChunks(this.layout.totalChunks, config.fraction);
    this.startTime = sim.now;
    this.pacer = new Pacer(rate / 8, sim.now * 1000, 2, 2 * (config.chunkSize + DATA_OVERHEAD));
  }

  /** Call once both ends are attached to the simulation. */
  start(): void {
    this.wake();
  }

  receive(): void {
    // Nothing comes back to a blast sender.
  }

  wake(): void {
    const now = this.sim.now;
    const nowMs = now * 1000;
    if (this.lastSendTime === null) {
      const f = this.sim.fabric;
      const c = this.config;
      while (this.next < this.layout.totalChunks && this.pacer.canSend(nowMs)) {
        if (this.queuedAtHost >= this.hostLimit) {
          this.waitingForHost = true;
          return;
        }
        const chunk = this.next++;
        const p = f.alloc();
        f.pSize[p] = this.layout.payloadLength(chunk) + DATA_OVERHEAD;
        f.pKind[p] = KIND_DATA;
        f.pDscp[p] = c.dataDscp;
        f.pEp[p] = this.id;
        f.pDst[p] = this.dstHost;
        f.pHash[p] = c.hash;
        f.pSeq[p] = chunk;
        f.pAux[p] = chunk;
        f.pMeter[p] = c.meter;
        f.pJob[p] = c.job;
        this.pacer.consume(f.pSize[p]!, nowMs);
        this.transmit(p);
      }
      if (this.next < this.layout.totalChunks) {
        this.wakeAt(wakeTime(this.pacer.nextSendMs(nowMs)));
        return;
      }
      this.lastSendTime = now;
    }
    if (this.endsSent < 3) {
      const c = this.config;
      const end = encodeEnd({
        jobId: c.jobId,
        sentDatagrams: this.layout.totalChunks,
        totalChunks: this.layout.totalChunks,
        neededChunks: this.needed,
      });
      sendControl(this, this.dstHost, c.controlDscp, c.hash, end, end.length + IP_UDP_OVERHEAD);
      this.endsSent++;
      if (this.endsSent < 3) {
        this.wakeAt(now + 0.005);
        return;
      }
    }
    const doneAt = this.lastSendTime + this.drain;
    if (now < doneAt) {
      this.wakeAt(doneAt);
      return;
    }
    if (this.doneTime === null) {
      this.doneTime = now;
      this.onDone(this);
    }
  }
}
