import { ExactLoad } from "@netapprox/model/allocation/demand.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import { fatTree } from "@netapprox/model/topology/generate.js";

describe("ExactLoad", () => {
  const routing = computeRoutes(fatTree(4));
  const net = routing.network;
  const host = (n: string) => net.hostIndex.get(n)!;
  const load = (flows: [string, string, number][], measured?: Map<string, number>) => {
    const e = new ExactLoad(routing);
    for (const [a, b, r] of flows) e.add(host(a), host(b), r);
    const result = e.linkLoad(measured);
    return (name: string) =>
      result[Array.from({ length: net.linkCount }, (_, l) => net.linkName(l)).indexOf(name)]!;
  };

  it("puts a flow whole on its access links and splits it evenly at each ECMP hop", () => {
    const at = load([["h0-0-0", "h3-1-1", 8e6]]);
    expect(at("h0-0-0->edge0-0:1")).toBe(8e6);
    expect(at("edge3-1:2->h3-1-1")).toBe(8e6);
    // Two uplinks from the edge, then two cores per aggregation switch: 1/2 then 1/4.
    expect(at("edge0-0:3->agg0-0:1")).toBe(4e6);
    expect(at("edge0-0:4->agg0-1:1")).toBe(4e6);
    expect(at("agg0-0:3->core1:1")).toBe(2e6);
    expect(at("core4:4->agg3-1:4")).toBe(2e6);
    // Down to the destination edge: each aggregation switch carries half.
    expect(at("agg3-0:2->edge3-1:3")).toBe(4e6);
  });

  it("keeps traffic between hosts of one switch off the fabric", () => {
    const at = load([["h0-0-0", "h0-0-1", 1e6]]);
    expect(at("edge0-0:3->agg0-0:1")).toBe(0);
    expect(at("edge0-0:2->h0-0-1")).toBe(1e6);
  });

  it("sums flows exactly whatever their order", () => {
    const flows: [string, string, number][] = [
      ["h0-0-0", "h3-1-1", 1_000_001],
      ["h0-0-1", "h3-1-0", 333_333],
      ["h1-0-0", "h3-1-1", 2_500_000.4],
    ];
    const a = load(flows);
    const b = load([...flows].reverse());
    for (const name of ["agg0-0:3->core1:1", "edge3-1:2->h3-1-1", "core1:4->agg3-0:3"])
      expect(b(name)).toBe(a(name));
    // Rates are whole bit/s.
    expect(a("h1-0-0->edge1-0:1")).toBe(2_500_000);
  });

  it("replaces declared loads by measured ones", () => {
    const at = load([["h0-0-0", "h3-1-1", 8e6]], new Map([["edge0-0:3", 123]]));
    expect(at("edge0-0:3->agg0-0:1")).toBe(123);
    expect(at("edge0-0:4->agg0-1:1")).toBe(4e6);
    expect(() => load([], new Map([["edge0-0:99", 1]]))).toThrow(
      'measured load for unknown port "edge0-0:99"',
    );
  });
});
