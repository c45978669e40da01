// Simulator benchmark: events per second and wall time of every shipped scenario, the raw
// packet-forwarding rate of the engine, and how the cost grows with hosts and load.
// Targets: at least 2 million events/s; experiments/leaf-spine-144.yaml (all six policies)
// in under 2 minutes.
//
//   npm run bench -- simulator            the 144-host scenario in full; the other big
//                                         scenarios with netapprox and one TCP baseline
//   node dist/bench/simulator.js --full   every policy of every scenario
//
// The machine is shared: the load average is printed with the figures.
import { mkdtempSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadScenarioFile, parseScenario } from "@netapprox/lab/experiment/load.js";
import type { ExperimentPolicy, Scenario } from "@netapprox/lab/experiment/scenario.js";
import { expandWorkload } from "@netapprox/lab/experiment/workload.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import { leafSpine } from "@netapprox/model/topology/generate.js";
import { topologyToYaml } from "@netapprox/model/topology/write.js";
import { allocate } from "@netapprox/model/allocation/allocate.js";
import { makePolicy } from "@netapprox/model/policy/types.js";
import { ProbeSink, ProbeSource } from "@netapprox/lab/simulator/hosts/probe.js";
import { simulateRun } from "@netapprox/lab/simulator/run.js";
import { Simulation } from "@netapprox/lab/simulator/simulation.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const full = process.argv.includes("--full");

interface Measured {
  events: number;
  wall: number;
  simulated: number;
}

const mps = (m: Measured) => m.events / m.wall / 1e6;
const fmt = (v: number, d = 2) => v.toFixed(d);

function runScenario(scenario: Scenario, policies: readonly ExperimentPolicy[]): Measured[] {
  const seed = scenario.seeds[0]!;
  const routing = computeRoutes(scenario.topology);
  const plan = expandWorkload(scenario, seed);
  return policies.map((policy) => {
    const start = performance.now();
    const r = simulateRun({ scenario, policy, seed, plan, routing });
    const wall = (performance.now() - start) / 1000;
    return { events: Number(r.runnerInfo.events), wall, simulated: r.duration };
  });
}

function shipped(): void {
  console.log(
    "\nShipped scenarios (first seed; events include zero-delay arrivals handled in place)",
  );
  console.log(
    "scenario               policy               events(M)  wall(s)  Mevents/s  simulated(s)",
  );
  const scenarios = [
    "dumbbell",
    "leaf-spine",
    "leaf-spine-144",
    "leaf-spine-144-light",
    "leaf-spine-144-heavy",
    "fat-tree-8",
  ];
  for (const name of scenarios) {
    const scenario = loadScenarioFile(join(root, "experiments", `${name}.yaml`));
    const everything = full || name === "leaf-spine-144" || scenario.topology.hosts.length <= 16;
    const policies = everything
      ? scenario.policies
      : scenario.policies.filter((p) => p === "netapprox" || p === "tcp-sender-sampling");
    const results = runScenario(scenario, policies);
    results.forEach((m, i) => {
      console.log(
        `${name.padEnd(22)} ${policies[i]!.padEnd(20)} ${fmt(m.events / 1e6, 1).padStart(9)}  ${fmt(m.wall, 1).padStart(7)}  ${fmt(mps(m)).padStart(9)}  ${fmt(m.simulated, 3).padStart(12)}`,
      );
    });
    const wall = results.reduce((s, m) => s + m.wall, 0);
    const events = results.reduce((s, m) => s + m.events, 0);
    console.log(
      `${name.padEnd(22)} ${(everything ? "all policies" : `${policies.length} policies`).padEnd(20)} ${fmt(events / 1e6, 1).padStart(9)}  ${fmt(wall, 1).padStart(7)}  ${fmt(events / wall / 1e6).padStart(9)}`,
    );
  }
}

