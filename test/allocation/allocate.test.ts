import fc from "fast-check";
import { allocate } from "@netapprox/model/allocation/allocate.js";
import { CONTROL_PACKET_BYTES } from "@netapprox/model/allocation/ports.js";
import type { Allocation } from "@netapprox/model/allocation/types.js";
import { parsePolicy } from "@netapprox/model/policy/load.js";
import {
  makePolicy,
  type ApproximateJob,
  type ExactFlow,
  type Policy,
} from "@netapprox/model/policy/types.js";
import { computeRoutes, type Routing } from "@netapprox/model/routing/routing.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import type { Topology } from "@netapprox/model/topology/types.js";
import { randomTopology, reordered } from "../topology/arbitrary.js";
import { fairnessViolations, linkLoads } from "./fairness.js";

const dumbbell = loadTopologyFile("topologies/dumbbell.yaml");
const dumbbellRouting = computeRoutes(dumbbell);

// Three jobs cross the 10 Mbit/s bottleneck s1:5 -> s2:5 with 3 Mbit/s of exact traffic.
const goldenPolicy = parsePolicy(
  `knobs: {beta: 0.5, headroom: 0.05, guarantee_floor: 500kbit, control_share: 0.02, le_threshold: 8}
jobs:
  - {name: a, id: 1, match: {src: h1, dst: h5}, volume: 30MB, fraction: 0.8, deadline: 60s, weight: 2}
  - {name: b, id: 2, match: {src: h2, dst: h6}, volume: 20MB, fraction: 0.5, deadline: 25s}
  - {name: c, id: 3, match: {src: [h3, h4], dst: h7, protocol: udp}, volume: 1GB, fraction: 0.5}
exact:
  flows: [{src: h4, dst: h8, rate: 3Mbit}]
`,
  "golden.yaml",
);

function run(policy: Policy, topology: Topology = dumbbell, routing: Routing = dumbbellRouting) {
  return allocate(topology, routing, {}, policy);
}

const M = 1e6;

