// The simulated data plane: packets, links, switch egress ports with priority queues and
// finite buffers, the edge meters, the LE admission threshold, ECN marking and ECMP, with
// counters by port, class and drop reason. It implements the data plane of docs/design.md from an
// Allocation (the controller's own output), so the simulator runs the same policy logic
// as the switches.
//
// Every directed link of the topology is an egress port: a switch port, or a host's
// interface. Packets live in a pool of typed arrays and queues are linked lists through
// the pool; events are words in the event queue; nothing is allocated per packet.
//
// Over 500 lines because the packet pool, queues, meters and counters are one typed-array
// structure on the simulator's hot path; split, its fields would have to be public.
import type { Allocation, ClassName, MeterSettings } from "@netapprox/model/allocation/types.js";
import type { Routing } from "@netapprox/model/routing/routing.js";
import type { QueueMode } from "../experiment/scenario.js";
import { HOST_SIDE, type Network } from "@netapprox/model/topology/network.js";
import { EventQueue } from "./event-queue.js";
import { mix32 } from "./random.js";

/** Event kinds: the low bits of an event word; the argument is the rest. */
export const EVENT_BITS = 3;
export const EV_TX_DONE = 0;
export const EV_TX_DONE_QUEUE = 1;
export const EV_ARRIVE = 2;
export const EV_TIMER = 3;
export const EV_CALL = 4;
/** Arguments must fit in the event word. */
export const MAX_EVENT_ARG = 2 ** (31 - EVENT_BITS) - 1;

export const CLASS_CONTROL = 0;
export const CLASS_EXACT = 1;
export const CLASS_GUARANTEED = 2;
export const CLASS_BEST_EFFORT = 3;
export const CLASS_NAMES: readonly ClassName[] = [
  "control",
  "exact",
  "approximate_guaranteed",
  "approximate_best_effort",
];
const CLASS_CODE: Record<ClassName, number> = {
  control: CLASS_CONTROL,
  exact: CLASS_EXACT,
  approximate_guaranteed: CLASS_GUARANTEED,
  approximate_best_effort: CLASS_BEST_EFFORT,
};

export const DROP_REASONS = [
  "meter-red",
  "le-threshold",
  "buffer-full",
  "host-buffer-full",
] as const;
export type DropReason = (typeof DROP_REASONS)[number];
export const DROP_METER_RED = 0;
export const DROP_LE_THRESHOLD = 1;
export const DROP_BUFFER_FULL = 2;
export const DROP_HOST_BUFFER_FULL = 3;
const REASONS = DROP_REASONS.length;

export const ECN_NOT_ECT = 0;
export const ECN_ECT = 2;
export const ECN_CE = 3;

export const COLOR_GREEN = 0;
export const COLOR_YELLOW = 1;
export const COLOR_RED = 2;

export interface FabricOptions {
  queueMode: QueueMode;
  /** Packets a host interface queue holds (each priority queue, when hosts prioritise). */
  hostBuffer: number;
  /** priority: a host interface serves its queues by DSCP priority like a switch; fifo: one queue. */
  hostQueues: "priority" | "fifo";
  /**
   * With priority: the share of its link a host interface keeps for its best-effort queue
   * (as an htb class with an assured rate under the exact class): exact traffic goes first,
   * yet a host's approximate data is never stopped for good.
   */
  hostBestEffortShare: number;
  ecmpHash: "per-switch" | "same";
  /** One-way delay of links without one in the topology, seconds. */
  linkDelay: number;
}

/** Where packets leave the fabric: host arrivals and host interface progress. */
export interface FabricSink {
  /** Packet `pkt` has arrived at its destination host; the fabric frees it afterwards. */
  deliver(pkt: number): void;
  /** A packet endpoint `ep` queued at its host interface has left the host. */
  sent(ep: number): void;
}

export class Fabric {
  now = 0;
  readonly S: number;
  readonly H: number;
  readonly L: number;
  /** Priority queues per port. */
  readonly P: number;
  readonly paced: boolean;
  readonly weighted: boolean;
  readonly hostPriority: boolean;

