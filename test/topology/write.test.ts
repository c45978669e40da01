import { fatTree, leafSpine } from "@netapprox/model/topology/generate.js";
import { parseTopology } from "@netapprox/model/topology/load.js";
import type { Topology } from "@netapprox/model/topology/types.js";
import { topologyToYaml } from "@netapprox/model/topology/write.js";

describe("topologyToYaml", () => {
  it.each([
    ["fat-tree k=4", fatTree(4)],
    ["leaf-spine", leafSpine(2, 3, 2, { capacity: 1_500_000, hostCapacity: 123 })],
  ])("writes %s so that it reads back identical", (_, topology) => {
    expect(parseTopology(topologyToYaml(topology), "x.yaml")).toEqual(topology);
  });

  it("keeps optional fields: TLS, CPU port, delays, odd capacities", () => {
    const t: Topology = {
      name: null,
      switches: [
        {
          name: "a",
          address: "10.0.0.1:9559",
          deviceId: 3,
          target: "tofino",
          ports: [1, 2],
          thriftPort: null,
          cpuPort: 64,
          tls: { ca: "/pki/ca.pem", cert: "/pki/c.pem", key: "/pki/k.pem", serverName: "sw" },
        },
      ],
      hosts: [{ name: "x", ipv4: "10.1.0.1", mac: "00:00:0a:01:00:01", switch: "a", port: 1 }],
      links: [
        {
          endpoints: [
            { kind: "host", name: "x" },
            { kind: "switch", name: "a", port: 1 },
          ],
          capacity: 2_500_001,
          buffer: 7,
          delay: 0.0025,
        },
      ],
    };
    const text = topologyToYaml(t, "two lines\nof header");
    expect(text.startsWith("# two lines\n# of header\n")).toBe(true);
    expect(text).toContain("capacity: 2500001");
    expect(text).toContain("delay: 2.5ms");
    expect(parseTopology(text, "x.yaml", "/elsewhere")).toEqual(t);
  });

  it("puts each item on one line", () => {
    const lines = topologyToYaml(leafSpine(1, 1, 1)).split("\n");
    expect(lines).toContain(
      "  - {name: spine1, address: 127.0.0.1:50001, device_id: 1, target: bmv2, thrift_port: 9090, ports: [1]}",
    );
    expect(lines).toContain(
      "  - {endpoints: [{host: h1-1}, {switch: leaf1, port: 1}], capacity: 10Mbit, buffer: 64}",
    );
  });
});
