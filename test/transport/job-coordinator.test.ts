// Job-level completion over real sockets on loopback: a coordinator, the receivers that
// report to it (approximate and TCP) and their senders. Loss and silence come from a
// test-only relay and from fake peers that stop answering.
import dgram from "node:dgram";
import { runApproxSender } from "@netapprox/transport/approx-sender.js";
import { startApproxReceiver } from "@netapprox/transport/approx-receiver.js";
import { startJobCoordinator } from "@netapprox/transport/job-coordinator.js";
import { runTcpSender, startTcpReceiver } from "@netapprox/transport/tcp-baseline.js";
import {
  CountFlag,
  decode,
  encodeCount,
  encodeData,
  type CountMessage,
} from "@netapprox/transport/wire.js";
import { startLossyRelay } from "./helpers/lossy-relay.js";

const LOOPBACK = "127.0.0.1";
const any = { host: LOOPBACK, port: 0 };

async function udp(): Promise<dgram.Socket> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, LOOPBACK, () => r()));
  return s;
}
const close = (s: dgram.Socket) => new Promise<void>((r) => s.close(() => r()));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A UDP relay in front of the coordinator: each client gets its own socket towards it; the
 * first `dropReplies` replies (JOB-DONE) to the first client are lost.
 */
async function coordinatorRelay(target: { host: string; port: number }, dropReplies: number) {
  const front = await udp();
  const backs = new Map<string, dgram.Socket>();
  let clients = 0;
  const stats = { repliesDropped: 0, repliesForwarded: 0 };
  front.on("message", (msg, from) => {
    const key = `${from.address}:${from.port}`;
    const back = backs.get(key);
    if (back === undefined) {
      const b = dgram.createSocket("udp4");
      backs.set(key, b);
      const index = clients++;
      let dropped = 0;
      b.on("message", (reply) => {
        // The first client's first replies are lost.
        if (index === 0 && dropped < dropReplies) {
          dropped++;
          stats.repliesDropped++;
          return;
        }
        stats.repliesForwarded++;
        front.send(reply, from.port, from.address);
      });
      b.bind(0, LOOPBACK, () => b.send(msg, target.port, target.host));
      return;
    }
    back.send(msg, target.port, target.host);
  });
  return {
    address: { host: LOOPBACK, port: front.address().port },
    stats,
    close: async () => {
      await Promise.all([front, ...backs.values()].map(close));
    },
  };
}