  // Links (directed), indexed by the Network's link ids.
  readonly linkTo: Int32Array;
  readonly capacity: Float64Array; // bytes/s
  readonly delay: Float64Array;
  readonly buffer: Int32Array;
  readonly fromHost: Uint8Array;
  readonly leThreshold: Int32Array; // -1: none
  readonly ecnThreshold: Int32Array; // -1: none
  private readonly busy: Uint8Array;
  private readonly txPacket: Int32Array;

  // Queues, index link * P + queue.
  readonly qHead: Int32Array;
  private readonly qTail: Int32Array;
  readonly qLen: Int32Array;
  private readonly qBusy: Uint8Array;
  private readonly qTxPacket: Int32Array;
  /** bmv2-paced: seconds per packet of each queue. */
  readonly qServiceTime: Float64Array;
  /** weighted: each queue's share of its port (0: served only when no weighted queue waits). */
  readonly qWeight: Float64Array;
  /** weighted: bytes a queue has been served over its weight (the scheduler's virtual time). */
  private readonly qNorm: Float64Array;
  /** weighted: the virtual time of the last queue a port served. */
  private readonly portNorm: Float64Array;
  /** The queue of the control class, served first in weighted mode (-1: none). */
  private controlQueue = -1;

  // Counters.
  /** link * 4 + class */
  readonly txBytes: Float64Array;
  readonly txPackets: Float64Array;
  /** link * reasons + reason */
  readonly dropPackets: Float64Array;
  readonly dropBytes: Float64Array;
  /** Queueing delay (enqueue to start of transmission) summed per link. */
  readonly waitSum: Float64Array;
  readonly waitCount: Float64Array;
  /** Per job index (data packets only): IP bytes sent, delivered and dropped. */
  jobSent = new Float64Array(16);
  jobDelivered = new Float64Array(16);
  jobDropped = new Float64Array(16);

  // Routing: next-hop links of switch v towards switch t: nhLinks[nhStart[v*S+t] ..).
  private readonly nhStart: Int32Array;
  private readonly nhLinks: Int32Array;
  private readonly salt: Int32Array;
  readonly hostSwitch: Int32Array;
  readonly hostUplink: Int32Array;
  readonly hostDownlink: Int32Array;

  // Classes.
  readonly dscpQueue = new Int8Array(64);
  readonly dscpClass = new Uint8Array(64);
  guaranteedDscp = 10;
  bestEffortDscp = 1;
  private metersOn = false;
  private markBestEffort = false;

  // Meters, one per (job index, ingress switch), created on first use.
  private readonly meterIds = new Map<number, number>();
  private meterCount = 0;
  private mActive = new Uint8Array(16);
  private mCir = new Float64Array(16);
  private mPir = new Float64Array(16);
  private mCbs = new Float64Array(16);
  private mPbs = new Float64Array(16);
  private mTc = new Float64Array(16);
  private mTp = new Float64Array(16);
  private mLast = new Float64Array(16);
  /** Per meter: packets by colour (green, yellow, red), and bytes of all colours. */
  mColours = new Float64Array(48);
  mBytes = new Float64Array(16);

  // Packets.
  pSize = new Int32Array(0);
  pKind = new Uint8Array(0);
  pDscp = new Uint8Array(0);
  pEcn = new Uint8Array(0);
  /** The endpoint that sent the packet; the receiving endpoint is pEp ^ 1. */
  pEp = new Int32Array(0);
  pSeq = new Int32Array(0);
  pAux = new Int32Array(0);
  pHash = new Int32Array(0);
  pDst = new Int32Array(0);
  pMeter = new Int32Array(0);
  pJob = new Int32Array(0);
  pLink = new Int32Array(0);
  pNext = new Int32Array(0);
  /** Sender's timestamp (echoed by TCP ACKs). */
  pTime = new Float64Array(0);
  private pEnq = new Float64Array(0);
  /** Control messages carried by a packet (feedback, DONE); undefined for others. */
  pObj: unknown[] = [];
  private freeHead = -1;
  private poolUsed = 0;
  /** Arrivals over zero-delay links, handled without an event of their own. */
  inlineArrivals = 0;
  /** Packets alive now and at most. */
  live = 0;
  peakLive = 0;

  sink: FabricSink = {
    deliver: () => undefined,
    sent: () => undefined,
  };

