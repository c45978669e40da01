// Generated topologies: the k-ary fat-tree (Al-Fares et al.) and a two-tier leaf-spine.
// Addresses follow one scheme so that generated files work with Mininet on one machine:
// P4Runtime on 127.0.0.1 from port 50001, BMv2 Thrift from 9090, hosts in 10.0.0.0/8
// with MACs derived from their addresses.
import { hostMacFromIpv4, parseIpv4 } from "./addresses.js";
import type { Host, Link, Switch, Target, Topology } from "./types.js";
import { DEFAULT_BUFFER_PACKETS } from "./types.js";

export interface GeneratorOptions {
  /** Switch-to-switch capacity, bit/s. */
  capacity: number;
  /** Host access link capacity, bit/s. */
  hostCapacity: number;
  buffer: number;
  target: Target;
  grpcPortBase: number;
  thriftPortBase: number;
}

/** Small enough for BMv2 on Mininet. */
export const DEFAULT_GENERATOR_OPTIONS: GeneratorOptions = {
  capacity: 10_000_000,
  hostCapacity: 10_000_000,
  buffer: DEFAULT_BUFFER_PACKETS,
  target: "bmv2",
  grpcPortBase: 50001,
  thriftPortBase: 9090,
};

export const MAX_FAT_TREE_K = 64;

class Builder {
  readonly switches: Switch[] = [];
  readonly hosts: Host[] = [];
  readonly links: Link[] = [];

  constructor(private readonly options: GeneratorOptions) {}

  addSwitch(name: string, portCount: number): void {
    const i = this.switches.length;
    this.switches.push({
      name,
      address: `127.0.0.1:${this.options.grpcPortBase + i}`,
      deviceId: i + 1,
      target: this.options.target,
      ports: Array.from({ length: portCount }, (_, p) => p + 1),
      thriftPort: this.options.target === "bmv2" ? this.options.thriftPortBase + i : null,
      cpuPort: null,
      tls: null,
    });
  }

  addHost(name: string, ipv4: string, sw: string, port: number): void {
    this.hosts.push({ name, ipv4, mac: hostMacFromIpv4(parseIpv4(ipv4)!), switch: sw, port });
    this.links.push({
      endpoints: [
        { kind: "host", name },
        { kind: "switch", name: sw, port },
      ],
      capacity: this.options.hostCapacity,
      buffer: this.options.buffer,
      delay: null,
    });
  }

  connect(a: string, aPort: number, b: string, bPort: number): void {
    this.links.push({
      endpoints: [
        { kind: "switch", name: a, port: aPort },
        { kind: "switch", name: b, port: bPort },
      ],
      capacity: this.options.capacity,
      buffer: this.options.buffer,
      delay: null,
    });
  }

  build(name: string): Topology {
    return { name, switches: this.switches, hosts: this.hosts, links: this.links };
  }
}

/**
 * k-ary fat-tree: k pods of k/2 edge and k/2 aggregation switches, (k/2)^2 core switches,
 * k^3/4 hosts. Edge ports 1..k/2 face hosts and k/2+1..k face aggregation switches;
 * aggregation ports 1..k/2 face edges, the rest cores; core port p faces pod p-1.
 * Host i of edge e in pod p is 10.p.e.(i+2).
 */
export function fatTree(k: number, options: Partial<GeneratorOptions> = {}): Topology {
  if (!Number.isInteger(k) || k < 2 || k % 2 !== 0 || k > MAX_FAT_TREE_K) {
    throw new RangeError(
      `fat-tree k must be an even integer from 2 to ${MAX_FAT_TREE_K}, got ${k}`,
    );
  }
  const half = k / 2;
  const b = new Builder({ ...DEFAULT_GENERATOR_OPTIONS, ...options });
  const core = (i: number, j: number) => `core${i * half + j + 1}`;
  const agg = (pod: number, i: number) => `agg${pod}-${i}`;
  const edge = (pod: number, i: number) => `edge${pod}-${i}`;
  for (let i = 0; i < half; i++) for (let j = 0; j < half; j++) b.addSwitch(core(i, j), k);
  for (let pod = 0; pod < k; pod++) {
    for (let i = 0; i < half; i++) b.addSwitch(agg(pod, i), k);
    for (let i = 0; i < half; i++) b.addSwitch(edge(pod, i), k);
  }
  for (let pod = 0; pod < k; pod++) {
    for (let e = 0; e < half; e++) {
      for (let h = 0; h < half; h++) {
        b.addHost(`h${pod}-${e}-${h}`, `10.${pod}.${e}.${h + 2}`, edge(pod, e), h + 1);
      }
      for (let a = 0; a < half; a++) b.connect(edge(pod, e), half + a + 1, agg(pod, a), e + 1);
    }
    // Aggregation switch a reaches cores a*half .. a*half+half-1.
    for (let a = 0; a < half; a++) {
      for (let c = 0; c < half; c++) b.connect(agg(pod, a), half + c + 1, core(a, c), pod + 1);
    }
  }
  return b.build(`fat-tree-${k}`);
}

/**
 * Leaf-spine: every leaf connects to every spine once. Leaf ports 1..hostsPerLeaf face
 * hosts, the next ones spines in order; spine port l faces leaf l. Host h of leaf l is
 * 10.0.l.h (both from 1).
 */
export function leafSpine(
  spines: number,
  leaves: number,
  hostsPerLeaf: number,
  options: Partial<GeneratorOptions> = {},
): Topology {
  const check = (name: string, value: number, max: number) => {
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new RangeError(`leaf-spine ${name} must be an integer from 1 to ${max}, got ${value}`);
    }
  };
  check("spines", spines, 254);
  check("leaves", leaves, 254);
  check("hosts per leaf", hostsPerLeaf, 254);
  if (hostsPerLeaf + spines > 510) {
    throw new RangeError("leaf-spine: hosts per leaf plus spines must fit in 510 leaf ports");
  }
  const b = new Builder({ ...DEFAULT_GENERATOR_OPTIONS, ...options });
  for (let s = 1; s <= spines; s++) b.addSwitch(`spine${s}`, leaves);
  for (let l = 1; l <= leaves; l++) b.addSwitch(`leaf${l}`, hostsPerLeaf + spines);
  for (let l = 1; l <= leaves; l++) {
    for (let h = 1; h <= hostsPerLeaf; h++)
      b.addHost(`h${l}-${h}`, `10.0.${l}.${h}`, `leaf${l}`, h);
    for (let s = 1; s <= spines; s++) b.connect(`leaf${l}`, hostsPerLeaf + s, `spine${s}`, l);
  }
  return b.build(`leaf-spine-${spines}x${leaves}x${hostsPerLeaf}`);
}
