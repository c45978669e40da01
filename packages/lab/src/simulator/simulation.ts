// The event loop: the fabric's packet events, endpoint timers and scheduled calls, in
// time order. Endpoints are the host side: each transport connection is a pair of
// endpoints with ids 2k (the side that opens it) and 2k + 1; a packet sent by endpoint e
// is delivered to e ^ 1.
import type { Allocation } from "@netapprox/model/allocation/types.js";
import type { Routing } from "@netapprox/model/routing/routing.js";
import { EventQueue } from "./event-queue.js";
import { hostQueueLimit } from "./hosts/packets.js";
import {
  EVENT_BITS,
  EV_ARRIVE,
  EV_CALL,
  EV_TIMER,
  EV_TX_DONE,
  EV_TX_DONE_QUEUE,
  Fabric,
  MAX_EVENT_ARG,
  type FabricOptions,
} from "./fabric.js";

/** So many events at one instant means a model keeps rescheduling itself: a bug. */
const STALL_EVENTS = 10_000_000;

export abstract class Endpoint {
  /** Time of the pending timer; Infinity when none. */
  timerAt = Infinity;
  /** Packets this endpoint has queued at its host's interface. */
  queuedAtHost = 0;
  /** Set when the endpoint waits for room at its host's interface. */
  waitingForHost = false;
  /** Packets it may keep queued at its host's interface. */
  readonly hostLimit: number;

  constructor(
    readonly sim: Simulation,
    readonly id: number,
    /** Network host index. */
    readonly host: number,
  ) {
    const f = sim.fabric;
    this.hostLimit = hostQueueLimit(f.capacity[f.hostUplink[host]!]!);
  }

  /** A packet for this endpoint has arrived (read its fields; the fabric frees it). */
  abstract receive(pkt: number): void;
  /** The timer fired, or room appeared at the host's interface. */
  abstract wake(): void;

  /** Fires wake() at `time` unless an earlier wake is pending. */
  wakeAt(time: number): void {
    if (time < this.timerAt) {
      this.timerAt = time;
      this.sim.scheduleTimer(this.id, time);
    }
  }

  /** Queues packet p at this endpoint's host interface. */
  transmit(p: number): void {
    this.queuedAtHost++;
    this.sim.fabric.sendFromHost(this.host, p);
  }
}

export interface Progress {
  /** Simulated time, seconds. */
  time: number;
  events: number;
}

export class Simulation {
  readonly events: EventQueue;
  readonly fabric: Fabric;
  readonly endpoints: (Endpoint | undefined)[] = [];
  private readonly calls: ((() => void) | undefined)[] = [];
  private freeCalls: number[] = [];
  /** Events taken from the queue so far. */
  handled = 0;
  private stopped = false;

  constructor(routing: Routing, allocation: Allocation, options: FabricOptions) {
    this.events = new EventQueue(4096);
    this.fabric = new Fabric(routing.network, routing, allocation, this.events, options);
    const endpoints = this.endpoints;
    const fabric = this.fabric;
    fabric.sink = {
      deliver: (pkt) => endpoints[fabric.pEp[pkt]! ^ 1]?.receive(pkt),
      sent: (epId) => {
        const ep = endpoints[epId];
        if (ep === undefined) return;
        ep.queuedAtHost--;
        if (ep.waitingForHost) {
          ep.waitingForHost = false;
          ep.wake();
        }
      },
    };
  }

  get now(): number {
    return this.fabric.now;
  }

  /** Events handled: queue events plus arrivals over zero-delay links, handled in place. */
  get eventCount(): number {
    return this.handled + this.fabric.inlineArrivals;
  }

  /** Two fresh endpoint ids (2k, 2k + 1) for a connection. */
  reservePair(): number {
    const id = this.endpoints.length;
    if (id + 1 > MAX_EVENT_ARG) throw new RangeError("too many endpoints for the simulator");
    this.endpoints.push(undefined, undefined);
    return id;
  }

  attach(ep: Endpoint): void {
    this.endpoints[ep.id] = ep;
  }

  /** Drops a finished connection's endpoints so they can be collected. */
  detachPair(first: number): void {
    this.endpoints[first] = undefined;
    this.endpoints[first + 1] = undefined;
  }

  scheduleTimer(ep: number, time: number): void {
    this.events.push(Math.max(time, this.fabric.now), (ep << EVENT_BITS) | EV_TIMER);
  }

  /** Runs `fn` at `time` (for rare events: job phases, flow starts, reallocation). */
  at(time: number, fn: () => void): void {
    const slot = this.freeCalls.length > 0 ? this.freeCalls.pop()! : this.calls.length;
    this.calls[slot] = fn;
    this.events.push(Math.max(time, this.fabric.now), (slot << EVENT_BITS) | EV_CALL);
  }

  stop(): void {
    this.stopped = true;
  }

  /**
   * Runs events up to time `until` (inclusive) or until stop(); calls `progress` every
   * `progressEvery` events. Returns the time reached.
   */
  run(until: number, progress?: (p: Progress) => void, progressEvery = 1 << 18): number {
    const q = this.events;
    const fabric = this.fabric;
    const endpoints = this.endpoints;
    const mask = (1 << EVENT_BITS) - 1;
    this.stopped = false;
    let handled = this.handled;
    let nextProgress = handled + progressEvery;
    let sameTime = 0;
    while (!this.stopped && q.size > 0 && q.peekTime() <= until) {
      q.pop();
      if (q.time === fabric.now) {
        if (++sameTime > STALL_EVENTS)
          throw new Error(`simulation stalled: ${STALL_EVENTS} events at t = ${q.time} s`);
      } else sameTime = 0;
      fabric.now = q.time;
      const word = q.word;
      const arg = word >>> EVENT_BITS;
      handled++;
      switch (word & mask) {
        case EV_TX_DONE:
          fabric.onTxDone(arg);
          break;
        case EV_ARRIVE:
          fabric.arrive(arg);
          break;
        case EV_TX_DONE_QUEUE:
          fabric.onTxDoneQueue(arg);
          break;
        case EV_TIMER: {
          const ep = endpoints[arg];
          if (ep !== undefined && ep.timerAt === q.time) {
            ep.timerAt = Infinity;
            ep.wake();
          }
          break;
        }
        case EV_CALL: {
          const fn = this.calls[arg]!;
          this.calls[arg] = undefined;
          this.freeCalls.push(arg);
          fn();
          break;
        }
      }
      if (handled >= nextProgress) {
        nextProgress = handled + progressEvery;
        this.handled = handled;
        progress?.({ time: fabric.now, events: handled + fabric.inlineArrivals });
      }
    }
    this.handled = handled;
    if (!this.stopped && q.peekTime() > until && until !== Infinity)
      fabric.now = Math.max(fabric.now, until);
    return fabric.now;
  }
}