  constructor(
    readonly net: Network,
    routing: Routing,
    allocation: Allocation,
    readonly events: EventQueue,
    readonly options: FabricOptions,
  ) {
    const S = (this.S = net.switchCount);
    this.H = net.hostCount;
    const L = (this.L = net.linkCount);
    const P = (this.P = Math.max(1, allocation.classes.priorityQueues));
    this.paced = options.queueMode === "bmv2-paced";
    this.weighted = options.queueMode === "weighted";
    this.hostPriority = options.hostQueues === "priority";
    if (L * P > MAX_EVENT_ARG)
      throw new RangeError(`too many ports for the simulator (${L * P} queues)`);

    this.linkTo = net.linkTo;
    this.capacity = Float64Array.from(net.linkCapacity, (c) => c / 8);
    this.delay = linkDelays(net, options.linkDelay);
    this.buffer = Int32Array.from(net.linkBuffer);
    this.fromHost = new Uint8Array(L);
    for (let l = 0; l < L; l++) {
      if (net.linkFrom[l]! >= S) {
        this.fromHost[l] = 1;
        this.buffer[l] = options.hostBuffer;
      }
    }
    this.leThreshold = new Int32Array(L).fill(-1);
    this.ecnThreshold = new Int32Array(L).fill(-1);
    this.busy = new Uint8Array(L);
    this.txPacket = new Int32Array(L).fill(-1);
    this.qHead = new Int32Array(L * P).fill(-1);
    this.qTail = new Int32Array(L * P).fill(-1);
    this.qLen = new Int32Array(L * P);
    this.qBusy = new Uint8Array(L * P);
    this.qTxPacket = new Int32Array(L * P).fill(-1);
    this.qServiceTime = new Float64Array(L * P);
    this.qWeight = new Float64Array(L * P);
    this.qNorm = new Float64Array(L * P);
    this.portNorm = new Float64Array(L);
    this.txBytes = new Float64Array(L * 4);
    this.txPackets = new Float64Array(L * 4);
    this.dropPackets = new Float64Array(L * REASONS);
    this.dropBytes = new Float64Array(L * REASONS);
    this.waitSum = new Float64Array(L);
    this.waitCount = new Float64Array(L);

    this.hostSwitch = net.hostSwitch;
    this.hostUplink = net.hostUplink;
    this.hostDownlink = net.hostDownlink;
    this.nhStart = new Int32Array(S * S + 1);
    const hops: number[] = [];
    for (let v = 0; v < S; v++) {
      for (let t = 0; t < S; t++) {
        this.nhStart[v * S + t] = hops.length;
        if (v !== t) for (const l of routing.nextHopLinks(v, t)) hops.push(l);
      }
    }
    this.nhStart[S * S] = hops.length;
    this.nhLinks = Int32Array.from(hops);
    this.salt = Int32Array.from(net.switches, (sw) =>
      options.ecmpHash === "per-switch" ? mix32(Math.imul(sw.deviceId, 0x9e3779b9)) | 0 : 0,
    );
    this.growPackets(1024);
    this.applyAllocation(allocation);
  }