/** Open-loop packets through a 144-host leaf-spine: the engine alone, no transport logic. */
function engine(): void {
  const topology = leafSpine(4, 9, 16, { capacity: 40e9, hostCapacity: 10e9, buffer: 128 });
  const routing = computeRoutes(topology);
  const allocation = allocate(topology, routing, {}, makePolicy());
  const sim = new Simulation(routing, allocation, {
    queueMode: "strict",
    hostBuffer: 1000,
    hostQueues: "fifo",
    hostBestEffortShare: 0,
    ecmpHash: "per-switch",
    linkDelay: 1e-6,
  });
  const H = topology.hosts.length;
  // Every host sends Poisson traffic at 40% of its link to the host 17 places on.
  for (let h = 0; h < H; h++) {
    const id = sim.reservePair();
    const dst = (h + 17) % H;
    const src = new ProbeSource(sim, id, h, dst, {
      rate: (0.4 * 10e9) / 8 / 1500,
      arrivals: "poisson",
      size: 1500,
      sizes: "fixed",
      dscp: 0,
      until: 0.02,
      seed: h + 1,
      hash: h * 2654435761,
    });
    sim.attach(src);
    sim.attach(new ProbeSink(sim, id + 1, dst));
    src.start();
  }
  const start = performance.now();
  sim.run(0.021);
  const wall = (performance.now() - start) / 1000;
  const m = { events: sim.eventCount, wall, simulated: 0.021 };
  console.log(
    `\nEngine alone (144 hosts, open-loop Poisson at 40%, 20 ms): ${fmt(m.events / 1e6, 1)}M events in ${fmt(wall, 2)} s = ${fmt(mps(m))}M events/s`,
  );
}

/** Leaf-spines of growing size with the 144-host scenario's workload density, at three loads. */
function scaling(): void {
  console.log(
    "\nCost against hosts and exact load (netapprox; jobs scale with hosts; 20 ms of arrivals)",
  );
  console.log("hosts  load  events(M)  wall(s)  Mevents/s  k events per host");
  const dir = mkdtempSync(join(tmpdir(), "netapprox-bench-sim-"));
  for (const leaves of [1, 3, 9]) {
    const hosts = leaves * 16;
    const topologyFile = join(dir, `ls-${leaves}.yaml`);
    writeFileSync(
      topologyFile,
      topologyToYaml(leafSpine(4, leaves, 16, { capacity: 40e9, hostCapacity: 10e9, buffer: 128 })),
    );
    const jobs = (n: number) => Math.max(1, Math.round((n * hosts) / 144));
    for (const load of [0.3, 0.5, 0.7]) {
      const scenario = parseScenario(
        `name: scale
topology: ${topologyFile}
duration: 20ms
time_limit: 100ms
policy_overrides:
  knobs: {le_threshold: 16, meter_burst: 1ms}
workload:
  generate:
    - {prefix: kafka, kind: stream, count: ${jobs(16)}, senders: 8, receivers: 2, volume: 20MB, batches: 4, interval: 5ms, fraction: 0.9, arrival: {uniform: [0ms, 20ms]}}
    - {prefix: spark, kind: shuffle, count: ${jobs(8)}, senders: 4, receivers: 4, volume: 16MB, fraction: 0.9, arrival: {uniform: [0ms, 20ms]}}
    - {prefix: pytorch, kind: all-to-all, count: ${jobs(8)}, senders: 4, volume: 12MB, rounds: 2, fraction: 0.9, arrival: {uniform: [0ms, 20ms]}}
  exact:
    - {distribution: websearch, load: ${load}}
transport:
  chunk_size: 1400
  rate_hint: allocation
  approximate: {feedback_interval: 50us, keepalive: 500us, silence: 2ms, pass_end_wait: 2ms, give_up: 100ms, done_retry: 200us, min_sample: 50us, burst: 20us}
  tcp: {min_rto: 5ms, initial_rto: 10ms}
simulator: {link_delay: 1us}
`,
        "scale.yaml",
        dir,
      );
      const [m] = runScenario(scenario, ["netapprox"]);
      console.log(
        `${String(hosts).padStart(5)}  ${fmt(load, 1).padStart(4)}  ${fmt(m!.events / 1e6, 1).padStart(9)}  ${fmt(m!.wall, 1).padStart(7)}  ${fmt(mps(m!)).padStart(9)}  ${fmt(m!.events / hosts / 1000, 0).padStart(17)}`,
      );
    }
  }
}

console.log(
  `simulator benchmark: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
engine();
shipped();
scaling();
console.log(
  `\nload average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
