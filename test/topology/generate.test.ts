import { fatTree, leafSpine } from "@netapprox/model/topology/generate.js";
import { checkTopology } from "@netapprox/model/topology/check.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";

describe("fatTree", () => {
  it.each([2, 4, 8, 16])(
    "builds the k=%i fat-tree: 5k^2/4 switches, k^3/4 hosts, k^3/2 switch links",
    (k) => {
      const t = fatTree(k);
      expect(t.switches).toHaveLength((5 * k * k) / 4);
      expect(t.hosts).toHaveLength(k ** 3 / 4);
      const switchLinks = t.links.filter((l) => l.endpoints.every((e) => e.kind === "switch"));
      expect(switchLinks).toHaveLength(k ** 3 / 2);
      expect(t.links).toHaveLength(k ** 3 / 4 + k ** 3 / 2);
      expect(checkTopology(t)).toEqual([]);
    },
  );

  it("uses every port of every switch exactly once", () => {
    const t = fatTree(4);
    const used = new Map<string, number>();
    for (const l of t.links) {
      for (const e of l.endpoints)
        if (e.kind === "switch")
          used.set(`${e.name}:${e.port}`, (used.get(`${e.name}:${e.port}`) ?? 0) + 1);
    }
    for (const s of t.switches) for (const p of s.ports) expect(used.get(`${s.name}:${p}`)).toBe(1);
  });

  it("addresses hosts 10.pod.edge.(i+2) with MACs from the address, switches from 127.0.0.1:50001", () => {
    const t = fatTree(4, { target: "tofino", grpcPortBase: 60000 });
    expect(t.hosts[0]).toEqual({
      name: "h0-0-0",
      ipv4: "10.0.0.2",
      mac: "00:00:0a:00:00:02",
      switch: "edge0-0",
      port: 1,
    });
    expect(t.hosts.at(-1)!.ipv4).toBe("10.3.1.3");
    expect(t.switches[0]).toMatchObject({
      name: "core1",
      address: "127.0.0.1:60000",
      deviceId: 1,
      target: "tofino",
      thriftPort: null,
    });
    expect(fatTree(4).switches[19]).toMatchObject({
      address: "127.0.0.1:50020",
      deviceId: 20,
      thriftPort: 9109,
    });
  });

  it.each([3, 0, 66, 4.5])("rejects k = %p", (k) => {
    expect(() => fatTree(k)).toThrow(`fat-tree k must be an even integer from 2 to 64, got ${k}`);
  });
});

describe("leafSpine", () => {
  it("connects every leaf to every spine and hangs hosts off the leaves", () => {
    const t = leafSpine(2, 4, 4, { capacity: 20e6 });
    expect(t.switches.map((s) => s.name)).toEqual([
      "spine1",
      "spine2",
      "leaf1",
      "leaf2",
      "leaf3",
      "leaf4",
    ]);
    expect(t.hosts).toHaveLength(16);
    const uplinks = t.links.filter((l) => l.endpoints.every((e) => e.kind === "switch"));
    expect(uplinks).toHaveLength(8);
    expect(uplinks.every((l) => l.capacity === 20e6)).toBe(true);
    expect(t.hosts[5]).toMatchObject({ name: "h2-2", ipv4: "10.0.2.2", switch: "leaf2", port: 2 });
    expect(checkTopology(t)).toEqual([]);
  });

  it("rejects impossible sizes", () => {
    expect(() => leafSpine(0, 4, 4)).toThrow(
      "leaf-spine spines must be an integer from 1 to 254, got 0",
    );
    expect(() => leafSpine(2, 4, 255)).toThrow(
      "leaf-spine hosts per leaf must be an integer from 1 to 254, got 255",
    );
  });
});

describe("shipped topology files", () => {
  it("topologies/fat-tree-4.yaml is the generator's k=4 fat-tree", () => {
    expect(loadTopologyFile("topologies/fat-tree-4.yaml")).toEqual(fatTree(4));
  });

  it("topologies/leaf-spine.yaml is the generator's 2 x 4 x 4 leaf-spine", () => {
    expect(loadTopologyFile("topologies/leaf-spine.yaml")).toEqual(leafSpine(2, 4, 4));
  });

  it("topologies/dumbbell.yaml has 2 switches, 4 hosts a side and one bottleneck", () => {
    const t = loadTopologyFile("topologies/dumbbell.yaml");
    expect(t.switches.map((s) => s.name)).toEqual(["s1", "s2"]);
    expect(t.hosts.filter((h) => h.switch === "s1")).toHaveLength(4);
    expect(t.hosts.filter((h) => h.switch === "s2")).toHaveLength(4);
    const core = t.links.filter((l) => l.endpoints.every((e) => e.kind === "switch"));
    expect(core).toHaveLength(1);
    expect(core[0]!.capacity).toBe(10e6);
    expect(t.switches.every((s) => s.address.startsWith("127.0.0.1:"))).toBe(true);
  });
});