  /**
   * Takes the allocation's class map, features, port thresholds and queue rates. Meters
   * are set separately (setJobMeters), per job.
   */
  applyAllocation(a: Allocation): void {
    const classes = a.classes;
    for (let d = 0; d < 64; d++) {
      this.dscpQueue[d] = classes.defaultQueue;
      this.dscpClass[d] = CLASS_EXACT;
    }
    for (const m of classes.dscp) {
      this.dscpQueue[m.dscp] = m.queue;
      this.dscpClass[m.dscp] = CLASS_CODE[m.class];
    }
    this.controlQueue = classes.dscp.find((m) => m.class === "control")?.queue ?? -1;
    this.guaranteedDscp = classes.guaranteedDscp;
    this.bestEffortDscp = classes.bestEffortDscp;
    this.metersOn = a.features.meters;
    this.markBestEffort = a.features.classify === "mark-best-effort";
    const P = this.P;
    if (this.hostPriority) {
      const exact = classes.dscp.find((m) => m.class === "exact")?.queue ?? classes.defaultQueue;
      const low = classes.dscp.find((m) => m.dscp === classes.bestEffortDscp)?.queue ?? exact;
      for (let h = 0; h < this.H; h++) {
        const l = this.hostUplink[h]!;
        for (let q = 0; q < P; q++) this.qWeight[l * P + q] = 0;
        const share = this.options.hostBestEffortShare;
        if (low !== exact && low < P) this.qWeight[l * P + low] = share;
        if (exact < P) this.qWeight[l * P + exact] = low !== exact ? 1 - share : 1;
      }
    }
    for (const sw of a.switches) {
      const s = this.net.switchIndex.get(sw.name)!;
      for (const port of sw.ports) {
        const l = this.net.portLink[s]!.get(port.port)!;
        this.leThreshold[l] = port.leThreshold ?? -1;
        this.ecnThreshold[l] = port.ecnThreshold ?? -1;
        const fallback = (8 * 1500) / this.net.linkCapacity[l]!;
        for (let q = 0; q < P; q++) {
          this.qServiceTime[l * P + q] = fallback;
          this.qWeight[l * P + q] = 0;
        }
        for (const plan of port.queues) {
          if (plan.queue >= P) continue;
          this.qServiceTime[l * P + plan.queue] = 1 / Math.max(1, plan.ratePps);
          this.qWeight[l * P + plan.queue] = plan.weight;
        }
      }
    }
  }

  /** The meter id of a job's traffic entering at switch s (created inactive). */
  meterOf(job: number, s: number): number {
    const key = job * this.S + s;
    let m = this.meterIds.get(key);
    if (m === undefined) {
      m = this.meterCount++;
      if (m >= this.mActive.length) this.growMeters();
      this.meterIds.set(key, m);
    }
    return m;
  }

  /** Installs (or, with null, removes) a meter's settings; a new meter starts with full buckets. */
  setMeter(m: number, settings: MeterSettings | null): void {
    if (settings === null) {
      this.mActive[m] = 0;
      return;
    }
    const fresh = this.mActive[m] === 0;
    this.mActive[m] = 1;
    this.mCir[m] = settings.cir;
    this.mPir[m] = settings.pir;
    this.mCbs[m] = settings.cbs;
    this.mPbs[m] = settings.pbs;
    if (fresh) {
      this.mTc[m] = settings.cbs;
      this.mTp[m] = settings.pbs;
      this.mLast[m] = this.now;
    } else {
      this.mTc[m] = Math.min(this.mTc[m]!, settings.cbs);
      this.mTp[m] = Math.min(this.mTp[m]!, settings.pbs);
    }
  }

  /** Packets of a job entering at switch s by colour (green, yellow, red); null without a meter. */
  meterColours(job: number, s: number): [number, number, number] | null {
    const m = this.meterIds.get(job * this.S + s);
    if (m === undefined) return null;
    return [this.mColours[m * 3]!, this.mColours[m * 3 + 1]!, this.mColours[m * 3 + 2]!];
  }

  /** Bytes a job's meters have seen (all colours: its offered load), over all switches. */
  meterBytes(job: number): number {
    let bytes = 0;
    for (let s = 0; s < this.S; s++) {
      const m = this.meterIds.get(job * this.S + s);
      if (m !== undefined) bytes += this.mBytes[m]!;
    }
    return bytes;
  }

  meterActive(m: number): boolean {
    return this.mActive[m] === 1;
  }

  /** RFC 2698 two-rate three-colour marker, colour-blind, token buckets in bytes. */
  meterColour(m: number, bytes: number): number {
    const dt = this.now - this.mLast[m]!;
    this.mLast[m] = this.now;
    let tc = Math.min(this.mCbs[m]!, this.mTc[m]! + this.mCir[m]! * dt);
    let tp = Math.min(this.mPbs[m]!, this.mTp[m]! + this.mPir[m]! * dt);
    let colour: number;
    if (tp < bytes) colour = COLOR_RED;
    else {
      tp -= bytes;
      if (tc < bytes) colour = COLOR_YELLOW;
      else {
        tc -= bytes;
        colour = COLOR_GREEN;
      }
    }
    this.mTc[m] = tc;
    this.mTp[m] = tp;
    this.mColours[m * 3 + colour]!++;
    this.mBytes[m]! += bytes;
    return colour;
  }

  // ---- packets ----

