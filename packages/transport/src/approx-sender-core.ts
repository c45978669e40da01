// The approximate sender as a pure state machine: it decides which chunk to send
// next and when, reacts to receiver feedback, and says when the job is over. It holds
// no sockets and no timers: the caller passes the time in (wall clock in the host
// program, simulated time in the simulator), sends what `poll` returns and wakes it up
// again at `nextWakeMs`.
//
// Protocol (docs/transport.md): one pass over all chunks in order, paced by
// the loss-based rate controller; then, only while the receiver does not yet hold the
// required fraction, resend passes, each over the chunks the receiver still lacks after
// the previous one, at most `maxPasses` passes in all, until resend passes have delivered
// no new chunk for `giveUpMs` (and within the job's timeout); the job is done as soon as
// the receiver reports the fraction (DONE, or feedback showing it).
//
// Over 500 lines because it is one state machine (passes, pacing, feedback, completion) whose
// states share its fields; the rate controller is apart (rate-control.ts).
import { chunkLayout, neededChunks, ReceiverPicture } from "./chunks.js";
import { Pacer } from "./pacer.js";
import { LossRateController, type RateControlConfig } from "./rate-control.js";
import {
  DATA_HEADER_BYTES,
  decode,
  IP_UDP_OVERHEAD,
  MAX_CHUNK_PAYLOAD,
  type AbortReasonName,
  type DoneMessage,
  type FeedbackMessage,
} from "./wire.js";

export interface ApproxSenderConfig {
  jobId: number;
  totalBytes: number;
  chunkSize: number;
  /** Required fraction f of the chunks, in (0, 1]. */
  fraction: number;
  rate: RateControlConfig;
  /** A rate sample spans at least this many datagrams... */
  minSamplePackets: number;
  /** ...and at least this long on the receiver's clock. */
  minSampleMs: number;
  /** No feedback for this long (or 4 smoothed RTTs if longer) while sending: back off. */
  silenceMs: number;
  /** No feedback for this long: the receiver is gone, give up. */
  giveUpMs: number;
  /** Longest wait after a pass for the receiver's complete picture before deciding. */
  passEndWaitMs: number;
  /** The whole job gives up after this long. */
  timeoutMs: number;
  /** Sending time the pacer may save up while idle. */
  burstMs: number;
  /**
   * Passes over the data at most, the first included (>= 1). Approximate data rides the
   * lowest queue, which exact bursts stop, and may lose a large share of a pass.
   */
  maxPasses: number;
}

export const DEFAULT_SENDER_TIMING = {
  minSamplePackets: 16,
  minSampleMs: 2,
  // Three of the receiver's 50 ms keepalives: a slow sender hears from its receiver only
  // every keepalive, and one arriving a little after 50 ms is not silence.
  silenceMs: 150,
  giveUpMs: 3000,
  passEndWaitMs: 500,
  timeoutMs: 60_000,
  burstMs: 2,
  maxPasses: 32,
} as const;

export type SenderOutcome = "done" | "fraction-unreachable" | "receiver-silent" | "timeout";

export interface Transmission {
  chunk: number;
  txSeq: number;
  resend: boolean;
  payloadBytes: number;
}

/** Control messages the sender wants sent to the receiver's control port. */
export type SenderControl = { type: "doneAck" } | { type: "abort"; reason: AbortReasonName };

export interface SenderReport {
  outcome: SenderOutcome;
  completed: boolean;
  jobId: number;
  jctMs: number | null;
  totalBytes: number;
  chunkSize: number;
  totalChunks: number;
  neededChunks: number;
  deliveredChunks: number;
  deliveredFraction: number;
  passes: number;
  datagramsSent: number;
  chunksResent: number;
  /** IP-level bytes (datagram + 28) sent. */
  bytesSent: number;
  payloadBytesSent: number;
  /** IP-level bytes the receiver reported by the end (DONE or last feedback). */
  bytesDelivered: number;
  /** Sent but not reported delivered: dropped, or still in flight at the end. */
  bytesNotDelivered: number;
  rate: {
    initialMbps: number;
    finalMbps: number;
    minMbps: number;
    maxMbps: number;
    /** Mean sending rate over the job (bytes sent / duration). */
    meanSendMbps: number;
    samples: number;
    /** Samples that lowered the rate, pauses included. */
    decreases: number;
    /** Samples in which (almost) nothing arrived: the queue was stopped. */
    pauses: number;
    increases: number;
    silences: number;
  };
  srttMs: number | null;
  feedbackReceived: number;
  staleFeedback: number;
  receiverElapsedMs: number | null;
  malformed: number;
  foreign: number;
}

