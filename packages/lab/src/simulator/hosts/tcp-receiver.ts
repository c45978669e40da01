// The receiving end of the TCP model (tcp.ts): ACKs every segment (no delayed ACKs) with
// the segment that triggered it, echoes ECN, buffers out-of-order segments, and stops early
// once it holds what it needs (DONE on its ACKs), per message on a persistent connection.
import { ECN_CE } from "../fabric.js";
import { Endpoint, type Simulation } from "../simulation.js";
import {
  ACK_DONE,
  ACK_ECE,
  ACK_FLAG_BITS,
  ACK_SYN,
  KIND_ACK,
  KIND_DATA,
  KIND_SYN,
  TCP_HEADER_BYTES,
} from "./packets.js";
import type { TcpFlowConfig, TcpMessage } from "./tcp.js";

export class TcpReceiver extends Endpoint {
  private segments: number;
  /** A persistent connection's messages, shared with its sender (the framing). */
  private messages: TcpMessage[] | null = null;
  /** The first message not yet wholly held or stopped. */
  private current = 0;
  private rcvNxt = 0;
  /** Out-of-order segments held, one bit each; allocated on the first gap. */
  private held: Uint8Array | null = null;
  private readonly doneSegments: number;
  /** Time the receiver first held what it needs (or was told to stop); null before. */
  doneTime: number | null = null;
  /** Called when the in-order stream grows (job-level completion reports it). */
  onProgress: (() => void) | null = null;
  /** Segments held in order when the receiver stopped (or now). */
  get inOrderSegments(): number {
    return this.rcvNxt;
  }

  constructor(
    sim: Simulation,
    id: number,
    host: number,
    private readonly srcHost: number,
    private readonly config: TcpFlowConfig,
  ) {
    super(sim, id, host);
    const mss = config.tcp.mss;
    this.segments = Math.max(1, Math.ceil(config.bytes / mss));
    const doneBytes = Math.min(config.bytes, config.doneBytes ?? config.bytes);
    this.doneSegments = Math.max(1, Math.ceil(doneBytes / mss));
  }

  /** Bytes of the stream held in order. */
  get inOrderBytes(): number {
    return Math.min(this.config.bytes, this.rcvNxt * this.config.tcp.mss);
  }

  /** Makes this the receiving end of a persistent connection with these (shared) messages. */
  useMessages(messages: TcpMessage[]): void {
    this.messages = messages;
  }

  /** Segments of message `index` held in order (frozen once it is stopped). */
  heldOf(index: number): number {
    const m = this.messages?.[index];
    if (m === undefined) return 0;
    return m.stopped ? m.held : Math.min(m.end - m.start, Math.max(0, this.rcvNxt - m.start));
  }

  /** Stops message `index` (its round is complete): DONE now, and on what still arrives of it. */
  stopMessage(index: number): void {
    const m = this.messages?.[index];
    if (m === undefined || m.stopped) return;
    m.held = this.heldOf(index);
    m.stopped = true;
    this.ack(ACK_DONE, this.sim.now, this.rcvNxt, index);
  }

  receive(p: number): void {
    const f = this.sim.fabric;
    const kind = f.pKind[p]!;
    if (kind === KIND_SYN) {
      this.ack(ACK_SYN, f.pTime[p]!);
      return;
    }
    if (kind !== KIND_DATA) return;
    if (this.messages !== null) {
      this.receiveOnStream(p, this.messages);
      return;
    }
    const echo = f.pTime[p]!;
    const ece = f.pEcn[p] === ECN_CE ? ACK_ECE : 0;
    if (this.doneTime === null) {
      const seg = f.pSeq[p]!;
      if (seg === this.rcvNxt) {
        this.rcvNxt++;
        this.onProgress?.();
        const held = this.held;
        if (held !== null) {
          while (
            this.rcvNxt < this.segments &&
            (held[this.rcvNxt >> 3]! & (1 << (this.rcvNxt & 7))) !== 0
          ) {
            this.rcvNxt++;
          }
        }
      } else if (seg > this.rcvNxt) {
        this.held ??= new Uint8Array((this.segments + 7) >> 3);
        this.held[seg >> 3]! |= 1 << (seg & 7);
      }
      if (this.rcvNxt >= this.doneSegments) {
        this.doneTime = this.sim.now;
        this.held = null;
      }
    }
    this.ack(ece | (this.doneTime !== null ? ACK_DONE : 0), echo, f.pSeq[p]!);
  }

  /** Reception on a persistent connection: in order as always, then per message. */
  private receiveOnStream(p: number, messages: TcpMessage[]): void {
    const f = this.sim.fabric;
    const seg = f.pSeq[p]!;
    this.segments = messages.length > 0 ? messages[messages.length - 1]!.end : 0;
    const before = this.rcvNxt;
    if (seg === this.rcvNxt) {
      this.rcvNxt++;
      const held = this.held;
      if (held !== null) {
        while (
          this.rcvNxt >> 3 < held.length &&
          (held[this.rcvNxt >> 3]! & (1 << (this.rcvNxt & 7))) !== 0
        ) {
          this.rcvNxt++;
        }
      }
    } else if (seg > this.rcvNxt) {
      if (this.held === null || this.held.length * 8 <= seg) {
        const grown = new Uint8Array((Math.max(seg + 1, this.segments) + 7) >> 3);
        if (this.held !== null) grown.set(this.held);
        this.held = grown;
      }
      this.held[seg >> 3]! |= 1 << (seg & 7);
    }
    // Messages the in-order stream has reached: stop those that hold what they need.
    while (this.current < messages.length) {
      const m = messages[this.current]!;
      if (!m.stopped && this.heldOf(this.current) >= m.stopAt && m.stopAt < m.end - m.start)
        this.stopMessage(this.current);
      if (this.rcvNxt < m.end) break;
      this.current++;
    }
    if (this.rcvNxt > before) this.onProgress?.();
    // What arrives of a stopped message is discarded; its ACK says DONE again.
    let of = -1;
    for (let i = messages.length - 1; i >= 0; i--) {
      if (seg >= messages[i]!.start) {
        if (messages[i]!.stopped) of = i;
        break;
      }
    }
    const ece = f.pEcn[p] === ECN_CE ? ACK_ECE : 0;
    this.ack(ece | (of >= 0 ? ACK_DONE : 0), f.pTime[p]!, seg, of);
  }

  /**
   * Stops the stream now (its job is complete as a whole): DONE goes out at once and on
   * the ACK of anything that still arrives, which the receiver no longer keeps.
   */
  stopEarly(): void {
    if (this.doneTime !== null) return;
    this.doneTime = this.sim.now;
    this.held = null;
    this.ack(ACK_DONE, this.sim.now, this.rcvNxt);
  }

  private ack(flags: number, echo: number, segment = 0, message = -1): void {
    const f = this.sim.fabric;
    const p = f.alloc();
    if (message >= 0) f.pObj[p] = message;
    f.pSize[p] = TCP_HEADER_BYTES;
    f.pKind[p] = KIND_ACK;
    f.pDscp[p] = this.config.dscp;
    f.pEp[p] = this.id;
    f.pDst[p] = this.srcHost;
    f.pHash[p] = this.config.reverseHash;
    f.pSeq[p] = this.rcvNxt;
    f.pAux[p] = (segment << ACK_FLAG_BITS) | flags;
    f.pTime[p] = echo;
    this.transmit(p);
  }

  wake(): void {
    // ACKs are sent as data arrives; the receiver has no timers.
  }
}