  /** A new packet with every field reset; the caller fills size, kind, dscp, ep, dst, hash. */
  alloc(): number {
    let p = this.freeHead;
    if (p >= 0) this.freeHead = this.pNext[p]!;
    else {
      if (this.poolUsed === this.pSize.length) this.growPackets(this.pSize.length * 2);
      p = this.poolUsed++;
    }
    this.pEcn[p] = ECN_NOT_ECT;
    this.pSeq[p] = 0;
    this.pAux[p] = 0;
    this.pMeter[p] = -1;
    this.pJob[p] = -1;
    this.pNext[p] = -1;
    this.pTime[p] = this.now;
    if (++this.live > this.peakLive) this.peakLive = this.live;
    return p;
  }

  free(p: number): void {
    if (this.pObj[p] !== undefined) this.pObj[p] = undefined;
    this.pNext[p] = this.freeHead;
    this.freeHead = p;
    this.live--;
  }

  /** Hands a packet to host `host`'s interface. */
  sendFromHost(host: number, p: number): void {
    const job = this.pJob[p]!;
    if (job >= 0) this.jobSent[job]! += this.pSize[p]!;
    this.enqueue(this.hostUplink[host]!, p);
  }

  /** Records a job index so its counters exist. */
  ensureJob(job: number): void {
    if (job < this.jobSent.length) return;
    let n = this.jobSent.length;
    while (n <= job) n *= 2;
    this.jobSent = grownF64(this.jobSent, n);
    this.jobDelivered = grownF64(this.jobDelivered, n);
    this.jobDropped = grownF64(this.jobDropped, n);
  }

  private drop(p: number, l: number, reason: number): void {
    const size = this.pSize[p]!;
    this.dropPackets[l * REASONS + reason]!++;
    this.dropBytes[l * REASONS + reason]! += size;
    const job = this.pJob[p]!;
    if (job >= 0) this.jobDropped[job]! += size;
    this.free(p);
  }

  // ---- ports ----

  /** Admission and queueing at the egress port `l`. */
  enqueue(l: number, p: number): void {
    const P = this.P;
    const host = this.fromHost[l] === 1;
    const dscp = this.pDscp[p]!;
    // Switch ports map DSCP to a priority queue; a host interface too, or is one FIFO.
    const q = host && !this.hostPriority ? 0 : this.dscpQueue[dscp]!;
    const idx = l * P + q;
    const len = this.qLen[idx]!;
    if (!host) {
      const cls = this.dscpClass[dscp]!;
      if (cls === CLASS_BEST_EFFORT) {
        const threshold = this.leThreshold[l]!;
        if (threshold >= 0 && len >= threshold) {
          this.drop(p, l, DROP_LE_THRESHOLD);
          return;
        }
      } else if (cls === CLASS_EXACT && this.pEcn[p] === ECN_ECT) {
        const threshold = this.ecnThreshold[l]!;
        if (threshold >= 0 && len > threshold) this.pEcn[p] = ECN_CE;
      }
    }
    if (len >= this.buffer[l]!) {
      if (host) {
        // The packet has left its sender's share of the interface queue, as if sent.
        const ep = this.pEp[p]!;
        this.drop(p, l, DROP_HOST_BUFFER_FULL);
        this.sink.sent(ep);
      } else this.drop(p, l, DROP_BUFFER_FULL);
      return;
    }
    this.pNext[p] = -1;
    this.pEnq[p] = this.now;
    const tail = this.qTail[idx]!;
    if (tail < 0) this.qHead[idx] = p;
    else this.pNext[tail] = p;
    this.qTail[idx] = p;
    this.qLen[idx] = len + 1;
    // A weighted queue that was empty starts from the port's virtual time: it cannot claim
    // a burst for the time it was idle.
    if (len === 0 && this.qNorm[idx]! < this.portNorm[l]!) this.qNorm[idx] = this.portNorm[l]!;
    if (this.paced && !host) {
      if (this.qBusy[idx] === 0) this.startQueue(idx);
    } else if (this.busy[l] === 0) this.startLink(l);
  }

  private dequeue(idx: number): number {
    const p = this.qHead[idx]!;
    const next = this.pNext[p]!;
    this.qHead[idx] = next;
    if (next < 0) this.qTail[idx] = -1;
    this.qLen[idx]!--;
    return p;
  }

