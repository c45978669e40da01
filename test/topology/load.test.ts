import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadTopologyFile, parseTopology } from "@netapprox/model/topology/load.js";

const DIR = "test/fixtures/topology";

describe("loadTopologyFile: valid files", () => {
  it("reads a topology with units and defaults resolved", () => {
    const t = loadTopologyFile(join(DIR, "valid-small.yaml"));
    expect(t.switches.map((s) => [s.name, s.deviceId, s.address, s.ports])).toEqual([
      ["s1", 1, "127.0.0.1:50001", [1, 2]],
      ["s2", 2, "127.0.0.1:50002", [1, 2]],
    ]);
    expect(t.hosts[0]).toEqual({
      name: "h1",
      ipv4: "10.0.1.1",
      mac: "00:00:0a:00:01:01",
      switch: "s1",
      port: 1,
    });
    expect(t.links[0]).toEqual({
      endpoints: [
        { kind: "switch", name: "s1", port: 2 },
        { kind: "switch", name: "s2", port: 2 },
      ],
      capacity: 10_000_000,
      buffer: 64,
      delay: null,
    });
  });

  it("applies link_defaults, resolves TLS paths against the file's folder, reads delays", () => {
    const t = parseTopology(
      `link_defaults: {capacity: 20Mbit, buffer: 32, delay: 2ms}
switches:
  - {name: a, address: "10.1.1.1:9559", device_id: 7, target: tofino, ports: [1, 2], cpu_port: 192,
     tls: {ca: ca.pem, cert: /etc/c.pem, key: k.pem, server_name: sw-a}}
  - {name: b, address: "10.1.1.2:9559", device_id: 8, target: tofino, ports: [1, 2]}
hosts:
  - {name: x, ipv4: 10.0.0.1, mac: "AA:BB:CC:00:00:01", switch: a, port: 1}
  - {name: y, ipv4: 10.0.0.2, mac: "aa:bb:cc:00:00:02", switch: b, port: 1}
links:
  - {endpoints: [{switch: a, port: 2}, {switch: b, port: 2}], capacity: 1G, delay: 0.5}
  - {endpoints: [{switch: a, port: 1}, {host: x}]}
  - {endpoints: [{host: y}, {switch: b, port: 1}], buffer: 100}
`,
      "inline.yaml",
      "/srv/net",
    );
    expect(t.switches[0]!.tls).toEqual({
      ca: "/srv/net/ca.pem",
      cert: "/etc/c.pem",
      key: "/srv/net/k.pem",
      serverName: "sw-a",
    });
    expect(t.switches[0]!.cpuPort).toBe(192);
    expect(t.hosts[0]!.mac).toBe("aa:bb:cc:00:00:01");
    expect(t.links.map((l) => [l.capacity, l.buffer, l.delay])).toEqual([
      [1e9, 32, 0.5],
      [20e6, 32, 0.002],
      [20e6, 100, 0.002],
    ]);
  });

  it.each(["dumbbell.yaml", "leaf-spine.yaml", "fat-tree-4.yaml"])(
    "accepts the shipped topologies/%s",
    (file) => {
      expect(() => loadTopologyFile(join("topologies", file))).not.toThrow();
    },
  );
});

