// The sender's state machine over a simulated path in virtual time: rate control,
// completion, the resend passes, silence, rate hints and bad input, with no sockets.
import { ApproxSenderCore } from "@netapprox/transport/approx-sender-core.js";
import {
  DATA_HEADER_BYTES,
  encodeDone,
  encodeFeedback,
  IP_UDP_OVERHEAD,
} from "@netapprox/transport/wire.js";
import { receiverConfig, runJob, sendRate, senderConfig } from "./helpers/virtual-network.js";

const MBIT = 125_000; // bytes per second

describe("approximate sender state machine", () => {
  test("from ten times the bottleneck it settles near the bottleneck rate", () => {
    const capacity = 10 * MBIT;
    const sc = senderConfig({ rateBps: 100 * MBIT, totalBytes: 3_600_000, fraction: 0.95 });
    const rc = receiverConfig();
    const r = runJob(sc, rc, { capacity: () => capacity, queueBytes: 30_000, delayMs: 1 });
    const report = r.sender.report();
    expect(report.outcome).toBe("done");
    // The descent is bounded: no step lowers the rate by more than maxDecrease, so from
    // ten times the bottleneck it takes ceil(log2(10)) = 4 samples instead of one.
    for (let i = 1; i < r.rateTrace.length; i++) {
      const [, before] = r.rateTrace[i - 1]!;
      expect(r.rateTrace[i]![1]).toBeGreaterThanOrEqual(before * (1 - sc.rate.maxDecrease) - 1e-6);
    }
    const descended = r.rateTrace.find(([, rate]) => rate <= 1.2 * capacity)!;
    expect(descended[0]).toBeLessThan(100);
    // In steady state the rate is the best recent delivered rate plus the probe margin and
    // the additive step maxRate * maxProbeStep * interval / memoryMs. A sample spans
    // minSamplePackets datagrams at about the bottleneck rate, rounded up to the next
    // feedback: this bounds the step, and with it the rate and the loss.
    const datagram = 1200 + DATA_HEADER_BYTES + IP_UDP_OVERHEAD;
    const intervalMs = (sc.minSamplePackets * datagram * 1000) / capacity + rc.feedbackIntervalMs;
    const step = (sc.rate.maxRate * sc.rate.maxProbeStep * intervalMs) / sc.rate.memoryMs;
    const steadyRate = capacity * (1 + sc.rate.probeMargin) + step;
    const steadyLoss = 1 - capacity / steadyRate;
    const mid = r.endMs / 2;
    const late = sendRate(r.sends, mid, r.endMs);
    expect(late).toBeGreaterThan(0.9 * capacity);
    expect(late).toBeLessThan(steadyRate);
    const lateSent = r.sends.filter(([t]) => t >= mid).length;
    const lateDropped = r.dropTimes.filter((t) => t >= mid).length;
    expect(lateDropped / lateSent).toBeLessThan(steadyLoss);
    // Overall the descent adds what the four samples above the bottleneck push beyond it
    // (each about a queueing delay long: 30 kB at 10 Mbit/s is 24 ms), some 200 datagrams
    // or 6% of this job, to the steady loss.
    expect(r.dropped / report.datagramsSent).toBeLessThan(steadyLoss + 0.07);
    // The job takes little longer than the needed bytes at the bottleneck rate.
    const ideal = ((0.95 * 3_600_000 * datagram) / 1200 / capacity) * 1000;
    expect(report.jctMs!).toBeLessThan(1.3 * ideal);
  });

  test("a lower bottleneck gives a lower sending rate", () => {
    const finalRate = (capacity: number) => {
      const r = runJob(
        senderConfig({ rateBps: 100 * MBIT, totalBytes: 1_200_000 }),
        receiverConfig(),
        { capacity: () => capacity, queueBytes: 20_000, delayMs: 1 },
      );
      return sendRate(r.sends, r.endMs / 2, r.endMs);
    };
    const rates = [40, 20, 5].map((m) => finalRate(m * MBIT));
    expect(rates[1]).toBeLessThan(rates[0]!);
    expect(rates[2]).toBeLessThan(rates[1]!);
  });

  test("when the bottleneck frees up it probes upwards", () => {
    // 5 Mbit/s for the first second, then 40 Mbit/s.
    const r = runJob(
      senderConfig({ rateBps: 100 * MBIT, totalBytes: 6_000_000, fraction: 0.9 }),
      receiverConfig(),
      { capacity: (t) => (t < 1000 ? 5 : 40) * MBIT, queueBytes: 20_000, delayMs: 1 },
    );
    expect(r.sender.report().outcome).toBe("done");
    const before = sendRate(r.sends, 500, 1000);
    const after = sendRate(r.sends, 1500, 1800);
    expect(before).toBeLessThan(7 * MBIT);
    // Within half a second it uses most of the eight times larger capacity.
    expect(after).toBeGreaterThan(35 * MBIT);
    const rateAt = (t: number) => r.rateTrace.filter(([at]) => at <= t).pop()![1];
    expect(rateAt(1500)).toBeGreaterThan(6 * rateAt(999));
  });

  test("without loss it stays at the allowed rate and sends only until the fraction", () => {
    const r = runJob(
      senderConfig({ rateBps: 8 * MBIT, totalBytes: 600_000, fraction: 0.5 }),
      receiverConfig(),
      { capacity: () => 100 * MBIT, queueBytes: 100_000, delayMs: 1 },
    );
    const report = r.sender.report();
    expect(report.outcome).toBe("done");
    expect(report.rate.decreases).toBe(0);
    expect(report.rate.maxMbps).toBeCloseTo(8);
    // 250 of 500 chunks needed; at most the datagrams in flight during one RTT are extra.
    expect(report.datagramsSent).toBeGreaterThanOrEqual(250);
    expect(report.datagramsSent).toBeLessThan(265);
    expect(r.receiver.report().outcome).toBe("done");
    expect(r.receiver.report().doneAcknowledged).toBe(true);
  });

  test("the resend pass sends exactly the chunks the receiver lacks, even with many holes", () => {
    // 20000 chunks, one in twenty lost on the first pass, windows of 256 bits: the
    // picture after the pass must be complete and exact.
    const lost = (c: number) => (c * 7919) % 20 === 3;
    let lostCount = 0;
    for (let c = 0; c < 20_000; c++) if (lost(c)) lostCount++;
    const r = runJob(
      senderConfig({ rateBps: 200 * MBIT, totalBytes: 20_000 * 100, chunkSize: 100, fraction: 1 }),
      receiverConfig({ maxWindowBits: 256 }),
      {
        capacity: () => 1000 * MBIT,
        queueBytes: 10_000_000,
        delayMs: 0.5,
        dropData: (m) => (m.flags & 1) === 0 && lost(m.chunk),
      },
    );
    const report = r.sender.report();
    expect(report.outcome).toBe("done");
    expect(report.passes).toBe(2);
    expect(report.chunksResent).toBe(lostCount);
    expect(report.datagramsSent).toBe(20_000 + lostCount);
    expect(r.receiver.report().duplicates).toBe(0);
    expect(r.receiver.report().uniqueChunks).toBe(20_000);
  });

  test("with maxPasses 2 a chunk is sent at most twice: loss in both passes ends the job", () => {
    const r = runJob(
      senderConfig({
        rateBps: 50 * MBIT,
        totalBytes: 1000 * 100,
        chunkSize: 100,
        fraction: 0.95,
        maxPasses: 2,
      }),
      receiverConfig(),
      {
        capacity: () => 1000 * MBIT,
        queueBytes: 1_000_000,
        delayMs: 1,
        dropData: (m) => m.chunk % 10 === 0,
      },
    );
    const report = r.sender.report();
    expect(report.outcome).toBe("fraction-unreachable");
    expect(report.passes).toBe(2);
    expect(report.datagramsSent).toBe(1100);
    expect(report.deliveredChunks).toBe(900);
    expect(r.receiver.report().outcome).toBe("aborted");
    expect(r.receiver.report().abortReason).toBe("fractionUnreachable");
  });

  test("by default it keeps resending passes while they deliver new chunks", () => {
    // Chunk c gets through on its (c mod 4 + 1)-th sending only: four passes are needed.
    const run = (maxPasses?: number) => {
      const attempts = new Map<number, number>();
      return runJob(
        senderConfig({
          rateBps: 50 * MBIT,
          totalBytes: 1000 * 100,
          chunkSize: 100,
          fraction: 1,
          ...(maxPasses !== undefined ? { maxPasses } : {}),
        }),
        receiverConfig(),
        {
          capacity: () => 1000 * MBIT,
          queueBytes: 1_000_000,
          delayMs: 1,
          dropData: (m) => {
            const n = (attempts.get(m.chunk) ?? 0) + 1;
            attempts.set(m.chunk, n);
            return n <= m.chunk % 4;
          },
        },
      ).sender.report();
    };
    const all = run();
    expect(all.outcome).toBe("done");
    expect(all.passes).toBe(4);
    // Each pass sends exactly what is still missing: 1000 + 750 + 500 + 250.
    expect(all.datagramsSent).toBe(2500);
    expect(all.chunksResent).toBe(1500);
    // The passes are bounded: with three, the chunks needing a fourth sending are lost.
    const three = run(3);
    expect(three.outcome).toBe("fraction-unreachable");
    expect(three.passes).toBe(3);
    expect(three.datagramsSent).toBe(2250);
    expect(three.deliveredChunks).toBe(750);
  });

  test("resend passes that deliver nothing new for giveUpMs end the job unfinished", () => {
    const run = (giveUpMs: number) =>
      runJob(
        senderConfig({
          rateBps: 50 * MBIT,
          totalBytes: 1000 * 100,
          chunkSize: 100,
          fraction: 0.95,
          giveUpMs,
        }),
        receiverConfig(),
        {
          capacity: () => 1000 * MBIT,
          queueBytes: 1_000_000,
          delayMs: 1,
          dropData: (m) => m.chunk % 10 === 0, // in every pass
        },
      );
    const short = run(500);
    const report = short.sender.report();
    expect(report.outcome).toBe("fraction-unreachable");
    expect(short.receiver.report().abortReason).toBe("fractionUnreachable");
    // Several passes, each over the 100 chunks that never arrive, but far fewer than the
    // default maxPasses: time without progress ended it.
    expect(report.passes).toBeGreaterThan(2);
    expect(report.passes).toBeLessThan(senderConfig({ rateBps: 1 }).maxPasses);
    expect(report.datagramsSent).toBe(1000 + 100 * (report.passes - 1));
    expect(report.deliveredChunks).toBe(900);
    // The last new chunk was the last one of the first pass; no pass starts giveUpMs after.
    const lastNew = short.sends[999]![0];
    expect(short.endMs).toBeGreaterThanOrEqual(lastNew + 500);
    const resendStarts = short.sends.slice(1000).filter((_, i) => i % 100 === 0);
    // (The sender hears of the last new chunk a feedback interval and two delays later.)
    for (const [t] of resendStarts) expect(t).toBeLessThan(lastNew + 500 + 10);
    // Given longer, it tries more passes.
    expect(run(1500).sender.report().passes).toBeGreaterThan(report.passes);
  });

  test("a silent receiver makes it back off, then give up", () => {
    const r = runJob(
      senderConfig({ rateBps: 80 * MBIT, totalBytes: 100_000_000, giveUpMs: 1000, silenceMs: 50 }),
      receiverConfig(),
      { capacity: () => 1000 * MBIT, queueBytes: 1_000_000, delayMs: 1, muteReceiver: true },
    );
    const report = r.sender.report();
    expect(report.outcome).toBe("receiver-silent");
    expect(r.endMs).toBeGreaterThanOrEqual(1000);
    expect(report.rate.silences).toBeGreaterThan(10);
    // Halving every 50 ms sends about twice the first 50 ms (2 x 500 kB), not the
    // 10 MB that one second at 80 Mbit/s would be.
    expect(report.bytesSent).toBeLessThan(1_100_000);
    expect(r.receiver.report().abortReason).toBe("receiverSilent");
  });

  test("the overall timeout ends a job that cannot finish in time", () => {
    const r = runJob(
      senderConfig({ rateBps: 1 * MBIT, totalBytes: 10_000_000, timeoutMs: 300 }),
      receiverConfig(),
      { capacity: () => 1000 * MBIT, queueBytes: 1_000_000, delayMs: 1 },
    );
    expect(r.sender.report().outcome).toBe("timeout");
    expect(r.sender.report().jctMs).toBeNull();
    expect(r.receiver.report().abortReason).toBe("timeout");
  });
});