  private account(l: number, p: number): void {
    const c = l * 4 + this.dscpClass[this.pDscp[p]!]!;
    this.txBytes[c]! += this.pSize[p]!;
    this.txPackets[c]!++;
    this.waitSum[l]! += this.now - this.pEnq[p]!;
    this.waitCount[l]!++;
  }

  /**
   * The next packet of port l goes at the link's capacity. Strict priority: from the highest
   * non-empty queue. Weighted (switch ports): the control queue first, then the waiting
   * queue with a weight that is furthest behind its share (bytes served over weight), then,
   * when no weighted queue waits, the highest non-empty queue without a weight.
   */
  private startLink(l: number): void {
    const P = this.P;
    const base = l * P;
    let q = P - 1;
    if (this.fromHost[l] === 0 ? this.weighted : this.hostPriority) q = this.pickWeighted(l);
    else while (q >= 0 && this.qLen[base + q] === 0) q--;
    if (q < 0) return;
    const p = this.dequeue(base + q);
    this.account(l, p);
    this.busy[l] = 1;
    this.txPacket[l] = p;
    this.events.push(this.now + this.pSize[p]! / this.capacity[l]!, (l << EVENT_BITS) | EV_TX_DONE);
  }

  private pickWeighted(l: number): number {
    const P = this.P;
    const base = l * P;
    const c = this.controlQueue;
    if (c >= 0 && c < P && this.qLen[base + c]! > 0) return c;
    let best = -1;
    let bestNorm = Infinity;
    let fallback = -1;
    for (let q = P - 1; q >= 0; q--) {
      const idx = base + q;
      if (this.qLen[idx] === 0) continue;
      const w = this.qWeight[idx]!;
      if (w > 0) {
        if (this.qNorm[idx]! < bestNorm) {
          bestNorm = this.qNorm[idx]!;
          best = q;
        }
      } else if (fallback < 0) fallback = q;
    }
    if (best < 0) return fallback;
    const idx = base + best;
    this.portNorm[l] = this.qNorm[idx]!;
    this.qNorm[idx]! += this.pSize[this.qHead[idx]!]! / this.qWeight[idx]!;
    return best;
  }

  /** bmv2-paced: every queue is its own server at its configured packets per second. */
  private startQueue(idx: number): void {
    const p = this.dequeue(idx);
    const l = (idx / this.P) | 0;
    this.account(l, p);
    this.qBusy[idx] = 1;
    this.qTxPacket[idx] = p;
    this.events.push(this.now + this.qServiceTime[idx]!, (idx << EVENT_BITS) | EV_TX_DONE_QUEUE);
  }

  onTxDone(l: number): void {
    const p = this.txPacket[l]!;
    this.busy[l] = 0;
    this.startLink(l);
    this.depart(l, p);
  }

  onTxDoneQueue(idx: number): void {
    const p = this.qTxPacket[idx]!;
    this.qBusy[idx] = 0;
    if (this.qLen[idx]! > 0) this.startQueue(idx);
    this.depart((idx / this.P) | 0, p);
  }

  /** The packet has left port l: it arrives at the other end after the link's delay. */
  private depart(l: number, p: number): void {
    this.pLink[p] = l;
    if (this.fromHost[l] === 1) this.sink.sent(this.pEp[p]!);
    const d = this.delay[l]!;
    if (d > 0) this.events.push(this.now + d, (p << EVENT_BITS) | EV_ARRIVE);
    else {
      this.inlineArrivals++;
      this.arrive(p);
    }
  }

