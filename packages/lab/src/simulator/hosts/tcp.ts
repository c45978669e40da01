// A TCP model for exact flows and the TCP baselines: a three-way handshake, slow start,
// congestion avoidance (AIMD), fast retransmit on three duplicate ACKs with SACK-based
// recovery (each ACK reports the segment that triggered it, which builds the sender's
// scoreboard as SACK blocks do; holes are resent as the pipe allows, RFC 6675 style),
// retransmission timeouts with exponential backoff (RFC 6298, RTT from echoed timestamps
// as with the timestamp option), ECN reaction (RFC 3168) and optionally DCTCP (RFC 8257).
// Sequence numbers count segments; the receiver ACKs every segment (no delayed ACKs) and
// buffers out-of-order segments.
//
// The receiver can stop early: once it holds `doneBytes` of the stream in order it sets
// DONE on its ACKs and ignores further data (the receiver-drop baseline); the sender is
// finished when it sees DONE (or every segment acknowledged).
//
// A persistent connection (the TCP baselines' jobs with several rounds or batches) carries
// one message per round: `append` adds one, the sender reports each when it is acknowledged
// and stays open. The receiver may stop a message (its round is complete): DONE, with the
// message's index, tells the sender to skip what it has not sent of it, and the receiver
// discards what still arrives of it. After an idle period the window restarts as Linux's
// slow start after idle does (halved per RTO of idleness, not below the initial window).
// The receiver is in tcp-receiver.ts.
import type { TcpSettings } from "../../experiment/scenario.js";
import { ECN_ECT, ECN_NOT_ECT } from "../fabric.js";
import { Endpoint, type Simulation } from "../simulation.js";
import {
  ACK_DONE,
  ACK_ECE,
  ACK_FLAG_BITS,
  ACK_FLAG_MASK,
  ACK_SYN,
  KIND_ACK,
  KIND_DATA,
  KIND_SYN,
  TCP_HEADER_BYTES,
} from "./packets.js";

export interface TcpFlowConfig {
  /** Bytes of the stream (of its first message, for a persistent connection). */
  bytes: number;
  /** Stays open after its messages are acknowledged; more come with `append`. */
  persistent?: boolean;
  /** The receiver is done once it holds this many bytes in order (default: all). */
  doneBytes?: number;
  tcp: TcpSettings;
  /** ECN-capable transport (the network marks above the ECN threshold). */
  ecn: boolean;
  dscp: number;
  /** Job index for the fabric's per-job counters, -1 for exact flows. */
  job: number;
  /** Hash of the forward and the reverse 5-tuple. */
  hash: number;
  reverseHash: number;
}

const MAX_RTO = 60;
const DCTCP_G = 1 / 16;

/**
 * A message on a connection, in segments [start, end); its last segment carries `lastBytes`.
 * Sender and receiver share the list: it stands for the application's framing.
 */
export interface TcpMessage {
  start: number;
  end: number;
  lastBytes: number;
  /** The receiver stops the message once it holds this many of its segments in order. */
  stopAt: number;
  /** The receiver stopped it (its round is complete): what still arrives of it is discarded. */
  stopped: boolean;
  /** Segments of it the receiver held in order when it stopped, or when it ended. */
  held: number;
}

export class TcpSender extends Endpoint {
  /** Segments on the stream so far (all messages). */
  segments: number;
  readonly messages: TcpMessage[] = [];
  private messagesDone = 0;
  /** When the last segment was acknowledged and nothing was left to send (slow start after idle). */
  private idleSince: number | null = null;
  private sndUna = 0;
  private sndNxt = 0;
  private cwnd: number;
  private ssthresh = Infinity;
  private dupAcks = 0;
  private inRecovery = false;
  /** Highest segment sent when recovery began; recovery ends once it is acknowledged. */
  private recover = -1;
  /** Segments believed in the network during recovery (RFC 6675's pipe, as ns-2 counts it). */
  private pipe = 0;
  /** SACK scoreboard: segments the receiver reported holding above sndUna. */
  private sacked: Uint8Array | null = null;
  private highSacked = -1;
  /** Next segment to consider for retransmission in this recovery. */
  private rtxNext = 0;
  private srtt = -1;
  private rttvar = 0;
  private rto: number;
  private rtoDeadline = Infinity;
  private established = false;
  private cwrEnd = -1;
  private alpha = 1;
  private ackedInWindow = 0;
  private markedInWindow = 0;
  private windowEnd = 0;
  readonly startTime: number;
  /** Time the sender learnt the transfer is over; null while open. */
  doneTime: number | null = null;
  retransmits = 0;
  timeouts = 0;
  private onDone: (sender: TcpSender) => void;

