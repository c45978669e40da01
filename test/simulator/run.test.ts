import { parseScenario } from "@netapprox/lab/experiment/load.js";
import { runLabel, type RunResult } from "@netapprox/lab/experiment/results.js";
import {
  EXPERIMENT_POLICIES,
  type ExperimentPolicy,
  type Scenario,
} from "@netapprox/lab/experiment/scenario.js";
import { simulateRun } from "@netapprox/lab/simulator/run.js";

function scenario(extra = "", jobs?: string): Scenario {
  return parseScenario(
    `name: small
topology: topologies/dumbbell.yaml
seeds: [1]
duration: 2s
time_limit: 30s
workload:
  approximate:
${
  jobs ??
  `    - {name: a, src: h1, dst: h5, volume: 300KB, fraction: 0.9}
    - {name: b, src: h2, dst: h6, volume: 300KB, fraction: 0.8, start: 0.2s}`
}
  exact:
    - {distribution: websearch, scale: 0.01, load: 0.2, capacity: 10Mbit, src: [h3, h4], dst: [h7, h8]}
${extra}`,
    "small.yaml",
    ".",
  );
}

/** The run without the wall-clock figures, which differ from run to run. */
function stable(r: RunResult): unknown {
  const { wallSeconds: _w, eventsPerSecond: _e, ...info } = r.runnerInfo;
  return { ...r, runnerInfo: info };
}