describe("netapprox allocation on the dumbbell, computed by hand", () => {
  const allocation = run(goldenPolicy);
  const job = (id: number) => allocation.jobs.find((j) => j.id === id)!;

  // Data capacity of every link: 10 Mbit/s minus the 2% control share = 9.8 Mbit/s.
  // Bottleneck: R = 9.8 - 3 (exact) = 6.8; guarantees may take min(0.5 * 9.8, 6.8) = 4.9.
  it("asks for f V / D, or the floor without a deadline", () => {
    expect(job(1).requestedGuarantee).toBeCloseTo((8 * 0.8 * 30e6) / 60, 6); // 3.2 Mbit/s
    expect(job(2).requestedGuarantee).toBeCloseTo((8 * 0.5 * 20e6) / 25, 6); // 3.2 Mbit/s
    expect(job(3).requestedGuarantee).toBe(0.5 * M);
  });

  it("scales guarantees down by weight when they do not fit in beta C", () => {
    // 3.2 + 3.2 + 0.5 > 4.9. Water level t: c stops at its 0.5; then 2t + t + 0.5 = 4.9.
    const t = (4.9 - 0.5) / 3;
    expect(job(1).guaranteed! / M).toBeCloseTo(2 * t, 9); // 2.933...
    expect(job(2).guaranteed! / M).toBeCloseTo(t, 9); // 1.466...
    expect(job(3).guaranteed! / M).toBeCloseTo(0.5, 9);
  });

  it("shares the residual by weighted max-min above the guarantees", () => {
    // a = max(g, w t): a and b start growing at t = 1.466..., c is below t already;
    // 2t + t + t = 6.8 -> t = 1.7.
    expect(job(1).allocated! / M).toBeCloseTo(3.4, 9);
    expect(job(2).allocated! / M).toBeCloseTo(1.7, 9);
    expect(job(3).allocated! / M).toBeCloseTo(1.7, 9);
    for (const id of [1, 2, 3]) expect(job(id).bottleneck).toBe("s1:5->s2:5");
    expect(job(1).normalisedShare! / M).toBeCloseTo(1.7, 9);
  });

  it("sets each job's meter at its ingress switch: CIR = g, PIR = a (1 + h), in bytes", () => {
    expect(job(1).ingress).toEqual([
      {
        switch: "s1",
        share: 1,
        // 2.9333 Mbit/s = 366,666.67 B/s; 3.4 * 1.05 Mbit/s = 446,250 B/s; bursts 10 ms.
        meter: { index: 1, cir: 366666, pir: 446250, cbs: 3667, pbs: 4463 },
      },
    ]);
    // c's two sources are both on s1; bursts never below one MTU.
    expect(job(3).ingress).toEqual([
      {
        switch: "s1",
        share: 1,
        meter: { index: 3, cir: 62500, pir: 223125, cbs: 1500, pbs: 2232 },
      },
    ]);
    expect(job(3).match).toEqual({
      src: ["10.0.1.3/32", "10.0.1.4/32"],
      dst: ["10.0.2.3/32"],
      protocol: 17,
      srcPort: null,
      dstPort: null,
    });
  });

  it("summarises the bottleneck link", () => {
    expect(allocation.links.find((l) => l.name === "s1:5->s2:5")).toEqual({
      name: "s1:5->s2:5",
      from: "s1",
      fromPort: 5,
      to: "s2",
      toPort: 5,
      capacity: 10 * M,
      dataCapacity: 9.8 * M,
      exactLoad: 3 * M,
      guaranteed: expect.closeTo(4.9 * M, 3),
      allocated: expect.closeTo(6.8 * M, 3),
      utilisation: expect.closeTo(0.98, 9),
      jobs: 3,
    });
    // Half of c leaves from each of its two hosts; h4 also sends the exact flow.
    const h4 = allocation.links.find((l) => l.name === "h4->s1:4")!;
    expect(h4.exactLoad).toBe(3 * M);
    expect(h4.allocated! / M).toBeCloseTo(0.85, 9);
  });

  it("divides the bottleneck port between queues: control 2%, best effort a - g, exact the rest; weights from the guarantees", () => {
    const s1 = allocation.switches.find((s) => s.name === "s1")!;
    const port = s1.ports.find((p) => p.port === 5)!;
    // Control: 2% of 10 Mbit/s in 256-byte packets = 97.7 -> 98 packets/s; data: 9.8 Mbit/s
    // at 1500 B = 817; best effort (6.8 - 4.9) Mbit/s = 158.3 -> 158; exact queue 817 - 158 = 659.
    // Weighted scheduling: the guarantees crossing the port (4.9 of 9.8 Mbit/s) capped at beta
    // (0.5) for best effort, the rest for the exact queue; control goes first.
    expect(port).toEqual({
      port: 5,
      peer: "s2",
      peerPort: 5,
      capacity: 10 * M,
      buffer: 64,
      leThreshold: 8,
      ecnThreshold: null,
      queues: [
        {
          queue: 0,
          classes: ["approximate_best_effort"],
          ratePps: 158,
          depthPackets: 64,
          weight: expect.closeTo(0.5, 9),
        },
        {
          queue: 1,
          classes: ["exact", "approximate_guaranteed"],
          ratePps: 659,
          depthPackets: 64,
          weight: expect.closeTo(0.5, 9),
        },
        { queue: 2, classes: ["control"], ratePps: 98, depthPackets: 64, weight: 0 },
      ],
      tofino: null,
    });
    // Towards h5: a's best-effort part 3.4 - 2.9333 = 0.4667 Mbit/s = 38.9 -> 39 packets/s.
    const s2 = allocation.switches.find((s) => s.name === "s2")!;
    expect(s2.ports[0]!.queues.map((q) => q.ratePps)).toEqual([39, 778, 98]);
  });

  it("lists edge ports, classifiers and the DSCP map for the translation", () => {
    const s1 = allocation.switches.find((s) => s.name === "s1")!;
    expect(s1.hostPorts.map((h) => [h.port, h.host, h.ipv4])).toEqual([
      [1, "h1", "10.0.1.1"],
      [2, "h2", "10.0.1.2"],
      [3, "h3", "10.0.1.3"],
      [4, "h4", "10.0.1.4"],
    ]);
    expect(s1.classifiers.map((c) => [c.jobId, c.action, c.meter?.index])).toEqual([
      [1, "meter", 1],
      [2, "meter", 2],
      [3, "meter", 3],
    ]);
    expect(allocation.switches.find((s) => s.name === "s2")!.classifiers).toEqual([]);
    expect(allocation.classes).toEqual({
      dscp: [
        { dscp: 0, class: "exact", queue: 1 },
        { dscp: 1, class: "approximate_best_effort", queue: 0 },
        { dscp: 10, class: "approximate_guaranteed", queue: 1 },
        { dscp: 48, class: "control", queue: 2 },
      ],
      defaultQueue: 1,
      guaranteedDscp: 10,
      bestEffortDscp: 1,
      priorityQueues: 3,
    });
    expect(allocation.features).toEqual({
      meters: true,
      earlyDrop: true,
      classify: "meter",
      transport: "approximate",
    });
  });

  it("meets every guarantee when they fit, and stops at the cap when they do not", () => {
    // Without the exact flow and with beta = 1 the cap is 9.8 >= 3.2 + 3.2 + 0.5.
    const roomy = {
      ...goldenPolicy,
      knobs: { ...goldenPolicy.knobs, beta: 1 },
      exact: { source: "declared" as const, flows: [] },
    };
    const a = run(roomy);
    expect(a.jobs.map((j) => j.guaranteed! / M)).toEqual([
      expect.closeTo(3.2, 9),
      expect.closeTo(3.2, 9),
      expect.closeTo(0.5, 9),
    ]);
    // With the exact flow the cap is min(9.8, 6.8) = 6.8 < 6.9: a (weight 2) and c reach
    // their 3.2 and 0.5 first, b gets the remaining 3.1.
    const tight = run({ ...roomy, exact: goldenPolicy.exact });
    expect(tight.jobs.map((j) => j.guaranteed! / M)).toEqual([
      expect.closeTo(3.2, 9),
      expect.closeTo(3.1, 9),
      expect.closeTo(0.5, 9),
    ]);
  });

  it("uses a measured load in place of the declared one", () => {
    const measured = allocate(
      dumbbell,
      dumbbellRouting,
      { measured: new Map([["s1:5", 5.8 * M]]) },
      goldenPolicy,
    );
    const link = measured.links.find((l) => l.name === "s1:5->s2:5")!;
    expect(link.exactLoad).toBe(5.8 * M);
    // R = 4 Mbit/s; guarantees now capped at 4 and the allocation fills exactly 4.
    expect(link.guaranteed! / M).toBeCloseTo(4, 9);
    expect(link.allocated! / M).toBeCloseTo(4, 9);
    expect(() =>
      allocate(dumbbell, dumbbellRouting, { measured: new Map([["s9:1", 1]]) }, goldenPolicy),
    ).toThrow('measured load for unknown port "s9:1"');
  });

  it("adds exact flows given with the demands", () => {
    const more = allocate(
      dumbbell,
      dumbbellRouting,
      { exactFlows: [{ src: "h1", dst: "10.0.2.4", rate: 1e6 }] },
      goldenPolicy,
    );
    expect(more.links.find((l) => l.name === "s1:5->s2:5")!.exactLoad).toBe(4 * M);
    expect(() =>
      allocate(
        dumbbell,
        dumbbellRouting,
        { exactFlows: [{ src: "h1", dst: "h42", rate: 1 }] },
        goldenPolicy,
      ),
    ).toThrow(
      new Error('demands: exactFlows[0].dst: no host named or addressed "h42" in the topology'),
    );
  });

  it("refuses routing computed for another topology", () => {
    expect(() =>
      allocate(loadTopologyFile("topologies/dumbbell.yaml"), dumbbellRouting, {}, goldenPolicy),
    ).toThrow("allocate: the routing was computed for a different topology");
  });
});