  constructor(
    sim: Simulation,
    id: number,
    host: number,
    private readonly dstHost: number,
    readonly config: TcpFlowConfig,
    onDone: (sender: TcpSender) => void,
  ) {
    super(sim, id, host);
    this.segments = 0;
    this.addMessage(config.bytes, config.doneBytes ?? config.bytes);
    this.cwnd = config.tcp.initialWindow;
    this.rto = config.tcp.initialRto;
    this.startTime = sim.now;
    this.onDone = onDone;
  }

  /** Opens the connection; call once both ends are attached to the simulation. */
  start(): void {
    this.sendSyn();
  }

  private addMessage(bytes: number, stopBytes: number): TcpMessage {
    const mss = this.config.tcp.mss;
    const n = Math.max(1, Math.ceil(bytes / mss));
    const stop = Math.min(n, Math.max(1, Math.ceil(Math.min(bytes, stopBytes) / mss)));
    const m: TcpMessage = {
      start: this.segments,
      end: this.segments + n,
      lastBytes: bytes - (n - 1) * mss,
      stopAt: stop,
      stopped: false,
      held: 0,
    };
    this.messages.push(m);
    this.segments += n;
    if (this.sacked !== null && this.sacked.length * 8 < this.segments) {
      const grown = new Uint8Array((this.segments + 7) >> 3);
      grown.set(this.sacked);
      this.sacked = grown;
    }
    return m;
  }

  /**
   * Another message on a persistent connection; `stopBytes`: the receiver stops it once it
   * holds this much of it (default: all). Returns its index.
   */
  append(bytes: number, stopBytes = bytes): number {
    const now = this.sim.now;
    if (this.idleSince !== null && this.srtt >= 0) {
      // Slow start after idle (RFC 2861, Linux's default): the window halves for every RTO
      // the connection was idle, down to the initial window.
      const rtos = Math.floor((now - this.idleSince) / this.rto);
      const iw = this.config.tcp.initialWindow;
      if (rtos > 0) this.cwnd = Math.max(Math.min(this.cwnd, iw), this.cwnd / 2 ** rtos);
    }
    this.idleSince = null;
    this.addMessage(bytes, stopBytes);
    if (this.established) {
      if (this.rtoDeadline === Infinity) this.armTimer(now + this.rto);
      this.pump();
    }
    return this.messages.length - 1;
  }

