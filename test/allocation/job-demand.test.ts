import { allocate } from "@netapprox/model/allocation/allocate.js";
import {
  EMPTY_JOB_DEMAND,
  estimateJobCaps,
  jobDemandRound,
  jobPeakRates,
} from "@netapprox/model/allocation/job-demand.js";
import type { Allocation } from "@netapprox/model/allocation/types.js";
import { loadPolicyFile } from "@netapprox/model/policy/load.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";

describe("job demand estimates", () => {
  const opts = { limitedRatio: 0.8, margin: 0.25, floor: 1_000 };

  it("leaves limited and unmeasured jobs uncapped and caps the others near their load", () => {
    const caps = estimateJobCaps(
      new Map([
        [1, 9e6], // offers 90% of its peak: limited by the network
        [2, 1e6], // offers a tenth of its peak
        [3, 0], // idle
      ]),
      new Map([
        [1, 10e6],
        [2, 10e6],
        [3, 10e6],
        [4, 10e6], // no measurement
      ]),
      opts,
    );
    expect([...caps]).toEqual([
      [2, 1.25e6],
      [3, 1_000],
    ]);
  });

  it("caps nothing when no job is limited (nobody could use a freed share)", () => {
    const caps = estimateJobCaps(
      new Map([
        [1, 0],
        [2, 5e5],
      ]),
      new Map([
        [1, 10e6],
        [2, 10e6],
      ]),
      opts,
    );
    expect(caps.size).toBe(0);
  });

  it("gives an idle job's share to the busy ones in the allocation", () => {
    const topology = loadTopologyFile("topologies/dumbbell.yaml");
    const policy = loadPolicyFile("policies/dumbbell.yaml");
    const routing = computeRoutes(topology);
    const plain = allocate(topology, routing, {}, policy);
    const idle = plain.jobs.find((j) => j.name === "log-sample")!;
    const busy = plain.jobs.find((j) => j.name === "training-shards")!;
    const capped = allocate(topology, routing, { jobCaps: new Map([[idle.id, 100_000]]) }, policy);
    const idleAfter = capped.jobs.find((j) => j.id === idle.id)!;
    const busyAfter = capped.jobs.find((j) => j.id === busy.id)!;
    expect(idleAfter.allocated!).toBeLessThanOrEqual(
      Math.max(100_000, idleAfter.guaranteed!) + 1e-6,
    );
    expect(busyAfter.allocated!).toBeGreaterThan(busy.allocated! * 1.2);
    // A cap never takes a guarantee away.
    const belowGuarantee = allocate(
      topology,
      routing,
      { jobCaps: new Map([[busy.id, 1]]) },
      policy,
    );
    expect(belowGuarantee.jobs.find((j) => j.id === busy.id)!.allocated).toBeCloseTo(
      busy.guaranteed!,
      3,
    );
  });
});

describe("the demand loop round shared by the controller and the simulator", () => {
  const knobs = { ewmaAlpha: 0.5, hysteresis: 0.05 };
  const meter = (pirBytes: number) => ({ index: 0, cir: 0, pir: pirBytes, cbs: 1, pbs: 1 });
  const allocation = (ids: number[]) => ({
    jobs: ids.map((id) => ({ id, ingress: [{ switch: "s1", share: 1, meter: meter(1.25e6) }] })),
  });

  it("smooths samples, caps a job offering less than its peak and reports the change once", () => {
    const a = allocation([1, 2]) as unknown as Pick<Allocation, "jobs">;
    // Job 1 offers its whole peak (10 Mbit/s): limited; job 2 offers 1 Mbit/s.
    const first = jobDemandRound(
      EMPTY_JOB_DEMAND,
      new Map([
        [1, 10e6],
        [2, 1e6],
      ]),
      a,
      knobs,
    );
    expect(first.changed).toBe(true);
    expect([...first.state.caps]).toEqual([[2, 1.25e6]]);
    // The same samples again: the EWMA stays, the caps do not move, nothing to do.
    const second = jobDemandRound(
      first.state,
      new Map([
        [1, 10e6],
        [2, 1e6],
      ]),
      a,
      knobs,
    );
    expect(second.changed).toBe(false);
    expect(second.state.caps).toBe(first.state.caps);
    // Job 2 speeds up to 3 Mbit/s: the EWMA moves half way (2 Mbit/s), the cap follows.
    const third = jobDemandRound(
      second.state,
      new Map([
        [1, 10e6],
        [2, 3e6],
      ]),
      a,
      knobs,
    );
    expect(third.changed).toBe(true);
    expect(third.state.offered.get(2)).toBe(2e6);
    expect(third.state.caps.get(2)).toBe(2.5e6);
  });

  it("forgets jobs that are no longer allocated", () => {
    const both = allocation([1, 2]) as unknown as Pick<Allocation, "jobs">;
    const one = allocation([1]) as unknown as Pick<Allocation, "jobs">;
    const r1 = jobDemandRound(EMPTY_JOB_DEMAND, new Map([[2, 1e6]]), both, knobs);
    expect(r1.state.offered.has(2)).toBe(true);
    const r2 = jobDemandRound(r1.state, new Map([[1, 10e6]]), one, knobs);
    expect(r2.state.offered.has(2)).toBe(false);
  });

  it("sums a job's peak rate over its ingress meters, in bit/s", () => {
    const peak = jobPeakRates([
      {
        id: 7,
        ingress: [
          { switch: "s1", share: 0.5, meter: meter(1e6) },
          { switch: "s2", share: 0.5, meter: meter(2e6) },
          { switch: "s3", share: 0, meter: null },
        ],
      },
      { id: 8, ingress: [{ switch: "s1", share: 1, meter: null }] },
    ] as unknown as Allocation["jobs"]);
    expect([...peak]).toEqual([[7, 24e6]]);
  });
});
