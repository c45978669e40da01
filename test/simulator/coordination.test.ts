import { DEFAULT_APPROX_TIMING } from "@netapprox/lab/experiment/scenario.js";
import { chunkLayout } from "@netapprox/transport/chunks.js";
import type { GroupOutcome } from "@netapprox/transport/job-completion.js";
import { ApproxReceiver, ApproxSender } from "@netapprox/lab/simulator/hosts/approx.js";
import { SimJobCoordinator } from "@netapprox/lab/simulator/hosts/coordination.js";
import { KIND_CONTROL } from "@netapprox/lab/simulator/hosts/packets.js";
import { decode } from "@netapprox/transport/wire.js";
import { dumbbell, simulate, type TestSim } from "./helpers.js";

const MBIT = 1e6;
const CHUNK = 1200;

interface Job {
  t: TestSim;
  senders: ApproxSender[];
  receivers: ApproxReceiver[];
  completed: GroupOutcome[];
  coordinator: SimJobCoordinator;
}

interface JobSpec {
  /** Each sender's link (a slow one is a straggler). */
  access: number[];
  bytes: number;
  fraction: number;
  /** Each transfer's receiving host ("r1" by default: the coordinator's host). */
  receivers?: string[];
  /** Which control packets a host loses on the way. */
  drop?: (message: { type: string }, fromHost: number) => boolean;
}

/**
 * One job of approximate transfers l1..lN -> r1 (or r2) that completes as a whole: the
 * senders aim at all their chunks and stop when the coordinator on r1 says so.
 */
function job(spec: JobSpec): Job {
  const { access, bytes, drop = () => false } = spec;
  const t = simulate(
    dumbbell({
      left: access.length,
      right: 2,
      bottleneck: 100 * MBIT,
      access: [...access, 10 * MBIT, 10 * MBIT],
      buffer: 64,
      delay: 0.0005,
    }),
    {},
    { hostQueues: "priority" },
  );
  const f = t.sim.fabric;
  const send = f.sendFromHost.bind(f);
  const messageOf = (p: number): { type: string } => {
    const obj = f.pObj[p];
    if (!(obj instanceof Uint8Array)) return obj as { type: string };
    const d = decode(obj);
    return d.kind === "ok" ? d.message : { type: "?" };
  };
  f.sendFromHost = (host, p) => {
    if (f.pKind[p] === KIND_CONTROL && drop(messageOf(p), host)) {
      // Lost on the way: the interface still tells its sender the packet left.
      const ep = f.pEp[p]!;
      f.free(p);
      f.sink.sent(ep);
      return;
    }
    send(host, p);
  };
  const r1 = t.host("r1");
  const total = chunkLayout(bytes, CHUNK).totalChunks;
  const completed: GroupOutcome[] = [];
  const coordinator = new SimJobCoordinator(
    t.sim,
    r1,
    {
      jobId: 1,
      fraction: spec.fraction,
      minSenderFraction: 0,
      groups: [access.map((_, i) => ({ sender: `l${i + 1}`, totalChunks: total }))],
      retryMs: 20,
      attempts: 25,
    },
    48,
    (_, outcome) => completed.push(outcome),
  );
  const senders: ApproxSender[] = [];
  const receivers: ApproxReceiver[] = [];
  access.forEach((rate, i) => {
    const src = t.host(`l${i + 1}`);
    const dst = t.host(spec.receivers?.[i] ?? "r1");
    const id = t.sim.reservePair();
    const config = {
      jobId: 1,
      job: 0,
      bytes,
      chunkSize: CHUNK,
      fraction: 1,
      lineRate: rate,
      initialRate: rate,
      dataDscp: 1,
      controlDscp: 48,
      meter: -1,
      hash: 100 + i,
      reverseHash: 200 + i,
      timeoutMs: 20_000,
      timing: { ...DEFAULT_APPROX_TIMING, giveUp: 2 },
    };
    const receiver = new ApproxReceiver(t.sim, id + 1, dst, src, config, true, 0);
    t.sim.attach(receiver);
    receiver.channel = coordinator.channel(
      dst,
      0,
      i,
      receiver,
      { intervalMs: 5, keepaliveMs: 50 },
      300 + i,
      400 + i,
    );
    receiver.channel.start();
    const sender = new ApproxSender(t.sim, id, src, dst, config, () => undefined);
    t.sim.attach(sender);
    sender.start();
    senders.push(sender);
    receivers.push(receiver);
  });
  return { t, senders, receivers, completed, coordinator };
}