describe("job coordinator over loopback UDP", () => {
  test("a job completes across its transfers while a sender behind a bottleneck delivers less", async () => {
    const chunks = 300;
    const coordinator = await startJobCoordinator({
      bind: any,
      spec: {
        jobId: 51,
        fraction: 0.7,
        minSenderFraction: 0,
        groups: [
          [
            { sender: "fast-1", totalChunks: chunks },
            { sender: "fast-2", totalChunks: chunks },
            { sender: "straggler", totalChunks: chunks },
          ],
        ],
      },
      timeoutMs: 20_000,
    });
    const receivers = await Promise.all(
      [0, 1, 2].map((transfer) =>
        startApproxReceiver({
          bind: any,
          jobId: 51,
          timing: { idleTimeoutMs: 5000, timeoutMs: 20_000 },
          report: { coordinator: coordinator.address, group: 0, transfer, intervalMs: 5 },
        }),
      ),
    );
    // The straggler's path carries 0.5 Mbit/s; the others are loopback.
    const relay = await startLossyRelay({
      receiverData: receivers[2]!.data,
      receiverControl: receivers[2]!.control,
      bottleneckBytesPerSec: 62_500,
      bottleneckBurstBytes: 4000,
    });
    const send = (to: { host: string; port: number }, controlPort: number) =>
      runApproxSender({
        to,
        controlPort,
        jobId: 51,
        totalBytes: chunks * 1000,
        chunkSize: 1000,
        // Job-level completion: a sender's own goal is all of its chunks.
        fraction: 1,
        rateBitsPerSec: 50e6,
        timing: { timeoutMs: 20_000 },
      });
    const senders = await Promise.all([
      send(receivers[0]!.data, receivers[0]!.control.port),
      send(receivers[1]!.data, receivers[1]!.control.port),
      send({ host: LOOPBACK, port: relay.dataPort }, relay.controlPort),
    ]);
    const results = await Promise.all(receivers.map((r) => r.result));
    const c = await coordinator.result;
    await relay.close();

    expect(c.outcome).toBe("complete");
    expect(c.completed).toBe(true);
    const g = c.groups[0]!;
    expect(g.neededChunks).toBe(630);
    expect(g.deliveredChunks).toBeGreaterThanOrEqual(630);
    expect(g.completedAtEpochMs).not.toBeNull();
    expect(g.receivers).toBe(3);
    // The fast receivers held all their chunks and ended before the job was complete; the
    // straggler's receiver was still running and acknowledged.
    expect(g.acknowledged).toBeGreaterThanOrEqual(1);
    const share = Object.fromEntries(g.senders.map((s) => [s.sender, s.fraction]));
    expect(share["fast-1"]).toBe(1);
    expect(share["fast-2"]).toBe(1);
    // The straggler had to deliver only what the others could not: about 30 chunks.
    expect(share.straggler).toBeLessThan(0.5);
    expect(share.straggler).toBeGreaterThanOrEqual(0.1);
    // Every sender was stopped: the straggler by the coordinator, before its receiver held
    // all of its chunks.
    for (const s of senders) expect(s.outcome).toBe("done");
    expect(senders[2]!.deliveredChunks).toBeLessThan(chunks);
    expect(results[2]!.coordination?.jobDoneAtEpochMs).not.toBeNull();
    expect(results[2]!.completed).toBe(true);
    expect(results[2]!.uniqueChunks).toBeLessThan(chunks);
  });

  test("a lost JOB-DONE is repeated until the receiver acknowledges it", async () => {
    const coordinator = await startJobCoordinator({
      bind: any,
      spec: {
        jobId: 52,
        fraction: 0.5,
        minSenderFraction: 0,
        groups: [
          [
            { sender: "a", totalChunks: 100 },
            { sender: "b", totalChunks: 100 },
          ],
        ],
      },
      retryMs: 10,
      timeoutMs: 10_000,
    });
    const relay = await coordinatorRelay(coordinator.address, 3);
    // Receiver 0 reports through the relay (its first JOB-DONEs are lost); it never gets
    // data. Receiver 1 gets all of its chunks and so completes the group by itself.
    const quiet = await startApproxReceiver({
      bind: any,
      jobId: 52,
      timing: { timeoutMs: 10_000, doneRetryMs: 10, doneAttempts: 3 },
      report: { coordinator: relay.address, group: 0, transfer: 0, keepaliveMs: 20 },
    });
    await sleep(100); // the coordinator knows receiver 0 before the group completes
    const busy = await startApproxReceiver({
      bind: any,
      jobId: 52,
      timing: { timeoutMs: 10_000 },
      report: { coordinator: coordinator.address, group: 0, transfer: 1, intervalMs: 5 },
    });
    const tx = await runApproxSender({
      to: busy.data,
      controlPort: busy.control.port,
      jobId: 52,
      totalBytes: 100 * 500,
      chunkSize: 500,
      fraction: 1,
      rateBitsPerSec: 50e6,
    });
    const [q, b] = await Promise.all([quiet.result, busy.result]);
    const c = await coordinator.result;
    await relay.close();

    expect(tx.outcome).toBe("done");
    expect(b.uniqueChunks).toBe(100);
    expect(relay.stats.repliesDropped).toBe(3);
    expect(c.groups[0]!.acknowledged).toBe(2);
    // One JOB-DONE per receiver, and three more for the lost ones.
    expect(c.jobDoneSent).toBeGreaterThanOrEqual(2 + 3);
    expect(q.coordination?.jobDoneAtEpochMs).not.toBeNull();
    expect(q.coordination?.jobDoneReceived).toBeGreaterThanOrEqual(1);
    // It held nothing; the job is complete all the same, and its (absent) sender was told.
    expect(q.completed).toBe(true);
    expect(q.uniqueChunks).toBe(0);
    expect(c.groups[0]!.senders.map((s) => s.deliveredChunks)).toEqual([0, 100]);
  });

  test("a receiver that never acknowledges gets JOB-DONE a bounded number of times", async () => {
    const coordinator = await startJobCoordinator({
      bind: any,
      spec: {
        jobId: 53,
        fraction: 0.5,
        minSenderFraction: 0,
        groups: [[{ sender: "a", totalChunks: 10 }]],
      },
      retryMs: 10,
      attempts: 4,
      timeoutMs: 10_000,
    });
    // A receiver that reports enough once and then goes silent (it crashed).
    const mute = await udp();
    let jobDones = 0;
    mute.on("message", (m) => {
      const d = decode(m);
      if (d.kind === "ok" && d.message.type === "jobDone") jobDones++;
    });
    const count: Omit<CountMessage, "type"> = {
      jobId: 53,
      flags: 0,
      group: 0,
      transfer: 0,
      uniqueChunks: 6,
      totalChunks: 10,
      seq: 0,
    };
    mute.send(encodeCount(count), coordinator.address.port, LOOPBACK);
    const c = await coordinator.result;
    await sleep(50); // the last JOB-DONE may still be on its way
    await close(mute);
    expect(c.outcome).toBe("complete");
    expect(c.groups[0]).toMatchObject({ acknowledged: 0, receivers: 1, deliveredChunks: 6 });
    expect(c.jobDoneSent).toBe(4);
    expect(jobDones).toBe(4);
  });

  test("an acknowledgement stops the repeats; stale and foreign counts change nothing", async () => {
    const coordinator = await startJobCoordinator({
      bind: any,
      spec: {
        jobId: 54,
        fraction: 1,
        minSenderFraction: 0,
        groups: [[{ sender: "a", totalChunks: 4 }]],
      },
      retryMs: 10,
      attempts: 50,
      timeoutMs: 10_000,
    });
    const s = await udp();
    const base = { jobId: 54, flags: 0, group: 0, transfer: 0, totalChunks: 4 };
    const to = coordinator.address.port;
    s.send(encodeCount({ ...base, uniqueChunks: 3, seq: 0 }), to, LOOPBACK);
    s.send(Buffer.from("not ours"), to, LOOPBACK);
    s.send(encodeCount({ ...base, jobId: 99, uniqueChunks: 4, seq: 1 }), to, LOOPBACK);
    await sleep(50);
    s.send(encodeCount({ ...base, uniqueChunks: 4, seq: 2 }), to, LOOPBACK);
    const jobDone = await new Promise<boolean>((r) =>
      s.once("message", (m) => {
        const d = decode(m);
        r(d.kind === "ok" && d.message.type === "jobDone");
      }),
    );
    s.send(
      encodeCount({ ...base, flags: CountFlag.jobDoneSeen, uniqueChunks: 4, seq: 3 }),
      to,
      LOOPBACK,
    );
    const c = await coordinator.result;
    await close(s);
    expect(jobDone).toBe(true);
    expect(c.outcome).toBe("complete");
    expect(c.groups[0]!.acknowledged).toBe(1);
    expect(c.jobDoneSent).toBeLessThan(50);
    expect(c.foreign).toBe(1);
    expect(c.malformed).toBe(1);
  });

  test("a receiver whose sender never answers its DONE still ends", async () => {
    const coordinator = await startJobCoordinator({
      bind: any,
      spec: {
        jobId: 55,
        fraction: 0.1,
        minSenderFraction: 0,
        groups: [[{ sender: "a", totalChunks: 200 }]],
      },
      timeoutMs: 10_000,
    });
    const rx = await startApproxReceiver({
      bind: any,
      jobId: 55,
      timing: { timeoutMs: 10_000, doneRetryMs: 10, doneAttempts: 5 },
      report: { coordinator: coordinator.address, group: 0, transfer: 0, intervalMs: 5 },
    });
    // A sender that sends 30 chunks and then hears nothing (it hung).
    const sender = await udp();
    for (let chunk = 0; chunk < 30; chunk++) {
      sender.send(
        encodeData({
          jobId: 55,
          flags: 0,
          chunk,
          totalChunks: 200,
          neededChunks: 200,
          txSeq: chunk,
          payload: new Uint8Array(100),
        }),
        rx.data.port,
        LOOPBACK,
      );
    }
    const r = await rx.result;
    const c = await coordinator.result;
    await close(sender);
    expect(c.completed).toBe(true);
    expect(r.outcome).toBe("done");
    expect(r.completed).toBe(true);
    expect(r.doneAcknowledged).toBe(false);
    expect(r.doneSent).toBeGreaterThanOrEqual(5);
    expect(r.coordination?.jobDoneReceived).toBeGreaterThanOrEqual(1);
  });
});

