import { expandWorkload } from "@netapprox/lab/experiment/workload.js";
import { enteringJobs, runPolicy } from "@netapprox/lab/mininet/run.js";
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

  test("htb links: exact demand at its offered load; dctcp: ECN marking at the dctcp threshold", () => {
    // Exact traffic declared at twice its offered load: paced queues reserve the declared
    // rate, work-conserving links are told what is offered.
    const declared = {
      ...scenario,
      exact: scenario.exact.map((e) => ({ ...e, declaredLoad: 0.6 })),
    };
    const planned = expandWorkload(declared, 7);
    const total = (p: ReturnType<typeof runPolicy>) =>
      p.exact.flows.reduce((s, f) => s + f.rate, 0);
    const at = (queues: "htb" | "paced") =>
      total(runPolicy(declared, "netapprox", planned, null, { bmv2Queues: queues }));
    expect(at("paced")).toBeCloseTo(6e6);
    expect(at("htb")).toBeCloseTo(3e6);
    const dctcp = runPolicy(scenario, "tcp-receiver-drop", plan, null, { tcpSetting: "dctcp" });
    expect(dctcp.knobs.ecnThreshold).toBe(scenario.transport.dctcpThreshold);
    expect(
      runPolicy(scenario, "tcp-receiver-drop", plan, null, { tcpSetting: "dc-tuned" }).knobs
        .ecnThreshold,
    ).toBeNull();
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
