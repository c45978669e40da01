import { assertValidTopology, checkTopology } from "@netapprox/model/topology/check.js";
import { leafSpine } from "@netapprox/model/topology/generate.js";
import type { Topology } from "@netapprox/model/topology/types.js";

/** A valid 1-spine, 2-leaf, 1-host-per-leaf topology to break in each test. */
function base(): Topology {
  return structuredClone(leafSpine(1, 2, 1));
}

const messages = (t: Topology) => checkTopology(t).map((p) => `${p.path.join(".")}: ${p.message}`);

describe("checkTopology", () => {
  it("accepts a valid topology", () => {
    expect(checkTopology(base())).toEqual([]);
  });

  it("finds duplicate addresses, Thrift ports, MACs and listed ports", () => {
    const t = base();
    t.switches[1]!.address = t.switches[0]!.address;
    t.switches[2]!.thriftPort = t.switches[0]!.thriftPort;
    t.switches[2]!.ports = [1, 2, 1];
    t.hosts[1]!.mac = t.hosts[0]!.mac;
    expect(messages(t)).toEqual([
      "switches.1.address: duplicate P4Runtime address 127.0.0.1:50001 (also used by switches[0])",
      "switches.2.ports.2: port 1 is listed twice",
      "switches.2.thrift_port: duplicate Thrift port 9090 on the same host (also used by switches[0])",
      "hosts.1.mac: duplicate MAC address 00:00:0a:00:01:01 (also used by hosts[0])",
    ]);
  });

  it("checks the CPU port, TLS pairs and host attachments", () => {
    const t = base();
    t.switches[0]!.cpuPort = 1;
    t.switches[1]!.tls = { ca: null, cert: "/c.pem", key: null, serverName: null };
    t.hosts[0]!.switch = "nowhere";
    t.hosts[1]!.port = 9;
    expect(messages(t)).toEqual([
      "switches.0.cpu_port: CPU port 1 is also listed in ports; expected a port that carries no link",
      "switches.1.tls: cert and key go together (mutual TLS); expected both or neither",
      'hosts.0.switch: no switch named "nowhere"; expected one of the switches',
      "hosts.1.port: port 9 is not one of switch leaf2's ports",
      "links.0.endpoints.1: host h1-1 is attached to switch nowhere port 1 (hosts[0]), but this link joins it to switch leaf1 port 1",
      "links.2.endpoints.1: host h2-1 is attached to switch leaf2 port 9 (hosts[1]), but this link joins it to switch leaf2 port 1",
    ]);
  });

  it("refuses links between hosts, loops and a second link for a host", () => {
    const t = base();
    t.links.push({
      endpoints: [
        { kind: "host", name: "h1-1" },
        { kind: "host", name: "h2-1" },
      ],
      capacity: 1,
      buffer: 1,
      delay: null,
    });
    t.switches[0]!.ports.push(7, 8);
    t.links.push({
      endpoints: [
        { kind: "switch", name: "spine1", port: 7 },
        { kind: "switch", name: "spine1", port: 8 },
      ],
      capacity: 1,
      buffer: 1,
      delay: null,
    });
    expect(messages(t)).toEqual([
      "links.4.endpoints.0: host h1-1 already has a link (links[0]); a host has one network interface",
      "links.4.endpoints.1: host h2-1 already has a link (links[2]); a host has one network interface",
      "links.5: a link joins switch spine1 to itself",
    ]);
  });

  it("refuses a link between two hosts once", () => {
    const t = base();
    // Replace h2-1's access link by one to h1-1.
    t.links = t.links.filter((l) => !l.endpoints.some((e) => e.kind === "host"));
    t.links.push({
      endpoints: [
        { kind: "host", name: "h1-1" },
        { kind: "host", name: "h2-1" },
      ],
      capacity: 1,
      buffer: 1,
      delay: null,
    });
    expect(messages(t)).toEqual([
      "links.2: a link joins two hosts; expected hosts to connect to switches",
    ]);
  });

  it("throws a ConfigError naming the label for topologies built in code", () => {
    const t = base();
    t.switches[1]!.deviceId = 1;
    expect(() => assertValidTopology(t, "<generated>")).toThrow(
      new Error(
        "<generated>: switches[1].device_id: duplicate device id 1 (also used by switches[0]); expected a device id unique in the topology",
      ),
    );
    expect(() => assertValidTopology(base(), "<generated>")).not.toThrow();
  });
});
