// The approximate receiver as a pure state machine (no sockets, no timers): it keeps
// the chunks of one job, says when feedback is due and what it holds, and finishes
// the job with the DONE handshake once it holds the required fraction. With feedback
// off it is the UDP blast receiver: it only counts, and finishes a drain time after
// the sender's END.
import { ChunkSet } from "./chunks.js";
import {
  decode,
  IP_UDP_OVERHEAD,
  type AbortReasonName,
  type DataMessage,
  type DoneMessage,
  type FeedbackMessage,
} from "./wire.js";

export interface ApproxReceiverConfig {
  jobId: number;
  /** false: UDP blast receiver (no feedback, no DONE; finishes drainMs after END). */
  feedback: boolean;
  /** Feedback every this often while data arrives. */
  feedbackIntervalMs: number;
  /** Feedback at least this often while the job is open, even without new data. */
  keepaliveMs: number;
  /** Largest bitmap in one feedback (bits). */
  maxWindowBits: number;
  /** DONE is repeated this often until acknowledged... */
  doneRetryMs: number;
  /** ...at most this many times in all. */
  doneAttempts: number;
  /** Gives up when nothing arrives for this long after the first datagram. */
  idleTimeoutMs: number;
  /** Gives up after this long in all. */
  timeoutMs: number;
  /** Blast: how long after END late datagrams are still counted. */
  drainMs: number;
}

export const DEFAULT_RECEIVER_TIMING = {
  feedbackIntervalMs: 5,
  keepaliveMs: 50,
  maxWindowBits: 1024,
  doneRetryMs: 20,
  doneAttempts: 25,
  idleTimeoutMs: 5000,
  timeoutMs: 60_000,
  drainMs: 200,
} as const;

export type ReceiverOutcome = "done" | "aborted" | "ended" | "idle" | "timeout" | "stopped";

export type ReceiverOutgoing = FeedbackMessage | DoneMessage;

export interface DatagramResult {
  /** A valid datagram of this job's data (the sender's address is the source). */
  fromSender: boolean;
  /** A chunk seen for the first time. */
  newChunk?: { chunk: number; payload: Uint8Array };
  /** Messages for the sender's address, to send now. */
  replies: ReceiverOutgoing[];
}

export interface ReceiverReport {
  outcome: ReceiverOutcome;
  /** The receiver held the required fraction at some point. */
  completed: boolean;
  jobId: number;
  totalChunks: number | null;
  neededChunks: number | null;
  uniqueChunks: number;
  deliveredFraction: number;
  /** First datagram to holding the fraction (approx) or to END + drain (blast). */
  jctMs: number | null;
  /** First datagram to the last one. */
  receiveSpanMs: number | null;
  datagramsReceived: number;
  duplicates: number;
  /** IP-level bytes (datagram + 28) of this job's data. */
  bytesReceived: number;
  payloadBytesReceived: number;
  datagramsAfterDone: number;
  bytesAfterDone: number;
  feedbackSent: number;
  doneSent: number;
  doneAcknowledged: boolean;
  abortReason: AbortReasonName | null;
  malformed: number;
  foreign: number;
}

export class ApproxReceiverCore {
  private phase: "waiting" | "receiving" | "done" | "finished" = "waiting";
  private chunks: ChunkSet | null = null;
  private needed = 0;
  private firstDataAt: number | null = null;
  private lastDataAt = 0;
  private reachedAt: number | null = null;
  private endAt: number | null = null;
  private finishedAt: number | null = null;
  private outcomeValue: ReceiverOutcome | null = null;
  private abortReason: AbortReasonName | null = null;

  private maxTxSeq = 0;
  private datagrams = 0;
  private duplicates = 0;
  private bytes = 0;
  private payloadBytes = 0;
  private afterDoneDatagrams = 0;
  private afterDoneBytes = 0;

  private feedbackSeq = 0;
  private lastFeedbackAt = -Infinity;
  private dataSinceFeedback = false;
  private sweepsAtLastData = 0;
  private lastDoneAt = -Infinity;
  private doneSent = 0;
  private doneAcked = false;
  private malformed = 0;
  private foreign = 0;

  constructor(
    readonly config: ApproxReceiverConfig,
    private readonly startMs: number,
  ) {
    if (!Number.isInteger(config.maxWindowBits) || config.maxWindowBits < 0) {
      throw new RangeError(
        `window size must be a non-negative integer, got ${config.maxWindowBits}`,
      );
    }
  }

  get finished(): boolean {
    return this.phase === "finished";
  }

  get outcome(): ReceiverOutcome | null {
    return this.outcomeValue;
  }