describe("baselines from the same code", () => {
  const of = (allocator: Policy["allocator"]) => run({ ...goldenPolicy, allocator });
  const bottleneckPort = (a: Allocation) =>
    a.switches.find((s) => s.name === "s1")!.ports.find((p) => p.port === 5)!;

  it("priority-only: low queue with all of the residual, no meters, no early drop", () => {
    const a = of("priority-only");
    expect(a.features).toEqual({
      meters: false,
      earlyDrop: false,
      classify: "mark-best-effort",
      transport: "approximate",
    });
    expect(
      a.jobs.every(
        (j) =>
          j.guaranteed === null && j.allocated === null && j.ingress.every((i) => i.meter === null),
      ),
    ).toBe(true);
    expect(a.switches[0]!.classifiers.map((c) => [c.jobId, c.action, c.meter])).toEqual([
      [1, "mark-best-effort", null],
      [2, "mark-best-effort", null],
      [3, "mark-best-effort", null],
    ]);
    const port = bottleneckPort(a);
    expect(port.leThreshold).toBeNull();
    // R = 6.8 Mbit/s = 566.7 -> 567 packets/s; exact 817 - 567 = 250; control 98.
    expect(port.queues.map((q) => q.ratePps)).toEqual([567, 250, 98]);
    expect(a.classes.dscp.find((d) => d.dscp === 1)).toEqual({
      dscp: 1,
      class: "approximate_best_effort",
      queue: 0,
    });
  });

  it.each(["oblivious", "udp-blast"] as const)(
    "%s: approximate traffic rides as exact, no classifier, no meter",
    (name) => {
      const a = of(name);
      expect(a.features.meters).toBe(false);
      expect(a.features.earlyDrop).toBe(false);
      expect(a.features.classify).toBe("none");
      expect(a.features.transport).toBe(name === "oblivious" ? "tcp" : "udp-line-rate");
      expect(a.switches.every((s) => s.classifiers.length === 0)).toBe(true);
      expect(a.classes.dscp.filter((d) => d.dscp === 1 || d.dscp === 10)).toEqual([
        { dscp: 1, class: "exact", queue: 1 },
        { dscp: 10, class: "exact", queue: 1 },
      ]);
      const port = bottleneckPort(a);
      expect(port.leThreshold).toBeNull();
      expect(port.queues.map((q) => [q.queue, q.classes, q.ratePps])).toEqual([
        [0, [], 1],
        [1, ["exact", "approximate_guaranteed"], 816],
        [2, ["control"], 98],
      ]);
      const link = a.links.find((l) => l.name === "s1:5->s2:5")!;
      expect([link.exactLoad, link.guaranteed, link.allocated, link.utilisation]).toEqual([
        3 * M,
        null,
        null,
        0.3,
      ]);
    },
  );

  it("all allocators agree on exact load and links", () => {
    const names = ["netapprox", "priority-only", "oblivious", "udp-blast"] as const;
    const loads = names.map((n) => of(n).links.map((l) => [l.name, l.exactLoad]));
    for (const l of loads) expect(l).toEqual(loads[0]);
  });
});