const RING = 1 << 16;
const mbps = (bytesPerSec: number): number => (bytesPerSec * 8) / 1e6;

interface Baseline {
  maxTxSeq: number;
  received: number;
  bytes: number;
  timeMs: number;
  idleEpoch: number;
}

export class ApproxSenderCore {
  readonly totalChunks: number;
  readonly neededChunks: number;
  private readonly payloadLength: (chunk: number) => number;
  private readonly controller: LossRateController;
  private readonly pacer: Pacer;
  private readonly picture: ReceiverPicture;
  private readonly sendTimes = new Float64Array(RING);
  /** Pacing rate at each transmission, to compare with what the path delivered. */
  private readonly sendRates = new Float64Array(RING);

  private phase: "pass" | "pass-end" | "finished" = "pass";
  private pass = 1;
  private passCursor = 0;
  private resendList: number[] = [];
  private passEndAt = 0;
  private lastPassTxSeq = -1;
  /** When the receiver last reported a new chunk. */
  private lastProgressAt: number;
  private coverageStarted = false;
  private idleEpoch = 0;

  private nextTxSeq = 0;
  private maxTxSeqSeen = -1;
  private srtt: number | null = null;
  private feedbackGap: number | null = null;
  private lastFeedbackSeq = -1;
  private lastFeedbackAt: number;
  private lastSilenceAt: number;
  private baseline: Baseline | null = null;
  private latestUnique = 0;
  /** Datagrams the receiver reported so far, and when the current silences began. */
  private latestReceived = 0;
  private receivedBeforeSilence = 0;
  private latestDeliveredBytes = 0;
  private receiverElapsed: number | null = null;

  private outcomeValue: SenderOutcome | null = null;
  private finishAt: number | null = null;
  private outbox: SenderControl[] = [];

  private stats = {
    datagrams: 0,
    resent: 0,
    bytes: 0,
    payloadBytes: 0,
    feedback: 0,
    stale: 0,
    samples: 0,
    decreases: 0,
    pauses: 0,
    increases: 0,
    silences: 0,
    minRate: Infinity,
    maxRate: 0,
    malformed: 0,
    foreign: 0,
  };

  constructor(
    readonly config: ApproxSenderConfig,
    private readonly startMs: number,
  ) {
    if (!Number.isInteger(config.maxPasses) || config.maxPasses < 1) {
      throw new RangeError(`maxPasses must be a whole number >= 1, got ${config.maxPasses}`);
    }
    if (
      !Number.isInteger(config.chunkSize) ||
      config.chunkSize < 1 ||
      config.chunkSize > MAX_CHUNK_PAYLOAD
    ) {
      throw new RangeError(
        `chunk size must be in [1, ${MAX_CHUNK_PAYLOAD}], got ${config.chunkSize}`,
      );
    }
    const layout = chunkLayout(config.totalBytes, config.chunkSize);
    this.totalChunks = layout.totalChunks;
    this.payloadLength = layout.payloadLength;
    this.neededChunks = neededChunks(this.totalChunks, config.fraction);
    this.controller = new LossRateController(config.rate);
    this.pacer = new Pacer(
      this.controller.rate,
      startMs,
      config.burstMs,
      2 * this.datagramBytes(0),
    );
    this.picture = new ReceiverPicture(this.totalChunks);
    this.lastFeedbackAt = startMs;
    this.lastSilenceAt = startMs;
    this.lastProgressAt = startMs;
    this.noteRate();
  }

  get finished(): boolean {
    return this.phase === "finished";
  }

  get outcome(): SenderOutcome | null {
    return this.outcomeValue;
  }

  /** Current sending rate in bytes per second (IP level). */
  get rate(): number {
    return this.controller.rate;
  }

  /**
   * A rate hint while the job runs (bytes/s): e.g. the job's share of its meter's PIR as
   * the maximum and of its CIR as the floor. See LossRateController.setBounds.
   */
  setRateBounds(maxRate: number, minRate: number, nowMs: number): void {
    this.controller.setBounds(maxRate, minRate);
    this.pacer.setRate(this.controller.rate, nowMs);
    this.noteRate();
  }

  private datagramBytes(chunk: number): number {
    return this.payloadLength(chunk) + DATA_HEADER_BYTES + IP_UDP_OVERHEAD;
  }

  private noteRate(): void {
    this.stats.minRate = Math.min(this.stats.minRate, this.controller.rate);
    this.stats.maxRate = Math.max(this.stats.maxRate, this.controller.rate);
  }

  /** Control messages produced since the last call. */
  takeControl(): SenderControl[] {
    const out = this.outbox;
    this.outbox = [];
    return out;
  }