describe("approximate sender input handling", () => {
  const core = () =>
    new ApproxSenderCore(
      senderConfig({ rateBps: 10 * MBIT, totalBytes: 12_000, chunkSize: 1200 }),
      0,
    );

  test("foreign and malformed datagrams are counted and change nothing", () => {
    const c = core();
    c.poll(0);
    c.onDatagram(new TextEncoder().encode("not netapprox at all"), 1);
    const other = encodeDone({
      jobId: 2,
      uniqueChunks: 10,
      receivedDatagrams: 10,
      receivedBytes: 1,
      elapsedMs: 1,
    });
    c.onDatagram(other, 1); // another job's DONE
    const bad = encodeDone({
      jobId: 1,
      uniqueChunks: 10,
      receivedDatagrams: 10,
      receivedBytes: 1,
      elapsedMs: 1,
    });
    c.onDatagram(bad.subarray(0, 20), 1); // truncated
    const wrongTotal = encodeFeedback({
      jobId: 1,
      seq: 0,
      receiverTimeMs: 0,
      uniqueChunks: 10,
      receivedDatagrams: 10,
      receivedBytes: 12000,
      maxTxSeq: 0,
      totalChunks: 99,
      firstMissing: 10,
      seenUpTo: 10,
      windowFrom: 10,
      windowBase: 10,
      windowBits: 0,
      bitmap: new Uint8Array(0),
    });
    c.onDatagram(wrongTotal, 1); // describes another job's chunks
    const r = c.report();
    expect(r.foreign).toBe(2);
    expect(r.malformed).toBe(2);
    expect(c.finished).toBe(false);
  });

  test("a rate hint caps the pacing at once and a higher one raises it back", () => {
    const c = new ApproxSenderCore(
      senderConfig({ rateBps: 10 * MBIT, totalBytes: 12_000_000, chunkSize: 1200 }),
      0,
    );
    const sentBetween = (from: number, to: number) => {
      let bytes = 0;
      for (let t = from; t < to; t++) {
        for (const tx of c.poll(t)) bytes += tx.payloadBytes + DATA_HEADER_BYTES + IP_UDP_OVERHEAD;
      }
      return bytes;
    };
    const datagram = 1200 + DATA_HEADER_BYTES + IP_UDP_OVERHEAD;
    const near = (bytes: number, expected: number) => {
      expect(bytes).toBeGreaterThanOrEqual(expected - datagram);
      expect(bytes).toBeLessThanOrEqual(expected + 2 * datagram);
    };
    near(sentBetween(0, 20), 0.02 * 10 * MBIT);
    c.setRateBounds(2 * MBIT, 0.5 * MBIT, 20);
    expect(c.rate).toBe(2 * MBIT);
    // 100 ms at 2 Mbit/s (no feedback yet, so no silence).
    near(sentBetween(20, 120), 0.1 * 2 * MBIT);
    // Back at the configured maximum, and never above it.
    c.setRateBounds(20 * MBIT, 0, 120);
    expect(c.rate).toBe(10 * MBIT);
    expect(c.report().rate.minMbps).toBeCloseTo(2);
  });

  test("a DONE finishes the job and is acknowledged, also when repeated", () => {
    const c = core();
    c.poll(0);
    const done = encodeDone({
      jobId: 1,
      uniqueChunks: 9,
      receivedDatagrams: 9,
      receivedBytes: 9 * 1260,
      elapsedMs: 4,
    });
    c.onDatagram(done, 5);
    expect(c.outcome).toBe("done");
    expect(c.takeControl()).toEqual([{ type: "doneAck" }]);
    c.onDatagram(done, 6);
    expect(c.takeControl()).toEqual([{ type: "doneAck" }]);
    expect(c.report().jctMs).toBe(5);
    expect(c.report().receiverElapsedMs).toBe(4);
    expect(c.nextWakeMs(6)).toBeNull();
  });

  test("configurations are checked before anything is sent", () => {
    expect(
      () => new ApproxSenderCore(senderConfig({ rateBps: 1000, chunkSize: 70_000 }), 0),
    ).toThrow(/chunk size/);
    expect(() => new ApproxSenderCore(senderConfig({ rateBps: 1000, fraction: 0 }), 0)).toThrow(
      /fraction/,
    );
    for (const maxPasses of [0, 1.5]) {
      expect(() => new ApproxSenderCore(senderConfig({ rateBps: 1000, maxPasses }), 0)).toThrow(
        /maxPasses must be a whole number >= 1/,
      );
    }
  });
});
