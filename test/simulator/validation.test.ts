// The simulator against textbook results: a single bottleneck fed by Poisson arrivals
// behaves as M/D/1 or M/M/1 (throughput and mean waiting time), long TCP flows share a
// bottleneck max-min fairly, and strict priority without meters starves the low queue.
import { TcpReceiver } from "@netapprox/lab/simulator/hosts/tcp-receiver.js";
import { TcpSender, type TcpFlowConfig } from "@netapprox/lab/simulator/hosts/tcp.js";
import { DEFAULT_TCP } from "@netapprox/lab/experiment/scenario.js";
import { dumbbell, probe, simulate, type TestSim } from "./helpers.js";

const MBIT = 1e6;

/** One bottleneck of 10 Mbit/s (s1 -> s2) fed from a 10 Gbit/s host: the host adds nothing. */
function bottleneck(): TestSim {
  return simulate(
    dumbbell({
      left: 1,
      right: 1,
      bottleneck: 10 * MBIT,
      access: [10_000 * MBIT, 10_000 * MBIT],
      buffer: 100_000,
    }),
  );
}

describe("single bottleneck with Poisson arrivals", () => {
  const size = 1250; // bytes: 1 ms of service at 10 Mbit/s
  const mu = (10 * MBIT) / 8 / size; // packets per second

  for (const rho of [0.3, 0.6, 0.8]) {
    it(`matches M/D/1 at load ${rho}: throughput and mean waiting time ρ / (2μ(1-ρ))`, () => {
      const t = bottleneck();
      const lambda = rho * mu;
      const end = 60_000 / lambda; // about 60,000 packets
      const { sink } = probe(
        t,
        "l1",
        "r1",
        { rate: lambda, size, until: end, seed: 11 },
        { from: 0, to: end },
      );
      t.sim.run(end + 1);
      const port = t.port("s1", 2);
      const f = t.sim.fabric;
      const wait = f.waitSum[port]! / f.waitCount[port]!;
      const theory = rho / (2 * mu * (1 - rho));
      expect(wait / theory).toBeGreaterThan(0.93);
      expect(wait / theory).toBeLessThan(1.07);
      expect((sink.bytes * 8) / end / (rho * 10 * MBIT)).toBeCloseTo(1, 1);
    });
  }

  it("matches M/M/1 at load 0.7 with exponential packet sizes: mean waiting time ρ / (μ - λ)", () => {
    const t = bottleneck();
    const rho = 0.7;
    const lambda = rho * mu;
    const end = 80_000 / lambda;
    probe(t, "l1", "r1", { rate: lambda, size, sizes: "exponential", until: end, seed: 5 });
    t.sim.run(end + 1);
    const port = t.port("s1", 2);
    const f = t.sim.fabric;
    const wait = f.waitSum[port]! / f.waitCount[port]!;
    const theory = rho / (mu - lambda);
    expect(wait / theory).toBeGreaterThan(0.9);
    expect(wait / theory).toBeLessThan(1.1);
  });

  it("carries exactly its capacity when overloaded and drops the excess at a full buffer", () => {
    const t = simulate(
      dumbbell({
        left: 1,
        right: 1,
        bottleneck: 10 * MBIT,
        access: [10_000 * MBIT, 10_000 * MBIT],
        buffer: 50,
      }),
    );
    const { sink } = probe(t, "l1", "r1", { rate: 1.5 * mu, size, until: 3 }, { from: 1, to: 3 });
    t.sim.run(3);
    expect((sink.bytes * 8) / 2 / (10 * MBIT)).toBeCloseTo(1, 2);
    expect(t.sim.fabric.dropPackets.reduce((a, b) => a + b, 0)).toBeGreaterThan(
      0.3 * 1.5 * mu * 3 * 0.9,
    );
  });
});

/** Long TCP flows l_i -> r_i; returns the bytes each had in order at `from` and `to`. */
function tcpShares(t: TestSim, pairs: [string, string][], from: number, to: number): number[] {
  const receivers: TcpReceiver[] = [];
  pairs.forEach(([src, dst], i) => {
    const id = t.sim.reservePair();
    const config: TcpFlowConfig = {
      bytes: 1e9,
      tcp: DEFAULT_TCP,
      ecn: false,
      dscp: 0,
      job: -1,
      hash: 1000 + i,
      reverseHash: 2000 + i,
    };
    const receiver = new TcpReceiver(t.sim, id + 1, t.host(dst), t.host(src), config);
    const sender = new TcpSender(t.sim, id, t.host(src), t.host(dst), config, () => undefined);
    t.sim.attach(receiver);
    t.sim.attach(sender);
    // Staggered starts: the flows do not begin in lockstep.
    t.sim.at(i * 0.013, () => sender.start());
    receivers.push(receiver);
  });
  const atFrom: number[] = [];
  t.sim.at(from, () => receivers.forEach((r) => atFrom.push(r.inOrderBytes)));
  t.sim.run(to);
  return receivers.map((r, i) => r.inOrderBytes - atFrom[i]!);
}

