import { expandWorkload } from "../../controller/src/experiment/workload.js";
import { enteringJobs, runPolicy } from "../../controller/src/mininet/run.js";
import { testScenario } from "./fixtures.js";

const scenario = testScenario();
const plan = expandWorkload(scenario, 7);

describe("the controller's policy during a run", () => {
  test("static: every job and every exact source's declared demand, with the policy's allocator", () => {
    const p = runPolicy(scenario, "priority-only", plan, null);
    expect(p.allocator).toBe("priority-only");
    expect(p.jobs.map((j) => j.name)).toEqual(["bulk", "ring", "topic"]);
    // Two sources, two destinations each, 1.5 Mbit/s per source.
    expect(p.exact.flows).toHaveLength(4);
    expect(p.exact.flows.reduce((s, f) => s + f.rate, 0)).toBeCloseTo(3e6);
    expect(p.knobs).toEqual(scenario.policy.knobs);
  });

  test("on change: only what runs", () => {
    const p = runPolicy(scenario, "netapprox", plan, {
      jobs: new Set([2]),
      exactSources: new Set([1]),
    });
    expect(p.jobs.map((j) => j.id)).toEqual([2]);
    expect(new Set(p.exact.flows.map((f) => f.src))).toEqual(new Set([plan.exactSources[1]!.src]));
    const idle = runPolicy(scenario, "netapprox", plan, {
      jobs: new Set(),
      exactSources: new Set(),
    });
    expect(idle.jobs).toEqual([]);
    expect(idle.exact.flows).toEqual([]);
  });
});

describe("where jobs are metered", () => {
  test("each job at the switches its senders attach to", () => {
    // bulk from h1 (s1); the ring's workers h2 (s1), h6 and h7 (s2); the topic from h3 (s1).
    expect(enteringJobs(scenario, plan)).toEqual(
      new Map([
        ["s1", [1, 2, 3]],
        ["s2", [2]],
      ]),
    );
  });
});
