import { DEFAULT_TCP, type TcpSettings } from "@netapprox/lab/experiment/scenario.js";
import { TcpReceiver } from "@netapprox/lab/simulator/hosts/tcp-receiver.js";
import { TcpSender, type TcpFlowConfig } from "@netapprox/lab/simulator/hosts/tcp.js";
import { DROP_REASONS } from "@netapprox/lab/simulator/fabric.js";
import { dumbbell, simulate, type TestSim } from "./helpers.js";

const MBIT = 1e6;

function flow(
  t: TestSim,
  src: string,
  dst: string,
  bytes: number,
  extra: Partial<Omit<TcpFlowConfig, "tcp">> & { tcp?: Partial<TcpSettings> } = {},
): { sender: TcpSender; receiver: TcpReceiver; done: number[] } {
  const id = t.sim.reservePair();
  const config: TcpFlowConfig = {
    bytes,
    ecn: false,
    dscp: 0,
    job: -1,
    hash: id,
    reverseHash: id + 1,
    ...extra,
    tcp: { ...DEFAULT_TCP, ...extra.tcp },
  };
  const done: number[] = [];
  const receiver = new TcpReceiver(t.sim, id + 1, t.host(dst), t.host(src), config);
  const sender = new TcpSender(t.sim, id, t.host(src), t.host(dst), config, (s) =>
    done.push(s.completionTime!),
  );
  t.sim.attach(receiver);
  t.sim.attach(sender);
  sender.start();
  return { sender, receiver, done };
}

/** l1 and r1 across the two switches: every link 10 Mbit/s and 1 ms, 64 packets per queue. */
const onePairAt10M = (): TestSim =>
  simulate(
    dumbbell({
      left: 1,
      right: 1,
      bottleneck: 10 * MBIT,
      access: 10 * MBIT,
      buffer: 64,
      delay: 0.001,
    }),
  );

