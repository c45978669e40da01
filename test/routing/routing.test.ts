import fc from "fast-check";
import { parseIpv4, switchPortMac } from "@netapprox/model/topology/addresses.js";
import {
  computeRoutes,
  type Routing,
  type SwitchRoutes,
} from "@netapprox/model/routing/routing.js";
import { fatTree, leafSpine } from "@netapprox/model/topology/generate.js";
import type { Topology } from "@netapprox/model/topology/types.js";
import { randomTopology, reordered } from "../topology/arbitrary.js";

function hostIndex(r: Routing, name: string): number {
  return r.network.hostIndex.get(name)!;
}

describe("routing on a fat-tree", () => {
  const k = 4;
  const routing = computeRoutes(fatTree(k));

  it("finds 1 path within an edge switch, k/2 within a pod, (k/2)^2 across pods, split evenly", () => {
    const count = (a: string, b: string) =>
      routing.paths(hostIndex(routing, a), hostIndex(routing, b));
    expect(count("h0-0-0", "h0-0-1").map((p) => p.fraction)).toEqual([1]);
    expect(count("h0-0-0", "h0-1-0").map((p) => p.fraction)).toEqual([0.5, 0.5]);
    expect(count("h0-0-0", "h3-1-1").map((p) => p.fraction)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(count("h0-0-0", "h3-1-1").every((p) => p.links.length === 6)).toBe(true);
  });

  it("counts (k/2)^2 paths between pods for k = 8", () => {
    const r8 = computeRoutes(fatTree(8));
    const paths = r8.paths(hostIndex(r8, "h0-0-0"), hostIndex(r8, "h7-3-3"));
    expect(paths).toHaveLength(16);
    expect(new Set(paths.map((p) => p.links.join(","))).size).toBe(16);
  });

  const table = (name: string): SwitchRoutes => routing.tables().find((t) => t.switch === name)!;

  it("gives edge switches one ECMP group of k/2 uplinks and /32s for their own hosts", () => {
    const edge = table("edge0-0");
    expect(edge.groups).toHaveLength(1);
    expect(edge.groups[0]!.members.map((m) => [m.port, m.neighbor])).toEqual([
      [3, "agg0-0"],
      [4, "agg0-1"],
    ]);
    // 2 own hosts, then one aggregate per other edge switch (7), all through the group.
    expect(edge.routes.map((r) => r.prefix)).toEqual([
      "10.0.0.2/32",
      "10.0.0.3/32",
      "10.0.1.2/31",
      "10.1.0.2/31",
      "10.1.1.2/31",
      "10.2.0.2/31",
      "10.2.1.2/31",
      "10.3.0.2/31",
      "10.3.1.2/31",
    ]);
    expect(
      edge.routes.slice(2).every((r) => r.action.kind === "group" && r.action.group === 1),
    ).toBe(true);
    const own = edge.routes[0]!.action;
    expect(own).toEqual({
      kind: "port",
      nextHop: {
        port: 1,
        neighbor: "h0-0-0",
        smac: switchPortMac(7, 1),
        dmac: "00:00:0a:00:00:02",
      },
    });
  });

  it("routes aggregation switches down directly and up through a group of k/2 cores", () => {
    const agg = table("agg0-0");
    const down = agg.routes.filter((r) => r.action.kind === "port").map((r) => r.prefix);
    expect(down).toEqual(["10.0.0.2/31", "10.0.1.2/31"]);
    expect(agg.groups.map((g) => g.members.map((m) => m.neighbor))).toEqual([["core1", "core2"]]);
  });

  it("routes core switches to each pod through one port", () => {
    const core = table("core1");
    expect(core.groups).toEqual([]);
    const ports = new Map(
      core.routes.map((r) => [r.prefix, r.action.kind === "port" ? r.action.nextHop.port : -1]),
    );
    expect(ports.get("10.0.0.2/31")).toBe(1);
    expect(ports.get("10.3.1.2/31")).toBe(4);
  });

  it("sets next-hop MACs to the neighbour's port", () => {
    const hop = table("edge0-0").groups[0]!.members[0]!;
    expect(hop.smac).toBe(switchPortMac(7, 3));
    // agg0-0 is device 5; edge0-0 is on its port 1.
    expect(hop.dmac).toBe(switchPortMac(5, 1));
  });
});

describe("route aggregation", () => {
  it("falls back to /32s when another switch's host sits inside the block", () => {
    const t = leafSpine(1, 2, 2);
    // leaf1's hosts 10.0.1.1-2; put one of leaf2's hosts between them.
    t.hosts[0]!.ipv4 = "10.0.1.0";
    t.hosts[1]!.ipv4 = "10.0.1.3";
    t.hosts[2]!.ipv4 = "10.0.1.1";
    const tables = computeRoutes(t).tables();
    const spine = tables.find((s) => s.switch === "spine1")!;
    expect(spine.routes.map((r) => r.prefix)).toEqual([
      "10.0.1.0/32",
      "10.0.1.1/32",
      "10.0.1.3/32",
      "10.0.2.2/32",
    ]);
    const aggregated = computeRoutes(leafSpine(1, 2, 2))
      .tables()
      .find((s) => s.switch === "spine1")!;
    expect(aggregated.routes.map((r) => r.prefix)).toEqual(["10.0.1.0/30", "10.0.2.0/30"]);
    const plain = computeRoutes(leafSpine(1, 2, 2), { aggregate: false }).tables();
    expect(plain.find((s) => s.switch === "spine1")!.routes).toHaveLength(4);
  });
});

/** Longest-prefix match in a route table. */
function lookup(table: SwitchRoutes, address: number) {
  let best: SwitchRoutes["routes"][number] | undefined;
  for (const r of table.routes) {
    const size = 2 ** (32 - r.length);
    if (
      address >= r.address &&
      address < r.address + size &&
      (best === undefined || r.length > best.length)
    ) {
      best = r;
    }
  }
  return best;
}

/**
 * Forwards a packet through the route tables along every ECMP branch; returns the hop
 * counts of all walks that reach the host, or throws on a loop or a dead end.
 */
function forward(topology: Topology, tables: SwitchRoutes[], from: string, dst: string): number[] {
  const host = topology.hosts.find((h) => h.name === dst)!;
  const address = parseIpv4(host.ipv4)!;
  const byName = new Map(tables.map((t) => [t.switch, t]));
  const peer = new Map<string, string>();
  for (const l of topology.links) {
    const [a, b] = l.endpoints;
    const key = (e: typeof a) => (e.kind === "switch" ? `${e.name}:${e.port}` : e.name);
    peer.set(key(a), b.kind === "switch" ? b.name : `host:${b.name}`);
    peer.set(key(b), a.kind === "switch" ? a.name : `host:${a.name}`);
  }
  const hops: number[] = [];
  const walk = (sw: string, depth: number) => {
    if (depth > tables.length) throw new Error(`loop towards ${dst}`);
    const table = byName.get(sw)!;
    const route = lookup(table, address);
    if (route === undefined) throw new Error(`${sw} has no route to ${dst}`);
    const members =
      route.action.kind === "port"
        ? [route.action.nextHop]
        : table.groups.find((g) => g.id === (route.action as { group: number }).group)!.members;
    for (const m of members) {
      const next = peer.get(`${sw}:${m.port}`)!;
      if (next.startsWith("host:")) {
        if (next !== `host:${dst}`) throw new Error(`delivered to ${next} instead of ${dst}`);
        if (m.dmac !== host.mac) throw new Error("wrong destination MAC on the last hop");
        hops.push(depth + 1);
      } else walk(next, depth + 1);
    }
  };
  walk(from, 0);
  return hops;
}

describe("routing properties on random topologies", () => {
  it("delivers every host pair along shortest paths only, through every ECMP branch", () => {
    fc.assert(
      fc.property(randomTopology, (t) => {
        const routing = computeRoutes(t);
        const net = routing.network;
        const tables = routing.tables();
        for (const src of net.hosts) {
          for (const dst of net.hosts) {
            if (src === dst) continue;
            const s = net.switchIndex.get(src.switch)!;
            const d = net.switchIndex.get(dst.switch)!;
            const hops = forward(t, tables, src.switch, dst.name);
            const shortest = routing.hops(s, d) + 1;
            expect(hops.every((h) => h === shortest)).toBe(true);
            expect(hops.length).toBe(
              routing.paths(net.hostIndex.get(src.name)!, net.hostIndex.get(dst.name)!).length,
            );
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("splits each pair's traffic into fractions that sum to 1 and agree with linkShares", () => {
    fc.assert(
      fc.property(randomTopology, (t) => {
        const routing = computeRoutes(t);
        const H = routing.network.hostCount;
        for (let a = 0; a < H; a++) {
          for (let b = 0; b < H; b++) {
            if (a === b) continue;
            const paths = routing.paths(a, b);
            expect(paths.reduce((sum, p) => sum + p.fraction, 0)).toBeCloseTo(1, 12);
            const perLink = new Map<number, number>();
            for (const p of paths)
              for (const l of p.links) perLink.set(l, (perLink.get(l) ?? 0) + p.fraction);
            const shares = routing.linkShares(a, b);
            expect(shares.links.length).toBe(perLink.size);
            shares.links.forEach((l, i) =>
              expect(shares.fractions[i]).toBeCloseTo(perLink.get(l)!, 12),
            );
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("routes a demand matrix like the sum of its pairs' link shares", () => {
    fc.assert(
      fc.property(
        randomTopology,
        fc.array(fc.nat(1000), { minLength: 36, maxLength: 36 }),
        (t, amounts) => {
          const routing = computeRoutes(t);
          const S = routing.network.switchCount;
          const matrix = new Float64Array(S * S);
          const expected = new Float64Array(routing.network.linkCount);
          for (let s = 0; s < S; s++) {
            for (let d = 0; d < S; d++) {
              if (s === d || routing.network.switchHosts[d]!.length === 0) continue;
              const amount = amounts[s * 6 + d]!;
              matrix[s * S + d] = amount;
              const f = routing.fabricShares(s, d);
              f.links.forEach((l, i) => (expected[l]! += amount * f.fractions[i]!));
            }
          }
          const load = routing.routeMatrix(matrix);
          load.forEach((v, l) => expect(v).toBeCloseTo(expected[l]!, 6));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("gives the same tables however the topology file is ordered", () => {
    fc.assert(
      fc.property(randomTopology, fc.nat(1000), (t, seed) => {
        const a = computeRoutes(t).tables();
        const b = computeRoutes(reordered(t, seed)).tables();
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }),
      { numRuns: 40 },
    );
  });
});