  /** Bytes of segment `seg` (the last of a message may be short). */
  private segmentBytes(seg: number): number {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i]!;
      if (seg >= m.start) return seg === m.end - 1 ? m.lastBytes : this.config.tcp.mss;
    }
    return this.config.tcp.mss;
  }

  /**
   * The receiver stopped message `index`: what of it is not sent yet is dropped from the
   * stream (later messages, all unsent, move up).
   */
  private skip(index: number): void {
    const m = this.messages[index];
    if (m === undefined) return;
    const cut = m.end - Math.max(this.sndNxt, m.start);
    if (cut <= 0) return;
    m.end -= cut;
    m.lastBytes = this.config.tcp.mss;
    for (let i = index + 1; i < this.messages.length; i++) {
      this.messages[i]!.start -= cut;
      this.messages[i]!.end -= cut;
    }
    this.segments -= cut;
  }

  get finished(): boolean {
    return this.doneTime !== null;
  }

  /** Congestion window in segments (for tests and traces). */
  get window(): number {
    return this.cwnd;
  }

  private sendSyn(): void {
    const f = this.sim.fabric;
    const p = f.alloc();
    f.pSize[p] = TCP_HEADER_BYTES;
    f.pKind[p] = KIND_SYN;
    f.pDscp[p] = this.config.dscp;
    f.pEp[p] = this.id;
    f.pDst[p] = this.dstHost;
    f.pHash[p] = this.config.hash;
    this.transmit(p);
    this.armTimer(this.sim.now + this.rto);
  }

  private armTimer(deadline: number): void {
    this.rtoDeadline = deadline;
    this.wakeAt(deadline);
  }

  private sendSegment(seg: number): void {
    const f = this.sim.fabric;
    const p = f.alloc();
    const payload = this.segmentBytes(seg);
    f.pSize[p] = payload + TCP_HEADER_BYTES;
    f.pKind[p] = KIND_DATA;
    f.pDscp[p] = this.config.dscp;
    f.pEcn[p] = this.config.ecn ? ECN_ECT : ECN_NOT_ECT;
    f.pEp[p] = this.id;
    f.pDst[p] = this.dstHost;
    f.pHash[p] = this.config.hash;
    f.pSeq[p] = seg;
    f.pJob[p] = this.config.job;
    this.transmit(p);
    if (this.rtoDeadline === Infinity) this.armTimer(this.sim.now + this.rto);
  }

  private isSacked(seg: number): boolean {
    const s = this.sacked;
    return s !== null && (s[seg >> 3]! & (1 << (seg & 7))) !== 0;
  }

  /** The next hole below the highest SACKed segment not yet resent in this recovery, or -1. */
  private nextHole(): number {
    let seg = Math.max(this.rtxNext, this.sndUna);
    while (seg < this.highSacked && this.isSacked(seg)) seg++;
    return seg < this.highSacked ? seg : -1;
  }

  /** Sends what the window and the host interface allow. */
  private pump(): void {
    while (this.doneTime === null && this.established) {
      if (this.queuedAtHost >= this.hostLimit) {
        this.waitingForHost = true;
        return;
      }
      if (this.inRecovery) {
        if (this.pipe >= Math.floor(this.cwnd)) return;
        const hole = this.nextHole();
        if (hole >= 0) {
          this.rtxNext = hole + 1;
          this.retransmits++;
          this.sendSegment(hole);
        } else if (this.sndNxt < this.segments) this.sendSegment(this.sndNxt++);
        else return;
        this.pipe++;
      } else if (this.sndNxt < this.segments && this.sndNxt - this.sndUna < Math.floor(this.cwnd)) {
        // After a timeout, what the receiver reported holding is not sent again (Linux keeps
        // its SACK scoreboard through a timeout and resends only what is missing).
        if (this.isSacked(this.sndNxt)) {
          this.sndNxt++;
          continue;
        }
        this.sendSegment(this.sndNxt++);
      } else return;
    }
  }

  receive(p: number): void {
    const f = this.sim.fabric;
    if (f.pKind[p] !== KIND_ACK || this.doneTime !== null) return;
    const aux = f.pAux[p]!;
    const flags = aux & ACK_FLAG_MASK;
    const now = this.sim.now;
    if ((flags & ACK_DONE) !== 0) {
      if (!this.config.persistent) {
        this.finish();
        return;
      }
      this.skip(f.pObj[p] as number);
    }
    if ((flags & ACK_SYN) !== 0) {
      if (this.established) return;
      this.established = true;
      this.sample(now - f.pTime[p]!);
      this.rtoDeadline = Infinity;
      this.pump();
      return;
    }
    if (!this.established) return;
    const ack = f.pSeq[p]!;
    const ece = (flags & ACK_ECE) !== 0;
    // The segment whose arrival this ACK answers: the ACK's SACK information.
    const got = aux >>> ACK_FLAG_BITS;
    if (got >= ack && got < this.segments) this.markSacked(got);
    if (ack > this.sndUna) {
      const acked = ack - this.sndUna;
      this.sample(now - f.pTime[p]!);
      if (this.config.tcp.variant === "dctcp") {
        this.ackedInWindow += acked;
        if (ece) this.markedInWindow += acked;
      }
      this.sndUna = ack;
      if (this.sndNxt < ack) this.sndNxt = ack;
      if (this.inRecovery) {
        if (ack > this.recover) {
          this.inRecovery = false;
          this.cwnd = this.ssthresh;
          this.dupAcks = 0;
        } else {
          // A partial ACK: the resent segment and the lost original have left.
          this.pipe = Math.max(0, this.pipe - 2);
        }
      } else {
        this.dupAcks = 0;
        if (this.cwnd < this.ssthresh) this.cwnd += Math.min(acked, 2);
        else this.cwnd += acked / this.cwnd;
      }
      if (ack >= this.segments && !this.config.persistent) {
        this.finish();
        return;
      }
      if (ack < this.segments) this.armTimer(now + this.rto);
    } else if (ack === this.sndUna && this.sndNxt > this.sndUna) {
      if (this.inRecovery) this.pipe = Math.max(0, this.pipe - 1);
      else if (++this.dupAcks === 3 && this.sndUna > this.recover) this.enterRecovery();
    }
    if (this.config.tcp.variant === "dctcp") this.dctcp(ece);
    else if (ece && !this.inRecovery && this.sndUna > this.cwrEnd) {
      // RFC 3168: once per window, as for a loss but without retransmitting.
      this.ssthresh = Math.max(this.cwnd / 2, 2);
      this.cwnd = this.ssthresh;
      this.cwrEnd = this.sndNxt;
    }
    if (this.config.persistent) this.ackedThrough();
    this.pump();
  }

  /** Persistent connections: reports the messages now acknowledged; idle when all are. */
  private ackedThrough(): void {
    while (
      this.messagesDone < this.messages.length &&
      this.messages[this.messagesDone]!.end <= this.sndUna
    ) {
      this.onMessageDone(this.messagesDone++);
    }
    if (this.sndUna >= this.segments && this.idleSince === null) {
      this.rtoDeadline = Infinity;
      this.idleSince = this.sim.now;
    }
  }

  /** Called on a persistent connection when message `index` is acknowledged (or skipped). */
  onMessageDone: (index: number) => void = () => undefined;

  private markSacked(seg: number): void {
    this.sacked ??= new Uint8Array((this.segments + 7) >> 3);
    if (seg >> 3 >= this.sacked.length) return;
    this.sacked[seg >> 3]! |= 1 << (seg & 7);
    if (seg > this.highSacked) this.highSacked = seg;
  }

  /** Fast retransmit (RFC 6675 style): halve, then resend every hole the scoreboard shows. */
  private enterRecovery(): void {
    const flight = this.sndNxt - this.sndUna;
    this.ssthresh = Math.max(flight / 2, 2);
    this.cwnd = this.ssthresh;
    this.recover = this.sndNxt - 1;
    this.pipe = Math.max(0, flight - this.dupAcks);
    this.rtxNext = this.sndUna;
    this.inRecovery = true;
    this.cwrEnd = this.sndNxt;
    // The first hole goes at once, whatever the pipe says.
    this.rtxNext = this.sndUna + 1;
    this.retransmits++;
    this.sendSegment(this.sndUna);
    this.pipe++;
  }

  private dctcp(ece: boolean): void {
    if (this.sndUna >= this.windowEnd) {
      if (this.ackedInWindow > 0) {
        const marked = this.markedInWindow / this.ackedInWindow;
        this.alpha = (1 - DCTCP_G) * this.alpha + DCTCP_G * marked;
      }
      this.ackedInWindow = 0;
      this.markedInWindow = 0;
      this.windowEnd = this.sndNxt;
    }
    if (ece && !this.inRecovery && this.sndUna > this.cwrEnd) {
      this.cwnd = Math.max(1, this.cwnd * (1 - this.alpha / 2));
      this.ssthresh = Math.max(this.cwnd, 2);
      this.cwrEnd = this.sndNxt;
    }
  }

  /** RFC 6298 estimator. */
  private sample(rtt: number): void {
    if (!(rtt >= 0)) return;
    if (this.srtt < 0) {
      this.srtt = rtt;
      this.rttvar = rtt / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - rtt);
      this.srtt = 0.875 * this.srtt + 0.125 * rtt;
    }
    this.rto = Math.min(MAX_RTO, Math.max(this.config.tcp.minRto, this.srtt + 4 * this.rttvar));
  }

  wake(): void {
    if (this.doneTime !== null) return;
    const now = this.sim.now;
    if (now >= this.rtoDeadline) this.timeout(now);
    else if (this.rtoDeadline !== Infinity) this.wakeAt(this.rtoDeadline);
    this.pump();
  }

  private timeout(now: number): void {
    this.timeouts++;
    this.rto = Math.min(MAX_RTO, this.rto * 2);
    if (!this.established) {
      this.sendSyn();
      return;
    }
    // Go back to the first unacknowledged segment with a window of one, in slow start; the
    // segments the receiver reported holding are skipped (the scoreboard is kept, as Linux
    // keeps it: our receivers never drop what they hold).
    this.ssthresh = Math.max((this.sndNxt - this.sndUna) / 2, 2);
    this.cwnd = 1;
    this.recover = this.sndNxt - 1;
    this.sndNxt = this.sndUna;
    this.inRecovery = false;
    this.dupAcks = 0;
    this.retransmits++;
    this.armTimer(now + this.rto);
    this.sendSegment(this.sndNxt++);
  }

  private finish(): void {
    if (this.doneTime !== null) return;
    this.doneTime = this.sim.now;
    this.rtoDeadline = Infinity;
    this.sacked = null;
    this.onDone(this);
  }

  get completionTime(): number | null {
    return this.doneTime === null ? null : this.doneTime - this.startTime;
  }
}
