// Exact traffic's load on every link. Declared flows are summed per (source switch,
// destination switch) before routing, so 100,000 flows cost one pass per destination
// switch; access links take each flow whole. Measured loads (from the runtime's counters)
// replace the declared load of the ports they cover.
import type { ResolvedFlow } from "../policy/resolve.js";
import type { Routing } from "../routing/routing.js";

export interface Demands {
  /** Declared exact flows between hosts (network host indexes), bit/s. */
  exactFlows: readonly ResolvedFlow[];
  /**
   * Measured exact load by egress port, "switch:port" -> bit/s; replaces the declared load
   * of that port's link.
   */
  measured?: ReadonlyMap<string, number>;
}

export function exactLinkLoad(routing: Routing, demands: Demands): Float64Array {
  const net = routing.network;
  const S = net.switchCount;
  const matrix = new Float64Array(S * S);
  const access = new Float64Array(net.linkCount);
  for (const flow of demands.exactFlows) {
    // Whole bit/s: sums of integers are exact, so the result does not depend on flow order.
    const rate = Math.round(flow.rate);
    access[net.hostUplink[flow.srcHost]!]! += rate;
    access[net.hostDownlink[flow.dstHost]!]! += rate;
    const s = net.hostSwitch[flow.srcHost]!;
    const t = net.hostSwitch[flow.dstHost]!;
    if (s !== t) matrix[s * S + t]! += rate;
  }
  const load = routing.routeMatrix(matrix);
  for (let l = 0; l < net.linkCount; l++) load[l]! += access[l]!;
  if (demands.measured !== undefined) {
    for (const [key, value] of demands.measured) {
      const colon = key.lastIndexOf(":");
      const s = net.switchIndex.get(key.slice(0, colon));
      const link = s === undefined ? undefined : net.portLink[s]!.get(Number(key.slice(colon + 1)));
      if (link === undefined) throw new RangeError(`measured load for unknown port "${key}"`);
      load[link] = value;
    }
  }
  return load;
}
