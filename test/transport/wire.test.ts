import fc from "fast-check";
import {
  COUNT_BYTES,
  DATA_HEADER_BYTES,
  decode,
  encodeCount,
  encodeJobDone,
  JOB_DONE_BYTES,
  encodeAbort,
  encodeData,
  encodeDone,
  encodeDoneAck,
  encodeEnd,
  encodeFeedback,
  encodeFlowAck,
  encodeFlowHello,
  encodeStreamHello,
  FEEDBACK_HEADER_BYTES,
  MAGIC,
  messageLength,
  StreamDecoder,
  type Message,
} from "@netapprox/transport/wire.js";

function ok(bytes: Uint8Array): Message {
  const r = decode(bytes);
  if (r.kind !== "ok") throw new Error(`expected a message, got ${r.kind}: ${r.detail}`);
  return r.message;
}

const data = {
  jobId: 7,
  flags: 1,
  chunk: 41,
  totalChunks: 100,
  neededChunks: 90,
  txSeq: 123456,
  payload: Uint8Array.from([1, 2, 3, 4, 5]),
};

const feedback = {
  jobId: 7,
  seq: 3,
  receiverTimeMs: 1234.5,
  uniqueChunks: 50,
  receivedDatagrams: 55,
  receivedBytes: 55 * 1260,
  maxTxSeq: 60,
  totalChunks: 100,
  firstMissing: 10,
  seenUpTo: 70,
  windowFrom: 10,
  windowBase: 12,
  windowBits: 11,
  bitmap: Uint8Array.from([0b10110000, 0b01100000]),
};

