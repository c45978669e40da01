// Small topologies and simulations built in code for the simulator's tests.
import { allocate } from "@netapprox/model/allocation/allocate.js";
import type { Allocation } from "@netapprox/model/allocation/types.js";
import { makePolicy, type Policy } from "@netapprox/model/policy/types.js";
import { computeRoutes, type Routing } from "@netapprox/model/routing/routing.js";
import { hostMacFromIpv4, parseIpv4 } from "@netapprox/model/topology/addresses.js";
import type { Host, Link, Switch, Topology } from "@netapprox/model/topology/types.js";
import type { FabricOptions } from "@netapprox/lab/simulator/fabric.js";
import { ProbeSink, ProbeSource, type ProbeConfig } from "@netapprox/lab/simulator/hosts/probe.js";
import { Simulation } from "@netapprox/lab/simulator/simulation.js";

export interface DumbbellSpec {
  left: number;
  right: number;
  /** bit/s of the s1-s2 link. */
  bottleneck: number;
  /** bit/s of every host link, or per host: left hosts first. */
  access: number | number[];
  /** Packets per queue at the switch ports. */
  buffer: number;
  /** One-way delay of every link, seconds. */
  delay?: number;
}

/** Hosts l1..lN on s1, r1..rM on s2, s1 port N+1 to s2 port M+1. */
export function dumbbell(spec: DumbbellSpec): Topology {
  const switches: Switch[] = [
    {
      name: "s1",
      address: "127.0.0.1:50001",
      deviceId: 1,
      target: "bmv2",
      ports: [],
      thriftPort: 9090,
      cpuPort: null,
      tls: null,
    },
    {
      name: "s2",
      address: "127.0.0.1:50002",
      deviceId: 2,
      target: "bmv2",
      ports: [],
      thriftPort: 9091,
      cpuPort: null,
      tls: null,
    },
  ];
  const hosts: Host[] = [];
  const links: Link[] = [];
  const delay = spec.delay ?? null;
  const side = (sw: Switch, prefix: string, net: number, count: number, offset: number) => {
    for (let i = 1; i <= count; i++) {
      const ipv4 = `10.0.${net}.${i}`;
      const name = `${prefix}${i}`;
      hosts.push({ name, ipv4, mac: hostMacFromIpv4(parseIpv4(ipv4)!), switch: sw.name, port: i });
      sw.ports.push(i);
      const capacity = Array.isArray(spec.access) ? spec.access[offset + i - 1]! : spec.access;
      links.push({
        endpoints: [
          { kind: "host", name },
          { kind: "switch", name: sw.name, port: i },
        ],
        capacity,
        buffer: spec.buffer,
        delay,
      });
    }
  };
  side(switches[0]!, "l", 1, spec.left, 0);
  side(switches[1]!, "r", 2, spec.right, spec.left);
  switches[0]!.ports.push(spec.left + 1);
  switches[1]!.ports.push(spec.right + 1);
  links.push({
    endpoints: [
      { kind: "switch", name: "s1", port: spec.left + 1 },
      { kind: "switch", name: "s2", port: spec.right + 1 },
    ],
    capacity: spec.bottleneck,
    buffer: spec.buffer,
    delay,
  });
  return { name: "test-dumbbell", switches, hosts, links };
}

export interface TestSim {
  sim: Simulation;
  routing: Routing;
  allocation: Allocation;
  host: (name: string) => number;
  /** The directed link out of switch `sw` at `port`. */
  port: (sw: string, port: number) => number;
}

export function simulate(
  topology: Topology,
  policy: Partial<Parameters<typeof makePolicy>[0]> = {},
  options: Partial<FabricOptions> = {},
): TestSim {
  const routing = computeRoutes(topology);
  const p: Policy = makePolicy(policy);
  const allocation = allocate(topology, routing, {}, p);
  const sim = new Simulation(routing, allocation, {
    queueMode: "strict",
    hostBuffer: 100_000,
    hostQueues: "fifo",
    hostBestEffortShare: 0.01,
    ecmpHash: "per-switch",
    linkDelay: 0,
    ...options,
  });
  const net = routing.network;
  return {
    sim,
    routing,
    allocation,
    host: (name) => net.hostIndex.get(name)!,
    port: (sw, port) => net.portLink[net.switchIndex.get(sw)!]!.get(port)!,
  };
}

/** An open-loop source from `src` to `dst` and the sink that counts it. */
export function probe(
  t: TestSim,
  src: string,
  dst: string,
  config: Partial<ProbeConfig> & { rate: number; until: number },
  window: { from?: number; to?: number } = {},
): { source: ProbeSource; sink: ProbeSink } {
  const id = t.sim.reservePair();
  const source = new ProbeSource(t.sim, id, t.host(src), t.host(dst), {
    arrivals: "poisson",
    size: 1000,
    sizes: "fixed",
    dscp: 0,
    seed: 1,
    hash: id * 7919,
    ...config,
  });
  const sink = new ProbeSink(t.sim, id + 1, t.host(dst), window.from ?? 0, window.to ?? Infinity);
  t.sim.attach(source);
  t.sim.attach(sink);
  source.start();
  return { source, sink };
}
