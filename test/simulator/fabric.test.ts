import { leafSpine } from "@netapprox/model/topology/generate.js";
import {
  COLOR_GREEN,
  COLOR_RED,
  COLOR_YELLOW,
  DROP_BUFFER_FULL,
  DROP_LE_THRESHOLD,
  DROP_METER_RED,
  DROP_REASONS,
  ECN_CE,
  ECN_ECT,
} from "@netapprox/lab/simulator/fabric.js";
import { KIND_PROBE } from "@netapprox/lab/simulator/hosts/packets.js";
import { dumbbell, probe, simulate, type TestSim } from "./helpers.js";

const MBIT = 1e6;

/** A packet from host `src` to host `dst`, not yet sent. */
function packet(t: TestSim, src: string, dst: string, dscp: number, size = 1000): number {
  const f = t.sim.fabric;
  const p = f.alloc();
  f.pSize[p] = size;
  f.pKind[p] = KIND_PROBE;
  f.pDscp[p] = dscp;
  f.pEp[p] = -2;
  f.pDst[p] = t.host(dst);
  f.pHash[p] = 1;
  void src;
  return p;
}

describe("edge meter (RFC 2698 two-rate three-colour marker)", () => {
  it("colours by the committed and peak buckets and refills them at CIR and PIR", () => {
    const t = simulate(
      dumbbell({ left: 1, right: 1, bottleneck: 10 * MBIT, access: 10 * MBIT, buffer: 64 }),
    );
    const f = t.sim.fabric;
    const m = f.meterOf(0, 0);
    f.setMeter(m, { index: 1, cir: 1000, pir: 2000, cbs: 1500, pbs: 1500 });
    f.now = 0;
    expect(f.meterColour(m, 1000)).toBe(COLOR_GREEN); // Tc 500, Tp 500
    expect(f.meterColour(m, 1000)).toBe(COLOR_RED); // Tp < 1000: red, nothing taken
    f.now = 0.25; // Tc 750, Tp 1000
    expect(f.meterColour(m, 1000)).toBe(COLOR_YELLOW); // Tp 0, Tc stays 750
    f.now = 0.5; // Tc 1000, Tp 500
    expect(f.meterColour(m, 600)).toBe(COLOR_RED);
    expect(f.meterColour(m, 500)).toBe(COLOR_GREEN); // Tc 500, Tp 0
    f.now = 10; // both buckets capped at their burst sizes
    expect(f.meterColour(m, 1500)).toBe(COLOR_GREEN);
    expect(f.meterColours(0, 0)).toEqual([3, 1, 2]);
    expect(f.meterColours(0, 1)).toBeNull();
  });

  it("drops RED packets at the first switch and re-marks GREEN to AF11 and YELLOW to LE", () => {
    const t = simulate(
      dumbbell({ left: 1, right: 1, bottleneck: 100 * MBIT, access: 100 * MBIT, buffer: 64 }),
    );
    const f = t.sim.fabric;
    const m = f.meterOf(0, 0);
    // CIR 1 packet, PIR 2 packets of burst, no refill during the test.
    f.setMeter(m, { index: 1, cir: 1, pir: 1, cbs: 1000, pbs: 2000 });
    const seen: number[] = [];
    f.sink = { deliver: (p) => seen.push(f.pDscp[p]!), sent: () => undefined };
    for (let i = 0; i < 4; i++) {
      const p = packet(t, "l1", "r1", 1);
      f.pMeter[p] = m;
      f.pJob[p] = 0;
      f.sendFromHost(t.host("l1"), p);
    }
    t.sim.run(1);
    expect(seen).toEqual([10, 1]);
    expect(
      f.dropPackets[t.sim.fabric.hostUplink[t.host("l1")]! * DROP_REASONS.length + DROP_METER_RED],
    ).toBe(2);
    expect(f.jobDropped[0]).toBe(2000);
    expect(f.jobDelivered[0]).toBe(2000);
  });
});

