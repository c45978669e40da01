// Open-loop test traffic: a source that sends packets with Poisson or constant spacing and
// fixed or exponentially distributed sizes in a chosen DSCP, and a sink that counts what
// arrives and how long it took. Used to check the simulator against queueing theory and
// to measure raw event throughput.
import { SimRandom } from "../random.js";
import { Endpoint, type Simulation } from "../simulation.js";
import { KIND_PROBE } from "./packets.js";

export interface ProbeConfig {
  /** Packets per second. */
  rate: number;
  arrivals: "poisson" | "constant";
  /** Bytes (IP level); exponential sizes have this mean. */
  size: number;
  sizes: "fixed" | "exponential";
  dscp: number;
  /** Stop sending at this time (seconds). */
  until: number;
  seed: number;
  hash: number;
}

export class ProbeSource extends Endpoint {
  private readonly random: SimRandom;
  sent = 0;
  sentBytes = 0;

  constructor(
    sim: Simulation,
    id: number,
    host: number,
    private readonly dstHost: number,
    private readonly config: ProbeConfig,
  ) {
    super(sim, id, host);
    this.random = new SimRandom(config.seed);
  }

  start(): void {
    this.wakeAt(this.sim.now + this.gap());
  }

  private gap(): number {
    return this.config.arrivals === "poisson"
      ? this.random.exponential(this.config.rate)
      : 1 / this.config.rate;
  }

  receive(): void {
    // Nothing comes back.
  }

  wake(): void {
    const now = this.sim.now;
    if (now >= this.config.until) return;
    const c = this.config;
    const f = this.sim.fabric;
    const p = f.alloc();
    const size =
      c.sizes === "fixed" ? c.size : Math.max(1, Math.round(this.random.exponential(1 / c.size)));
    f.pSize[p] = size;
    f.pKind[p] = KIND_PROBE;
    f.pDscp[p] = c.dscp;
    f.pEp[p] = this.id;
    f.pDst[p] = this.dstHost;
    f.pHash[p] = c.hash;
    this.sent++;
    this.sentBytes += size;
    // Open loop: the interface queue absorbs what the link cannot take at once.
    this.queuedAtHost++;
    f.sendFromHost(this.host, p);
    this.wakeAt(now + this.gap());
  }
}

export class ProbeSink extends Endpoint {
  received = 0;
  bytes = 0;
  /** Sum of one-way delays (send to arrival), seconds. */
  delaySum = 0;
  /** Counting only arrivals in [from, to). */
  constructor(
    sim: Simulation,
    id: number,
    host: number,
    private readonly from = 0,
    private readonly to = Infinity,
  ) {
    super(sim, id, host);
  }

  receive(p: number): void {
    const now = this.sim.now;
    if (now < this.from || now >= this.to) return;
    const f = this.sim.fabric;
    this.received++;
    this.bytes += f.pSize[p]!;
    this.delaySum += now - f.pTime[p]!;
  }

  wake(): void {
    // A sink has no timers.
  }
}