describe("TCP receiver-side dropping with job-level completion", () => {
  test("the coordinator's JOB-DONE closes a stream that has not reached its own fraction", async () => {
    const coordinator = await startJobCoordinator({
      bind: any,
      spec: {
        jobId: 61,
        fraction: 0.5,
        minSenderFraction: 0,
        groups: [
          [
            { sender: "early", totalChunks: 1000 },
            { sender: "late", totalChunks: 1000 },
          ],
        ],
      },
      timeoutMs: 20_000,
    });
    const [first, second] = await Promise.all(
      [0, 1].map((transfer) =>
        startTcpReceiver({
          bind: any,
          jobId: 61,
          timeoutMs: 20_000,
          report: { coordinator: coordinator.address, group: 0, transfer, intervalMs: 5 },
        }),
      ),
    );
    const send = (to: { host: string; port: number }) =>
      runTcpSender({
        to,
        jobId: 61,
        totalBytes: 1000 * 1000,
        chunkSize: 1000,
        fraction: 1,
        mode: "receiver-drop",
        timeoutMs: 20_000,
      });
    // The first stream alone holds half the job's chunks: the job is complete before the
    // second sender has even connected, which is then stopped at once.
    const early = await send(first!.address);
    await sleep(200);
    const late = await send(second!.address);
    const [r0, r1] = await Promise.all([first!.result, second!.result]);
    const c = await coordinator.result;
    expect(early.outcome).toBe("done");
    expect(r0.uniqueChunks).toBe(1000);
    expect(c.groups[0]!.deliveredChunks).toBeGreaterThanOrEqual(1000);
    expect(c.completed).toBe(true);
    expect(c.groups[0]!.acknowledged).toBe(2);
    expect(late.outcome).toBe("done");
    expect(late.completed).toBe(true);
    expect(late.deliveredChunks).toBe(0);
    expect(r1.stoppedByCoordinator).toBe(true);
    expect(r1.uniqueChunks).toBe(0);
    expect(r1.completed).toBe(true);
  });
});