describe("egress ports", () => {
  it("admits best-effort approximate packets only while their queue is below the LE threshold", () => {
    const t = simulate(
      dumbbell({ left: 1, right: 1, bottleneck: 10 * MBIT, access: 10 * MBIT, buffer: 64 }),
      {
        knobs: { leThreshold: 4 },
      },
    );
    const f = t.sim.fabric;
    const out = t.port("s1", 2);
    expect(f.leThreshold[out]).toBe(4);
    // One packet on the wire, then the queue: LE (DSCP 1) stops at 4, exact (DSCP 0) at 64.
    for (let i = 0; i < 10; i++) f.enqueue(out, packet(t, "l1", "r1", 1));
    for (let i = 0; i < 70; i++) f.enqueue(out, packet(t, "l1", "r1", 0));
    const R = DROP_REASONS.length;
    expect(f.dropPackets[out * R + DROP_LE_THRESHOLD]).toBe(5);
    expect(f.dropPackets[out * R + DROP_BUFFER_FULL]).toBe(6);
    expect(f.portQueueLength(out)).toBe(4 + 64);
  });

  it("has no LE threshold under priority-only: the low queue fills to its buffer", () => {
    const t = simulate(
      dumbbell({ left: 1, right: 1, bottleneck: 10 * MBIT, access: 10 * MBIT, buffer: 16 }),
      {
        allocator: "priority-only",
      },
    );
    const f = t.sim.fabric;
    const out = t.port("s1", 2);
    for (let i = 0; i < 20; i++) f.enqueue(out, packet(t, "l1", "r1", 1));
    expect(f.dropPackets[out * DROP_REASONS.length + DROP_LE_THRESHOLD]).toBe(0);
    expect(f.dropPackets[out * DROP_REASONS.length + DROP_BUFFER_FULL]).toBe(3);
  });

  it("marks ECN-capable exact packets CE above the ECN threshold", () => {
    const t = simulate(
      dumbbell({ left: 1, right: 1, bottleneck: 10 * MBIT, access: 10 * MBIT, buffer: 64 }),
      {
        knobs: { ecnThreshold: 3 },
      },
    );
    const f = t.sim.fabric;
    const out = t.port("s1", 2);
    const marks: number[] = [];
    for (let i = 0; i < 7; i++) {
      const p = packet(t, "l1", "r1", 0);
      f.pEcn[p] = ECN_ECT;
      f.enqueue(out, p);
      marks.push(f.pEcn[p]!);
    }
    // The first goes on the wire at once; the queue then holds 0, 1, 2, 3, 4, 5 before each arrival.
    expect(marks).toEqual([ECN_ECT, ECN_ECT, ECN_ECT, ECN_ECT, ECN_ECT, ECN_CE, ECN_CE]);
  });

  it("serves the highest non-empty queue first (strict priority)", () => {
    const t = simulate(
      dumbbell({ left: 1, right: 1, bottleneck: 10 * MBIT, access: 10 * MBIT, buffer: 64 }),
    );
    const f = t.sim.fabric;
    const order: number[] = [];
    f.sink = { deliver: (p) => order.push(f.pDscp[p]!), sent: () => undefined };
    const out = t.port("s1", 2);
    // LE, exact, control: queues 0, 1, 2; the first LE packet is already on the wire.
    for (const dscp of [1, 1, 0, 48, 0, 48]) {
      const p = packet(t, "l1", "r1", dscp);
      f.pLink[p] = out;
      f.enqueue(out, p);
    }
    t.sim.run(1);
    expect(order).toEqual([1, 48, 48, 0, 0, 1]);
  });

  it("paces each priority queue at its own rate in bmv2-paced mode", () => {
    const t = simulate(
      dumbbell({ left: 2, right: 1, bottleneck: 12 * MBIT, access: 100 * MBIT, buffer: 1000 }),
      {
        allocator: "priority-only",
        exact: { source: "declared", flows: [{ src: "l1", dst: "r1", rate: 6 * MBIT }] },
      },
      { queueMode: "bmv2-paced" },
    );
    const f = t.sim.fabric;
    const out = t.port("s1", 3);
    const plan = t.allocation.switches[0]!.ports.find((p) => p.port === 3)!.queues;
    const rate = (q: number) => plan.find((x) => x.queue === q)!.ratePps;
    expect(f.qServiceTime[out * f.P + 1]).toBeCloseTo(1 / rate(1), 12);
    // Both queues saturated for 2 s: each delivers its own rate, neither starves.
    const exact = probe(
      t,
      "l1",
      "r1",
      { rate: 3000, arrivals: "constant", size: 1500, dscp: 0, until: 2 },
      { from: 0.5, to: 2 },
    );
    const le = probe(
      t,
      "l2",
      "r1",
      { rate: 3000, arrivals: "constant", size: 1500, dscp: 1, until: 2 },
      { from: 0.5, to: 2 },
    );
    t.sim.run(2);
    expect(exact.sink.received / 1.5).toBeCloseTo(rate(1), -1);
    expect(le.sink.received / 1.5).toBeCloseTo(rate(0), -1);
  });
});

