// Shortest-path routing with ECMP. For every switch that has hosts, a breadth-first search
// gives each switch's hop distance to it; a switch's next hops towards it are all its
// neighbours one hop closer, in port order. From that one structure come the per-switch
// route intents (prefix -> port or ECMP group), the split of a host pair's traffic over
// links (even split at every ECMP hop, as the switches' hash does on average), and the
// routing of aggregated demand matrices.
import { commonPrefix, formatPrefix, prefixEnd, type Ipv4Prefix } from "../topology/addresses.js";
import { Network } from "../topology/network.js";
import type { Topology } from "../topology/types.js";

export interface NextHop {
  port: number;
  /** The switch or host at the other end of the link. */
  neighbor: string;
  /** Source MAC to write: this switch's egress port MAC. */
  smac: string;
  /** Destination MAC to write: the neighbour's port MAC, or the host's MAC on the last hop. */
  dmac: string;
}

export interface EcmpGroup {
  /** From 1, unique per switch. */
  id: number;
  /** Sorted by port. */
  members: NextHop[];
}

export type RouteAction = { kind: "port"; nextHop: NextHop } | { kind: "group"; group: number };

export interface RouteIntent {
  /** "10.0.1.0/30" */
  prefix: string;
  address: number;
  length: number;
  action: RouteAction;
}

export interface SwitchRoutes {
  switch: string;
  deviceId: number;
  /** Sorted by address, then length. */
  routes: RouteIntent[];
  groups: EcmpGroup[];
}

/** Links (directed link ids of the Network) with the fraction of a flow that crosses each. */
export interface LinkShares {
  links: Int32Array;
  fractions: Float64Array;
}

export interface Path {
  /** Directed link ids from the source host to the destination host. */
  links: number[];
  fraction: number;
}

export interface RoutingOptions {
  /**
   * Route the hosts of one switch by one prefix in other switches when their addresses form
   * a block that holds no other host (fewer table entries); otherwise one /32 per host.
   */
  aggregate: boolean;
}

export class Routing {
  readonly network: Network;
  /** For switch t with hosts: hop distance of every switch to t (-1 if unreachable). */
  private readonly distance: (Int32Array | undefined)[];
  /** Switches in breadth-first order from t (increasing distance). */
  private readonly order: (Int32Array | undefined)[];
  private readonly prefixes: (Ipv4Prefix[] | undefined)[];
  private readonly fabricCache = new Map<number, LinkShares>();
  private tablesCache: SwitchRoutes[] | undefined;

  constructor(
    network: Network,
    private readonly options: RoutingOptions = { aggregate: true },
  ) {
    this.network = network;
    const S = network.switchCount;
    this.distance = new Array<Int32Array | undefined>(S);
    this.order = new Array<Int32Array | undefined>(S);
    this.prefixes = new Array<Ipv4Prefix[] | undefined>(S);
    for (let t = 0; t < S; t++) {
      if (network.switchHosts[t]!.length === 0) continue;
      const dist = new Int32Array(S).fill(-1);
      const order = new Int32Array(S);
      let head = 0;
      let tail = 0;
      dist[t] = 0;
      order[tail++] = t;
      while (head < tail) {
        const v = order[head++]!;
        for (let i = network.switchOutStart[v]!; i < network.switchOutStart[v + 1]!; i++) {
          const u = network.linkTo[network.switchOut[i]!]!;
          if (dist[u] === -1) {
            dist[u] = dist[v]! + 1;
            order[tail++] = u;
          }
        }
      }
      this.distance[t] = dist;
      this.order[t] = order.subarray(0, tail);
    }
    this.computePrefixes();
  }

  /** The directed links from switch v towards switch t's hosts, in port order. */
  nextHopLinks(v: number, t: number): number[] {
    const dist = this.distance[t];
    if (dist === undefined || dist[v]! <= 0) return [];
    const net = this.network;
    const out: number[] = [];
    for (let i = net.switchOutStart[v]!; i < net.switchOutStart[v + 1]!; i++) {
      const l = net.switchOut[i]!;
      if (dist[net.linkTo[l]!] === dist[v]! - 1) out.push(l);
    }
    return out;
  }

