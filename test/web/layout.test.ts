import { fatTree, leafSpine } from "@netapprox/model/topology/generate.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import { layoutTopology } from "@netapprox/controller/web/layout.js";

describe("web view layout", () => {
  it("puts hosts at the bottom and leaves above them, spines on top", () => {
    const view = layoutTopology(loadTopologyFile("topologies/leaf-spine.yaml"));
    const y = (name: string) => view.nodes.find((n) => n.name === name)!.y;
    expect(y("h1-1")).toBeGreaterThan(y("leaf1"));
    expect(y("leaf1")).toBeGreaterThan(y("spine1"));
    expect(y("leaf1")).toBe(y("leaf4"));
    expect(view.nodes.filter((n) => n.kind === "host")).toHaveLength(16);
    // Every node inside the drawing, none on top of another.
    const seen = new Set<string>();
    for (const n of view.nodes) {
      expect(n.x).toBeGreaterThan(0);
      expect(n.x).toBeLessThan(view.width);
      expect(n.y).toBeLessThan(view.height);
      expect(seen.has(`${n.x},${n.y}`)).toBe(false);
      seen.add(`${n.x},${n.y}`);
    }
  });

  it("names both directions of every link as the allocation does", () => {
    const view = layoutTopology(loadTopologyFile("topologies/dumbbell.yaml"));
    const bottleneck = view.links.find((l) => !l.hostLink)!;
    expect([bottleneck.ab, bottleneck.ba].sort()).toEqual(["s1:5->s2:5", "s2:5->s1:5"]);
    const host = view.links.find((l) => l.hostLink && (l.a === "h1" || l.b === "h1"))!;
    expect([host.ab, host.ba].sort()).toEqual(["h1->s1:1", "s1:1->h1"]);
  });

  it("lays a fat-tree k=8 out in four layers with each pod's switches together", () => {
    const topo = fatTree(8);
    const view = layoutTopology(topo);
    expect(new Set(view.nodes.map((n) => n.level))).toEqual(new Set([0, 1, 2, 3]));
    expect(view.nodes.filter((n) => n.level === 3)).toHaveLength(16); // core
    expect(view.links).toHaveLength(topo.links.length);
    // An aggregation switch sits above its own pod's edge switches, not another pod's.
    const at = new Map(view.nodes.map((n) => [n.name, n]));
    for (const l of topo.links) {
      const [p, q] = l.endpoints;
      const a = at.get(p.name)!;
      const b = at.get(q.name)!;
      if (Math.min(a.level, b.level) === 1 && Math.max(a.level, b.level) === 2)
        expect(Math.abs(a.x - b.x)).toBeLessThan(view.width / 4);
    }
  });

  it("keeps racks under their leaf in a generated leaf-spine", () => {
    const view = layoutTopology(leafSpine(2, 3, 4));
    const leaves = view.nodes.filter((n) => n.level === 1).sort((a, b) => a.x - b.x);
    const hosts = view.nodes.filter((n) => n.level === 0).sort((a, b) => a.x - b.x);
    expect(leaves).toHaveLength(3);
    expect(hosts).toHaveLength(12);
    expect(hosts[0]!.x).toBeLessThan(leaves[1]!.x);
    expect(hosts[11]!.x).toBeGreaterThan(leaves[1]!.x);
  });
});
