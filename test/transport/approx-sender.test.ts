// The approximate transport end to end over loopback UDP: sender and receiver edges,
// with a test-only lossy relay in between where loss is needed.
import { runApproxSender, type ApproxSendOptions } from "@netapprox/transport/approx-sender.js";
import { startApproxReceiver } from "@netapprox/transport/approx-receiver.js";
import { jobThroughRelay, type RelayLoss } from "./helpers/lossy-relay.js";
import { DataFlag } from "@netapprox/transport/wire.js";

const LOOPBACK = "127.0.0.1";

async function receiver(jobId: number, onChunk?: (c: number, p: Uint8Array) => void) {
  return startApproxReceiver({
    bind: { host: LOOPBACK, port: 0 },
    jobId,
    timing: { idleTimeoutMs: 3000, timeoutMs: 10_000 },
    ...(onChunk ? { onChunk } : {}),
  });
}

/** One job from a sender to a receiver through the lossy relay, closed once the receiver ends. */
async function throughRelay(
  jobId: number,
  loss: RelayLoss,
  send: Omit<ApproxSendOptions, "to" | "controlPort" | "jobId">,
) {
  return jobThroughRelay(await receiver(jobId), loss, (to, controlPort) =>
    runApproxSender({ to, controlPort, jobId, ...send }),
  );
}

