// The receiver's state machine with hand-fed datagrams and hand-advanced time.
import {
  ApproxReceiverCore,
  DEFAULT_RECEIVER_TIMING,
  type ApproxReceiverConfig,
  type ReceiverOutgoing,
} from "@netapprox/transport/approx-receiver-core.js";
import {
  decode,
  encodeAbort,
  encodeData,
  encodeDoneAck,
  encodeEnd,
  encodeFeedback,
  type DataMessage,
  type FeedbackMessage,
} from "@netapprox/transport/wire.js";

const config = (o: Partial<ApproxReceiverConfig> = {}): ApproxReceiverConfig => ({
  ...DEFAULT_RECEIVER_TIMING,
  jobId: 5,
  feedback: true,
  ...o,
});

const chunk = (
  c: number,
  o: { total?: number; needed?: number; txSeq?: number; jobId?: number } = {},
) =>
  encodeData({
    jobId: o.jobId ?? 5,
    flags: 0,
    chunk: c,
    totalChunks: o.total ?? 10,
    neededChunks: o.needed ?? 8,
    txSeq: o.txSeq ?? c,
    payload: new Uint8Array(100),
  });

/** Runs the receiver's timers from `from` to `to` in 1 ms steps, collecting output. */
function advance(r: ApproxReceiverCore, from: number, to: number): [number, ReceiverOutgoing][] {
  const out: [number, ReceiverOutgoing][] = [];
  for (let t = from; t <= to; t++) for (const m of r.tick(t)) out.push([t, m]);
  return out;
}

