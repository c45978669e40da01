import { fatTree } from "@netapprox/model/topology/generate.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import { HOST_SIDE, Network } from "@netapprox/model/topology/network.js";
import { reordered } from "./arbitrary.js";

describe("Network", () => {
  const net = new Network(loadTopologyFile("topologies/dumbbell.yaml"));

  it("splits every link into two directed links in canonical order", () => {
    expect(net.linkCount).toBe(18);
    const names = Array.from({ length: net.linkCount }, (_, l) => net.linkName(l));
    expect(names.slice(0, 5)).toEqual([
      "s1:1->h1",
      "s1:2->h2",
      "s1:3->h3",
      "s1:4->h4",
      "s1:5->s2:5",
    ]);
    expect(names.slice(10)).toEqual([
      "h1->s1:1",
      "h2->s1:2",
      "h3->s1:3",
      "h4->s1:4",
      "h5->s2:1",
      "h6->s2:2",
      "h7->s2:3",
      "h8->s2:4",
    ]);
  });

  it("indexes hosts' access links, switches' ports and switch-to-switch links", () => {
    const h5 = net.hostIndex.get("h5")!;
    expect(net.linkName(net.hostUplink[h5]!)).toBe("h5->s2:1");
    expect(net.linkName(net.hostDownlink[h5]!)).toBe("s2:1->h5");
    expect(net.linkFromPort[net.hostUplink[h5]!]).toBe(HOST_SIDE);
    const s1 = net.switchIndex.get("s1")!;
    expect(net.linkName(net.portLink[s1]!.get(5)!)).toBe("s1:5->s2:5");
    const out = Array.from(
      net.switchOut.subarray(net.switchOutStart[s1]!, net.switchOutStart[s1 + 1]!),
      (l) => net.linkName(l),
    );
    expect(out).toEqual(["s1:5->s2:5"]);
    expect(net.switchHosts[s1]!.map((h) => net.hosts[h]!.name)).toEqual(["h1", "h2", "h3", "h4"]);
    expect(net.linkCapacity[0]).toBe(10e6);
    expect(net.linkBuffer[0]).toBe(64);
  });

  it("gives switch ports derived MACs and hosts their own", () => {
    const s2 = net.switchIndex.get("s2")!;
    expect(net.macAt(s2, 5)).toBe("02:00:00:02:00:05");
    expect(net.macAt(net.switchCount + net.hostIndex.get("h1")!, HOST_SIDE)).toBe(
      "00:00:0a:00:01:01",
    );
  });

  it("numbers nodes by name and links by source and port, whatever the file order", () => {
    const t = fatTree(4);
    const a = new Network(t);
    const b = new Network(reordered(t, 7));
    expect([...b.linkFrom]).toEqual([...a.linkFrom]);
    expect([...b.linkTo]).toEqual([...a.linkTo]);
    expect([...b.linkFromPort]).toEqual([...a.linkFromPort]);
    expect(a.switches.map((s) => s.name).slice(0, 3)).toEqual(["agg0-0", "agg0-1", "agg1-0"]);
  });
});