  onDatagram(bytes: Uint8Array, nowMs: number): DatagramResult {
    const result: DatagramResult = { fromSender: false, replies: [] };
    if (this.phase === "finished") return result;
    const decoded = decode(bytes);
    if (decoded.kind === "foreign") {
      this.foreign++;
      return result;
    }
    if (decoded.kind === "malformed") {
      this.malformed++;
      return result;
    }
    const m = decoded.message;
    if (m.jobId !== this.config.jobId) {
      this.foreign++;
      return result;
    }
    switch (m.type) {
      case "data":
        return this.onData(m, bytes.length + IP_UDP_OVERHEAD, nowMs);
      case "end":
        if (this.config.feedback) {
          this.malformed++;
          return result;
        }
        if (this.chunks === null) {
          // Everything was lost: still learn the job's size for the report.
          this.chunks = new ChunkSet(m.totalChunks);
          this.needed = m.neededChunks;
          this.firstDataAt = nowMs;
          this.lastDataAt = nowMs;
          this.phase = "receiving";
        }
        if (this.endAt === null) this.endAt = nowMs;
        return result;
      case "doneAck":
        if (this.phase === "done") {
          this.doneAcked = true;
          this.finish("done", nowMs);
        }
        return result;
      case "abort":
        this.abortReason = m.reason;
        this.finish(this.reachedAt !== null ? "done" : "aborted", nowMs);
        return result;
      default:
        this.malformed++;
        return result;
    }
  }

  /**
   * One data message of this job, already decoded; `datagramBytes` is its IP-level size.
   * onDatagram calls it; the simulator calls it directly to skip encoding every packet.
   */
  onData(m: DataMessage, datagramBytes: number, nowMs: number): DatagramResult {
    const result: DatagramResult = { fromSender: false, replies: [] };
    if (this.phase === "finished") return result;
    if (m.jobId !== this.config.jobId) {
      this.foreign++;
      return result;
    }
    if (this.chunks === null) {
      this.chunks = new ChunkSet(m.totalChunks);
      this.needed = m.neededChunks;
      this.firstDataAt = nowMs;
      this.phase = "receiving";
    } else if (m.totalChunks !== this.chunks.totalChunks || m.neededChunks !== this.needed) {
      this.malformed++;
      return result;
    }
    result.fromSender = true;
    this.lastDataAt = nowMs;
    if (this.phase === "done") {
      this.afterDoneDatagrams++;
      this.afterDoneBytes += datagramBytes;
      // The sender is still sending: it may have missed DONE.
      if (nowMs >= this.lastDoneAt + this.config.doneRetryMs)
        result.replies.push(this.makeDone(nowMs));
      return result;
    }
    this.datagrams++;
    this.bytes += datagramBytes;
    this.payloadBytes += m.payload.length;
    if (m.txSeq > this.maxTxSeq) this.maxTxSeq = m.txSeq;
    this.dataSinceFeedback = true;
    if (this.chunks.add(m.chunk)) {
      result.newChunk = { chunk: m.chunk, payload: m.payload };
      this.sweepsAtLastData = this.chunks.sweeps;
    } else {
      this.duplicates++;
    }
    if (this.reachedAt === null && this.chunks.unique >= this.needed) {
      this.reachedAt = nowMs;
      if (this.config.feedback) {
        this.phase = "done";
        result.replies.push(this.makeDone(nowMs));
      }
    }
    return result;
  }

  /** Advances timers; returns messages for the sender to send now. */
  tick(nowMs: number): ReceiverOutgoing[] {
    if (this.phase === "finished") return [];
    // Deadlines are compared exactly as nextWakeMs computes them (floating point).
    if (nowMs >= this.startMs + this.config.timeoutMs) {
      this.finish(this.reachedAt !== null ? "done" : "timeout", nowMs);
      return [];
    }
    if (this.phase === "waiting") return [];
    if (this.endAt !== null && nowMs >= this.endAt + this.config.drainMs) {
      this.finish("ended", nowMs);
      return [];
    }
    if (this.phase === "done") {
      if (nowMs < this.lastDoneAt + this.config.doneRetryMs) return [];
      if (this.doneSent >= this.config.doneAttempts) {
        // Never acknowledged: the sender is gone; the job itself is complete.
        this.finish("done", nowMs);
        return [];
      }
      return [this.makeDone(nowMs)];
    }
    if (nowMs >= this.lastDataAt + this.config.idleTimeoutMs) {
      this.finish("idle", nowMs);
      return [];
    }
    if (!this.config.feedback) return [];
    return this.feedbackDue(nowMs) ? [this.makeFeedback(nowMs)] : [];
  }

  /** When tick should run next (null once finished). */
  nextWakeMs(nowMs: number): number | null {
    if (this.phase === "finished") return null;
    const times = [this.startMs + this.config.timeoutMs];
    if (this.phase !== "waiting") {
      if (this.endAt !== null) times.push(this.endAt + this.config.drainMs);
      if (this.phase === "done") times.push(this.lastDoneAt + this.config.doneRetryMs);
      else {
        times.push(this.lastDataAt + this.config.idleTimeoutMs);
        if (this.config.feedback) {
          times.push(
            this.lastFeedbackAt +
              (this.wantsFastFeedback() ? this.config.feedbackIntervalMs : this.config.keepaliveMs),
          );
        }
      }
    }
    return Math.max(nowMs, Math.min(...times));
  }