describe("simulateRun", () => {
  it("is deterministic for a seed and differs for another seed", () => {
    const s = scenario();
    const a = simulateRun({ scenario: s, policy: "netapprox", seed: 1 });
    const b = simulateRun({ scenario: s, policy: "netapprox", seed: 1 });
    const c = simulateRun({ scenario: s, policy: "netapprox", seed: 2 });
    expect(stable(b)).toEqual(stable(a));
    expect(c.exactFlows).not.toEqual(a.exactFlows);
  });

  it("runs every policy on the same workload and accounts for every byte", () => {
    const s = scenario();
    const runs = EXPERIMENT_POLICIES.map((policy) => simulateRun({ scenario: s, policy, seed: 1 }));
    for (const r of runs) {
      expect(r.finished).toBe(true);
      expect(r.exactFlows.map((f) => [f.src, f.dst, f.size, f.start])).toEqual(
        runs[0]!.exactFlows.map((f) => [f.src, f.dst, f.size, f.start]),
      );
      expect(r.exactFlows.every((f) => f.fct !== null && f.fct > 0)).toBe(true);
      for (const j of r.jobs) {
        expect(j.bytesSent).toBeGreaterThanOrEqual(j.bytesDelivered + j.bytesDropped);
        expect(j.bytesDelivered).toBeGreaterThan(0);
      }
      expect(Number(r.runnerInfo.events)).toBeGreaterThan(1000);
    }
    const by = new Map(runs.map((r) => [r.policy, r]));
    // Transports that stop at the fraction (all but UDP blast) deliver it, and the job is done.
    for (const p of EXPERIMENT_POLICIES.filter((p) => p !== "udp-blast")) {
      for (const j of by.get(p)!.jobs) {
        expect(j.completed).toBe(true);
        expect(j.deliveredFraction).toBeGreaterThanOrEqual(j.fraction);
        expect(j.jct).toBeGreaterThan(0);
      }
    }
    // Sender-side sampling sends only what is needed; the others send more.
    const a = (p: ExperimentPolicy) => by.get(p)!.jobs[0]!;
    expect(a("tcp-sender-sampling").bytesSent).toBeLessThan(a("tcp-receiver-drop").bytesSent);
    // Only netapprox meters; its meters saw the jobs' packets.
    expect(a("netapprox").colours!.green + a("netapprox").colours!.yellow).toBeGreaterThan(0);
    expect(a("priority-only").colours).toBeNull();
    // Exact traffic shares a queue with the TCP baselines but not with netapprox's LE traffic.
    const meanFct = (p: ExperimentPolicy) => {
      const f = by.get(p)!.exactFlows.map((x) => x.fct!);
      return f.reduce((x, y) => x + y, 0) / f.length;
    };
    expect(meanFct("netapprox")).toBeLessThan(meanFct("tcp-receiver-drop"));
  });

  it("completes a job as a whole: a starved sender delays it less than per-transfer completion, unless the floor waits for it", () => {
    // h3 sends its own exact traffic at 95% of its 10 Mbit/s link: its approximate sender
    // gets the 1% its interface keeps for best effort, plus what those flows leave.
    const jobs = (
      floor: number,
    ) => `    - {name: agg, src: [h1, h2, h3], dst: h5, volume: 600KB, fraction: 0.6,
       min_sender_fraction: ${floor}}`;
    const exact = `
  exact:
    - {distribution: "fixed:100KB", load: 0.95, capacity: 10Mbit, src: [h3], dst: [h4]}`;
    const run = (completion: string, floor = 0) =>
      simulateRun({
        scenario: parseScenario(
          `name: starved
topology: topologies/dumbbell.yaml
duration: 3s
time_limit: 30s
completion: ${completion}
workload:
  approximate:
${jobs(floor)}${exact}
`,
          "starved.yaml",
          ".",
        ),
        policy: "netapprox",
        seed: 1,
      }).jobs[0]!;
    const job = run("job");
    const perTransfer = run("transfer");
    const floored = run("job", 0.5);
    for (const j of [job, perTransfer, floored]) expect(j.completed).toBe(true);
    expect(job.jct!).toBeLessThan(0.8 * perTransfer.jct!);
    const fraction = (j: typeof job, host: string) => {
      const d = j.senders.find((x) => x.host === host)!;
      return d.deliveredChunks / d.totalChunks;
    };
    expect(fraction(job, "h3")).toBeLessThan(0.45);
    expect(fraction(job, "h1")).toBeGreaterThan(0.7);
    expect(fraction(floored, "h3")).toBeGreaterThanOrEqual(0.5);
    expect(floored.jct!).toBeGreaterThan(job.jct!);
  });

  it("gives no rate hint to a sender whose host's part of the job the allocation could give nothing", () => {
    // h3's link is declared full of exact traffic: its part of the job is allocated 0.
    const r = simulateRun({
      scenario: parseScenario(
        `name: full
topology: topologies/dumbbell.yaml
duration: 1s
time_limit: 30s
workload:
  approximate:
    - {name: agg, src: [h1, h3], dst: h5, volume: 200KB, fraction: 0.5}
  exact:
    - {distribution: "fixed:100KB", load: 1, capacity: 10Mbit, src: [h3], dst: [h4]}
transport: {rate_hint: allocation}
`,
        "full.yaml",
        ".",
      ),
      policy: "netapprox",
      seed: 1,
    });
    expect(r.jobs[0]!.completed).toBe(true);
  });

  it("runs the TCP baselines in their settings: DCTCP marks, linux-default waits out a 200 ms minimum RTO", () => {
    const s = scenario();
    const r = (tcpSetting: "linux-default" | "dc-tuned" | "dctcp") =>
      simulateRun({ scenario: s, policy: "tcp-receiver-drop", tcpSetting, seed: 1 });
    const dctcp = r("dctcp");
    const linux = r("linux-default");
    expect(dctcp.tcpSetting).toBe("dctcp");
    expect(linux.tcpSetting).toBe("linux-default");
    expect(runLabel(dctcp)).toBe("tcp-receiver-drop (dctcp)");
    // DCTCP keeps the shared queue short: exact flows behind the approximate ones finish sooner.
    const mean = (x: RunResult) =>
      x.exactFlows.reduce((a, f) => a + f.fct!, 0) / x.exactFlows.length;
    expect(mean(dctcp)).toBeLessThan(mean(linux));
    expect(
      simulateRun({ scenario: s, policy: "netapprox", tcpSetting: "dctcp", seed: 1 }).tcpSetting,
    ).toBeNull();
  });

  it("delivers less than needed with UDP blast when the blasts oversubscribe the bottleneck", () => {
    const s = scenario(
      "",
      `    - {name: a, src: h1, dst: h5, volume: 1MB, fraction: 0.9}
    - {name: b, src: h2, dst: h6, volume: 1MB, fraction: 0.9}
    - {name: c, src: h3, dst: h7, volume: 1MB, fraction: 0.9}`,
    );
    const r = simulateRun({ scenario: s, policy: "udp-blast", seed: 1 });
    const fractions = r.jobs.map((j) => j.deliveredFraction);
    // Three line-rate senders into one link of the same rate (beside exact traffic).
    expect(fractions.reduce((x, y) => x + y, 0)).toBeLessThan(1.1);
    expect(r.jobs.some((j) => !j.completed)).toBe(true);
    expect(r.drops["buffer-full"]!.packets).toBeGreaterThan(1000);
  });

  it("meters netapprox jobs at their allocation and reallocates as jobs come and go", () => {
    const s = scenario("simulator: {reallocate: on-change}");
    const r = simulateRun({ scenario: s, policy: "netapprox", seed: 1 });
    // The first job with the exact sources, the second job's start and both jobs' ends
    // (the exact flows run on; the sources' retirement ends the run).
    expect(r.runnerInfo.reallocations).toBe(4);
    const st = scenario("simulator: {reallocate: static}");
    expect(
      simulateRun({ scenario: st, policy: "netapprox", seed: 1 }).runnerInfo.reallocations,
    ).toBe(0);
  });

  it("runs in bmv2-paced mode and reports links, drops and queue delays", () => {
    const s = scenario("simulator: {queue_mode: bmv2-paced}");
    const r = simulateRun({ scenario: s, policy: "tcp-sender-sampling", seed: 1 });
    expect(r.runnerInfo.queueMode).toBe("bmv2-paced");
    const bottleneck = r.links.find((l) => l.name === "s1:5->s2:5")!;
    expect(bottleneck.utilisation).toBeGreaterThan(0.1);
    expect(bottleneck.utilisation).toBeLessThanOrEqual(1);
    expect(Object.keys(r.drops).sort()).toEqual([
      "buffer-full",
      "host-buffer-full",
      "le-threshold",
      "meter-red",
    ]);
  });

  it("stops at the time limit and reports unfinished work", () => {
    const s = parseScenario(
      `name: cut
topology: topologies/dumbbell.yaml
duration: 1s
time_limit: 1s
workload:
  approximate:
    - {name: big, src: h1, dst: h5, volume: 50MB, fraction: 0.9}
`,
      "cut.yaml",
      ".",
    );
    const r = simulateRun({ scenario: s, policy: "tcp-sender-sampling", seed: 1 });
    expect(r.finished).toBe(false);
    expect(r.duration).toBeCloseTo(1, 6);
    expect(r.jobs[0]!.completed).toBe(false);
    expect(r.jobs[0]!.jct).toBeNull();
    expect(r.jobs[0]!.deliveredFraction).toBeGreaterThan(0.01);
    expect(r.jobs[0]!.deliveredFraction).toBeLessThan(0.05);
  });
});

