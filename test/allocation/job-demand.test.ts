import { allocate } from "../../controller/src/allocation/allocate.js";
import { estimateJobCaps } from "../../controller/src/allocation/job-demand.js";
import { loadPolicyFile } from "../../controller/src/policy/load.js";
import { computeRoutes } from "../../controller/src/routing/routing.js";
import { loadTopologyFile } from "../../controller/src/topology/load.js";

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