describe("guarantees sized by fan-in and smaller-jobs-first weights", () => {
  it("gives a job without a deadline the larger of the floor and its senders times the per-sender guarantee", () => {
    const p = parsePolicy(
      `knobs: {guarantee_floor: 1Mbit, guarantee_per_sender: 700kbit, beta: 0.9}
jobs:
  - {name: one, id: 1, match: {src: h1, dst: h5}, volume: 1MB, fraction: 0.9}
  - {name: three, id: 2, match: {src: [h2, h3, h4], dst: h6}, volume: 1MB, fraction: 0.9}
`,
      "fan-in.yaml",
    );
    const a = run(p);
    expect(a.jobs.map((j) => j.requestedGuarantee)).toEqual([1 * M, 2.1 * M]);
    // The bottleneck's best-effort queue weight is the guarantees crossing it over its data rate.
    const port = a.switches[0]!.ports.find((x) => x.port === 5)!;
    expect(port.queues[0]!.weight).toBeCloseTo(3.1 / 9.8, 9);
  });

  it("shares the residual in inverse proportion to volume with smaller-first weights", () => {
    const jobs = `jobs:
  - {name: small, id: 1, match: {src: h1, dst: h5}, volume: 1MB, fraction: 0.9}
  - {name: large, id: 2, match: {src: h2, dst: h6}, volume: 3MB, fraction: 0.9}
`;
    const declared = run(parsePolicy(jobs, "w.yaml"));
    const smaller = run(parsePolicy(`knobs: {job_weights: smaller-first}\n${jobs}`, "w.yaml"));
    const [d1, d2] = declared.jobs.map((j) => j.allocated!);
    expect(d1).toBeCloseTo(d2!, 3);
    const [s1, s2] = smaller.jobs.map((j) => j.allocated!);
    expect(s1! / s2!).toBeCloseTo(3, 6);
    expect(s1! + s2!).toBeCloseTo(d1! + d2!, 3);
  });
});