  /** Datagrams to send now, at most `max`; advances timers first. */
  poll(nowMs: number, max = 64): Transmission[] {
    this.tick(nowMs);
    const out: Transmission[] = [];
    while (this.phase === "pass" && out.length < max && this.pacer.canSend(nowMs)) {
      const chunk = this.nextChunk();
      if (chunk === null) {
        this.enterPassEnd(nowMs);
        break;
      }
      const txSeq = this.nextTxSeq++;
      this.sendTimes[txSeq % RING] = nowMs;
      this.sendRates[txSeq % RING] = this.controller.rate;
      const payloadBytes = this.payloadLength(chunk);
      const bytes = this.datagramBytes(chunk);
      this.pacer.consume(bytes, nowMs);
      this.stats.datagrams++;
      this.stats.bytes += bytes;
      this.stats.payloadBytes += payloadBytes;
      if (this.pass > 1) this.stats.resent++;
      out.push({ chunk, txSeq, resend: this.pass > 1, payloadBytes });
    }
    // Ending a pass exactly at `max` is noticed on the next poll.
    return out;
  }

  /** When the caller should call poll again (null once finished). */
  nextWakeMs(nowMs: number): number | null {
    if (this.phase === "finished") return null;
    const times: number[] = [
      this.startMs + this.config.timeoutMs,
      this.lastFeedbackAt + this.config.giveUpMs,
    ];
    if (this.phase === "pass") {
      times.push(this.pacer.nextSendMs(nowMs));
      times.push(this.silenceDeadline());
    } else {
      if (!this.coverageStarted) times.push(this.passEndAt + this.settleMs());
      times.push(this.passEndAt + this.config.passEndWaitMs);
    }
    return Math.max(nowMs, Math.min(...times));
  }

  /** Handles one datagram from the receiver. */
  onDatagram(bytes: Uint8Array, nowMs: number): void {
    const result = decode(bytes);
    if (result.kind === "foreign") {
      this.stats.foreign++;
      return;
    }
    if (result.kind === "malformed") {
      this.stats.malformed++;
      return;
    }
    const m = result.message;
    if (m.jobId !== this.config.jobId) {
      this.stats.foreign++;
      return;
    }
    if (m.type === "feedback") this.onFeedback(m, nowMs);
    else if (m.type === "done") this.onDone(m, nowMs);
    else this.stats.malformed++;
  }

  onFeedback(fb: FeedbackMessage, nowMs: number): void {
    if (
      fb.totalChunks !== this.totalChunks ||
      (fb.receivedDatagrams > 0 && fb.maxTxSeq >= this.nextTxSeq)
    ) {
      // Describes a job with our id but not our chunks: someone else's.
      this.stats.malformed++;
      return;
    }
    if (fb.seq <= this.lastFeedbackSeq) {
      this.stats.stale++;
      return;
    }
    this.lastFeedbackSeq = fb.seq;
    const gap = nowMs - this.lastFeedbackAt;
    this.feedbackGap = this.feedbackGap === null ? gap : 0.875 * this.feedbackGap + 0.125 * gap;
    this.lastFeedbackAt = nowMs;
    this.stats.feedback++;
    if (fb.uniqueChunks > this.latestUnique) {
      this.latestUnique = fb.uniqueChunks;
      this.lastProgressAt = nowMs;
    }
    this.latestDeliveredBytes = Math.max(this.latestDeliveredBytes, fb.receivedBytes);
    this.latestReceived = Math.max(this.latestReceived, fb.receivedDatagrams);

    if (fb.receivedDatagrams > 0 && fb.maxTxSeq > this.maxTxSeqSeen) {
      if (this.nextTxSeq - fb.maxTxSeq <= RING) {
        const rtt = nowMs - this.sendTimes[fb.maxTxSeq % RING]!;
        this.srtt = this.srtt === null ? rtt : 0.875 * this.srtt + 0.125 * rtt;
      }
      this.maxTxSeqSeen = fb.maxTxSeq;
    }

    if (
      this.phase === "pass-end" &&
      !this.coverageStarted &&
      fb.receivedDatagrams > 0 &&
      fb.maxTxSeq >= this.lastPassTxSeq
    ) {
      // The receiver has seen the end of the pass: from here on its windows describe
      // the pass's final state.
      this.picture.startCoverage();
      this.coverageStarted = true;
    }
    this.picture.apply(fb);
    if (this.controller.silenced && fb.receivedDatagrams > this.receivedBeforeSilence) {
      this.pacer.setRate(this.controller.onResume(), nowMs);
      this.noteRate();
    }
    this.sampleRate(fb, nowMs);

    if (fb.uniqueChunks >= this.neededChunks) {
      this.finish("done", nowMs);
      return;
    }
    if (this.phase === "pass-end") this.checkPassEnd(nowMs);
  }