describe("weighted scheduling (a work-conserving traffic manager)", () => {
  /** l1 (exact), l2 (best effort) and l3 (control) into r1 over a 10 Mbit/s bottleneck. */
  const weighted = (weights: { le: number }) => {
    const t = simulate(
      dumbbell({ left: 3, right: 1, bottleneck: 10 * MBIT, access: 100 * MBIT, buffer: 1000 }),
      {},
      { queueMode: "weighted" },
    );
    const f = t.sim.fabric;
    const out = t.port("s1", 4);
    // The port's weights as an allocation would set them (best effort: queue 0, exact: 1).
    f.qWeight[out * f.P + 0] = weights.le;
    f.qWeight[out * f.P + 1] = 1 - weights.le;
    return t;
  };
  const offer = (t: TestSim, src: string, dscp: number, rate = 2000) =>
    probe(
      t,
      src,
      "r1",
      { rate, arrivals: "constant", size: 1250, dscp, until: 2 },
      { from: 0.5, to: 2 },
    );
  /** Mbit/s received in the measuring window (1.5 s). */
  const mbps = (x: { sink: { received: number } }) => (x.sink.received * 1250 * 8) / 1.5 / 1e6;

  it("gives a class alone the whole link, whatever its weight", () => {
    const t = weighted({ le: 0.2 });
    const le = offer(t, "l2", 1);
    t.sim.run(2);
    expect(mbps(le)).toBeGreaterThan(9.9);
  });

  it("shares the link by the weights when both classes are backlogged", () => {
    for (const w of [0.2, 0.5]) {
      const t = weighted({ le: w });
      const exact = offer(t, "l1", 0);
      const le = offer(t, "l2", 1);
      t.sim.run(2);
      expect(mbps(le) / 10).toBeCloseTo(w, 1);
      expect(Math.abs(mbps(le) - 10 * w) / (10 * w)).toBeLessThan(0.03);
      expect(mbps(exact) + mbps(le)).toBeGreaterThan(9.9);
    }
  });

  it("lends what a class leaves idle to the other", () => {
    const t = weighted({ le: 0.5 });
    const exact = offer(t, "l1", 0, 300); // 3 Mbit/s of the 5 its weight gives it
    const le = offer(t, "l2", 1);
    t.sim.run(2);
    expect(mbps(exact)).toBeCloseTo(3, 1);
    expect(mbps(le)).toBeGreaterThan(6.9);
  });

  it("serves control first, and a queue without a weight only when the others are idle", () => {
    const t = weighted({ le: 0 });
    const exact = offer(t, "l1", 0, 900);
    const control = offer(t, "l3", 48, 100);
    const le = offer(t, "l2", 1);
    t.sim.run(2);
    expect(mbps(control)).toBeCloseTo(1, 1);
    expect(mbps(exact)).toBeCloseTo(9, 1);
    expect(mbps(le)).toBeLessThan(0.1);
  });
});