describe("Tofino switches", () => {
  it("get traffic-manager settings: shaping, priorities with DWRR weights, yellow drop limit", () => {
    const tofino: Topology = {
      ...dumbbell,
      switches: dumbbell.switches.map((s) => ({ ...s, target: "tofino", thriftPort: null })),
    };
    const a = run(goldenPolicy, tofino, computeRoutes(tofino));
    const plan = a.switches[0]!.ports.find((p) => p.port === 5)!.tofino!;
    expect(plan.shapingRate).toBe(10 * M);
    // The best-effort queue has a share (the guarantees crossing the port, capped at beta =
    // 0.5): it shares the exact queue's priority under DWRR, 50/50; control goes first.
    expect(plan.queues.map((q) => [q.queue, q.priority, q.weight, q.yellowLimitPackets])).toEqual([
      [0, 1, 50, 8],
      [1, 1, 50, null],
      [2, 2, 100, null],
    ]);
    // Exact queue: exact load plus guarantees; best effort: its weighted share of the port.
    expect(plan.queues[1]!.minRate / M).toBeCloseTo(3 + 4.9, 9);
    expect(plan.queues[0]!.minRate / M).toBeCloseTo(4.9, 9);
    // Without guarantees the best-effort queue has no share: a lower priority, as before.
    const noGuarantees = run(
      {
        ...goldenPolicy,
        knobs: { ...goldenPolicy.knobs, guaranteeFloor: 0 },
        jobs: goldenPolicy.jobs.map((j) => ({ ...j, deadline: null })),
      },
      tofino,
      computeRoutes(tofino),
    );
    const strict = noGuarantees.switches[0]!.ports.find((p) => p.port === 5)!.tofino!;
    expect(strict.queues.map((q) => [q.queue, q.priority, q.weight])).toEqual([
      [0, 0, 0],
      [1, 1, 100],
      [2, 2, 100],
    ]);
  });
});

// ---- properties on random topologies and job sets ----

interface Scenario {
  topology: Topology;
  jobs: ApproximateJob[];
  flows: ExactFlow[];
  beta: number;
  floor: number;
}

const scenario: fc.Arbitrary<Scenario> = randomTopology.chain((topology) => {
  const H = topology.hosts.length;
  const host = fc.nat(H - 1).map((i) => topology.hosts[i]!.name);
  const job = fc.record({
    src: fc.array(host, { minLength: 1, maxLength: 2 }),
    dst: fc.array(host, { minLength: 1, maxLength: 2 }),
    weight: fc.constantFrom(0.5, 1, 2, 4),
    volumeMB: fc.integer({ min: 1, max: 100 }),
    fraction: fc.constantFrom(0.25, 0.5, 0.9, 1),
    deadline: fc.option(fc.integer({ min: 5, max: 300 }), { nil: null }),
  });
  const flow = fc.record({ src: host, dst: host, rate: fc.integer({ min: 0, max: 3_000_000 }) });
  return fc.record({
    topology: fc.constant(topology),
    jobs: fc.array(job, { maxLength: 8 }).map((list) =>
      list
        .map((j, i) => ({
          name: `j${i}`,
          id: i + 1,
          match: {
            src: [...new Set(j.src)],
            dst: [...new Set(j.dst)],
            protocol: null,
            srcPort: null,
            dstPort: null,
          },
          volume: j.volumeMB * 1e6,
          fraction: j.fraction,
          weight: j.weight,
          deadline: j.deadline,
        }))
        .filter(
          (j) =>
            !(
              j.match.src.length === 1 &&
              j.match.dst.length === 1 &&
              j.match.src[0] === j.match.dst[0]
            ),
        ),
    ),
    flows: fc.array(flow, { maxLength: 6 }).map((fs) => fs.filter((f) => f.src !== f.dst)),
    beta: fc.constantFrom(0.1, 0.5, 0.9, 1),
    floor: fc.constantFrom(0, 100_000, 1_000_000),
  });
});

function policyOf(s: Scenario): Policy {
  return makePolicy({
    jobs: s.jobs,
    exact: { source: "declared", flows: s.flows },
    knobs: { beta: s.beta, guaranteeFloor: s.floor },
  });
}