  onDone(done: DoneMessage, nowMs: number): void {
    this.latestUnique = Math.max(this.latestUnique, done.uniqueChunks);
    this.latestDeliveredBytes = Math.max(this.latestDeliveredBytes, done.receivedBytes);
    if (this.receiverElapsed === null) this.receiverElapsed = done.elapsedMs;
    if (this.phase === "finished") {
      // A repeated DONE: our acknowledgement was lost.
      this.outbox.push({ type: "doneAck" });
      return;
    }
    this.finish("done", nowMs);
  }

  private sampleRate(fb: FeedbackMessage, nowMs: number): void {
    if (fb.receivedDatagrams === 0) return;
    const snapshot: Baseline = {
      maxTxSeq: fb.maxTxSeq,
      received: fb.receivedDatagrams,
      bytes: fb.receivedBytes,
      timeMs: fb.receiverTimeMs,
      idleEpoch: this.idleEpoch,
    };
    const base = this.baseline;
    if (base === null) {
      this.baseline = snapshot;
      return;
    }
    const intervalMs = fb.receiverTimeMs - base.timeMs;
    if (intervalMs < this.config.minSampleMs) return;
    // A sample runs up to the newest datagram the receiver saw. When (almost) nothing
    // arrives, that point stops moving, yet the datagrams sent since are lost all the
    // same: those sent long enough ago to have been reported count too, so that a path
    // whose lowest queue is stopped shows as a lossy sample instead of no sample at all.
    let end = fb.maxTxSeq;
    if (end - base.maxTxSeq < this.config.minSamplePackets) {
      end = Math.max(end, this.newestSentBefore(nowMs - this.reportGraceMs(), base.maxTxSeq));
      snapshot.maxTxSeq = end;
    }
    const sentPackets = end - base.maxTxSeq;
    if (sentPackets < this.config.minSamplePackets) return;
    let rateSum = 0;
    for (let t = base.maxTxSeq + 1; t <= end; t++) rateSum += this.sendRates[t % RING]!;
    const decision = this.controller.update({
      sendingRate: sentPackets <= RING ? rateSum / sentPackets : this.controller.rate,
      sentPackets,
      deliveredPackets: fb.receivedDatagrams - base.received,
      deliveredBytes: fb.receivedBytes - base.bytes,
      intervalMs,
      appLimited: base.idleEpoch !== this.idleEpoch || this.phase !== "pass",
    });
    this.stats.samples++;
    if (decision.action === "decrease" || decision.action === "pause") this.stats.decreases++;
    if (decision.action === "pause") this.stats.pauses++;
    if (decision.action === "increase") this.stats.increases++;
    this.pacer.setRate(decision.rate, nowMs);
    this.noteRate();
    this.baseline = snapshot;
  }

  /** How long after sending a datagram the receiver's report of it is due. */
  private reportGraceMs(): number {
    return Math.max(this.config.minSampleMs, 2 * (this.srtt ?? 0) + (this.feedbackGap ?? 0));
  }

  /** The newest transmission sent at or before `atMs` and after `after` (else `after`). */
  private newestSentBefore(atMs: number, after: number): number {
    const oldest = Math.max(after + 1, this.nextTxSeq - RING);
    for (let t = this.nextTxSeq - 1; t >= oldest; t--) {
      if (this.sendTimes[t % RING]! <= atMs) return t;
    }
    return after;
  }

  /** When the sender backs off next if no feedback arrives. */
  private silenceDeadline(): number {
    const threshold = Math.max(this.config.silenceMs, 4 * (this.srtt ?? 0));
    return Math.max(this.lastFeedbackAt, this.lastSilenceAt) + threshold;
  }

  /** How long after a pass the last datagrams and their feedback can take. */
  private settleMs(): number {
    return Math.max(5, 2 * (this.srtt ?? 20) + 2 * (this.feedbackGap ?? 10));
  }