describe("wire format", () => {
  test("a data message has the 32-byte header and round-trips", () => {
    const bytes = encodeData(data);
    expect(bytes.length).toBe(DATA_HEADER_BYTES + 5);
    expect(new DataView(bytes.buffer).getUint32(0)).toBe(MAGIC);
    const m = ok(bytes);
    expect(m).toEqual({ type: "data", ...data });
  });

  test("every control message round-trips", () => {
    expect(ok(encodeFeedback(feedback))).toEqual({ type: "feedback", ...feedback });
    const done = {
      jobId: 9,
      uniqueChunks: 90,
      receivedDatagrams: 95,
      receivedBytes: 119700,
      elapsedMs: 12.25,
    };
    expect(ok(encodeDone(done))).toEqual({ type: "done", ...done });
    expect(ok(encodeDoneAck({ jobId: 9 }))).toEqual({ type: "doneAck", jobId: 9 });
    expect(ok(encodeAbort({ jobId: 9, reason: "receiverSilent" }))).toEqual({
      type: "abort",
      jobId: 9,
      reason: "receiverSilent",
    });
    const end = { jobId: 9, sentDatagrams: 100, totalChunks: 100, neededChunks: 80 };
    expect(ok(encodeEnd(end))).toEqual({ type: "end", ...end });
    const hello = {
      jobId: 2,
      flags: 1,
      totalChunks: 10,
      neededChunks: 9,
      chunksToSend: 9,
      chunkSize: 1200,
    };
    expect(ok(encodeStreamHello(hello))).toEqual({ type: "streamHello", ...hello });
    expect(ok(encodeFlowHello({ jobId: 5, sizeBytes: 5_000_000_000 }))).toEqual({
      type: "flowHello",
      jobId: 5,
      sizeBytes: 5_000_000_000,
    });
    expect(ok(encodeFlowAck({ jobId: 5 }))).toEqual({ type: "flowAck", jobId: 5 });
  });

  test("a feedback datagram carries exactly the bytes its bitmap needs", () => {
    expect(encodeFeedback(feedback).length).toBe(FEEDBACK_HEADER_BYTES + 2);
    expect(encodeFeedback({ ...feedback, windowBits: 0, bitmap: new Uint8Array(0) }).length).toBe(
      FEEDBACK_HEADER_BYTES,
    );
  });

  test("datagrams that are not netapprox are foreign", () => {
    expect(decode(new Uint8Array(0)).kind).toBe("foreign");
    expect(decode(Uint8Array.from([0x4e, 0x41, 0x50])).kind).toBe("foreign");
    const dns = new Uint8Array(40);
    dns.set([0x12, 0x34, 0x01, 0x00]);
    expect(decode(dns).kind).toBe("foreign");
  });

  test("netapprox datagrams with bad fields are malformed, with a reason", () => {
    const good = encodeData(data);
    const cases: [string, Uint8Array, RegExp][] = [];
    const v2 = good.slice();
    v2[4] = 2;
    cases.push(["version", v2, /version 2/]);
    const unknownType = good.slice();
    unknownType[5] = 99;
    cases.push(["type", unknownType, /unknown message type 99/]);
    cases.push(["truncated prefix", good.slice(0, 8), /truncated prefix/]);
    cases.push(["truncated header", good.slice(0, 20), /truncated data header/]);
    cases.push(["short payload", good.slice(0, good.length - 1), /payload length/]);
    const bigChunk = good.slice();
    new DataView(bigChunk.buffer).setUint32(12, 100);
    cases.push(["chunk beyond total", bigChunk, /chunk 100 of 100/]);
    const needsTooMuch = good.slice();
    new DataView(needsTooMuch.buffer).setUint32(20, 101);
    cases.push(["needed beyond total", needsTooMuch, /needs 101/]);
    const fb = encodeFeedback(feedback);
    cases.push(["bitmap length", fb.slice(0, fb.length - 1), /bitmap of 11 bits/]);
    const fbBad = fb.slice();
    new DataView(fbBad.buffer).setUint32(48, 80); // firstMissing above seenUpTo
    cases.push(["inconsistent feedback", fbBad, /inconsistent feedback/]);
    const abort = encodeAbort({ jobId: 1, reason: "timeout" });
    abort[12] = 77;
    cases.push(["abort reason", abort, /abort reason 77/]);
    const done = encodeDone({
      jobId: 1,
      uniqueChunks: 1,
      receivedDatagrams: 1,
      receivedBytes: 1,
      elapsedMs: 1,
    });
    cases.push(["done length", done.slice(0, 30), /done of 30 bytes/]);
    for (const [name, bytes, reason] of cases) {
      const r = decode(bytes);
      expect({ name, kind: r.kind }).toEqual({ name, kind: "malformed" });
      if (r.kind === "malformed") expect(r.detail).toMatch(reason);
    }
  });

  test("encoders refuse values that do not fit", () => {
    expect(() => encodeData({ ...data, chunk: 100 })).toThrow(/not below the total/);
    expect(() => encodeData({ ...data, jobId: 2 ** 32 })).toThrow(/job id/);
    expect(() => encodeData({ ...data, txSeq: -1 })).toThrow(/txSeq/);
    expect(() => encodeData({ ...data, payload: new Uint8Array(70000) })).toThrow(/exceeds/);
    expect(() => encodeFeedback({ ...feedback, bitmap: new Uint8Array(1) })).toThrow(/bitmap/);
    expect(() => encodeFlowHello({ jobId: 1, sizeBytes: 0 })).toThrow(/positive/);
  });

  test("decoding arbitrary bytes never throws and data round-trips for any fields", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = decode(bytes);
        expect(["ok", "foreign", "malformed"]).toContain(r.kind);
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 32 - 1 }).chain((total) =>
          fc.record({
            jobId: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
            flags: fc.integer({ min: 0, max: 3 }),
            chunk: fc.integer({ min: 0, max: total - 1 }),
            totalChunks: fc.constant(total),
            neededChunks: fc.integer({ min: 0, max: total }),
            txSeq: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
            payload: fc.uint8Array({ maxLength: 64 }),
          }),
        ),
        (m) => {
          expect(ok(encodeData(m))).toEqual({ type: "data", ...m });
        },
      ),
    );
  });

  test("messageLength reads a message's size from its header", () => {
    expect(messageLength(encodeData(data).subarray(0, 10))).toBe("need-more");
    expect(messageLength(encodeData(data).subarray(0, 20))).toBe("need-more");
    expect(messageLength(encodeData(data))).toBe(DATA_HEADER_BYTES + 5);
    expect(messageLength(encodeDoneAck({ jobId: 1 }))).toBe(12);
    expect(messageLength(new Uint8Array(12))).toEqual({ kind: "foreign", detail: "bad magic" });
    expect(messageLength(encodeFeedback(feedback))).toMatchObject({ kind: "malformed" });
  });

  test("the stream decoder reassembles messages split at any byte", () => {
    const stream = [
      encodeStreamHello({
        jobId: 1,
        flags: 0,
        totalChunks: 3,
        neededChunks: 3,
        chunksToSend: 3,
        chunkSize: 5,
      }),
      encodeData({ ...data, jobId: 1, chunk: 0, totalChunks: 3, neededChunks: 3 }),
      encodeData({ ...data, jobId: 1, chunk: 1, totalChunks: 3, neededChunks: 3 }),
      encodeData({
        ...data,
        jobId: 1,
        chunk: 2,
        totalChunks: 3,
        neededChunks: 3,
        payload: new Uint8Array(0),
      }),
    ];
    const all = new Uint8Array(stream.reduce((s, b) => s + b.length, 0));
    let o = 0;
    for (const b of stream) {
      all.set(b, o);
      o += b.length;
    }
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: all.length }), { maxLength: 10 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const decoder = new StreamDecoder();
        const got: Message[] = [];
        let at = 0;
        for (const p of [...points, all.length]) {
          const r = decoder.push(all.subarray(at, p));
          expect(r.error).toBeUndefined();
          got.push(...r.messages);
          at = p;
        }
        expect(got.map((m) => m.type)).toEqual(["streamHello", "data", "data", "data"]);
        expect(got.map((m) => (m.type === "data" ? m.chunk : -1))).toEqual([-1, 0, 1, 2]);
        expect(decoder.buffered).toBe(0);
      }),
    );
  });

  test("the stream decoder reports garbage instead of guessing", () => {
    const decoder = new StreamDecoder();
    const r = decoder.push(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"));
    expect(r.messages).toEqual([]);
    expect(r.error).toEqual({ kind: "foreign", detail: "bad magic" });
  });
});

