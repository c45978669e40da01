import net from "node:net";
import { runTcpSender, startTcpReceiver } from "@netapprox/transport/tcp-baseline.js";
import { StreamDecoder } from "@netapprox/transport/wire.js";

const LOOPBACK = "127.0.0.1";

describe("TCP baselines", () => {
  test("sender-side sampling puts only the needed chunks on the stream", async () => {
    const rx = await startTcpReceiver({ bind: { host: LOOPBACK, port: 0 } });
    const tx = await runTcpSender({
      to: rx.address,
      jobId: 41,
      totalBytes: 500 * 1000,
      chunkSize: 1000,
      fraction: 0.6,
      mode: "sender-sampling",
      seed: 7,
    });
    const r = await rx.result;
    expect(tx.outcome).toBe("done");
    expect(tx.chunksToSend).toBe(300);
    expect(tx.chunksWritten).toBe(300);
    expect(tx.deliveredChunks).toBe(300);
    expect(tx.bytesSent).toBe(28 + 300 * (32 + 1000));
    expect(tx.bytesBeyondNeeded).toBe(0);
    expect(tx.jctMs).toBeGreaterThan(0);
    expect(r).toMatchObject({
      outcome: "done",
      mode: "sender-sampling",
      jobId: 41,
      uniqueChunks: 300,
      neededChunks: 300,
      deliveredFraction: 0.6,
      bytesAfterDone: 0,
    });
  });

  test("receiver-side dropping: everything is sent until the receiver holds the fraction and closes", async () => {
    // 64 MB: more than loopback socket buffers can absorb (a few MB), so whether the
    // sender stops at DONE does not depend on timing.
    const rx = await startTcpReceiver({ bind: { host: LOOPBACK, port: 0 }, jobId: 42 });
    const tx = await runTcpSender({
      to: rx.address,
      jobId: 42,
      totalBytes: 64_000 * 1000,
      chunkSize: 1000,
      fraction: 0.02,
      mode: "receiver-drop",
    });
    const r = await rx.result;
    expect(tx.outcome).toBe("done");
    expect(tx.chunksToSend).toBe(64_000);
    expect(r.mode).toBe("receiver-drop");
    expect(r.uniqueChunks).toBe(1280); // stops exactly at the fraction
    expect(r.completed).toBe(true);
    // The sender had pushed more than the needed chunks by the time DONE arrived.
    expect(tx.bytesSent).toBeGreaterThan(28 + 1280 * 1032);
    expect(tx.bytesBeyondNeeded).toBe(tx.bytesSent - (28 + 1280 * 1032));
    // ...but stopped at DONE rather than sending all 64 MB.
    expect(tx.chunksWritten).toBeLessThan(64_000);
  });

  test("a stream that is not a netapprox job is refused; the real job still runs", async () => {
    const rx = await startTcpReceiver({ bind: { host: LOOPBACK, port: 0 }, jobId: 43 });
    const stray = net.connect(rx.address.port, LOOPBACK);
    await new Promise<void>((resolve) => stray.on("connect", () => resolve()));
    stray.write("SSH-2.0-OpenSSH\r\n some bytes that are long enough");
    await new Promise<void>((resolve) => stray.on("close", () => resolve()));
    const tx = await runTcpSender({
      to: rx.address,
      jobId: 43,
      totalBytes: 10_000,
      chunkSize: 1000,
      fraction: 1,
      mode: "sender-sampling",
    });
    const r = await rx.result;
    expect(tx.outcome).toBe("done");
    expect(r.foreignConnections).toBe(1);
    expect(r.uniqueChunks).toBe(10);
  });

  test("a receiver that closes early leaves the sender with an unfinished job", async () => {
    const server = net.createServer((c) => c.destroy());
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
    const tx = await runTcpSender({
      to: { host: LOOPBACK, port: (server.address() as net.AddressInfo).port },
      jobId: 44,
      totalBytes: 100_000,
      chunkSize: 1000,
      fraction: 0.5,
      mode: "receiver-drop",
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(tx.completed).toBe(false);
    expect(["closed", "error"]).toContain(tx.outcome);
    expect(tx.jctMs).toBeNull();
  });

  test("the sample is reproducible from its seed", async () => {
    const chunksFor = async (seed: number) => {
      const seen: number[] = [];
      const rx = await startTcpReceiver({ bind: { host: LOOPBACK, port: 0 } });
      // Read the stream through a recording proxy in front of the receiver.
      const proxy = net.createServer((c) => {
        const up = net.connect(rx.address.port, LOOPBACK);
        const d = new StreamDecoder();
        c.on("data", (b: Buffer) => {
          for (const m of d.push(b).messages) if (m.type === "data") seen.push(m.chunk);
          up.write(b);
        });
        up.on("data", (b: Buffer) => c.write(b));
        up.on("close", () => c.destroy());
        c.on("close", () => up.destroy());
      });
      await new Promise<void>((resolve) => proxy.listen(0, LOOPBACK, () => resolve()));
      await runTcpSender({
        to: { host: LOOPBACK, port: (proxy.address() as net.AddressInfo).port },
        jobId: 45,
        totalBytes: 100 * 100,
        chunkSize: 100,
        fraction: 0.2,
        mode: "sender-sampling",
        seed,
      });
      await rx.result;
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      return seen;
    };
    const a = await chunksFor(3);
    const b = await chunksFor(3);
    const c = await chunksFor(4);
    expect(a.length).toBe(20);
    expect(new Set(a).size).toBe(20);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});
