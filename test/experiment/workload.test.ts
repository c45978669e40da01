import { parseScenario } from "@netapprox/lab/experiment/load.js";
import {
  declaredExactFlows,
  deriveSeed,
  expandWorkload,
  policyJobs,
  sizeDistribution,
} from "@netapprox/lab/experiment/workload.js";
import { planFlows } from "@netapprox/transport/arrivals.js";

const scenario = parseScenario(
  `name: w
topology: topologies/leaf-spine.yaml
duration: 20s
workload:
  approximate:
    - {name: t, src: [h1-1, h2-1], dst: [h2-1, h3-1], volume: 3MB, fraction: 0.9, start: 1s}
    - {name: s, kind: stream, src: [h1-1, h1-2, h1-3], dst: [h4-1, h4-2], volume: 6MB, batches: 2, interval: 500ms, fraction: 0.8}
    - {name: r, kind: all-to-all, src: [h1-1, h2-1, h3-1], volume: 12MB, rounds: 2, fraction: 0.7}
  generate:
    - {prefix: g, kind: shuffle, count: 5, senders: 3, receivers: 2, volume: 1MB, fraction: 0.9, arrival: {poisson: 4, from: 2s}}
  exact:
    - {name: ws, distribution: websearch, scale: 0.01, load: 0.3, capacity: 8Mbit, src: [h1-4, h2-4], dst: [h3-4, h4-4]}
    - {name: fixed, distribution: "fixed:10KB", load: 0.2, src: [h3-3], stop: 5s}
mininet: {base_port: 30000}
`,
  "w.yaml",
  ".",
);

