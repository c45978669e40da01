// An indexed view of a (valid) topology for routing and allocation: switches and hosts
// numbered in name order, every physical link split into two directed links, everything in
// typed arrays. The numbering depends only on names and ports, never on the order of the
// file, so that results are the same however the file is arranged.
import { parseIpv4, switchPortMac } from "./addresses.js";
import type { Host, Switch, Topology } from "./types.js";

/** `fromPort`/`toPort` value for a host's side of a link (a host has one interface). */
export const HOST_SIDE = -1;

export class Network {
  readonly switches: readonly Switch[];
  readonly hosts: readonly Host[];
  readonly switchIndex: ReadonlyMap<string, number>;
  readonly hostIndex: ReadonlyMap<string, number>;
  /** Host i's address as an unsigned number. */
  readonly hostIpv4: Uint32Array;
  /** Host i's switch. */
  readonly hostSwitch: Int32Array;
  /** Directed link host i -> its switch, and back. */
  readonly hostUplink: Int32Array;
  readonly hostDownlink: Int32Array;

  // Directed links. Nodes: switches 0..S-1, hosts S..S+H-1.
  readonly linkCount: number;
  readonly linkFrom: Int32Array;
  readonly linkTo: Int32Array;
  readonly linkFromPort: Int32Array;
  readonly linkToPort: Int32Array;
  readonly linkCapacity: Float64Array;
  readonly linkBuffer: Int32Array;
  /** Switch-to-switch out-links of switch s: switchOut[switchOutStart[s] .. [s+1]), by port. */
  readonly switchOutStart: Int32Array;
  readonly switchOut: Int32Array;
  /** Out-link of switch s at port p (p -> link), including links to hosts. */
  readonly portLink: readonly ReadonlyMap<number, number>[];
  /** Hosts attached to switch s, by port. */
  readonly switchHosts: readonly (readonly number[])[];

  constructor(readonly topology: Topology) {
    const byName = <T extends { name: string }>(items: readonly T[]) =>
      [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.switches = byName(topology.switches);
    this.hosts = byName(topology.hosts);
    const S = this.switches.length;
    this.switchIndex = new Map(this.switches.map((s, i) => [s.name, i]));
    this.hostIndex = new Map(this.hosts.map((h, i) => [h.name, i]));
    this.hostIpv4 = Uint32Array.from(this.hosts, (h) => parseIpv4(h.ipv4) ?? 0);
    this.hostSwitch = Int32Array.from(this.hosts, (h) => this.switchIndex.get(h.switch) ?? -1);

    // Directed links in a canonical order: by source node, then source port.
    interface Directed {
      from: number;
      fromPort: number;
      to: number;
      toPort: number;
      capacity: number;
      buffer: number;
    }
    const directed: Directed[] = [];
    const node = (e: Topology["links"][number]["endpoints"][number]) =>
      e.kind === "switch" ? this.switchIndex.get(e.name)! : S + this.hostIndex.get(e.name)!;
    const port = (e: Topology["links"][number]["endpoints"][number]) =>
      e.kind === "switch" ? e.port : HOST_SIDE;
    for (const link of topology.links) {
      const [a, b] = link.endpoints;
      const base = { capacity: link.capacity, buffer: link.buffer };
      directed.push({ from: node(a), fromPort: port(a), to: node(b), toPort: port(b), ...base });
      directed.push({ from: node(b), fromPort: port(b), to: node(a), toPort: port(a), ...base });
    }
    directed.sort((x, y) => x.from - y.from || x.fromPort - y.fromPort);
    const L = directed.length;
    this.linkCount = L;
    this.linkFrom = Int32Array.from(directed, (d) => d.from);
    this.linkTo = Int32Array.from(directed, (d) => d.to);
    this.linkFromPort = Int32Array.from(directed, (d) => d.fromPort);
    this.linkToPort = Int32Array.from(directed, (d) => d.toPort);
    this.linkCapacity = Float64Array.from(directed, (d) => d.capacity);
    this.linkBuffer = Int32Array.from(directed, (d) => d.buffer);

    this.hostUplink = new Int32Array(this.hosts.length).fill(-1);
    this.hostDownlink = new Int32Array(this.hosts.length).fill(-1);
    const portLink: Map<number, number>[] = this.switches.map(() => new Map());
    const switchOutCount = new Int32Array(S + 1);
    for (let l = 0; l < L; l++) {
      const from = this.linkFrom[l]!;
      const to = this.linkTo[l]!;
      if (from >= S) this.hostUplink[from - S] = l;
      else {
        portLink[from]!.set(this.linkFromPort[l]!, l);
        if (to >= S) this.hostDownlink[to - S] = l;
        else switchOutCount[from + 1]!++;
      }
    }
    this.portLink = portLink;
    // Links are sorted by source, so each switch's switch-to-switch links are contiguous
    // once host links are skipped.
    for (let s = 0; s < S; s++) switchOutCount[s + 1]! += switchOutCount[s]!;
    this.switchOutStart = switchOutCount;
    this.switchOut = new Int32Array(switchOutCount[S]!);
    const fill = switchOutCount.slice(0, S);
    for (let l = 0; l < L; l++) {
      const from = this.linkFrom[l]!;
      if (from < S && this.linkTo[l]! < S) this.switchOut[fill[from]!++] = l;
    }
    const switchHosts: number[][] = this.switches.map(() => []);
    this.hosts.forEach((_, i) => switchHosts[this.hostSwitch[i]!]!.push(i));
    for (const list of switchHosts) list.sort((a, b) => this.hosts[a]!.port - this.hosts[b]!.port);
    this.switchHosts = switchHosts;
  }

  get switchCount(): number {
    return this.switches.length;
  }

  get hostCount(): number {
    return this.hosts.length;
  }

  /** Name of node n (switch or host). */
  nodeName(n: number): string {
    const S = this.switches.length;
    return n < S ? this.switches[n]!.name : this.hosts[n - S]!.name;
  }

  isHostNode(n: number): boolean {
    return n >= this.switches.length;
  }

  /** "s1:3->s2:1", "h1->s1:1", "s1:1->h1". */
  linkName(l: number): string {
    const end = (n: number, p: number) =>
      p === HOST_SIDE ? this.nodeName(n) : `${this.nodeName(n)}:${p}`;
    return `${end(this.linkFrom[l]!, this.linkFromPort[l]!)}->${end(this.linkTo[l]!, this.linkToPort[l]!)}`;
  }

  /** MAC address of a link end: a switch port's derived MAC or the host's own. */
  macAt(node: number, port: number): string {
    const S = this.switches.length;
    return node < S
      ? switchPortMac(this.switches[node]!.deviceId, port)
      : this.hosts[node - S]!.mac;
  }
}
