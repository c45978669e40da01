// Where an approximate sender starts with `rate_hint: allocation`, the rule both runners use.
import type { JobAllocation } from "@netapprox/model/allocation/types.js";
import { allocate } from "@netapprox/model/allocation/allocate.js";
import { makePolicy } from "@netapprox/model/policy/types.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import { jobRates, startRate } from "@netapprox/lab/experiment/start-rate.js";

const meter = (cirBits: number, pirBits: number) => ({
  index: 0,
  cir: cirBits / 8,
  pir: pirBits / 8,
  cbs: 1500,
  pbs: 1500,
});

function job(over: Partial<JobAllocation>): JobAllocation {
  return {
    id: 1,
    name: "j",
    weight: 1,
    match: { src: [], dst: [], protocol: 17, srcPort: null, dstPort: null },
    requestedGuarantee: 1e6,
    guaranteed: 1e6,
    allocated: 4e6,
    normalisedShare: 4e6,
    bottleneck: null,
    ingress: [],
    senders: [],
    ...over,
  };
}

describe("jobRates", () => {
  test("sums the meters of every ingress and keys the parts as asked", () => {
    const rates = jobRates(
      job({
        ingress: [
          { switch: "s1", share: 0.75, meter: meter(3e6, 6e6) },
          { switch: "s2", share: 0.25, meter: meter(1e6, 2e6) },
          { switch: "s3", share: 0, meter: null },
        ],
        senders: [
          { host: "h1", share: 0.5, guaranteed: 0.5e6, allocated: 3e6 },
          { host: "h2", share: 0.5, guaranteed: null, allocated: null },
        ],
      }),
      (host) => `key-${host}`,
    );
    expect(rates.peak).toBe(8e6);
    expect(rates.committed).toBe(4e6);
    expect(rates.allocated).toBe(4e6);
    // A part the allocator gave no figures is left out.
    expect([...rates.parts.keys()]).toEqual(["key-h1"]);
    expect(rates.parts.get("key-h1")).toEqual({ allocated: 3e6, guaranteed: 0.5e6 });
  });
});

describe("startRate", () => {
  const rates = jobRates(
    job({
      ingress: [{ switch: "s1", share: 1, meter: meter(2e6, 8e6) }],
      senders: [
        { host: "h1", share: 0.5, guaranteed: 1e6, allocated: 3e6 },
        { host: "h2", share: 0.5, guaranteed: 1e6, allocated: 0 },
      ],
    }),
    (host) => host,
  );

  test("a sender starts at its share of its host's part times 1 + headroom", () => {
    expect(startRate(rates, "h1", 1, 4, 2)).toBe(6e6);
    expect(startRate(rates, "h1", 3, 4, 2)).toBe(2e6);
  });

  test("without a part, at its share of the job's peak among the job's senders", () => {
    expect(startRate(rates, "h9", 1, 4, 2)).toBe(2e6);
    const unmetered = jobRates(job({ allocated: 6e6 }), (h) => h);
    expect(startRate(unmetered, "h9", 1, 3, 2)).toBe(2e6);
  });

  test("nothing to start from gives null (the sender starts at line rate)", () => {
    expect(startRate(rates, "h2", 1, 4, 2)).toBeNull();
    expect(
      startRate(
        jobRates(job({ allocated: null }), (h) => h),
        "h1",
        1,
        1,
        2,
      ),
    ).toBeNull();
  });

  test("on an allocation: each sender of an incast starts at its part's peak share", () => {
    const topology = loadTopologyFile("topologies/incast-dumbbell.yaml");
    const src = ["h1", "h2", "h3", "h4"];
    const policy = makePolicy({
      jobs: [
        {
          name: "ps",
          id: 1,
          match: { src, dst: ["h9"], protocol: 17, srcPort: null, dstPort: null },
          volume: 4e6,
          fraction: 0.9,
          weight: 1,
          deadline: 10,
        },
      ],
      knobs: { headroom: 1 },
    });
    const a = allocate(topology, computeRoutes(topology), {}, policy).jobs[0]!;
    const r = jobRates(a, (h) => h);
    const starts = src.map((h) => startRate(r, h, 1, src.length, 2)!);
    // Four equal parts of the job, each started at twice its allocation: together twice
    // the job's allocation, which is its meters' peak rate.
    for (const s of starts) expect(s).toBeCloseTo(starts[0]!, 6);
    expect(starts.reduce((x, y) => x + y, 0)).toBeCloseTo(2 * a.allocated!, 0);
    expect(r.peak).toBeCloseTo(2 * a.allocated!, -3);
  });
});