describe("expandWorkload", () => {
  const plan = expandWorkload(scenario, 9);

  it("is a pure function of the scenario and the seed", () => {
    expect(expandWorkload(scenario, 9)).toEqual(plan);
    const other = expandWorkload(scenario, 10);
    expect(other.exactFlows).not.toEqual(plan.exactFlows);
    expect(other.jobs.slice(3).map((j) => j.src)).not.toEqual(plan.jobs.slice(3).map((j) => j.src));
  });

  it("numbers jobs from 1 in order: explicit jobs, then generated ones", () => {
    expect(plan.jobs.map((j) => [j.id, j.name])).toEqual([
      [1, "t"],
      [2, "s"],
      [3, "r"],
      [4, "g-1"],
      [5, "g-2"],
      [6, "g-3"],
      [7, "g-4"],
      [8, "g-5"],
    ]);
  });

  it("splits a transfer job over its distinct host pairs in one phase", () => {
    const t = plan.jobs[0]!;
    expect(t.phases).toHaveLength(1);
    expect(t.phases[0]!.start).toBe(1);
    expect(t.phases[0]!.transfers.map((x) => `${x.src}>${x.dst}:${x.bytes}`)).toEqual([
      "h1-1>h2-1:1000000",
      "h1-1>h3-1:1000000",
      "h2-1>h3-1:1000000",
    ]);
  });

  it("sends a stream in batches at fixed times, rotating the consumers", () => {
    const s = plan.jobs[1]!;
    expect(s.phases.map((p) => p.start)).toEqual([0, 0.5]);
    expect(s.phases[0]!.transfers.map((x) => `${x.src}>${x.dst}`)).toEqual([
      "h1-1>h4-1",
      "h1-2>h4-2",
      "h1-3>h4-1",
    ]);
    expect(s.phases[1]!.transfers.map((x) => `${x.src}>${x.dst}`)).toEqual([
      "h1-1>h4-2",
      "h1-2>h4-1",
      "h1-3>h4-2",
    ]);
    expect(s.phases.flatMap((p) => p.transfers).reduce((n, x) => n + x.bytes, 0)).toBe(6_000_000);
  });

  it("runs all-to-all rounds one after the other, each worker to every other", () => {
    const r = plan.jobs[2]!;
    expect(r.phases.map((p) => p.start)).toEqual([0, null]);
    expect(r.phases[0]!.transfers).toHaveLength(6);
    expect(r.phases[1]!.transfers.every((x) => x.bytes === 1_000_000)).toBe(true);
    expect(r.src).toEqual(r.dst);
  });

  it("sends an aggregation's workers to the aggregator in rounds, each after the last", () => {
    const agg = parseScenario(
      `name: a
topology: topologies/leaf-spine.yaml
duration: 1s
workload:
  approximate:
    - {name: ps, kind: aggregation, src: [h1-1, h2-1, h3-1], dst: h4-1, volume: 9MB, rounds: 3,
       fraction: 0.9, min_sender_fraction: 0.2}
  exact:
    - {name: in, distribution: "fixed:1MB", load: 0.5, into_job_receivers: true, src: [h1-2, h4-1]}
`,
      "a.yaml",
      ".",
    );
    const p = expandWorkload(agg, 1);
    const job = p.jobs[0]!;
    expect(job.minSenderFraction).toBe(0.2);
    expect(job.phases.map((ph) => ph.start)).toEqual([0, null, null]);
    for (const ph of job.phases) {
      expect(ph.transfers.map((t) => [t.src, t.dst, t.bytes])).toEqual([
        ["h1-1", "h4-1", 1e6],
        ["h2-1", "h4-1", 1e6],
        ["h3-1", "h4-1", 1e6],
      ]);
    }
    // Exact flows into the aggregators: the jobs' receivers are the destinations.
    expect(p.exactSources.map((x) => [x.src, x.dsts])).toEqual([["h1-2", ["h4-1"]]]);
  });

  it("gives every receiving host distinct Mininet ports, two per transfer", () => {
    const byHost = new Map<string, number[]>();
    for (const j of plan.jobs)
      for (const p of j.phases)
        for (const t of p.transfers) {
          byHost.set(t.dst, [...(byHost.get(t.dst) ?? []), t.port]);
        }
    for (const ports of byHost.values()) {
      expect(new Set(ports).size).toBe(ports.length);
      expect(ports.every((p) => p >= 30000 && (p - 30000) % 2 === 0)).toBe(true);
    }
  });

  it("draws generated jobs' hosts and Poisson start times from the seed", () => {
    const generated = plan.jobs.slice(3);
    for (const j of generated) {
      expect(new Set([...j.src, ...j.dst]).size).toBe(5);
      expect(j.phases[0]!.transfers).toHaveLength(6);
    }
    const starts = generated.map((j) => j.start);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(starts[0]!).toBeGreaterThan(2);
  });

  it("plans exact flows per source host with the host transport's planner, seeded per host", () => {
    const ws = plan.exactSources.filter((s) => s.spec === "ws");
    expect(ws.map((s) => [s.src, s.dsts, s.capacity, s.rate])).toEqual([
      ["h1-4", ["h3-4", "h4-4"], 4e6, 1.2e6],
      ["h2-4", ["h3-4", "h4-4"], 4e6, 1.2e6],
    ]);
    const fixed = plan.exactSources.find((s) => s.spec === "fixed")!;
    expect(fixed.capacity).toBe(10e6);
    expect(fixed.dsts).not.toContain("h3-3");
    expect(fixed.stop).toBe(5);
    // The same flows a host's exact-traffic generator draws from these parameters.
    const mine = plan.exactFlows.filter((f) => f.src === "h1-4");
    const again = planFlows({
      distribution: sizeDistribution(ws[0]!),
      load: 0.3,
      capacityBitsPerSec: 4e6,
      durationMs: 20_000,
      destinations: 2,
      seed: ws[0]!.seed,
    });
    expect(mine.map((f) => [f.size, f.dst])).toEqual(
      again.flows.map((f) => [f.sizeBytes, ws[0]!.dsts[f.destination]]),
    );
    expect(plan.exactFlows.map((f) => f.id)).toEqual(plan.exactFlows.map((_, i) => i));
    const starts = plan.exactFlows.map((f) => f.start);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    // Offered load within 15% of 2 x 1.2 Mbit/s over 20 s.
    const bits = plan.exactFlows.filter((f) => f.spec === "ws").reduce((n, f) => n + 8 * f.size, 0);
    expect(bits / 20 / 2.4e6).toBeGreaterThan(0.85);
    expect(bits / 20 / 2.4e6).toBeLessThan(1.15);
  });

  it("declares jobs and exact demand to the allocation", () => {
    const jobs = policyJobs(plan.jobs);
    expect(jobs[0]).toEqual({
      name: "t",
      id: 1,
      match: {
        src: ["h1-1", "h2-1"],
        dst: ["h2-1", "h3-1"],
        protocol: 17,
        srcPort: null,
        dstPort: null,
      },
      volume: 3e6,
      fraction: 0.9,
      weight: 1,
      deadline: null,
    });
    const flows = declaredExactFlows(plan.exactSources);
    expect(flows.filter((f) => f.src === "h1-4")).toEqual([
      { src: "h1-4", dst: "h3-4", rate: 6e5 },
      { src: "h1-4", dst: "h4-4", rate: 6e5 },
    ]);
  });

  it("declares the declared load when a source provisions for more than it offers", () => {
    const provisioned = parseScenario(
      `name: p
topology: topologies/leaf-spine.yaml
duration: 5s
workload:
  exact:
    - {distribution: websearch, load: 0.3, declared_load: 0.6, capacity: 8Mbit, src: [h1-4], dst: [h3-4, h4-4]}
`,
      "p.yaml",
      ".",
    );
    const sources = expandWorkload(provisioned, 1).exactSources;
    expect(sources[0]!.rate).toBe(2.4e6);
    expect(declaredExactFlows(sources)).toEqual([
      { src: "h1-4", dst: "h3-4", rate: 2.4e6 },
      { src: "h1-4", dst: "h4-4", rate: 2.4e6 },
    ]);
    // Strict-priority switches are told the offered (mean) load instead.
    expect(declaredExactFlows(sources, "offered")).toEqual([
      { src: "h1-4", dst: "h3-4", rate: 1.2e6 },
      { src: "h1-4", dst: "h4-4", rate: 1.2e6 },
    ]);
  });
});

describe("deriveSeed", () => {
  it("mixes a seed with integers into distinct 32-bit seeds", () => {
    const seeds = new Set<number>();
    for (let a = 0; a < 20; a++) for (let b = 0; b < 20; b++) seeds.add(deriveSeed(1, a, b));
    expect(seeds.size).toBe(400);
    expect(deriveSeed(1, 2, 3)).toBe(deriveSeed(1, 2, 3));
    expect(deriveSeed(1, 2, 3)).not.toBe(deriveSeed(2, 2, 3));
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });
});