  /** Hop count between two switches (t must have hosts); -1 when unreachable. */
  hops(v: number, t: number): number {
    return this.distance[t]?.[v] ?? -1;
  }

  /**
   * How a unit of traffic from switch s to switch t (which has hosts) spreads over
   * switch-to-switch links. Cached: many host pairs share a switch pair.
   */
  fabricShares(s: number, t: number): LinkShares {
    const key = s * this.network.switchCount + t;
    let shares = this.fabricCache.get(key);
    if (shares === undefined) {
      shares = this.spread(s, t);
      this.fabricCache.set(key, shares);
    }
    return shares;
  }

  private spread(s: number, t: number): LinkShares {
    const dist = this.distance[t];
    if (s === t || dist === undefined) return { links: new Int32Array(0), fractions: new Float64Array(0) };
    if (dist[s] === -1) throw new Error(`no route from ${this.network.nodeName(s)} to ${this.network.nodeName(t)}`);
    const net = this.network;
    const flow = new Map<number, number>([[s, 1]]);
    let level = [s];
    const links: number[] = [];
    const fractions: number[] = [];
    for (let d = dist[s]!; d > 0; d--) {
      const next: number[] = [];
      for (const v of level) {
        const f = flow.get(v)!;
        const hops = this.nextHopLinks(v, t);
        const share = f / hops.length;
        for (const l of hops) {
          links.push(l);
          fractions.push(share);
          const u = net.linkTo[l]!;
          const before = flow.get(u);
          if (before === undefined) {
            flow.set(u, share);
            next.push(u);
          } else flow.set(u, before + share);
        }
      }
      level = next;
    }
    return { links: Int32Array.from(links), fractions: Float64Array.from(fractions) };
  }

  /** The links a flow from host a to host b crosses, with the fraction on each. */
  linkShares(srcHost: number, dstHost: number): LinkShares {
    const net = this.network;
    const fabric = this.fabricShares(net.hostSwitch[srcHost]!, net.hostSwitch[dstHost]!);
    const n = fabric.links.length;
    const links = new Int32Array(n + 2);
    const fractions = new Float64Array(n + 2);
    links[0] = net.hostUplink[srcHost]!;
    fractions[0] = 1;
    links.set(fabric.links, 1);
    fractions.set(fabric.fractions, 1);
    links[n + 1] = net.hostDownlink[dstHost]!;
    fractions[n + 1] = 1;
    return { links, fractions };
  }

  /**
   * Every shortest path from host a to host b with the fraction of traffic it carries
   * (the product of 1/group size over its ECMP hops). Throws past `limit` paths.
   */
  paths(srcHost: number, dstHost: number, limit = 10_000): Path[] {
    const net = this.network;
    const t = net.hostSwitch[dstHost]!;
    const result: Path[] = [];
    const walk = (v: number, links: number[], fraction: number) => {
      if (v === t) {
        result.push({ links: [...links, net.hostDownlink[dstHost]!], fraction });
        if (result.length > limit) throw new RangeError(`more than ${limit} paths`);
        return;
      }
      const hops = this.nextHopLinks(v, t);
      for (const l of hops) walk(net.linkTo[l]!, [...links, l], fraction / hops.length);
    };
    walk(net.hostSwitch[srcHost]!, [net.hostUplink[srcHost]!], 1);
    return result;
  }

  /**
   * Routes a switch-to-switch demand matrix (bit/s, demand[s * S + t]) over the fabric and
   * returns the load of every directed link. One pass per destination switch.
   */
  routeMatrix(demand: Float64Array): Float64Array {
    const net = this.network;
    const S = net.switchCount;
    const load = new Float64Array(net.linkCount);
    const flow = new Float64Array(S);
    for (let t = 0; t < S; t++) {
      const order = this.order[t];
      if (order === undefined) continue;
      let any = false;
      for (let s = 0; s < S; s++) {
        const d = s === t ? 0 : demand[s * S + t]!;
        flow[s] = d;
        if (d > 0) any = true;
      }
      if (!any) continue;
      // Farthest switches first: all of a switch's inflow has arrived before it splits.
      for (let i = order.length - 1; i > 0; i--) {
        const v = order[i]!;
        const f = flow[v]!;
        if (f === 0) continue;
        const hops = this.nextHopLinks(v, t);
        const share = f / hops.length;
        for (const l of hops) {
          load[l]! += share;
          flow[net.linkTo[l]!]! += share;
        }
      }
    }
    return load;
  }