describe("host interfaces with DSCP priority", () => {
  it("send a host's exact packets ahead of its own best-effort backlog", () => {
    const delays = (hostQueues: "priority" | "fifo") => {
      const t = simulate(
        dumbbell({ left: 1, right: 1, bottleneck: 100 * MBIT, access: 10 * MBIT, buffer: 1000 }),
        {},
        { hostQueues },
      );
      // The host keeps its 10 Mbit/s interface busy with best effort; exact probes go too.
      probe(t, "l1", "r1", { rate: 2000, arrivals: "constant", size: 1250, dscp: 1, until: 1 });
      const exact = probe(t, "l1", "r1", {
        rate: 50,
        arrivals: "constant",
        size: 1250,
        dscp: 0,
        until: 1,
      });
      t.sim.run(3);
      return {
        received: exact.sink.received,
        meanDelay: exact.sink.delaySum / exact.sink.received,
      };
    };
    const fifo = delays("fifo");
    const priority = delays("priority");
    expect(priority.received).toBe(fifo.received);
    // Behind a growing FIFO backlog exact packets wait long; with priority about a packet time.
    expect(fifo.meanDelay).toBeGreaterThan(0.05);
    expect(priority.meanDelay).toBeLessThan(0.005);
  });
});

describe("ECMP", () => {
  const topology = leafSpine(4, 2, 2);

  it("sends a flow the same way every time and spreads flows evenly over the members", () => {
    const a = simulate(topology);
    const b = simulate(topology);
    const leaf = a.routing.network.switchIndex.get("leaf1")!;
    const dst = a.host("h2-1");
    const counts = new Map<number, number>();
    for (let flow = 0; flow < 4000; flow++) {
      const hash = flow * 2654435761;
      const link = a.sim.fabric.ecmpChoice(leaf, dst, hash);
      expect(b.sim.fabric.ecmpChoice(leaf, dst, hash)).toBe(link);
      expect(a.sim.fabric.ecmpChoice(leaf, dst, hash)).toBe(link);
      counts.set(link, (counts.get(link) ?? 0) + 1);
    }
    expect(counts.size).toBe(4);
    for (const n of counts.values()) expect(n).toBeGreaterThan(850);
  });

  it("hashes with a seed per switch unless told to use one hash everywhere", () => {
    const salted = simulate(topology);
    const same = simulate(topology, {}, { ecmpHash: "same" });
    const net = salted.routing.network;
    const l1 = net.switchIndex.get("leaf1")!;
    const l2 = net.switchIndex.get("leaf2")!;
    const member = (t: TestSim, v: number, dst: string, hash: number) =>
      net.linkTo[t.sim.fabric.ecmpChoice(v, t.host(dst), hash)]!;
    let agreeSalted = 0;
    let agreeSame = 0;
    for (let flow = 0; flow < 400; flow++) {
      const hash = flow * 40503;
      if (member(salted, l1, "h2-1", hash) === member(salted, l2, "h1-1", hash)) agreeSalted++;
      if (member(same, l1, "h2-1", hash) === member(same, l2, "h1-1", hash)) agreeSame++;
    }
    expect(agreeSame).toBe(400);
    expect(agreeSalted).toBeLessThan(200);
  });
});

describe("host interfaces", () => {
  it("tells a sender its packet left the interface queue even when the queue dropped it", () => {
    const t = simulate(
      dumbbell({ left: 1, right: 1, bottleneck: 10 * MBIT, access: 10 * MBIT, buffer: 64 }),
      {},
      { hostBuffer: 3 },
    );
    const f = t.sim.fabric;
    const sent: number[] = [];
    f.sink = { deliver: () => undefined, sent: (ep) => sent.push(ep) };
    for (let i = 0; i < 6; i++) {
      const p = packet(t, "l1", "r1", 0);
      f.pEp[p] = 40 + i;
      f.sendFromHost(t.host("l1"), p);
    }
    // One on the wire, three queued, two dropped at once.
    expect(sent).toEqual([44, 45]);
    expect(f.dropPackets[f.hostUplink[t.host("l1")]! * DROP_REASONS.length + 3]).toBe(2);
    t.sim.run(1);
    expect(sent).toEqual([44, 45, 40, 41, 42, 43]);
  });
});