/**
 * Each job's senders ("parts": the allocator gives every sending host of a job its own
 * rate) with their link fractions from path enumeration (not the allocator's own code path).
 */
function partsByPaths(
  routing: Routing,
  jobs: ApproximateJob[],
): { job: number; host: string; links: [number, number][] }[] {
  const net = routing.network;
  return [...jobs]
    .sort((a, b) => a.id - b.id)
    .flatMap((j, index) =>
      j.match.src
        .map((name) => {
          const a = net.hostIndex.get(name)!;
          const dst = j.match.dst.map((n) => net.hostIndex.get(n)!).filter((b) => b !== a);
          const share = new Map<number, number>();
          for (const b of dst) {
            for (const p of routing.paths(a, b)) {
              for (const l of p.links) share.set(l, (share.get(l) ?? 0) + p.fraction / dst.length);
            }
          }
          return { job: index, host: name, links: [...share] };
        })
        .filter((part) => part.links.length > 0),
    );
}

/** Each job's link fractions, from path enumeration (not the allocator's own code path). */
function fractionsByPaths(routing: Routing, jobs: ApproximateJob[]): [number, number][][] {
  const net = routing.network;
  return [...jobs]
    .sort((a, b) => a.id - b.id)
    .map((j) => {
      const src = j.match.src.map((n) => net.hostIndex.get(n)!);
      const dst = j.match.dst.map((n) => net.hostIndex.get(n)!);
      const pairs = src.flatMap((a) => dst.filter((b) => b !== a).map((b) => [a, b] as const));
      const share = new Map<number, number>();
      for (const [a, b] of pairs) {
        for (const p of routing.paths(a, b)) {
          for (const l of p.links) share.set(l, (share.get(l) ?? 0) + p.fraction / pairs.length);
        }
      }
      return [...share];
    });
}