describe("job-level completion messages", () => {
  const count = {
    jobId: 9,
    flags: 1,
    group: 3,
    transfer: 17,
    uniqueChunks: 400,
    totalChunks: 500,
    seq: 12,
  };
  const jobDone = { jobId: 9, group: 3, deliveredChunks: 4500, neededChunks: 4500 };

  it("round-trips COUNT and JOB-DONE at their fixed sizes", () => {
    const c = encodeCount(count);
    expect(c.length).toBe(COUNT_BYTES);
    expect(ok(c)).toEqual({ type: "count", ...count });
    const d = encodeJobDone(jobDone);
    expect(d.length).toBe(JOB_DONE_BYTES);
    expect(ok(d)).toEqual({ type: "jobDone", ...jobDone });
    expect(messageLength(c)).toBe(COUNT_BYTES);
  });

  it("refuses counts above their total, on both sides", () => {
    expect(() => encodeCount({ ...count, uniqueChunks: 501 })).toThrow(RangeError);
    const c = encodeCount(count);
    new DataView(c.buffer).setUint32(20, 501);
    expect(decode(c)).toMatchObject({ kind: "malformed", detail: "count above its total" });
    expect(decode(encodeCount(count).subarray(0, 31))).toMatchObject({ kind: "malformed" });
    expect(decode(encodeJobDone(jobDone).subarray(0, 20))).toMatchObject({ kind: "malformed" });
  });
});
