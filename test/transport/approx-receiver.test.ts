// The receiver's sockets: garbage on either port is counted and ignored while a real
// job completes; stop() ends a job cleanly.
import dgram from "node:dgram";
import { startApproxReceiver } from "@netapprox/transport/approx-receiver.js";
import { runApproxSender } from "@netapprox/transport/approx-sender.js";
import { encodeData, encodeFeedback, encodeDone } from "@netapprox/transport/wire.js";

const LOOPBACK = "127.0.0.1";

async function sendRaw(port: number, datagrams: Uint8Array[]): Promise<void> {
  const s = dgram.createSocket("udp4");
  for (const d of datagrams)
    await new Promise<void>((resolve) => s.send(d, port, LOOPBACK, () => resolve()));
  await new Promise<void>((resolve) => s.close(() => resolve()));
}

describe("approximate receiver sockets", () => {
  test("foreign and malformed datagrams on both ports are counted and ignored", async () => {
    const rx = await startApproxReceiver({ bind: { host: LOOPBACK, port: 0 }, jobId: 21 });
    const good = encodeData({
      jobId: 21,
      flags: 0,
      chunk: 0,
      totalChunks: 100,
      neededChunks: 90,
      txSeq: 0,
      payload: new Uint8Array(10),
    });
    const truncated = good.subarray(0, 20);
    const otherJob = encodeData({
      jobId: 22,
      flags: 0,
      chunk: 0,
      totalChunks: 5,
      neededChunks: 5,
      txSeq: 0,
      payload: new Uint8Array(1),
    });
    const wrongDirection = encodeDone({
      jobId: 21,
      uniqueChunks: 1,
      receivedDatagrams: 1,
      receivedBytes: 1,
      elapsedMs: 1,
    });
    const v9 = good.slice();
    v9[4] = 9;
    // Before the job: 2 foreign, 3 malformed (truncated, a DONE to a receiver, version 9).
    await sendRaw(rx.data.port, [new TextEncoder().encode("GET / HTTP/1.0\r\n"), truncated, v9]);
    await sendRaw(rx.control.port, [otherJob, wrongDirection]);
    await new Promise((r) => setTimeout(r, 50));
    const tx = await runApproxSender({
      to: rx.data,
      controlPort: rx.control.port,
      jobId: 21,
      totalBytes: 50 * 400,
      chunkSize: 400,
      fraction: 1,
      rateBitsPerSec: 20e6,
    });
    const r = await rx.result;
    expect(tx.outcome).toBe("done");
    expect(r.outcome).toBe("done");
    expect(r.uniqueChunks).toBe(50);
    expect(r.totalChunks).toBe(50); // learned from the real sender, not the garbage
    expect(r.foreign).toBe(2);
    expect(r.malformed).toBe(3);
  });

  test("a foreign sender's feedback-looking datagrams do not disturb the sender", async () => {
    const rx = await startApproxReceiver({ bind: { host: LOOPBACK, port: 0 }, jobId: 23 });
    // A stray feedback for the same job id but another job size, sent to a socket
    // the sender will use: bind the sender to a known port first.
    const probe = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => probe.bind(0, LOOPBACK, () => resolve()));
    const port = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const stray = encodeFeedback({
      jobId: 23,
      seq: 99,
      receiverTimeMs: 0,
      uniqueChunks: 7,
      receivedDatagrams: 7,
      receivedBytes: 7,
      maxTxSeq: 0,
      totalChunks: 7,
      firstMissing: 7,
      seenUpTo: 7,
      windowFrom: 7,
      windowBase: 7,
      windowBits: 0,
      bitmap: new Uint8Array(0),
    });
    const sending = runApproxSender({
      to: rx.data,
      controlPort: rx.control.port,
      bind: { host: LOOPBACK, port },
      jobId: 23,
      totalBytes: 400 * 500,
      chunkSize: 500,
      fraction: 0.9,
      rateBitsPerSec: 20e6,
    });
    await new Promise((r) => setTimeout(r, 10));
    await sendRaw(port, [stray, new Uint8Array([1, 2, 3])]);
    const tx = await sending;
    await rx.result;
    expect(tx.outcome).toBe("done");
    expect(tx.totalChunks).toBe(400);
    expect(tx.malformed).toBe(1);
    expect(tx.foreign).toBe(1);
  });

  test("stop() ends an open job and still reports what arrived", async () => {
    const rx = await startApproxReceiver({ bind: { host: LOOPBACK, port: 0 }, jobId: 24 });
    const d = (c: number) =>
      encodeData({
        jobId: 24,
        flags: 0,
        chunk: c,
        totalChunks: 10,
        neededChunks: 10,
        txSeq: c,
        payload: new Uint8Array(5),
      });
    await sendRaw(rx.data.port, [d(0), d(1), d(1)]);
    await new Promise((r) => setTimeout(r, 30));
    rx.stop();
    const r = await rx.result;
    expect(r).toMatchObject({
      outcome: "stopped",
      uniqueChunks: 2,
      duplicates: 1,
      deliveredFraction: 0.2,
    });
    expect(r.sender).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  test("the control port defaults to the data port plus one", async () => {
    // Find a free port whose successor is free too (a few tries on a busy machine).
    for (let attempt = 0; attempt < 5; attempt++) {
      const probe = dgram.createSocket("udp4");
      await new Promise<void>((resolve) => probe.bind(0, LOOPBACK, () => resolve()));
      const port = probe.address().port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const rx = await startApproxReceiver({ bind: { host: LOOPBACK, port }, jobId: 25 }).catch(
        () => null,
      );
      if (rx === null) continue;
      expect(rx.data.port).toBe(port);
      expect(rx.control.port).toBe(port + 1);
      rx.stop();
      await rx.result;
      return;
    }
    throw new Error("no free pair of adjacent ports found");
  });
});
