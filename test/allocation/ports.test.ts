import {
  CONTROL_PACKET_BYTES,
  buildClassPlan,
  featuresOf,
  portPlan,
} from "@netapprox/model/allocation/ports.js";
import { makePolicy, type AllocatorName } from "@netapprox/model/policy/types.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import { Network } from "@netapprox/model/topology/network.js";

const net = new Network(loadTopologyFile("topologies/dumbbell.yaml"));
const bottleneck = net.portLink[net.switchIndex.get("s1")!]!.get(5)!;

function plan(
  allocator: AllocatorName,
  knobs = {},
  loads = { exactLoad: 3e6, residual: 6.8e6, guaranteed: 2e6, bestEffort: 3e6, approximateJobs: 2 },
) {
  return portPlan({
    network: net,
    link: bottleneck,
    port: 5,
    target: "bmv2",
    policy: makePolicy({ allocator, knobs }),
    ...loads,
  });
}

describe("portPlan", () => {
  it("netapprox: best-effort queue gets the allocation above guarantees, control its share, exact the rest", () => {
    const p = plan("netapprox");
    // Data: 9.8 Mbit/s at 1500 B = 817 packets/s; 3 Mbit/s = 250 of them best effort.
    // Control: 200 kbit/s in 256-byte packets = 97.7 -> 98 packets/s.
    expect(p.queues.map((q) => [q.queue, q.ratePps])).toEqual([
      [0, 250],
      [1, 567],
      [2, 98],
    ]);
    expect(p.leThreshold).toBe(8);
    expect(p.peer).toBe("s2");
    expect(p.peerPort).toBe(5);
  });

  it("uses the mean packet size and clamps thresholds to the buffer", () => {
    const p = plan("netapprox", {
      meanPacketSize: 1000,
      leThreshold: 500,
      ecnThreshold: 1000,
      controlShare: 0,
    });
    // 1250 packets/s; control keeps at least 1.
    expect(p.queues.map((q) => q.ratePps)).toEqual([375, 875, 1]);
    expect(p.leThreshold).toBe(64);
    expect(p.ecnThreshold).toBe(64);
  });

  it("keeps a queue with traffic mapped to it at 1% of the data rate or more, and the sum at capacity", () => {
    const all = plan(
      "netapprox",
      {},
      { exactLoad: 0, residual: 0, guaranteed: 0, bestEffort: 1e12, approximateJobs: 1 },
    );
    // 817 data packets/s: the exact queue keeps 1% of them (8) even when all is best effort.
    expect(all.queues.map((q) => q.ratePps)).toEqual([809, 8, 98]);
    const none = plan(
      "netapprox",
      {},
      { exactLoad: 0, residual: 0, guaranteed: 0, bestEffort: 0, approximateJobs: 0 },
    );
    // An idle best-effort queue keeps 8 packets/s, so undeclared LE traffic still moves.
    expect(none.queues.map((q) => q.ratePps)).toEqual([8, 809, 98]);
    // In bits, the queues add up to the link: data packets at 1500 B, control at its size.
    const bits = (8 * 1500 * (809 + 8) + 8 * CONTROL_PACKET_BYTES * 98) / 10e6;
    expect(bits).toBeCloseTo(1, 2);
  });

  it("priority-only: the low queue gets all of the residual; no early drop", () => {
    const p = plan("priority-only");
    expect(p.queues.map((q) => q.ratePps)).toEqual([567, 250, 98]);
    expect(p.leThreshold).toBeNull();
  });

  it("priority-only: a link no approximate job crosses stays with the exact queue", () => {
    // E.g. the way back of a dumbbell, which carries the exact flows' acknowledgements.
    const p = plan(
      "priority-only",
      {},
      { exactLoad: 0, residual: 9.8e6, guaranteed: 0, bestEffort: 0, approximateJobs: 0 },
    );
    expect(p.queues.map((q) => q.ratePps)).toEqual([8, 809, 98]);
  });

  it("oblivious and udp-blast: nothing in the low queue", () => {
    for (const a of ["oblivious", "udp-blast"] as const) {
      const p = plan(a);
      expect(p.queues.map((q) => [q.classes, q.ratePps])).toEqual([
        [[], 1],
        [["exact", "approximate_guaranteed"], 816],
        [["control"], 98],
      ]);
    }
  });
});

describe("features and class plans", () => {
  it("describe each allocator", () => {
    expect(featuresOf("netapprox")).toEqual({
      meters: true,
      earlyDrop: true,
      classify: "meter",
      transport: "approximate",
    });
    expect(featuresOf("priority-only").classify).toBe("mark-best-effort");
    expect(featuresOf("oblivious").transport).toBe("tcp");
    expect(featuresOf("udp-blast").transport).toBe("udp-line-rate");
  });

  it("map DSCP to queues from the configured classes", () => {
    const policy = makePolicy({
      classes: {
        control: { dscp: 46, queue: 7 },
        exact: { dscp: 0, queue: 4 },
        guaranteed: { dscp: 12, queue: 4 },
        bestEffort: { dscp: 8, queue: 1 },
      },
    });
    expect(buildClassPlan(policy)).toEqual({
      dscp: [
        { dscp: 0, class: "exact", queue: 4 },
        { dscp: 8, class: "approximate_best_effort", queue: 1 },
        { dscp: 12, class: "approximate_guaranteed", queue: 4 },
        { dscp: 46, class: "control", queue: 7 },
      ],
      defaultQueue: 4,
      guaranteedDscp: 12,
      bestEffortDscp: 8,
      priorityQueues: 8,
    });
  });
});