describe("rate hints", () => {
  it("keep netapprox's senders within their meters' peak rate: nothing dropped RED, less sent", () => {
    for (const seed of [1, 2]) {
      const free = simulateRun({ scenario: scenario(), policy: "netapprox", seed });
      const hinted = simulateRun({
        scenario: scenario("transport: {rate_hint: allocation}"),
        policy: "netapprox",
        seed,
      });
      const sum = (r: RunResult, f: (j: RunResult["jobs"][number]) => number) =>
        r.jobs.reduce((a, j) => a + f(j), 0);
      expect(sum(free, (j) => j.colours?.red ?? 0)).toBeGreaterThan(0);
      expect(sum(hinted, (j) => j.colours?.red ?? 0)).toBe(0);
      expect(sum(hinted, (j) => j.bytesSent)).toBeLessThan(sum(free, (j) => j.bytesSent));
      expect(hinted.jobs.every((j) => j.completed)).toBe(true);
    }
  });
});

describe("declared exact demand", () => {
  it("is withdrawn from the allocation once a source's window is over and its flows are done", () => {
    const s = parseScenario(
      `name: window
topology: topologies/dumbbell.yaml
duration: 300ms
time_limit: 30s
workload:
  approximate:
    - {name: a, src: h1, dst: h5, volume: 2MB, fraction: 0.9}
  exact:
    - {distribution: "fixed:5KB", load: 0.3, capacity: 10Mbit, src: [h3], dst: [h4]}
`,
      "window.yaml",
      ".",
    );
    const r = simulateRun({ scenario: s, policy: "netapprox", seed: 1 });
    const lastFlowEnd = Math.max(...r.exactFlows.map((f) => f.start + f.fct!));
    expect(lastFlowEnd).toBeLessThan(r.jobs[0]!.jct!);
    // At 0 for the job and the source, then at the source's retirement (the job's end also
    // asks for one, but the run is over by then).
    expect(r.runnerInfo.reallocations).toBe(2);
    const without = parseScenario(
      `name: none
topology: topologies/dumbbell.yaml
duration: 300ms
workload:
  approximate:
    - {name: a, src: h1, dst: h5, volume: 2MB, fraction: 0.9}
`,
      "none.yaml",
      ".",
    );
    expect(
      simulateRun({ scenario: without, policy: "netapprox", seed: 1 }).runnerInfo.reallocations,
    ).toBe(1);
  });
});

describe("job demand loop", () => {
  const s = (jobDemand: string) =>
    parseScenario(
      `name: demand
topology: topologies/dumbbell.yaml
duration: 2s
time_limit: 60s
policy_overrides:
  knobs: {poll_interval: 100ms}
workload:
  approximate:
    - {name: a, src: h1, dst: h5, volume: 2MB, fraction: 0.9}
    - {name: b, src: h2, dst: h6, volume: 2MB, fraction: 0.9, start: 0.3s}
  exact:
    - {distribution: websearch, scale: 0.01, load: 0.3, capacity: 10Mbit, src: [h3, h4], dst: [h7, h8]}
simulator: {job_demand: ${jobDemand}}
`,
      "demand.yaml",
      ".",
    );

  it("re-allocates from the jobs' measured offered load as the controller does, unless told not to", () => {
    const measured = simulateRun({ scenario: s("measured"), policy: "netapprox", seed: 1 });
    const none = simulateRun({ scenario: s("none"), policy: "netapprox", seed: 1 });
    expect(measured.runnerInfo.demandReallocations).toBeGreaterThan(0);
    expect(Number(measured.runnerInfo.reallocations)).toBeGreaterThan(
      Number(none.runnerInfo.reallocations),
    );
    expect(none.runnerInfo.demandReallocations).toBe(0);
    // Only netapprox meters, so only it has a demand loop.
    expect(
      simulateRun({ scenario: s("measured"), policy: "priority-only", seed: 1 }).runnerInfo
        .demandReallocations,
    ).toBe(0);
  });
});