  /** Packet p arrives at the far end of its link: a switch forwards it, a host takes it. */
  arrive(p: number): void {
    const l = this.pLink[p]!;
    const v = this.linkTo[l]!;
    const S = this.S;
    if (v >= S) {
      const job = this.pJob[p]!;
      if (job >= 0) this.jobDelivered[job]! += this.pSize[p]!;
      this.sink.deliver(p);
      this.free(p);
      return;
    }
    if (this.fromHost[l] === 1) {
      // Edge conditioning at the first switch.
      const m = this.pMeter[p]!;
      if (this.metersOn && m >= 0 && this.mActive[m] === 1) {
        const colour = this.meterColour(m, this.pSize[p]!);
        if (colour === COLOR_RED) {
          this.drop(p, l, DROP_METER_RED);
          return;
        }
        this.pDscp[p] = colour === COLOR_GREEN ? this.guaranteedDscp : this.bestEffortDscp;
      } else if (this.markBestEffort && this.pJob[p]! >= 0 && m >= 0) {
        this.pDscp[p] = this.bestEffortDscp;
      }
    }
    const dst = this.pDst[p]!;
    const t = this.hostSwitch[dst]!;
    let out: number;
    if (t === v) out = this.hostDownlink[dst]!;
    else {
      const at = v * S + t;
      const from = this.nhStart[at]!;
      const n = this.nhStart[at + 1]! - from;
      out =
        n === 1
          ? this.nhLinks[from]!
          : this.nhLinks[from + (mix32(this.pHash[p]! ^ this.salt[v]!) % n)]!;
    }
    this.enqueue(out, p);
  }

  /** Which of switch v's next hops towards host `dst` a flow with this hash takes. */
  ecmpChoice(v: number, dst: number, hash: number): number {
    const t = this.hostSwitch[dst]!;
    if (t === v) return this.hostDownlink[dst]!;
    const at = v * this.S + t;
    const from = this.nhStart[at]!;
    const n = this.nhStart[at + 1]! - from;
    return this.nhLinks[from + (mix32(hash ^ this.salt[v]!) % n)]!;
  }

  /** Packets queued at port l (all queues), for tests and reports. */
  portQueueLength(l: number): number {
    let n = 0;
    for (let q = 0; q < this.P; q++) n += this.qLen[l * this.P + q]!;
    return n;
  }

  private growPackets(n: number): void {
    this.pSize = grownI32(this.pSize, n);
    this.pKind = grownU8(this.pKind, n);
    this.pDscp = grownU8(this.pDscp, n);
    this.pEcn = grownU8(this.pEcn, n);
    this.pEp = grownI32(this.pEp, n);
    this.pSeq = grownI32(this.pSeq, n);
    this.pAux = grownI32(this.pAux, n);
    this.pHash = grownI32(this.pHash, n);
    this.pDst = grownI32(this.pDst, n);
    this.pMeter = grownI32(this.pMeter, n);
    this.pJob = grownI32(this.pJob, n);
    this.pLink = grownI32(this.pLink, n);
    this.pNext = grownI32(this.pNext, n);
    this.pTime = grownF64(this.pTime, n);
    this.pEnq = grownF64(this.pEnq, n);
    if (n > MAX_EVENT_ARG) throw new RangeError("too many packets in flight for the simulator");
  }

  private growMeters(): void {
    const n = this.mActive.length * 2;
    this.mActive = grownU8(this.mActive, n);
    this.mCir = grownF64(this.mCir, n);
    this.mPir = grownF64(this.mPir, n);
    this.mCbs = grownF64(this.mCbs, n);
    this.mPbs = grownF64(this.mPbs, n);
    this.mTc = grownF64(this.mTc, n);
    this.mTp = grownF64(this.mTp, n);
    this.mLast = grownF64(this.mLast, n);
    this.mColours = grownF64(this.mColours, n * 3);
    this.mBytes = grownF64(this.mBytes, n);
  }
}

/** Per directed link, the one-way delay of its topology link (or the default). */
function linkDelays(net: Network, fallback: number): Float64Array {
  const S = net.switchCount;
  const key = (node: number, port: number) => `${node}/${port}`;
  const byEnd = new Map<string, number>();
  for (const link of net.topology.links) {
    const d = link.delay ?? fallback;
    for (const e of link.endpoints) {
      const node =
        e.kind === "switch" ? net.switchIndex.get(e.name)! : S + net.hostIndex.get(e.name)!;
      byEnd.set(key(node, e.kind === "switch" ? e.port : HOST_SIDE), d);
    }
  }
  return Float64Array.from(
    { length: net.linkCount },
    (_, l) => byEnd.get(key(net.linkFrom[l]!, net.linkFromPort[l]!)) ?? fallback,
  );
}

function grownI32(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}
function grownU8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}
function grownF64(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}
