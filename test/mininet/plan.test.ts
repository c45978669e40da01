import { loadTopologyFile, parseTopology } from "@netapprox/model/topology/load.js";
import { MAX_INTERFACE_NAME, interfaceName } from "@netapprox/model/topology/interface-names.js";
import { PLAN_FORMAT, PlanError, buildLaunchPlan } from "@netapprox/lab/mininet/plan.js";

const dumbbell = loadTopologyFile("topologies/dumbbell.yaml");
const leafSpine = loadTopologyFile("topologies/leaf-spine.yaml");
const options = { topologyFile: "t.yaml", runDir: "/tmp/run" };

function topology(switches: string, extraHost = "") {
  return parseTopology(
    `
switches:
${switches}
hosts:
  - {name: h1, ipv4: 10.0.0.1, mac: "00:00:00:00:00:01", switch: a, port: 1}
  - {name: h2, ipv4: 10.0.0.2, mac: "00:00:00:00:00:02", switch: b, port: 1}
${extraHost}
links:
  - {endpoints: [{host: h1}, {switch: a, port: 1}], capacity: 10Mbit}
  - {endpoints: [{host: h2}, {switch: b, port: 1}], capacity: 10Mbit}
  - {endpoints: [{switch: a, port: 2}, {switch: b, port: 2}], capacity: 10Mbit}
`,
    "t.yaml",
  );
}

describe("launch plan", () => {
  test("dumbbell: one BMv2 per switch with the topology's ids, ports and interfaces", () => {
    const plan = buildLaunchPlan(dumbbell, options);
    expect(plan.format).toBe(PLAN_FORMAT);
    expect(plan.switches.map((s) => [s.name, s.deviceId, s.grpcAddress, s.thriftPort])).toEqual([
      ["s1", 1, "127.0.0.1:50001", 9090],
      ["s2", 2, "127.0.0.1:50002", 9091],
    ]);
    expect(plan.switches[0]!.ports).toEqual(
      [1, 2, 3, 4, 5].map((port) => ({ port, interface: `s1-eth${port}` })),
    );
    expect(plan.hosts[4]).toEqual({
      name: "h5",
      ipv4: "10.0.2.1",
      mac: "00:00:0a:00:02:01",
      interface: "h5-eth0",
      switch: "s2",
      port: 1,
      commands: [],
    });
    // The bottleneck is a veth between the two switches' port 5.
    expect(plan.links[0]!.ends).toEqual([
      { node: "s1", interface: "s1-eth5", port: 5 },
      { node: "s2", interface: "s2-eth5", port: 5 },
    ]);
    expect(plan.links[1]!.ends).toEqual([
      { node: "h1", interface: "h1-eth0", port: null },
      { node: "s1", interface: "s1-eth1", port: 1 },
    ]);
    expect(plan.bmv2.priorityQueues).toBe(8);
    expect(plan.controller).toBeNull();
  });

  test("leaf-spine: every interface name is unique and fits Linux's limit", () => {
    const plan = buildLaunchPlan(leafSpine, options);
    const names = plan.links.flatMap((l) => l.ends.map((e) => e.interface));
    expect(new Set(names).size).toBe(names.length);
    expect(names.every((n) => n.length <= MAX_INTERFACE_NAME)).toBe(true);
    expect(plan.switches).toHaveLength(6);
    expect(plan.hosts).toHaveLength(16);
    // Only linked ports become BMv2 interfaces.
    const linked = plan.switches.reduce((n, s) => n + s.ports.length, 0);
    expect(linked).toBe(2 * plan.links.length - plan.hosts.length);
  });

  test("names too long for an interface fall back to indexed names", () => {
    expect(interfaceName("s1", 0, 3, "switch")).toBe("s1-eth3");
    expect(interfaceName("aggregation-12", 7, 3, "switch")).toBe("nxs7-3");
    expect(interfaceName("a-very-long-host", 12, 0, "host")).toBe("nxh12-0");
  });

  test("switches Mininet cannot run are refused with the file named", () => {
    const tofino = topology(`
  - {name: a, address: "127.0.0.1:50001", device_id: 1, target: tofino, ports: [1, 2]}
  - {name: b, address: "127.0.0.1:50002", device_id: 2, target: bmv2, thrift_port: 9091, ports: [1, 2]}`);
    expect(() => buildLaunchPlan(tofino, options)).toThrow(PlanError);
    expect(() => buildLaunchPlan(tofino, options)).toThrow(/t\.yaml: switches a \(target tofino\)/);
    const noThrift = topology(`
  - {name: a, address: "127.0.0.1:50001", device_id: 1, target: bmv2, ports: [1, 2]}
  - {name: b, address: "127.0.0.1:50002", device_id: 2, target: bmv2, thrift_port: 9091, ports: [1, 2]}`);
    expect(() => buildLaunchPlan(noThrift, options)).toThrow(/switches a have no thrift_port/);
  });

  test("two switches on one Thrift port are refused (topologies built in code)", () => {
    const clash = {
      ...dumbbell,
      switches: dumbbell.switches.map((s) => ({ ...s, thriftPort: 9090 })),
    };
    expect(() => buildLaunchPlan(clash, options)).toThrow(
      /switches s1 and s2 share the Thrift port 9090/,
    );
  });

  test("host commands, BMv2 settings and the controller are carried as given", () => {
    const plan = buildLaunchPlan(dumbbell, {
      ...options,
      hostCommands: [["iptables", "-L"]],
      bmv2: { binary: "/opt/bmv2/simple_switch_grpc", logLevel: "info" },
      controller: {
        argv: ["netapprox", "controller"],
        cwd: "/tmp",
        statusUrl: "http://x/status",
        readyTimeout: 5,
      },
    });
    expect(plan.hostCommands).toEqual([["iptables", "-L"]]);
    expect(plan.bmv2).toEqual({
      binary: "/opt/bmv2/simple_switch_grpc",
      logLevel: "info",
      priorityQueues: 8,
      startTimeout: 30,
      // A link's three queues of 64 frames, each charged at most 4 KiB to BMv2's socket.
      socketBuffer: 3 * 64 * 4096,
    });
    expect(plan.controller?.statusUrl).toBe("http://x/status");
  });

  test("each host gets its own setup commands, with its interface and link capacity", () => {
    const plan = buildLaunchPlan(dumbbell, {
      ...options,
      hostSetup: (h, capacity) => [["echo", h.interface, String(capacity)]],
    });
    expect(plan.hosts.map((h) => h.commands)).toEqual(
      plan.hosts.map((h) => [["echo", h.interface, "10000000"]]),
    );
  });
});