// Each malformed file with the exact report expected for it.
const MALFORMED: [string, string][] = [
  [
    "address-port-too-big.yaml",
    '9:14: switches[1].address: expected a TCP port from 1 to 65535 after the colon, got "127.0.0.1:70000"',
  ],
  [
    "address-without-port.yaml",
    '9:14: switches[1].address: expected a P4Runtime address host:port such as "127.0.0.1:50001", got "127.0.0.1"',
  ],
  [
    "bad-ipv4.yaml",
    '15:22: hosts[1].ipv4: expected an IPv4 address such as 10.0.1.1, got "10.0.2.256"',
  ],
  [
    "bad-mac.yaml",
    '15:37: hosts[1].mac: expected a MAC address such as "00:00:0a:00:01:01", got "00:0a:00:02:01"',
  ],
  [
    "capacity-bytes.yaml",
    '18:15: links[0].capacity: expected a positive bit rate with its unit such as "10Mbit", "500k" or "1G" (a bare number has no unit), got "10 MB"',
  ],
  [
    "capacity-zero.yaml",
    '18:15: links[0].capacity: expected a positive bit rate with its unit such as "10Mbit" or "1G", got "0Mbit"',
  ],
  [
    "device-id-zero.yaml",
    "10:16: switches[1].device_id: expected a device id from 1 to 16777215, got 0",
  ],
  [
    "disconnected.yaml",
    "17:3: links: the network is not connected: h2, s2 cannot be reached from s1; expected every switch and host to be reachable",
  ],
  [
    "duplicate-device-id.yaml",
    "10:16: switches[1].device_id: duplicate device id 1 (also used by switches[0]); expected a device id unique in the topology",
  ],
  [
    "duplicate-ipv4.yaml",
    "15:22: hosts[1].ipv4: duplicate address 10.0.1.1 (also used by hosts[0])",
  ],
  [
    "duplicate-key.yaml",
    "11:5: switches[1].device_id: invalid YAML: a key appears twice in the same mapping",
  ],
  ["empty.yaml", "1: the file is empty; expected a topology with switches, hosts and links"],
  [
    "endpoint-switch-and-host.yaml",
    "19:18: links[1].endpoints[0]: names both a switch and a host; expected {switch: <name>, port: <number>} or {host: <name>}",
  ],
  [
    "host-link-mismatch.yaml",
    "19:30: links[1].endpoints[1]: host h1 is attached to switch s1 port 1 (hosts[0]), but this link joins it to switch s1 port 2\nFILE:19:30: links[1].endpoints[1]: port 2 of switch s1 is already used by links[0]",
  ],
  [
    "host-without-link.yaml",
    "15:5: hosts[1]: host h2 has no link; expected a link joining it to switch s2 port 1",
  ],
  [
    "link-port-not-on-switch.yaml",
    "17:59: links[0].endpoints[1].port: port 7 is not one of switch s2's ports",
  ],
  ["link-unknown-switch.yaml", '17:49: links[0].endpoints[1].switch: no switch named "s3"'],
  ["missing-links.yaml", "2:1: links: missing; expected a list of links"],
  ["misspelt-property.yaml", '18:5: links[0].capcity: unknown property; did you mean "capacity"?'],
  [
    "name-shared-by-host.yaml",
    '15:12: hosts[1].name: duplicate name "s1" (also used by switches[0]); switch and host names must be unique',
  ],
  [
    "no-capacity.yaml",
    '20:5: links[2].capacity: missing, and link_defaults has no capacity; expected a positive bit rate with its unit such as "10Mbit" or "1G"',
  ],
  [
    "port-used-twice.yaml",
    "21:18: links[3].endpoints[0]: port 2 of switch s1 is already used by links[0]\nFILE:21:41: links[3].endpoints[1]: port 1 of switch s2 is already used by hosts[1] (h2)",
  ],
  [
    "switches-not-a-list.yaml",
    "3:3: switches: expected a non-empty list of switches, got a mapping",
  ],
  [
    "three-endpoints.yaml",
    "17:16: links[0].endpoints: expected a list of exactly two endpoints, got a list of 3 items",
  ],
  [
    "thrift-on-tofino.yaml",
    "7:18: switches[0].thrift_port: thrift_port applies to bmv2 switches only, this switch's target is tofino",
  ],
  [
    "unclosed-flow.yaml",
    "8:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
  ],
  ["unknown-target.yaml", '6:13: switches[0].target: expected "bmv2" or "tofino", got "p4sim"'],
];

describe("loadTopologyFile: capacities", () => {
  const text = (capacity: string) =>
    readFileSync("test/fixtures/topology/valid-small.yaml", "utf8").replace(
      /capacity: \S+/,
      `capacity: ${capacity}`,
    );
  it("refuses a capacity without a unit: 10 would silently give every job nothing", () => {
    expect(() => parseTopology(text("10"), "t.yaml")).toThrow(
      'links[0].capacity: expected a positive bit rate with its unit such as "10Mbit", "500k" or "1G" (a bare number has no unit), got 10',
    );
  });
  it("refuses a capacity faster than any link", () => {
    expect(() => parseTopology(text("99999999999999999999999Tbit"), "t.yaml")).toThrow(
      "links[0].capacity: expected a positive bit rate with its unit: 99999999999999999999999Tbit is above 10 Tbit/s, faster than any link",
    );
    expect(parseTopology(text("10Tbit"), "t.yaml").links[0]!.capacity).toBe(10e12);
  });
});

describe("loadTopologyFile: malformed files", () => {
  it.each(MALFORMED)("%s", (name, expected) => {
    const file = join(DIR, name);
    expect(() => loadTopologyFile(file)).toThrow(
      new Error(`${file}:${expected.replaceAll("FILE", file)}`),
    );
  });

  it("reports every problem of a file, in line order", () => {
    expect(() =>
      parseTopology(
        `switches:
  - {name: s1, address: "a:1", device_id: 0, target: bmv2, ports: []}
hosts: []
links:
  - {endpoints: [{switch: s1, port: 1}], capacity: fast}
`,
        "many.yaml",
      ),
    ).toThrow(
      new Error(
        [
          "many.yaml:2:43: switches[0].device_id: expected a device id from 1 to 16777215, got 0",
          "many.yaml:2:67: switches[0].ports: expected a non-empty list of port numbers, got a list of 0 items",
          "many.yaml:5:17: links[0].endpoints: expected a list of exactly two endpoints, got a list of 1 item",
          'many.yaml:5:52: links[0].capacity: expected a positive bit rate with its unit such as "10Mbit", "500k" or "1G" (a bare number has no unit), got "fast"',
        ].join("\n"),
      ),
    );
  });
});
