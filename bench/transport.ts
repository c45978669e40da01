// Benchmark: the host transport's hot paths and its loopback throughput.
//   codec      encode + decode of 1200-byte data datagrams
//   chunks     receiver bookkeeping (add) and feedback windows for 1,000,000 chunks,
//              and the sender applying them
//   cores      sender and receiver state machines driving each other in virtual time
//              (what the simulator reuses): datagrams per second of wall time
//   loopback   a real approx-send -> approx-recv job over 127.0.0.1 at a 2 Gbit/s cap:
//              the rate one Node process sustains (Mininet/BMv2 links are far slower)
import { performance } from "node:perf_hooks";
import {
  ApproxReceiverCore,
  DEFAULT_RECEIVER_TIMING,
} from "@netapprox/transport/approx-receiver-core.js";
import {
  ApproxSenderCore,
  DEFAULT_SENDER_TIMING,
} from "@netapprox/transport/approx-sender-core.js";
import { startApproxReceiver } from "@netapprox/transport/approx-receiver.js";
import { runApproxSender } from "@netapprox/transport/approx-sender.js";
import { ChunkSet, ReceiverPicture } from "@netapprox/transport/chunks.js";
import { DEFAULT_RATE_CONTROL } from "@netapprox/transport/rate-control.js";
import { decode, encodeData, encodeDone, encodeFeedback } from "@netapprox/transport/wire.js";

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

const rate = (n: number, ms: number): string => `${((n * 1000) / ms / 1e6).toFixed(2)} M/s`;

function codec(): void {
  const payload = new Uint8Array(1200);
  const n = 300_000;
  let bytes = 0;
  const { ms } = time(() => {
    for (let i = 0; i < n; i++) {
      const d = encodeData({
        jobId: 1,
        flags: 0,
        chunk: i,
        totalChunks: n,
        neededChunks: n,
        txSeq: i,
        payload,
      });
      const r = decode(d);
      if (r.kind === "ok") bytes += d.length;
    }
  });
  console.log(
    `codec      ${n} data datagrams encoded+decoded in ${ms.toFixed(0)} ms: ${rate(n, ms)} (${((bytes * 8) / ms / 1e6).toFixed(1)} Gbit/s of datagrams)`,
  );
}

function chunks(): void {
  const n = 1_000_000;
  const set = new ChunkSet(n);
  const add = time(() => {
    for (let i = 0; i < n; i++) if (i % 20 !== 7) set.add(i);
  });
  const picture = new ReceiverPicture(n);
  picture.startCoverage();
  let windows = 0;
  const sweep = time(() => {
    const before = set.sweeps;
    while (set.sweeps === before) {
      const w = set.nextWindow(1024);
      // Round trip through the wire format, as on the network.
      const bytes = encodeFeedback({
        jobId: 1,
        seq: windows,
        receiverTimeMs: 0,
        uniqueChunks: set.unique,
        receivedDatagrams: set.unique,
        receivedBytes: 0,
        maxTxSeq: 0,
        totalChunks: n,
        ...w,
      });
      const r = decode(bytes);
      if (r.kind === "ok" && r.message.type === "feedback") picture.apply(r.message);
      windows++;
    }
  });
  const missing = time(() => picture.missing().length);
  console.log(
    `chunks     add ${n} chunks: ${add.ms.toFixed(0)} ms (${rate(n, add.ms)}); one sweep = ${windows} windows of 1024 bits through the codec: ${sweep.ms.toFixed(0)} ms; missing list (${missing.value}) ${missing.ms.toFixed(1)} ms; picture complete: ${picture.coverageComplete()}`,
  );
}

function cores(): void {
  const totalChunks = 200_000;
  const sender = new ApproxSenderCore(
    {
      ...DEFAULT_SENDER_TIMING,
      jobId: 1,
      totalBytes: totalChunks * 1200,
      chunkSize: 1200,
      fraction: 0.95,
      rate: { ...DEFAULT_RATE_CONTROL, initialRate: 125_000_000, maxRate: 125_000_000 },
    },
    0,
  );
  const receiver = new ApproxReceiverCore(
    { ...DEFAULT_RECEIVER_TIMING, jobId: 1, feedback: true },
    0,
  );
  const payload = new Uint8Array(1200);
  let datagrams = 0;
  let now = 0;
  const { ms } = time(() => {
    // 1 Gbit/s, 1 in 50 datagrams lost, feedback delivered at once: a tight loop.
    while (!sender.finished && now < 60_000) {
      for (const tx of sender.poll(now, 1024)) {
        datagrams++;
        if (tx.txSeq % 50 === 13) continue;
        const d = encodeData({
          jobId: 1,
          flags: 0,
          chunk: tx.chunk,
          totalChunks,
          neededChunks: sender.neededChunks,
          txSeq: tx.txSeq,
          payload,
        });
        for (const m of receiver.onDatagram(d, now).replies)
          sender.onDatagram(encodeAnyReply(m), now);
      }
      for (const m of receiver.tick(now)) sender.onDatagram(encodeAnyReply(m), now);
      now += 0.25;
    }
  });
  const report = sender.report();
  console.log(
    `cores      ${datagrams} datagrams (${report.outcome}, ${report.passes} pass(es), ${(report.jctMs ?? 0).toFixed(0)} ms virtual) in ${ms.toFixed(0)} ms wall: ${rate(datagrams, ms)}`,
  );
}

function encodeAnyReply(m: ReturnType<ApproxReceiverCore["tick"]>[number]): Uint8Array {
  return m.type === "feedback" ? encodeFeedback(m) : encodeDone(m);
}

async function loopback(): Promise<void> {
  const rx = await startApproxReceiver({ bind: { host: "127.0.0.1", port: 0 }, jobId: 9 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const tx = await runApproxSender({
    to: rx.data,
    controlPort: rx.control.port,
    jobId: 9,
    totalBytes: 100_000_000,
    chunkSize: 1400,
    fraction: 0.95,
    rateBitsPerSec: 2e9,
  });
  const r = await rx.result;
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const goodput = (r.payloadBytesReceived * 8) / (tx.jctMs ?? wall) / 1000;
  console.log(
    `loopback   100 MB job, f = 0.95: ${tx.outcome} in ${(tx.jctMs ?? 0).toFixed(0)} ms, goodput ${goodput.toFixed(0)} Mbit/s, sent ${tx.datagramsSent} datagrams (${((tx.bytesNotDelivered / tx.bytesSent) * 100).toFixed(1)}% not delivered), final rate ${tx.rate.finalMbps.toFixed(0)} Mbit/s, CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms for sender + receiver in one process`,
  );
}

codec();
chunks();
cores();
await loopback();