describe("TCP model", () => {
  it("completes a flow within its initial window in a handshake, the data's trip and the ACK's return", () => {
    const C = 10 * MBIT;
    const d = 0.001;
    const t = simulate(
      dumbbell({ left: 1, right: 1, bottleneck: C, access: C, buffer: 64, delay: d }),
    );
    const { done } = flow(t, "l1", "r1", 10 * 1460);
    t.sim.run(1);
    // Three equal store-and-forward hops each way.
    const small = (40 * 8) / C;
    const full = (1500 * 8) / C;
    const handshake = 2 * 3 * (d + small);
    const data = 10 * full + 2 * (d + full) + d;
    const ack = 3 * (d + small);
    expect(done).toHaveLength(1);
    expect(done[0]!).toBeCloseTo(handshake + data + ack, 9);
  });

  it("fills a bottleneck, recovers from drops at a small buffer and delivers every byte", () => {
    const t = simulate(
      dumbbell({
        left: 1,
        right: 1,
        bottleneck: 10 * MBIT,
        access: 100 * MBIT,
        buffer: 8,
        delay: 0.001,
      }),
    );
    const { sender, receiver, done } = flow(t, "l1", "r1", 3_000_000);
    t.sim.run(20);
    expect(done).toHaveLength(1);
    expect(receiver.inOrderBytes).toBe(3_000_000);
    expect(sender.retransmits).toBeGreaterThan(0);
    const drops = t.sim.fabric.dropPackets.reduce((a, b) => a + b, 0);
    expect(drops).toBeGreaterThan(0);
    // 3 MB of payload over 10 Mbit/s takes 2.47 s with headers; losses cost little more.
    expect(done[0]!).toBeGreaterThan(2.4);
    expect(done[0]!).toBeLessThan(2.47 * 1.25);
  });

  it("retransmits after a timeout when everything in flight is lost, backing off the timer", () => {
    const t = onePairAt10M();
    const { sender, done } = flow(t, "l1", "r1", 100_000, { tcp: { minRto: 0.05 } });
    // Black-hole the bottleneck for 300 ms after the first 20 ms.
    const port = t.port("s1", 2);
    const f = t.sim.fabric;
    t.sim.at(0.02, () => (f.buffer[port] = 0));
    t.sim.at(0.32, () => (f.buffer[port] = 64));
    t.sim.run(5);
    expect(sender.timeouts).toBeGreaterThanOrEqual(2);
    expect(done).toHaveLength(1);
    expect(f.dropPackets[port * DROP_REASONS.length + 2]).toBeGreaterThan(0);
  });

  it("stops when the receiver holds what it needs (receiver-side dropping)", () => {
    const t = onePairAt10M();
    const { sender, receiver, done } = flow(t, "l1", "r1", 1_000_000, {
      doneBytes: 500_000,
      job: 0,
    });
    t.sim.fabric.ensureJob(0);
    t.sim.run(10);
    expect(done).toHaveLength(1);
    expect(receiver.doneTime).not.toBeNull();
    expect(receiver.inOrderBytes).toBeGreaterThanOrEqual(500_000);
    expect(receiver.inOrderBytes).toBeLessThan(1_000_000);
    expect(sender.completionTime!).toBeLessThan(0.7);
    expect(t.sim.fabric.jobSent[0]!).toBeLessThan(800_000);
  });

  it("keeps the queue near the marking threshold with DCTCP, where Reno without ECN fills the buffer", () => {
    const run = (variant: "reno" | "dctcp") => {
      const ecn = variant === "dctcp";
      const t = simulate(
        dumbbell({
          left: 2,
          right: 2,
          bottleneck: 100 * MBIT,
          access: 1000 * MBIT,
          buffer: 200,
          delay: 0.0001,
        }),
        { knobs: { ecnThreshold: ecn ? 20 : null } },
      );
      flow(t, "l1", "r1", 5e8, { ecn, tcp: { variant } });
      flow(t, "l2", "r2", 5e8, { ecn, tcp: { variant } });
      t.sim.run(1);
      const port = t.port("s1", 3);
      const f = t.sim.fabric;
      const delay = f.waitSum[port]! / f.waitCount[port]!;
      const bytes = f.txBytes.slice(port * 4, port * 4 + 4).reduce((x, y) => x + y, 0);
      const drops = f.dropPackets.slice(
        port * DROP_REASONS.length,
        (port + 1) * DROP_REASONS.length,
      );
      return {
        queue: (delay * 100 * MBIT) / 8 / 1500,
        utilisation: (bytes * 8) / (100 * MBIT),
        drops: drops.reduce((x, y) => x + y, 0),
      };
    };
    const dctcp = run("dctcp");
    const reno = run("reno");
    expect(dctcp.utilisation).toBeGreaterThan(0.95);
    expect(dctcp.queue).toBeLessThan(30);
    expect(dctcp.drops).toBe(0);
    expect(reno.utilisation).toBeGreaterThan(0.95);
    expect(reno.queue).toBeGreaterThan(80);
    expect(reno.drops).toBeGreaterThan(0);
  });

  describe("persistent connections (rounds as messages)", () => {
    it("carries later rounds on the open connection, each reported when acknowledged", () => {
      const t = onePairAt10M();
      const { sender, receiver } = flow(t, "l1", "r1", 100_000, { persistent: true });
      receiver.useMessages(sender.messages);
      const acked: [number, number][] = [];
      sender.onMessageDone = (m) => acked.push([m, t.sim.now]);
      t.sim.run(1);
      expect(acked.map(([m]) => m)).toEqual([0]);
      // The connection stays open: the second round needs no handshake, and goes at once.
      const syns = sender.timeouts;
      const at = t.sim.now;
      t.sim.at(at, () => sender.append(100_000));
      t.sim.run(2);
      expect(acked.map(([m]) => m)).toEqual([0, 1]);
      expect(sender.timeouts).toBe(syns);
      expect(sender.finished).toBe(false);
      expect(receiver.heldOf(1)).toBe(Math.ceil(100_000 / 1460));
      // 100 KB at 10 Mbit/s is 80 ms; a new connection would add a handshake's round trip.
      expect(acked[1]![1] - at).toBeLessThan(0.2);
    });

    it("stops a round's message at the receiver: the sender skips the rest and goes on with the next", () => {
      const t = onePairAt10M();
      const { sender, receiver } = flow(t, "l1", "r1", 2_000_000, { persistent: true });
      receiver.useMessages(sender.messages);
      const acked: number[] = [];
      sender.onMessageDone = (m) => acked.push(m);
      // The round is complete elsewhere after 0.3 s: stop it and start the next round.
      t.sim.at(0.3, () => {
        receiver.stopMessage(0);
        sender.append(100_000);
      });
      t.sim.run(3);
      expect(acked).toEqual([0, 1]);
      const first = sender.messages[0]!;
      expect(first.stopped).toBe(true);
      // Far less than the 2 MB of the first round went out: about what 0.3 s carries.
      expect(first.end - first.start).toBeLessThan(400);
      expect(receiver.heldOf(0)).toBeLessThan(first.end - first.start + 1);
      expect(receiver.heldOf(1)).toBe(Math.ceil(100_000 / 1460));
    });

    it("restarts its window after an idle period, as Linux's slow start after idle does", () => {
      const t = onePairAt10M();
      const { sender } = flow(t, "l1", "r1", 3_000_000, { persistent: true });
      t.sim.run(5);
      const grown = sender.window;
      expect(grown).toBeGreaterThan(10);
      t.sim.at(t.sim.now + 10, () => sender.append(100_000));
      t.sim.run(20);
      // Idle for far more than an RTO: back to the initial window, then grown again a little.
      expect(sender.window).toBeLessThan(grown);
    });
  });
});
