import { startApproxReceiver } from "../../transport/src/approx-receiver.js";
import { runBlastSender } from "../../transport/src/udp-blast.js";
import { startLossyRelay } from "./helpers/lossy-relay.js";

const LOOPBACK = "127.0.0.1";

describe("UDP blast baseline", () => {
  test("sends everything once; the receiver reports the fraction the lossy path delivered", async () => {
    const rx = await startApproxReceiver({
      bind: { host: LOOPBACK, port: 0 },
      jobId: 31,
      feedback: false,
      timing: { drainMs: 100 },
    });
    const relay = await startLossyRelay({
      receiverData: rx.data,
      receiverControl: rx.control,
      dropData: (m) => m.chunk % 4 === 1, // a quarter lost
    });
    const tx = await runBlastSender({
      to: { host: LOOPBACK, port: relay.dataPort },
      controlPort: relay.controlPort,
      jobId: 31,
      totalBytes: 400 * 1000,
      chunkSize: 1000,
      fraction: 0.7,
      rateBitsPerSec: 50e6,
      drainMs: 100,
    });
    const r = await rx.result;
    await relay.close();
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
    const rx = await startApproxReceiver({
      bind: { host: LOOPBACK, port: 0 },
      jobId: 32,
      feedback: false,
      timing: { drainMs: 50 },
    });
    const relay = await startLossyRelay({
      receiverData: rx.data,
      receiverControl: rx.control,
      bottleneckBytesPerSec: 500_000, // 4 Mbit/s against a 40 Mbit/s blast
      bottleneckBurstBytes: 10_000,
    });
    const tx = await runBlastSender({
      to: { host: LOOPBACK, port: relay.dataPort },
      controlPort: relay.controlPort,
      jobId: 32,
      totalBytes: 300 * 1000,
      chunkSize: 1000,
      fraction: 0.9,
      rateBitsPerSec: 40e6,
      drainMs: 50,
    });
    const r = await rx.result;
    await relay.close();
    expect(tx.datagramsSent).toBe(300);
    expect(r.completed).toBe(false);
    expect(r.deliveredFraction).toBeLessThan(0.5);
    expect(r.deliveredFraction).toBeGreaterThan(0);
  });
});
