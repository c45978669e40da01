// Shortest-path routing with ECMP. For every switch that has hosts, a breadth-first search
// gives each switch's hop distance to it; a switch's next hops towards it are all its
// neighbours one hop closer, in port order. From that one structure come the per-switch
// route intents (prefix -> port or ECMP group), the split of a host pair's traffic over
// links (even split at every ECMP hop, as the switches' hash does on average), and the
// routing of aggregated demand matrices.
//
// Over 500 lines because one class's per-switch distances serve route intents, traffic splits
// and demand routing alike; the parts share its private arrays.
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
  /** Row of switch t in the next-hop table, or -1 when t has no hosts. */
  private readonly destRow: Int32Array;
  /** Next hops of v towards t: hopLink[hopStart[row(t) * S + v] .. hopStart[... + 1]), by port. */
  private readonly hopStart: Int32Array;
  private hopLink: Int32Array = new Int32Array(0);
  private readonly prefixes: (Ipv4Prefix[] | undefined)[];
  /** Fabric shares of switch pairs, computed on demand into one pool. */
  private readonly fabricEntry = new Map<number, number>();
  private fabricStart: number[] = [0];
  private poolLink = new Int32Array(65536);
  private poolFraction = new Float64Array(65536);
  private poolSize = 0;
  /** Scratch for spreading: traffic reaching each switch, and two frontiers. */
  private readonly scratchFlow: Float64Array;
  private readonly scratchLevel: Int32Array;
  private readonly scratchNext: Int32Array;
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
    this.destRow = new Int32Array(S).fill(-1);
    // Locals: the loops below visit every (destination, switch, out-link), a million at k=16.
    const { switchOutStart: outStart, switchOut: out, linkTo } = network;
    let rows = 0;
    for (let t = 0; t < S; t++) {
      if (network.switchHosts[t]!.length === 0) continue;
      this.destRow[t] = rows++;
      const dist = new Int32Array(S).fill(-1);
      const order = new Int32Array(S);
      let head = 0;
      let tail = 0;
      dist[t] = 0;
      order[tail++] = t;
      while (head < tail) {
        const v = order[head++]!;
        for (let i = outStart[v]!; i < outStart[v + 1]!; i++) {
          const u = linkTo[out[i]!]!;
          if (dist[u] === -1) {
            dist[u] = dist[v]! + 1;
            order[tail++] = u;
          }
        }
      }
      this.distance[t] = dist;
      this.order[t] = order.subarray(0, tail);
    }
    // Next hops: out-links to a neighbour one hop closer, in port order (switchOut is).
    // One pass into a buffer sized by the bound "every out-link of every switch, per
    // destination", then trimmed: cheaper than counting first and filling in a second pass.
    this.hopStart = new Int32Array(rows * S + 1);
    const hopStart = this.hopStart;
    const fill = new Int32Array(rows * out.length);
    let n = 0;
    for (let t = 0; t < S; t++) {
      const row = this.destRow[t]!;
      if (row < 0) continue;
      const dist = this.distance[t]!;
      for (let v = 0; v < S; v++) {
        const dv = dist[v]!;
        if (dv > 0) {
          for (let i = outStart[v]!; i < outStart[v + 1]!; i++) {
            const l = out[i]!;
            if (dist[linkTo[l]!] === dv - 1) fill[n++] = l;
          }
        }
        hopStart[row * S + v + 1] = n;
      }
    }
    this.hopLink = fill.slice(0, n);
    this.scratchFlow = new Float64Array(S);
    this.scratchLevel = new Int32Array(S);
    this.scratchNext = new Int32Array(S);
    this.computePrefixes();
  }

  /** The directed links from switch v towards switch t's hosts, in port order. */
  nextHopLinks(v: number, t: number): Int32Array {
    const row = this.destRow[t]!;
    if (row < 0) return new Int32Array(0);
    const at = row * this.network.switchCount + v;
    return this.hopLink.subarray(this.hopStart[at]!, this.hopStart[at + 1]!);
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
    const e = this.fabricEntryOf(s, t);
    const from = this.fabricStart[e]!;
    const to = this.fabricStart[e + 1]!;
    return {
      links: this.poolLink.subarray(from, to),
      fractions: this.poolFraction.subarray(from, to),
    };
  }

  /**
   * Adds the fabric shares of (s, t), each times `scale`, to `add(link, amount)`; the same
   * as iterating fabricShares without creating views.
   */
  forEachFabricShare(
    s: number,
    t: number,
    scale: number,
    add: (link: number, amount: number) => void,
  ): void {
    const e = this.fabricEntryOf(s, t);
    const link = this.poolLink;
    const fraction = this.poolFraction;
    for (let i = this.fabricStart[e]!; i < this.fabricStart[e + 1]!; i++)
      add(link[i]!, fraction[i]! * scale);
  }

  /**
   * Where fabricShares(s, t) lies in the pool: [from, to). Together with fabricPool() this
   * lets many users point at one copy of the shares.
   */
  fabricRange(s: number, t: number): [number, number] {
    const e = this.fabricEntryOf(s, t);
    return [this.fabricStart[e]!, this.fabricStart[e + 1]!];
  }

  /**
   * The pool all fabric shares live in. It is replaced when it grows, so take it after the
   * last fabricRange call whose result is used.
   */
  fabricPool(): { link: Int32Array; fraction: Float64Array } {
    return { link: this.poolLink, fraction: this.poolFraction };
  }

  /** Number of links in fabricShares(s, t). */
  fabricSize(s: number, t: number): number {
    const e = this.fabricEntryOf(s, t);
    return this.fabricStart[e + 1]! - this.fabricStart[e]!;
  }

  /**
   * Copies fabricShares(s, t), each fraction times `scale`, into the arrays from `at`;
   * returns the position after the last entry written.
   */
  copyFabric(
    s: number,
    t: number,
    scale: number,
    links: Int32Array,
    fractions: Float64Array,
    at: number,
  ): number {
    const e = this.fabricEntryOf(s, t);
    const link = this.poolLink;
    const fraction = this.poolFraction;
    for (let i = this.fabricStart[e]!; i < this.fabricStart[e + 1]!; i++) {
      links[at] = link[i]!;
      fractions[at++] = fraction[i]! * scale;
    }
    return at;
  }

  /** Entry of (s, t) in the pool, spreading it on first use. */
  private fabricEntryOf(s: number, t: number): number {
    const key = s * this.network.switchCount + t;
    let e = this.fabricEntry.get(key);
    if (e === undefined) {
      this.spread(s, t);
      e = this.fabricStart.length - 1;
      this.fabricStart.push(this.poolSize);
      this.fabricEntry.set(key, e);
    }
    return e;
  }

  /** Appends the shares of (s, t) to the pool: unit flow pushed level by level towards t. */
  private spread(s: number, t: number): void {
    const dist = this.distance[t];
    if (s === t || dist === undefined) return;
    if (dist[s] === -1)
      throw new Error(`no route from ${this.network.nodeName(s)} to ${this.network.nodeName(t)}`);
    const S = this.network.switchCount;
    const linkTo = this.network.linkTo;
    const hopStart = this.hopStart;
    const hopLink = this.hopLink;
    const base = this.destRow[t]! * S;
    const flow = this.scratchFlow;
    let level = this.scratchLevel;
    let next = this.scratchNext;
    // The pool in locals: this loop writes about a million entries for 10,000 switch pairs.
    let poolLink = this.poolLink;
    let poolFraction = this.poolFraction;
    let size = this.poolSize;
    let width = 1;
    level[0] = s;
    flow[s] = 1;
    for (let d = dist[s]!; d > 0; d--) {
      let nextWidth = 0;
      for (let i = 0; i < width; i++) {
        const v = level[i]!;
        const from = hopStart[base + v]!;
        const to = hopStart[base + v + 1]!;
        const share = flow[v]! / (to - from);
        flow[v] = 0;
        if (size + to - from > poolLink.length) {
          this.poolSize = size;
          this.reservePool(to - from);
          poolLink = this.poolLink;
          poolFraction = this.poolFraction;
        }
        for (let h = from; h < to; h++) {
          const l = hopLink[h]!;
          poolLink[size] = l;
          poolFraction[size++] = share;
          const u = linkTo[l]!;
          if (flow[u] === 0) next[nextWidth++] = u;
          flow[u]! += share;
        }
      }
      const done = level;
      level = next;
      next = done;
      width = nextWidth;
    }
    for (let i = 0; i < width; i++) flow[level[i]!] = 0;
    this.poolSize = size;
  }

  private reservePool(n: number): void {
    if (this.poolSize + n <= this.poolLink.length) return;
    // Each growth copies the pool, and doubling from 64k to the 1.3M entries of a large
    // workload copies five times. Instead aim at what every pair of switches with hosts
    // would take at the mean size so far (at most 8x per step): one or two copies.
    const pairs = this.fabricStart.length - 1;
    const hostSwitches = (this.hopStart.length - 1) / this.network.switchCount;
    const projected = pairs > 0 ? (this.poolSize / pairs) * hostSwitches * hostSwitches : 0;
    const length = this.poolLink.length;
    const grow = Math.ceil(
      Math.max(length * 2, Math.min(length * 8, projected), this.poolSize + n),
    );
    const link = new Int32Array(grow);
    link.set(this.poolLink.subarray(0, this.poolSize));
    const fraction = new Float64Array(grow);
    fraction.set(this.poolFraction.subarray(0, this.poolSize));
    this.poolLink = link;
    this.poolFraction = fraction;
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
        const at = this.destRow[t]! * S + v;
        const from = this.hopStart[at]!;
        const to = this.hopStart[at + 1]!;
        const share = f / (to - from);
        for (let h = from; h < to; h++) {
          const l = this.hopLink[h]!;
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

  /** Per-switch route intents, computed once. Next-hop objects are shared: do not modify. */
  tables(): SwitchRoutes[] {
    if (this.tablesCache === undefined) {
      const net = this.network;
      // Aggregated blocks of different switches never overlap (a block holds only its
      // switch's hosts), so visiting switches by first address yields sorted tables unless
      // some hosts fell back to /32s.
      const dests: number[] = [];
      for (let t = 0; t < net.switchCount; t++) if (this.prefixes[t] !== undefined) dests.push(t);
      dests.sort((a, b) => this.prefixes[a]![0]!.address - this.prefixes[b]![0]!.address);

      // Route text and each switch's own /32s, made once and shared by all switches' tables.
      const routePrefixes = new Array<{ address: number; length: number; prefix: string }[]>(
        net.switchCount,
      );
      const ownRoutes = new Array<{ address: number; prefix: string; link: number }[]>(
        net.switchCount,
      );
      for (const t of dests) {
        routePrefixes[t] = this.prefixes[t]!.map((p) => ({
          address: p.address,
          length: p.length,
          prefix: formatPrefix(p),
        }));
        const own = net.switchHosts[t]!.map((h) => ({
          address: net.hostIpv4[h]!,
          prefix: formatPrefix({ address: net.hostIpv4[h]!, length: 32 }),
          link: net.hostDownlink[h]!,
        }));
        ownRoutes[t] = own.sort((a, b) => a.address - b.address);
      }
      const hopCache = new Array<RouteAction | undefined>(net.linkCount);
      const portAction = (l: number): RouteAction => {
        let action = hopCache[l];
        if (action === undefined) {
          const from = net.linkFrom[l]!;
          const port = net.linkFromPort[l]!;
          action = {
            kind: "port",
            nextHop: {
              port,
              neighbor: net.nodeName(net.linkTo[l]!),
              smac: net.macAt(from, port),
              dmac: net.macAt(net.linkTo[l]!, net.linkToPort[l]!),
            },
          };
          hopCache[l] = action;
        }
        return action;
      };
      // Index loops over the next-hop table (no views, no iterators): this visits every
      // (switch, destination) pair, 41,000 at k=16.
      const S = net.switchCount;
      const hopStart = this.hopStart;
      const hopLink = this.hopLink;
      this.tablesCache = net.switches.map((sw, v) => {
        const routes: RouteIntent[] = [];
        const groups: EcmpGroup[] = [];
        // Groups by their first member; the few candidates are compared member by member.
        const groupsByFirst = new Map<
          number,
          { from: number; to: number; action: RouteAction }[]
        >();
        for (let d = 0; d < dests.length; d++) {
          const t = dests[d]!;
          if (t === v) {
            const own = ownRoutes[t]!;
            for (let i = 0; i < own.length; i++) {
              const r = own[i]!;
              routes.push({
                prefix: r.prefix,
                address: r.address,
                length: 32,
                action: portAction(r.link),
              });
            }
            continue;
          }
          const at = this.destRow[t]! * S + v;
          const from = hopStart[at]!;
          const to = hopStart[at + 1]!;
          if (from === to) continue;
          let action: RouteAction;
          if (to - from === 1) action = portAction(hopLink[from]!);
          else {
            const first = hopLink[from]!;
            let candidates = groupsByFirst.get(first);
            if (candidates === undefined) {
              candidates = [];
              groupsByFirst.set(first, candidates);
            }
            let found: { from: number; to: number; action: RouteAction } | undefined;
            for (let c = 0; c < candidates.length && found === undefined; c++) {
              if (sameMembers(hopLink, candidates[c]!.from, candidates[c]!.to, from, to))
                found = candidates[c];
            }
            if (found === undefined) {
              // Ids in order of first use, i.e. of the routes' addresses.
              const id = groups.length + 1;
              const members: NextHop[] = [];
              for (let h = from; h < to; h++)
                members.push((portAction(hopLink[h]!) as { nextHop: NextHop }).nextHop);
              groups.push({ id, members });
              found = { from, to, action: { kind: "group", group: id } };
              candidates.push(found);
            }
            action = found.action;
          }
          const prefixes = routePrefixes[t]!;
          for (let i = 0; i < prefixes.length; i++) {
            const p = prefixes[i]!;
            routes.push({ prefix: p.prefix, address: p.address, length: p.length, action });
          }
        }
        // Hosts routed by /32s may interleave with another switch's: then sort, and renumber
        // the groups so that ids still follow the order of first use.
        let sorted = true;
        for (let i = 1; i < routes.length && sorted; i++)
          sorted = routes[i - 1]!.address <= routes[i]!.address;
        if (!sorted) {
          routes.sort((a, b) => a.address - b.address || a.length - b.length);
          renumberGroups(routes, groups);
        }
        return { switch: sw.name, deviceId: sw.deviceId, routes, groups };
      });
    }
    return this.tablesCache;
  }
}

/** Routing for a topology (which must be valid: see checkTopology). */
export function computeRoutes(topology: Topology, options?: RoutingOptions): Routing {
  return new Routing(new Network(topology), options);
}

/** Whether links[aFrom .. aTo) and links[bFrom .. bTo) hold the same links in order. */
function sameMembers(
  links: Int32Array,
  aFrom: number,
  aTo: number,
  bFrom: number,
  bTo: number,
): boolean {
  if (aTo - aFrom !== bTo - bFrom) return false;
  for (let i = 0; i < aTo - aFrom; i++) if (links[aFrom + i] !== links[bFrom + i]) return false;
  return true;
}

function renumberGroups(routes: RouteIntent[], groups: EcmpGroup[]): void {
  const renumber = new Map<number, number>();
  for (const r of routes) {
    if (r.action.kind === "group" && !renumber.has(r.action.group))
      renumber.set(r.action.group, renumber.size + 1);
  }
  const actions = new Map<number, RouteAction>();
  for (const r of routes) {
    if (r.action.kind !== "group") continue;
    const id = renumber.get(r.action.group)!;
    let action = actions.get(id);
    if (action === undefined) {
      action = { kind: "group", group: id };
      actions.set(id, action);
    }
    r.action = action;
  }
  for (const g of groups) g.id = renumber.get(g.id)!;
  groups.sort((a, b) => a.id - b.id);
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