describe("job-level completion on simulated hosts", () => {
  it("completes once the job's total is there: fast senders deliver more than a straggler", () => {
    // l3's link is a tenth of the others': alone it would need 1.2 s for 60% of 250 KB.
    const j = job({ access: [10 * MBIT, 10 * MBIT, 1 * MBIT], bytes: 250_000, fraction: 0.6 });
    j.t.sim.run(10);
    expect(j.completed).toHaveLength(1);
    const outcome = j.completed[0]!;
    const done = outcome.completedAtMs! / 1000;
    expect(done).toBeLessThan(0.6);
    expect(outcome.deliveredChunks).toBeGreaterThanOrEqual(outcome.neededChunks);
    const fractions = outcome.senders.map((s) => s.fraction);
    expect(fractions[2]).toBeLessThan(0.3);
    expect(Math.min(fractions[0]!, fractions[1]!)).toBeGreaterThan(0.75);
    // Every sender was stopped by the job's completion, the straggler included.
    for (const s of j.senders) {
      expect(s.result?.outcome).toBe("done");
      expect(s.doneTime!).toBeLessThan(done + 0.1);
    }
    expect(j.coordinator.core.outcome(0)).toMatchObject({ acknowledged: 3, receivers: 3 });
  });

  it("still stops every sender when JOB-DONE and DONE messages are lost on the way", () => {
    // Receivers on r2, away from the coordinator on r1: the first two JOB-DONEs the
    // coordinator sends and the first three DONEs r2 sends are lost.
    const seen = new Map<string, number>();
    let lost = 0;
    const j = job({
      access: [10 * MBIT, 10 * MBIT],
      bytes: 250_000,
      fraction: 0.6,
      receivers: ["r2", "r2"],
      drop: (m, host) => {
        if (m.type !== "jobDone" && m.type !== "done") return false;
        const key = `${m.type}@${host}`;
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        const drop = n <= (m.type === "done" ? 3 : 2);
        if (drop) lost++;
        return drop;
      },
    });
    j.t.sim.run(10);
    expect(lost).toBe(2 + 3);
    expect(j.completed).toHaveLength(1);
    const done = j.completed[0]!.completedAtMs! / 1000;
    const stopped = j.senders.filter((s) => s.result!.deliveredFraction < 1);
    expect(stopped.length).toBeGreaterThan(0);
    for (const s of j.senders) expect(s.result?.outcome).toBe("done");
    for (const s of stopped) {
      // JOB-DONE is repeated after 20 ms (the first ones were lost): the stop arrives
      // late, but it arrives, long before the sender's own deadline.
      expect(s.doneTime!).toBeGreaterThan(done + 0.02);
      expect(s.doneTime!).toBeLessThan(done + 0.1);
    }
    expect(j.coordinator.core.outcome(0).acknowledged).toBe(2);
  });

  it("finishes the job when a sender never answers: its receiver gives up repeating DONE", () => {
    // l2's DONE-ACKs are all lost: its receiver repeats DONE 25 times, then finishes.
    const j = job({
      access: [10 * MBIT, 10 * MBIT],
      bytes: 250_000,
      fraction: 0.6,
      drop: (m, host) => m.type === "doneAck" && host === 1,
    });
    j.t.sim.run(10);
    expect(j.completed).toHaveLength(1);
    const r2 = j.receivers[1]!.result;
    expect(r2.doneAcknowledged).toBe(false);
    expect(r2.doneSent).toBe(25);
    expect(r2.outcome).toBe("done");
    expect(j.receivers[0]!.result.doneAcknowledged).toBe(true);
  });

  it("a sender that hears no stop stops at its own deadline", () => {
    // Every DONE is lost: the receivers stop answering after the job's completion, so the
    // senders hear nothing more and give up 2 s after the last feedback they had.
    const j = job({
      access: [10 * MBIT, 10 * MBIT],
      bytes: 250_000,
      fraction: 0.6,
      drop: (m) => m.type === "done",
    });
    j.t.sim.run(10);
    expect(j.completed).toHaveLength(1);
    const done = j.completed[0]!.completedAtMs! / 1000;
    for (const s of j.senders) {
      expect(s.result?.outcome).toBe("receiver-silent");
      expect(s.doneTime! - done).toBeGreaterThan(1.5);
      expect(s.doneTime! - done).toBeLessThan(2.5);
    }
  });
});
