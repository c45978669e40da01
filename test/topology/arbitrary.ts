// Random valid topologies for property tests: a random spanning tree of switches plus a few
// extra links (parallel links included, to exercise ECMP over them), hosts on random
// switches, capacities from a small set so that ties happen.
import fc from "fast-check";
import type { Link, Switch, Topology } from "@netapprox/model/topology/types.js";

export interface TopologyShape {
  switches: number;
  parents: number[];
  extra: [number, number][];
  hosts: number[];
  capacities: number[];
  /** All hosts in one /24, interleaved across switches (defeats route aggregation). */
  flatAddresses: boolean;
}

export const CAPACITIES = [1e6, 2e6, 5e6, 10e6];

export const topologyShape: fc.Arbitrary<TopologyShape> = fc.record({
  switches: fc.integer({ min: 1, max: 6 }),
  parents: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
  extra: fc.array(fc.tuple(fc.nat(5), fc.nat(5)), { maxLength: 4 }),
  hosts: fc.array(fc.nat(5), { minLength: 2, maxLength: 8 }),
  capacities: fc.array(fc.constantFrom(...CAPACITIES), { minLength: 20, maxLength: 20 }),
  flatAddresses: fc.boolean(),
});

export function buildTopology(shape: TopologyShape): Topology {
  const n = shape.switches;
  const nextPort = new Array<number>(n).fill(1);
  const links: Link[] = [];
  let c = 0;
  const capacity = () => shape.capacities[c++ % shape.capacities.length]!;
  const connect = (a: number, b: number) => {
    links.push({
      endpoints: [
        { kind: "switch", name: `s${a}`, port: nextPort[a]!++ },
        { kind: "switch", name: `s${b}`, port: nextPort[b]!++ },
      ],
      capacity: capacity(),
      buffer: 64,
      delay: null,
    });
  };
  for (let i = 1; i < n; i++) connect(i, shape.parents[i - 1]! % i);
  for (const [a, b] of shape.extra) if (a % n !== b % n) connect(a % n, b % n);
  const hosts = shape.hosts.map((at, i) => {
    const sw = at % n;
    const port = nextPort[sw]!++;
    links.push({
      endpoints: [
        { kind: "host", name: `h${i}` },
        { kind: "switch", name: `s${sw}`, port },
      ],
      capacity: capacity(),
      buffer: 64,
      delay: null,
    });
    return {
      name: `h${i}`,
      ipv4: shape.flatAddresses ? `10.0.0.${i + 1}` : `10.${sw}.0.${i + 1}`,
      mac: `00:00:00:00:00:${(i + 1).toString(16).padStart(2, "0")}`,
      switch: `s${sw}`,
      port,
    };
  });
  const switches: Switch[] = Array.from({ length: n }, (_, i) => ({
    name: `s${i}`,
    address: `127.0.0.1:${50001 + i}`,
    deviceId: i + 1,
    target: "bmv2",
    ports: Array.from({ length: nextPort[i]! - 1 }, (_, p) => p + 1),
    thriftPort: null,
    cpuPort: null,
    tls: null,
  }));
  return { name: "random", switches, hosts, links };
}

export const randomTopology: fc.Arbitrary<Topology> = topologyShape.map(buildTopology);

/** The same topology with its lists (and each link's endpoints) in another order. */
export function reordered(t: Topology, seed: number): Topology {
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = [...items];
    let s = seed;
    for (let i = out.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const j = s % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  return {
    name: t.name,
    switches: shuffle(t.switches),
    hosts: shuffle(t.hosts),
    links: shuffle(t.links).map((l, i) =>
      (i + seed) % 2 === 0 ? { ...l, endpoints: [l.endpoints[1], l.endpoints[0]] } : l,
    ),
  };
}
