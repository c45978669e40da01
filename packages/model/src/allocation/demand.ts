// Exact traffic's load on every link. Declared flows are summed per (source switch,
// destination switch) as they arrive, and the matrix is routed once, one pass per
// destination switch, so 100,000 flows cost little more than reading them; access links take
// each flow whole. Measured loads (from the runtime's counters) replace the declared load
// of the ports they cover.
import type { Routing } from "../routing/routing.js";

export class ExactLoad {
  private readonly matrix: Float64Array;
  private readonly access: Float64Array;

  constructor(private readonly routing: Routing) {
    const net = routing.network;
    this.matrix = new Float64Array(net.switchCount * net.switchCount);
    this.access = new Float64Array(net.linkCount);
  }

  /** A flow between two hosts (network host indexes), bit/s. */
  add(srcHost: number, dstHost: number, rate: number): void {
    const net = this.routing.network;
    // Whole bit/s: sums of integers are exact, so the result does not depend on flow order.
    const bits = Math.round(rate);
    this.access[net.hostUplink[srcHost]!]! += bits;
    this.access[net.hostDownlink[dstHost]!]! += bits;
    const s = net.hostSwitch[srcHost]!;
    const t = net.hostSwitch[dstHost]!;
    if (s !== t) this.matrix[s * net.switchCount + t]! += bits;
  }

  /**
   * The load of every directed link, bit/s. `measured` maps "switch:port" (egress) to a
   * measured load that replaces the declared one.
   */
  linkLoad(measured?: ReadonlyMap<string, number>): Float64Array {
    const net = this.routing.network;
    const load = this.routing.routeMatrix(this.matrix);
    for (let l = 0; l < net.linkCount; l++) load[l]! += this.access[l]!;
    if (measured !== undefined) {
      for (const [key, value] of measured) {
        const colon = key.lastIndexOf(":");
        const s = net.switchIndex.get(key.slice(0, colon));
        const link =
          s === undefined ? undefined : net.portLink[s]!.get(Number(key.slice(colon + 1)));
        if (link === undefined) throw new RangeError(`measured load for unknown port "${key}"`);
        load[link] = value;
      }
    }
    return load;
  }
}
