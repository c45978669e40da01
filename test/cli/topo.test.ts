import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { fatTree, leafSpine } from "@netapprox/model/topology/generate.js";
import { loadTopologyFile, parseTopology } from "@netapprox/model/topology/load.js";

describe("netapprox topo gen", () => {
  it("writes a fat-tree file that loads as the generator's topology", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netapprox-topo-"));
    try {
      const file = join(dir, "ft.yaml");
      const { code, err } = await cli("topo", "gen", "fat-tree", "--k", "4", "--out", file);
      expect(code).toBe(0);
      expect(err).toBe(`wrote ${file}: 20 switches, 16 hosts, 48 links`);
      expect(loadTopologyFile(file)).toEqual(fatTree(4));
      expect(readFileSync(file, "utf8").split("\n")[0]).toBe(
        "# fat-tree k=4: 20 switches, 16 hosts.",
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("prints a leaf-spine with the options applied", async () => {
    const { code, out } = await cli(
      "topo",
      "gen",
      "leaf-spine",
      "--spines",
      "2",
      "--leaves",
      "3",
      "--hosts-per-leaf",
      "2",
      "--capacity",
      "20Mbit",
      "--target",
      "tofino",
      "--grpc-port",
      "9559",
    );
    expect(code).toBe(0);
    expect(parseTopology(out, "stdout")).toEqual(
      leafSpine(2, 3, 2, { capacity: 20e6, target: "tofino", grpcPortBase: 9559 }),
    );
  });

  it.each([
    [
      ["topo", "gen", "fat-tree", "--k", "5"],
      "netapprox topo: fat-tree k must be an even integer from 2 to 64, got 5",
    ],
    [["topo", "gen", "fat-tree"], "netapprox topo: --k is required"],
    [
      ["topo", "gen", "fat-tree", "--k", "four"],
      'netapprox topo: --k: expected an integer >= 2, got "four"',
    ],
    [
      ["topo", "gen", "ring"],
      'netapprox topo: unknown topology kind "ring"; expected fat-tree or leaf-spine',
    ],
    [
      ["topo", "gen", "fat-tree", "--k", "4", "--capacity", "fast"],
      'netapprox topo: --capacity: expected a bit rate such as 10Mbit or 1G, got "fast"',
    ],
    [
      ["topo", "frobnicate"],
      'netapprox topo: unknown subcommand "frobnicate"; expected gen, check, routes or paths',
    ],
  ])("rejects %j", async (argv, message) => {
    const { code, err } = await cli(...argv);
    expect(code).toBe(2);
    expect(err).toBe(message);
  });
});

describe("netapprox topo check, routes, paths", () => {
  it("summarises a valid file and reports a broken one", async () => {
    expect((await cli("topo", "check", "topologies/leaf-spine.yaml")).out).toBe(
      "topologies/leaf-spine.yaml: valid: 6 switches (bmv2), 16 hosts, 24 links (8 between switches)",
    );
    const bad = await cli("topo", "check", "test/fixtures/topology/disconnected.yaml");
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(
      "netapprox topo: test/fixtures/topology/disconnected.yaml:17:3: links: the network is not connected: h2, s2 cannot be reached from s1; expected every switch and host to be reachable",
    );
  });

  it("prints a switch's routes and groups, or all of them as JSON", async () => {
    const { out } = await cli("topo", "routes", "topologies/leaf-spine.yaml", "--switch", "leaf1");
    expect(out.split("\n")).toEqual([
      "leaf1 (device 3):",
      "prefix       next hop",
      "-----------  ---------------------------------------",
      "10.0.1.1/32  port 1 -> h1-1 (dmac 00:00:0a:00:01:01)",
      "10.0.1.2/32  port 2 -> h1-2 (dmac 00:00:0a:00:01:02)",
      "10.0.1.3/32  port 3 -> h1-3 (dmac 00:00:0a:00:01:03)",
      "10.0.1.4/32  port 4 -> h1-4 (dmac 00:00:0a:00:01:04)",
      "10.0.2.0/29  group 1",
      "10.0.3.0/29  group 1",
      "10.0.4.0/29  group 1",
      "  group 1: port 5 -> spine1, port 6 -> spine2",
    ]);
    const json = JSON.parse(
      (await cli("topo", "routes", "topologies/dumbbell.yaml", "--json")).out,
    ) as { switch: string }[];
    expect(json.map((t) => t.switch)).toEqual(["s1", "s2"]);
    expect((await cli("topo", "routes", "topologies/dumbbell.yaml", "--switch", "s9")).err).toBe(
      'netapprox topo: no switch named "s9"',
    );
  });

  it("prints the ECMP paths between two hosts with their shares", async () => {
    const { out } = await cli(
      "topo",
      "paths",
      "topologies/fat-tree-4.yaml",
      "--src",
      "h0-0-0",
      "--dst",
      "h0-1-0",
    );
    expect(out.split("\n")).toEqual([
      "2 shortest path(s) from h0-0-0 to h0-1-0:",
      " share  path",
      "------  --------------------------------------------------",
      "50.00%  h0-0-0 > edge0-0:3 > agg0-0:2 > edge0-1:1 > h0-1-0",
      "50.00%  h0-0-0 > edge0-0:4 > agg0-1:2 > edge0-1:1 > h0-1-0",
    ]);
    expect(
      (await cli("topo", "paths", "topologies/fat-tree-4.yaml", "--src", "h0-0-0", "--dst", "nope"))
        .err,
    ).toBe('netapprox topo: --dst: no host named "nope"');
  });
});