describe("approximate receiver state machine", () => {
  test("feedback comes every interval while data arrives and reports counts and holes", () => {
    const r = new ApproxReceiverCore(config({ maxWindowBits: 64 }), 0);
    const feedback: [number, FeedbackMessage][] = [];
    // Every other chunk arrives, one per millisecond, plus one duplicate.
    for (let t = 0; t <= 12; t++) {
      if (t < 10)
        r.onDatagram(chunk(t % 5 === 4 ? 2 : t * 2, { total: 40, needed: 30, txSeq: t }), t);
      for (const m of r.tick(t)) if (m.type === "feedback") feedback.push([t, m]);
    }
    expect(feedback.map(([t]) => t)).toEqual([0, 5, 10]);
    const last = feedback[2]![1];
    expect(last).toMatchObject({
      uniqueChunks: 8,
      receivedDatagrams: 10,
      receivedBytes: 10 * (32 + 100 + 28),
      maxTxSeq: 9,
      totalChunks: 40,
      firstMissing: 1,
      seenUpTo: 17,
    });
    // Sequence numbers increase, so the sender can drop reordered feedback.
    expect(feedback.map(([, m]) => m.seq)).toEqual([0, 1, 2]);
    expect(() => encodeFeedback(last)).not.toThrow();
  });

  test("without new data, feedback slows to the keepalive", () => {
    const r = new ApproxReceiverCore(config(), 0);
    for (let c = 0; c < 5; c++) r.onDatagram(chunk(c), 0);
    const out = advance(r, 0, 200).map(([t]) => t);
    // Fast ones only until the holes have been swept, then one every 50 ms.
    expect(out).toEqual([0, 5, 55, 105, 155]);
  });

  test("holding the fraction answers DONE at once and repeats it until acknowledged", () => {
    const r = new ApproxReceiverCore(config(), 0);
    const replies: ReceiverOutgoing[] = [];
    for (let c = 0; c < 8; c++) replies.push(...r.onDatagram(chunk(c), c).replies);
    expect(replies.map((m) => m.type)).toEqual(["done"]);
    expect(replies[0]).toMatchObject({ uniqueChunks: 8, elapsedMs: 7 });
    const again = advance(r, 8, 70);
    expect(again.map(([t, m]) => [t, m.type])).toEqual([
      [27, "done"],
      [47, "done"],
      [67, "done"],
    ]);
    // Late data counts as wasted and gets a DONE (at most once per retry interval).
    expect(r.onDatagram(chunk(9), 68).replies).toEqual([]);
    expect(r.onDatagram(chunk(8), 90).replies.map((m) => m.type)).toEqual(["done"]);
    r.onDatagram(encodeDoneAck({ jobId: 5 }), 91);
    expect(r.finished).toBe(true);
    const report = r.report();
    expect(report).toMatchObject({
      outcome: "done",
      completed: true,
      uniqueChunks: 8,
      neededChunks: 8,
      deliveredFraction: 0.8,
      jctMs: 7,
      datagramsAfterDone: 2,
      doneAcknowledged: true,
    });
  });

  test("an unacknowledged DONE gives up after its attempts; the job still counts", () => {
    const r = new ApproxReceiverCore(config({ doneAttempts: 3 }), 0);
    for (let c = 0; c < 8; c++) r.onDatagram(chunk(c), 0);
    advance(r, 1, 100);
    expect(r.finished).toBe(true);
    expect(r.report()).toMatchObject({ outcome: "done", doneSent: 3, doneAcknowledged: false });
  });

  test("the sender's ABORT ends the job as aborted with its reason", () => {
    const r = new ApproxReceiverCore(config(), 0);
    r.onDatagram(chunk(0), 0);
    r.onDatagram(encodeAbort({ jobId: 5, reason: "fractionUnreachable" }), 3);
    expect(r.report()).toMatchObject({
      outcome: "aborted",
      completed: false,
      abortReason: "fractionUnreachable",
    });
  });

  test("silence after the first datagram ends the job as idle; nothing at all as timeout", () => {
    const idle = new ApproxReceiverCore(config({ idleTimeoutMs: 30 }), 0);
    idle.onDatagram(chunk(0), 0);
    advance(idle, 0, 40);
    expect(idle.outcome).toBe("idle");
    const nothing = new ApproxReceiverCore(config({ timeoutMs: 30 }), 0);
    advance(nothing, 0, 40);
    expect(nothing.outcome).toBe("timeout");
    expect(nothing.report().totalChunks).toBeNull();
  });

  test("bad and foreign datagrams are counted and ignored", () => {
    const r = new ApproxReceiverCore(config(), 0);
    r.onDatagram(chunk(0), 0);
    r.onDatagram(new TextEncoder().encode("hello"), 1); // foreign
    r.onDatagram(chunk(1, { jobId: 6 }), 1); // another job: foreign
    r.onDatagram(chunk(1).subarray(0, 40), 1); // truncated: malformed
    r.onDatagram(chunk(1, { total: 12, needed: 8 }), 1); // inconsistent with the job
    r.onDatagram(encodeEnd({ jobId: 5, sentDatagrams: 1, totalChunks: 10, neededChunks: 8 }), 1); // END is blast-only
    expect(r.report()).toMatchObject({
      foreign: 2,
      malformed: 3,
      uniqueChunks: 1,
      datagramsReceived: 1,
    });
  });

  test("blast mode: no feedback, completion a drain time after END", () => {
    const r = new ApproxReceiverCore(config({ feedback: false, drainMs: 20 }), 0);
    for (const c of [0, 1, 2, 3, 5, 6, 7, 8]) expect(r.onDatagram(chunk(c), c).replies).toEqual([]);
    expect(advance(r, 0, 10)).toEqual([]);
    r.onDatagram(encodeEnd({ jobId: 5, sentDatagrams: 10, totalChunks: 10, neededChunks: 8 }), 10);
    r.onDatagram(chunk(9), 25); // late but within the drain
    advance(r, 10, 40);
    expect(r.report()).toMatchObject({
      outcome: "ended",
      completed: true,
      uniqueChunks: 9,
      deliveredFraction: 0.9,
      jctMs: 30, // END at 10 + 20 ms drain, from the first datagram at 0
      feedbackSent: 0,
    });
  });

  test("onData (decoded input, as the simulator feeds it) behaves like onDatagram", () => {
    const viaBytes = new ApproxReceiverCore(config(), 0);
    const viaData = new ApproxReceiverCore(config(), 0);
    for (const c of [0, 3, 3, 5, 1, 2, 4, 6, 7]) {
      const bytes = chunk(c);
      const decoded = decode(bytes);
      if (decoded.kind !== "ok" || decoded.message.type !== "data") throw new Error("bad fixture");
      const a = viaBytes.onDatagram(bytes, c);
      const b = viaData.onData(decoded.message, bytes.length + 28, c);
      expect(b.replies).toEqual(a.replies);
      expect(b.newChunk?.chunk).toBe(a.newChunk?.chunk);
    }
    expect(viaData.report()).toEqual(viaBytes.report());
    expect(
      viaData.onData(
        { ...(decode(chunk(9)) as { message: DataMessage }).message, jobId: 77 },
        160,
        10,
      ).fromSender,
    ).toBe(false);
    expect(viaData.report().foreign).toBe(1);
  });

  test("blast mode with everything lost still reports the job's size", () => {
    const r = new ApproxReceiverCore(config({ feedback: false, drainMs: 5 }), 0);
    r.onDatagram(encodeEnd({ jobId: 5, sentDatagrams: 10, totalChunks: 10, neededChunks: 8 }), 3);
    advance(r, 3, 10);
    expect(r.report()).toMatchObject({
      outcome: "ended",
      completed: false,
      totalChunks: 10,
      deliveredFraction: 0,
    });
  });
});