describe("allocation properties on random topologies", () => {
  const EPS = 1e-6;

  it("never loads a link beyond capacity: exact + guarantees fit, allocations fit the residual", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const routing = computeRoutes(s.topology);
        const a = allocate(s.topology, routing, {}, policyOf(s));
        for (const l of a.links) {
          const residual = Math.max(0, l.dataCapacity - l.exactLoad);
          expect(l.guaranteed!).toBeLessThanOrEqual(
            Math.min(s.beta * l.dataCapacity, residual) * (1 + EPS) + EPS,
          );
          if (l.exactLoad <= l.dataCapacity) {
            expect(l.exactLoad + l.guaranteed!).toBeLessThanOrEqual(l.dataCapacity * (1 + EPS));
          }
          expect(l.allocated!).toBeLessThanOrEqual(residual * (1 + EPS) + EPS);
        }
        // The data queues' rates sum to the data capacity in packets/s; control is paced
        // in control-sized packets.
        for (const sw of a.switches) {
          for (const p of sw.ports) {
            const k = a.knobs;
            const data = Math.max(
              2,
              Math.round((p.capacity * (1 - k.controlShare)) / (8 * k.meanPacketSize)),
            );
            const isControl = (q: { classes: string[] }) => q.classes.includes("control");
            const dataQueues = p.queues.filter((q) => !isControl(q));
            expect(dataQueues.reduce((sum, q) => sum + q.ratePps, 0)).toBe(data);
            expect(p.queues.find(isControl)!.ratePps).toBe(
              Math.max(1, Math.round((p.capacity * k.controlShare) / (8 * CONTROL_PACKET_BYTES))),
            );
            expect(p.queues.every((q) => q.ratePps >= 1)).toBe(true);
          }
        }
      }),
      { numRuns: 80 },
    );
  });

  it("is weighted max-min fair above the guarantees, and the guarantees are max-min fair too", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const routing = computeRoutes(s.topology);
        const a = allocate(s.topology, routing, {}, policyOf(s));
        // Fair among the jobs' parts: each sender of a job with its share of the job's weight.
        const parts = partsByPaths(routing, s.jobs);
        const links = parts.map((p) => p.links);
        const byLink = new Map(a.links.map((l, i) => [l.name, i]));
        const net = routing.network;
        const residual = a.links.map((l) => Math.max(0, l.dataCapacity - l.exactLoad));
        // The allocator's link numbering and the summaries' order coincide.
        a.links.forEach((l, i) => expect(net.linkName(i)).toBe(l.name));
        const sender = (p: (typeof parts)[number]) =>
          a.jobs[p.job]!.senders.find((x) => x.host === p.host)!;
        const weight = parts.map((p) => a.jobs[p.job]!.weight * sender(p).share);
        const guaranteed = parts.map((p) => sender(p).guaranteed!);
        const allocated = parts.map((p) => sender(p).allocated!);
        // A job has what its senders have.
        a.jobs.forEach((j) => {
          expect(j.senders.reduce((x, p) => x + p.allocated!, 0)).toBeCloseTo(j.allocated!, 6);
          expect(j.senders.reduce((x, p) => x + p.share, 0)).toBeCloseTo(1, 9);
        });
        expect(
          fairnessViolations({
            links,
            capacity: residual,
            weight,
            lower: guaranteed,
            upper: parts.map(() => Infinity),
            rate: allocated,
          }),
        ).toEqual([]);
        const cap = a.links.map((l, i) => Math.min(s.beta * l.dataCapacity, residual[i]!));
        expect(
          fairnessViolations({
            links,
            capacity: cap,
            weight,
            lower: parts.map(() => 0),
            upper: parts.map((p) => a.jobs[p.job]!.requestedGuarantee * sender(p).share),
            rate: guaranteed,
          }),
        ).toEqual([]);
        // The reported bottleneck is one of the job's saturated links.
        const load = linkLoads({ links, rate: allocated }, a.links.length);
        a.jobs.forEach((j, i) => {
          if (j.bottleneck === null) return;
          const l = byLink.get(j.bottleneck)!;
          expect(parts.some((p) => p.job === i && p.links.some(([m]) => m === l))).toBe(true);
          expect(load[l]!).toBeCloseTo(residual[l]!, 3);
        });
      }),
      { numRuns: 80 },
    );
  });

  it("meets every guarantee whenever they all fit", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const routing = computeRoutes(s.topology);
        const a = allocate(s.topology, routing, {}, policyOf(s));
        const links = fractionsByPaths(routing, s.jobs);
        const requested = linkLoads(
          { links, rate: a.jobs.map((j) => j.requestedGuarantee) },
          a.links.length,
        );
        const fits = a.links.every(
          (l, i) =>
            requested[i]! <=
            Math.min(s.beta * l.dataCapacity, Math.max(0, l.dataCapacity - l.exactLoad)),
        );
        if (fits) {
          for (const j of a.jobs) expect(j.guaranteed!).toBeCloseTo(j.requestedGuarantee, 3);
        }
        for (const j of a.jobs)
          expect(j.allocated!).toBeGreaterThanOrEqual(j.guaranteed! * (1 - EPS));
      }),
      { numRuns: 80 },
    );
  });

  it("routes exact demand like the sum of its flows' path shares", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const routing = computeRoutes(s.topology);
        const a = allocate(s.topology, routing, {}, policyOf(s));
        const expected = new Array<number>(a.links.length).fill(0);
        const net = routing.network;
        for (const f of s.flows) {
          for (const p of routing.paths(net.hostIndex.get(f.src)!, net.hostIndex.get(f.dst)!)) {
            for (const l of p.links) expected[l]! += f.rate * p.fraction;
          }
        }
        a.links.forEach((l, i) => expect(l.exactLoad).toBeCloseTo(expected[i]!, 4));
      }),
      { numRuns: 60 },
    );
  });

  it("gives the same allocation for the same input, however files and lists are ordered", () => {
    fc.assert(
      fc.property(scenario, fc.nat(1000), (s, seed) => {
        const once = allocate(s.topology, computeRoutes(s.topology), {}, policyOf(s));
        const again = allocate(s.topology, computeRoutes(s.topology), {}, policyOf(s));
        expect(again).toEqual(once);
        const shuffledTopology = reordered(s.topology, seed);
        const reversed = {
          ...s,
          topology: shuffledTopology,
          jobs: [...s.jobs].reverse(),
          flows: [...s.flows].reverse(),
        };
        const other = allocate(
          shuffledTopology,
          computeRoutes(shuffledTopology),
          {},
          policyOf(reversed),
        );
        expect(JSON.stringify(other)).toBe(JSON.stringify(once));
      }),
      { numRuns: 60 },
    );
  });
});