describe("approximate sender and receiver over loopback", () => {
  test("a loss-free job completes at the fraction and delivers the chunks intact", async () => {
    const data = new Uint8Array(200 * 1000 - 300);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
    const got = new Map<number, Uint8Array>();
    const rx = await receiver(11, (c, p) => got.set(c, Uint8Array.from(p)));
    const tx = await runApproxSender({
      to: rx.data,
      controlPort: rx.control.port,
      jobId: 11,
      totalBytes: data.length,
      chunkSize: 1000,
      fraction: 0.9,
      rateBitsPerSec: 100e6,
      data,
    });
    const r = await rx.result;
    expect(tx.outcome).toBe("done");
    expect(tx.totalChunks).toBe(200);
    expect(tx.neededChunks).toBe(180);
    expect(tx.passes).toBe(1);
    expect(tx.jctMs).toBeGreaterThan(0);
    expect(r.outcome).toBe("done");
    expect(r.doneAcknowledged).toBe(true);
    expect(r.uniqueChunks).toBeGreaterThanOrEqual(180);
    expect(r.neededChunks).toBe(180);
    // No loss, so no chunk is sent twice (stopping early at DONE is checked in virtual
    // time, where it does not depend on this machine's load).
    expect(tx.datagramsSent).toBeLessThanOrEqual(200);
    expect(tx.chunksResent).toBe(0);
    for (const [c, p] of got) {
      const start = c * 1000;
      expect(Buffer.from(p).equals(Buffer.from(data.subarray(start, start + p.length)))).toBe(true);
    }
    expect(got.get(199)?.length ?? 700).toBe(700);
  });

  test("chunks lost in the first pass are re-sent once when the fraction is not reached", async () => {
    const { tx, r, relay } = await throughRelay(
      12,
      {
        // Every fifth chunk is lost on the first pass only: 80% arrive, 95% are needed.
        dropData: (m) => m.chunk % 5 === 0 && (m.flags & DataFlag.resend) === 0,
      },
      { totalBytes: 300 * 500, chunkSize: 500, fraction: 0.95, rateBitsPerSec: 50e6 },
    );
    expect(tx.outcome).toBe("done");
    expect(tx.passes).toBe(2);
    expect(tx.chunksResent).toBeGreaterThanOrEqual(285 - 240);
    expect(tx.chunksResent).toBeLessThanOrEqual(60);
    expect(r.completed).toBe(true);
    expect(r.uniqueChunks).toBeGreaterThanOrEqual(285);
    expect(relay.stats.dataDropped).toBe(60);
  });

  test("no resend pass when the first pass reaches the fraction despite loss", async () => {
    const { tx, r } = await throughRelay(
      13,
      { dropData: (m) => m.chunk % 5 === 0 },
      { totalBytes: 300 * 500, chunkSize: 500, fraction: 0.75, rateBitsPerSec: 50e6 },
    );
    expect(tx.outcome).toBe("done");
    expect(tx.passes).toBe(1);
    expect(tx.chunksResent).toBe(0);
    expect(r.uniqueChunks).toBe(225);
  });

  test("with maxPasses 2 chunks are re-sent only once: an unreachable fraction ends the job", async () => {
    const { tx, r } = await throughRelay(
      14,
      { dropData: (m) => m.chunk % 5 === 0 }, // every pass
      {
        totalBytes: 200 * 500,
        chunkSize: 500,
        fraction: 0.95,
        rateBitsPerSec: 50e6,
        timing: { passEndWaitMs: 300, maxPasses: 2 },
      },
    );
    expect(tx.outcome).toBe("fraction-unreachable");
    expect(tx.completed).toBe(false);
    expect(tx.passes).toBe(2);
    // 200 chunks once, the 40 lost ones a second time, nothing more.
    expect(tx.datagramsSent).toBe(240);
    expect(tx.chunksResent).toBe(40);
    expect(tx.deliveredChunks).toBe(160);
    expect(r.outcome).toBe("aborted");
    expect(r.abortReason).toBe("fractionUnreachable");
    expect(r.uniqueChunks).toBe(160);
  });

  test("by default resend passes go on until they deliver nothing new for giveUpMs", async () => {
    const { tx, r } = await throughRelay(
      16,
      { dropData: (m) => m.chunk % 5 === 0 }, // every pass
      {
        totalBytes: 200 * 500,
        chunkSize: 500,
        fraction: 0.95,
        rateBitsPerSec: 50e6,
        timing: { passEndWaitMs: 100, giveUpMs: 400 },
      },
    );
    expect(tx.outcome).toBe("fraction-unreachable");
    // More than one resend pass, each over the same 40 chunks, yet bounded by time.
    expect(tx.passes).toBeGreaterThan(2);
    expect(tx.datagramsSent).toBe(200 + 40 * (tx.passes - 1));
    expect(tx.jctMs).toBeNull();
    expect(r.abortReason).toBe("fractionUnreachable");
    expect(r.uniqueChunks).toBe(160);
  });

  test("the rate follows a bottleneck down instead of pushing what it drops", async () => {
    const bottleneck = 1_000_000; // bytes per second, 8 Mbit/s
    const { tx, relay } = await throughRelay(
      15,
      { bottleneckBytesPerSec: bottleneck, bottleneckBurstBytes: 20_000 },
      {
        totalBytes: 600 * 1000,
        chunkSize: 1000,
        fraction: 0.9,
        rateBitsPerSec: 80e6, // ten times the bottleneck
      },
    );
    expect(tx.outcome).toBe("done");
    // Over real sockets the loop closes: the receiver's reports reach the sender and lower
    // its rate. How far and how fast it settles is asserted in virtual time (the sender
    // core's test, "from ten times the bottleneck it settles near the bottleneck rate"):
    // here sender, relay and receiver share one busy process, and when the test runner
    // starves it the sender cannot produce its rate at all, so the lowest rate it sets
    // ranged from 8 to 37 Mbit/s over runs on a loaded machine.
    expect(tx.rate.decreases).toBeGreaterThan(0);
    expect(tx.rate.minMbps).toBeLessThan(tx.rate.initialMbps);
    // What it must not do is push what it drops. With the pacer left at the start rate
    // this job lost 76% here; rate control lost 13-46% and sent 1.1-1.8 times the job's
    // bytes, in quiet and loaded runs alike.
    const lossShare =
      relay.stats.dataDropped / (relay.stats.dataDropped + relay.stats.dataForwarded);
    expect(lossShare).toBeLessThan(0.6);
    expect(tx.bytesSent).toBeLessThan(3 * 600 * 1000);
  });
});

describe("a sender started ahead of its time", () => {
  test("begins at --start-at: its job's clock starts then", async () => {
    const rx = await receiver(17);
    const at = performance.timeOrigin + performance.now() + 300;
    const tx = await runApproxSender({
      to: rx.data,
      controlPort: rx.control.port,
      jobId: 17,
      totalBytes: 20 * 500,
      chunkSize: 500,
      fraction: 1,
      rateBitsPerSec: 50e6,
      startAtEpochMs: at,
    });
    await rx.result;
    expect(tx.outcome).toBe("done");
    expect(tx.startedAtEpochMs).toBeGreaterThanOrEqual(at - 1);
    expect(tx.startedAtEpochMs).toBeLessThan(at + 200);
  });
});