  /** New data, or windows still sweeping the holes since the last new chunk. */
  private wantsFastFeedback(): boolean {
    // Two sweep completions: the one under way when the data came may already have
    // passed its place; the next one is entirely later.
    return (
      this.dataSinceFeedback ||
      (this.chunks !== null && this.chunks.sweeps < this.sweepsAtLastData + 2)
    );
  }

  private feedbackDue(nowMs: number): boolean {
    return (
      nowMs >= this.lastFeedbackAt + this.config.keepaliveMs ||
      (nowMs >= this.lastFeedbackAt + this.config.feedbackIntervalMs && this.wantsFastFeedback())
    );
  }

  private makeFeedback(nowMs: number): FeedbackMessage {
    const chunks = this.chunks!;
    const w = chunks.nextWindow(this.config.maxWindowBits);
    this.lastFeedbackAt = nowMs;
    this.dataSinceFeedback = false;
    return {
      type: "feedback",
      jobId: this.config.jobId,
      seq: this.feedbackSeq++,
      receiverTimeMs: nowMs,
      uniqueChunks: chunks.unique,
      receivedDatagrams: this.datagrams,
      receivedBytes: this.bytes,
      maxTxSeq: this.maxTxSeq,
      totalChunks: chunks.totalChunks,
      ...w,
    };
  }

  private makeDone(nowMs: number): DoneMessage {
    this.lastDoneAt = nowMs;
    this.doneSent++;
    return {
      type: "done",
      jobId: this.config.jobId,
      uniqueChunks: this.chunks?.unique ?? 0,
      receivedDatagrams: this.datagrams,
      receivedBytes: this.bytes,
      elapsedMs: (this.reachedAt ?? nowMs) - (this.firstDataAt ?? nowMs),
    };
  }

  /**
   * The job is complete elsewhere: its coordinator counted enough chunks across all the
   * job's transfers (job-level completion). Stops the sender with the DONE handshake, as
   * holding the fraction would; returns the first DONE, for the sender's address.
   */
  completeJob(nowMs: number): ReceiverOutgoing[] {
    if (this.phase === "finished" || this.phase === "done") return [];
    this.reachedAt ??= nowMs;
    if (!this.config.feedback) return [];
    this.phase = "done";
    this.firstDataAt ??= nowMs;
    this.lastDataAt = Math.max(this.lastDataAt, nowMs);
    return [this.makeDone(nowMs)];
  }

  /** Distinct chunks held, and the transfer's chunks (0 until the first datagram says). */
  get progress(): { uniqueChunks: number; totalChunks: number } {
    return { uniqueChunks: this.chunks?.unique ?? 0, totalChunks: this.chunks?.totalChunks ?? 0 };
  }

  /** Ends the job from outside (the program is asked to stop). */
  stop(nowMs: number): void {
    this.finish(this.reachedAt !== null ? "done" : "stopped", nowMs);
  }

  private finish(outcome: ReceiverOutcome, nowMs: number): void {
    if (this.phase === "finished") return;
    this.phase = "finished";
    this.outcomeValue = outcome;
    this.finishedAt = nowMs;
  }

  report(): ReceiverReport {
    const unique = this.chunks?.unique ?? 0;
    const total = this.chunks?.totalChunks ?? null;
    let jctMs: number | null = null;
    if (this.firstDataAt !== null) {
      if (this.config.feedback) {
        jctMs = this.reachedAt === null ? null : this.reachedAt - this.firstDataAt;
      } else if (this.endAt !== null) {
        jctMs = this.endAt + this.config.drainMs - this.firstDataAt;
      }
    }
    return {
      outcome: this.outcomeValue ?? "timeout",
      completed: this.reachedAt !== null,
      jobId: this.config.jobId,
      totalChunks: total,
      neededChunks: this.chunks === null ? null : this.needed,
      uniqueChunks: unique,
      deliveredFraction: total === null ? 0 : unique / total,
      jctMs,
      receiveSpanMs: this.firstDataAt === null ? null : this.lastDataAt - this.firstDataAt,
      datagramsReceived: this.datagrams,
      duplicates: this.duplicates,
      bytesReceived: this.bytes,
      payloadBytesReceived: this.payloadBytes,
      datagramsAfterDone: this.afterDoneDatagrams,
      bytesAfterDone: this.afterDoneBytes,
      feedbackSent: this.feedbackSeq,
      doneSent: this.doneSent,
      doneAcknowledged: this.doneAcked,
      abortReason: this.abortReason,
      malformed: this.malformed,
      foreign: this.foreign,
    };
  }

  /** When the job finished on the receiver's clock (null while open). */
  get finishedAtMs(): number | null {
    return this.finishedAt;
  }
}