  /** The prefixes by which other switches reach switch t's hosts. */
  prefixesOf(t: number): readonly Ipv4Prefix[] {
    return this.prefixes[t] ?? [];
  }

  private computePrefixes(): void {
    const net = this.network;
    const sorted = Uint32Array.from(net.hostIpv4).sort();
    const countIn = (lo: number, hi: number) => lowerBound(sorted, hi) - lowerBound(sorted, lo);
    for (let t = 0; t < net.switchCount; t++) {
      const hosts = net.switchHosts[t]!;
      if (hosts.length === 0) continue;
      const ips = hosts.map((h) => net.hostIpv4[h]!).sort((a, b) => a - b);
      const block = commonPrefix(ips[0]!, ips[ips.length - 1]!);
      if (this.options.aggregate && countIn(block.address, prefixEnd(block)) === ips.length) {
        this.prefixes[t] = [block];
      } else this.prefixes[t] = ips.map((address) => ({ address, length: 32 }));
    }
  }

  /** Per-switch route intents, computed once. */
  tables(): SwitchRoutes[] {
    this.tablesCache ??= this.network.switches.map((_, v) => this.tableOf(v));
    return this.tablesCache;
  }

  private tableOf(v: number): SwitchRoutes {
    const net = this.network;
    const sw = net.switches[v]!;
    const routes: RouteIntent[] = [];
    const groups: EcmpGroup[] = [];
    const groupByPorts = new Map<string, number>();
    const hopOf = (l: number): NextHop => ({
      port: net.linkFromPort[l]!,
      neighbor: net.nodeName(net.linkTo[l]!),
      smac: net.macAt(v, net.linkFromPort[l]!),
      dmac: net.macAt(net.linkTo[l]!, net.linkToPort[l]!),
    });
    for (let t = 0; t < net.switchCount; t++) {
      const hosts = net.switchHosts[t]!;
      if (hosts.length === 0) continue;
      if (t === v) {
        for (const h of hosts) {
          const address = net.hostIpv4[h]!;
          const prefix = { address, length: 32 };
          routes.push({
            prefix: formatPrefix(prefix),
            address,
            length: 32,
            action: { kind: "port", nextHop: hopOf(net.hostDownlink[h]!) },
          });
        }
        continue;
      }
      const hops = this.nextHopLinks(v, t);
      if (hops.length === 0) continue;
      let action: RouteAction;
      if (hops.length === 1) action = { kind: "port", nextHop: hopOf(hops[0]!) };
      else {
        const key = hops.map((l) => net.linkFromPort[l]).join(",");
        let id = groupByPorts.get(key);
        if (id === undefined) {
          id = groups.length + 1;
          groupByPorts.set(key, id);
          groups.push({ id, members: hops.map(hopOf) });
        }
        action = { kind: "group", group: id };
      }
      for (const prefix of this.prefixes[t]!) {
        routes.push({ prefix: formatPrefix(prefix), address: prefix.address, length: prefix.length, action });
      }
    }
    routes.sort((a, b) => a.address - b.address || a.length - b.length);
    // Group ids follow the order of the first route that uses each group.
    const renumber = new Map<number, number>();
    for (const r of routes) {
      if (r.action.kind === "group" && !renumber.has(r.action.group)) {
        renumber.set(r.action.group, renumber.size + 1);
      }
    }
    for (const r of routes) {
      if (r.action.kind === "group") r.action = { kind: "group", group: renumber.get(r.action.group)! };
    }
    for (const g of groups) g.id = renumber.get(g.id)!;
    groups.sort((a, b) => a.id - b.id);
    return { switch: sw.name, deviceId: sw.deviceId, routes, groups };
  }
}

/** Routing for a topology (which must be valid: see checkTopology). */
export function computeRoutes(topology: Topology, options?: RoutingOptions): Routing {
  return new Routing(new Network(topology), options);
}

function lowerBound(sorted: Uint32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
