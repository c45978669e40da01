// A small scenario on the dumbbell topology for the Mininet runner's tests: a transfer,
// a PyTorch-like all-to-all job in two rounds, a Kafka-like stream in two batches, and
// web-search exact flows from two sources.
import { parseScenario } from "@netapprox/lab/experiment/load.js";
import type { Scenario } from "@netapprox/lab/experiment/scenario.js";

export const SCENARIO_TEXT = `
name: runner-test
topology: topologies/dumbbell.yaml
policies: [netapprox, udp-blast]
seeds: [7]
duration: 4s
time_limit: 30s
workload:
  approximate:
    - {name: bulk, src: h1, dst: h5, volume: 600kB, fraction: 0.9, start: 0s}
    - {name: ring, kind: all-to-all, src: [h2, h6, h7], volume: 1200kB, fraction: 0.8, rounds: 2, start: 1s}
    - {name: topic, kind: stream, src: [h3], dst: [h8], volume: 400kB, fraction: 0.9, batches: 2, interval: 1s, start: 0.5s}
  exact:
    - {name: web, distribution: websearch, scale: 0.01, load: 0.3, capacity: 10Mbit, src: [h1, h4], dst: [h5, h6]}
transport: {chunk_size: 1000, blast_drain: 300ms}
mininet: {warmup: 1s, cooldown: 2s, base_port: 21000, exact_port: 19500}
`;

export function testScenario(): Scenario {
  return parseScenario(SCENARIO_TEXT, "runner-test.yaml", ".");
}