  private tick(nowMs: number): void {
    if (this.phase === "finished") return;
    // Deadlines are compared exactly as nextWakeMs computes them, so a wake-up at a
    // deadline always finds it due (a - b >= c can differ from a >= b + c in floating point).
    if (nowMs >= this.startMs + this.config.timeoutMs) {
      this.finish("timeout", nowMs);
      return;
    }
    if (nowMs >= this.lastFeedbackAt + this.config.giveUpMs) {
      this.finish("receiver-silent", nowMs);
      return;
    }
    if (this.phase === "pass") {
      if (nowMs >= this.silenceDeadline()) {
        if (!this.controller.silenced) this.receivedBeforeSilence = this.latestReceived;
        this.pacer.setRate(this.controller.onSilence(), nowMs);
        this.lastSilenceAt = nowMs;
        this.stats.silences++;
        this.noteRate();
      }
    } else if (this.phase === "pass-end") {
      if (!this.coverageStarted && nowMs >= this.passEndAt + this.settleMs()) {
        this.picture.startCoverage();
        this.coverageStarted = true;
      }
      this.checkPassEnd(nowMs);
    }
  }

  private nextChunk(): number | null {
    if (this.pass === 1) {
      while (this.passCursor < this.totalChunks) {
        const c = this.passCursor++;
        if (!this.picture.isKnownReceived(c)) return c;
      }
      return null;
    }
    while (this.passCursor < this.resendList.length) {
      const c = this.resendList[this.passCursor++]!;
      if (!this.picture.isKnownReceived(c)) return c;
    }
    return null;
  }

  private enterPassEnd(nowMs: number): void {
    this.phase = "pass-end";
    this.passEndAt = nowMs;
    this.lastPassTxSeq = this.nextTxSeq - 1;
    this.coverageStarted = false;
    this.idleEpoch++;
  }

  private checkPassEnd(nowMs: number): void {
    const pictureReady = this.coverageStarted && this.picture.coverageComplete();
    if (!pictureReady && nowMs < this.passEndAt + this.config.passEndWaitMs) return;
    // Not done (feedback showing the fraction finishes the job at once): resend what is
    // missing, unless the passes are used up or resend passes have delivered nothing new
    // for as long as a silent receiver is given (the path drops these chunks whatever we
    // do; a stopped lowest queue is over well before).
    const stalled = this.pass > 1 && nowMs >= this.lastProgressAt + this.config.giveUpMs;
    const missing = this.picture.missing();
    if (missing.length > 0 && this.pass < this.config.maxPasses && !stalled) {
      this.pass++;
      this.resendList = missing;
      this.passCursor = 0;
      this.phase = "pass";
      return;
    }
    this.finish("fraction-unreachable", nowMs);
  }

  private finish(outcome: SenderOutcome, nowMs: number): void {
    if (this.phase === "finished") return;
    this.phase = "finished";
    this.outcomeValue = outcome;
    this.finishAt = nowMs;
    if (outcome === "done") this.outbox.push({ type: "doneAck" });
    else {
      const reason: AbortReasonName =
        outcome === "timeout"
          ? "timeout"
          : outcome === "receiver-silent"
            ? "receiverSilent"
            : "fractionUnreachable";
      this.outbox.push({ type: "abort", reason });
    }
  }

  report(): SenderReport {
    const end = this.finishAt ?? this.startMs;
    const durationMs = end - this.startMs;
    const initial = this.config.rate.initialRate;
    return {
      outcome: this.outcomeValue ?? "timeout",
      completed: this.outcomeValue === "done",
      jobId: this.config.jobId,
      jctMs: this.outcomeValue === "done" ? durationMs : null,
      totalBytes: this.config.totalBytes,
      chunkSize: this.config.chunkSize,
      totalChunks: this.totalChunks,
      neededChunks: this.neededChunks,
      deliveredChunks: this.latestUnique,
      deliveredFraction: this.latestUnique / this.totalChunks,
      passes: this.pass,
      datagramsSent: this.stats.datagrams,
      chunksResent: this.stats.resent,
      bytesSent: this.stats.bytes,
      payloadBytesSent: this.stats.payloadBytes,
      bytesDelivered: this.latestDeliveredBytes,
      bytesNotDelivered: Math.max(0, this.stats.bytes - this.latestDeliveredBytes),
      rate: {
        initialMbps: mbps(initial),
        finalMbps: mbps(this.controller.rate),
        minMbps: mbps(this.stats.minRate),
        maxMbps: mbps(this.stats.maxRate),
        meanSendMbps: durationMs > 0 ? mbps((this.stats.bytes * 1000) / durationMs) : 0,
        samples: this.stats.samples,
        decreases: this.stats.decreases,
        pauses: this.stats.pauses,
        increases: this.stats.increases,
        silences: this.stats.silences,
      },
      srttMs: this.srtt,
      feedbackReceived: this.stats.feedback,
      staleFeedback: this.stats.stale,
      receiverElapsedMs: this.receiverElapsed,
      malformed: this.stats.malformed,
      foreign: this.stats.foreign,
    };
  }
}