describe("TCP on a shared bottleneck", () => {
  it("gives equal flows equal shares of the bottleneck (max-min fair)", () => {
    const t = simulate(
      dumbbell({
        left: 3,
        right: 3,
        bottleneck: 30 * MBIT,
        access: 1000 * MBIT,
        buffer: 100,
        delay: 0.002,
      }),
    );
    const bytes = tcpShares(
      t,
      [
        ["l1", "r1"],
        ["l2", "r2"],
        ["l3", "r3"],
      ],
      2,
      12,
    );
    const rates = bytes.map((b) => (b * 8) / 10 / MBIT);
    const total = rates.reduce((a, b) => a + b, 0);
    expect(total / 30).toBeGreaterThan(0.9);
    for (const r of rates) expect(r / (total / 3)).toBeCloseTo(1, 0);
    const jain = total ** 2 / (3 * rates.reduce((a, r) => a + r * r, 0));
    expect(jain).toBeGreaterThan(0.97);
  });

  it("gives a flow limited elsewhere its limit and splits the rest between the others", () => {
    // l1's own link carries 6 Mbit/s; max-min over a 30 Mbit/s bottleneck: 6, 12, 12. The
    // bottleneck buffer is near the path's bandwidth-delay product (with a much larger one,
    // drop-tail losses keep the limited flow's window below what its link needs).
    const access = [6 * MBIT, ...new Array<number>(5).fill(1000 * MBIT)];
    const t = simulate(
      dumbbell({ left: 3, right: 3, bottleneck: 30 * MBIT, access, buffer: 50, delay: 0.002 }),
    );
    const rates = tcpShares(
      t,
      [
        ["l1", "r1"],
        ["l2", "r2"],
        ["l3", "r3"],
      ],
      2,
      12,
    ).map((b) => (b * 8) / 10 / MBIT);
    // Goodput: payload of 1460 in 1500-byte packets on the 6 Mbit/s link.
    const limit = (6 * 1460) / 1500;
    expect(rates[0]! / limit).toBeGreaterThan(0.93);
    expect(rates[0]! / limit).toBeLessThanOrEqual(1);
    const rest = (30 * 0.97 - rates[0]!) / 2;
    for (const r of rates.slice(1)) expect(Math.abs(r - rest) / rest).toBeLessThan(0.1);
  });
});

describe("strict priority without meters", () => {
  it("starves the low (best-effort) queue while the high queue is saturated", () => {
    const topology = dumbbell({
      left: 2,
      right: 1,
      bottleneck: 10 * MBIT,
      access: 100 * MBIT,
      buffer: 100,
    });
    const t = simulate(topology, { allocator: "priority-only" });
    const pps = (10 * MBIT) / 8 / 1250;
    const exact = probe(
      t,
      "l1",
      "r1",
      { rate: 1.2 * pps, arrivals: "constant", size: 1250, dscp: 0, until: 3 },
      { from: 1, to: 3 },
    );
    const le = probe(
      t,
      "l2",
      "r1",
      { rate: 0.5 * pps, arrivals: "constant", size: 1250, dscp: 1, until: 3 },
      { from: 1, to: 3 },
    );
    t.sim.run(3);
    expect((exact.sink.bytes * 8) / 2 / (10 * MBIT)).toBeCloseTo(1, 2);
    expect(le.sink.received).toBe(0);
  });

  it("lets the low queue through once the high queue leaves room", () => {
    const t = simulate(
      dumbbell({ left: 2, right: 1, bottleneck: 10 * MBIT, access: 100 * MBIT, buffer: 100 }),
      {
        allocator: "priority-only",
      },
    );
    const pps = (10 * MBIT) / 8 / 1250;
    probe(t, "l1", "r1", { rate: 0.6 * pps, arrivals: "constant", size: 1250, dscp: 0, until: 3 });
    const le = probe(
      t,
      "l2",
      "r1",
      { rate: 0.8 * pps, arrivals: "constant", size: 1250, dscp: 1, until: 3 },
      { from: 1, to: 3 },
    );
    t.sim.run(3);
    // What the high queue leaves (40%), not what the low queue offers (80%).
    expect((le.sink.bytes * 8) / 2 / (10 * MBIT)).toBeCloseTo(0.4, 1);
  });
});
