import { startApproxReceiver } from "@netapprox/transport/approx-receiver.js";
import { runBlastSender, type BlastSendOptions } from "@netapprox/transport/udp-blast.js";
import { jobThroughRelay, type RelayLoss } from "./helpers/lossy-relay.js";

const LOOPBACK = "127.0.0.1";

/** One blast job through the lossy relay, the receiver draining as long as the sender. */
async function blastThroughRelay(
  jobId: number,
  loss: RelayLoss,
  send: Omit<BlastSendOptions, "to" | "controlPort" | "jobId"> & { drainMs: number },
) {
  const rx = await startApproxReceiver({
    bind: { host: LOOPBACK, port: 0 },
    jobId,
    feedback: false,
    timing: { drainMs: send.drainMs },
  });
  return jobThroughRelay(rx, loss, (to, controlPort) =>
    runBlastSender({ to, controlPort, jobId, ...send }),
  );
}

describe("UDP blast baseline", () => {
  test("sends everything once; the receiver reports the fraction the lossy path delivered", async () => {
    const { tx, r, relay } = await blastThroughRelay(
      31,
      { dropData: (m) => m.chunk % 4 === 1 }, // a quarter lost
      {
        totalBytes: 400 * 1000,
        chunkSize: 1000,
        fraction: 0.7,
        rateBitsPerSec: 50e6,
        drainMs: 100,
      },
    );
    expect(tx.datagramsSent).toBe(400);
    expect(tx.jctMs).toBeCloseTo(tx.sendDurationMs + 100);
    // 400 kB at 50 Mbit/s takes about 66 ms: the pacing holds the rate.
    expect(tx.sendDurationMs).toBeGreaterThan(50);
    expect(r.outcome).toBe("ended");
    expect(r.uniqueChunks).toBe(300);
    expect(r.deliveredFraction).toBe(0.75);
    expect(r.completed).toBe(true); // 0.75 >= 0.7
    expect(r.feedbackSent).toBe(0);
    expect(relay.stats.feedbackForwarded).toBe(0);
  });

  test("when the path loses more than the job tolerates, the job is not complete", async () => {
    const { tx, r } = await blastThroughRelay(
      32,
      // 4 Mbit/s against a 40 Mbit/s blast
      { bottleneckBytesPerSec: 500_000, bottleneckBurstBytes: 10_000 },
      { totalBytes: 300 * 1000, chunkSize: 1000, fraction: 0.9, rateBitsPerSec: 40e6, drainMs: 50 },
    );
    expect(tx.datagramsSent).toBe(300);
    expect(r.completed).toBe(false);
    expect(r.deliveredFraction).toBeLessThan(0.5);
    expect(r.deliveredFraction).toBeGreaterThan(0);
  });
});
