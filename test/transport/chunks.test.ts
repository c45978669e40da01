import fc from "fast-check";
import {
  Bitset,
  chunkLayout,
  ChunkSet,
  neededChunks,
  ReceiverPicture,
} from "@netapprox/transport/chunks.js";

describe("neededChunks and chunkLayout", () => {
  test("the needed count is ceil(f * total), at least one", () => {
    expect(neededChunks(10, 0.9)).toBe(9);
    expect(neededChunks(10, 0.91)).toBe(10);
    expect(neededChunks(1000, 0.9)).toBe(900);
    expect(neededChunks(3, 0.0001)).toBe(1);
    expect(neededChunks(7, 1)).toBe(7);
    expect(() => neededChunks(10, 0)).toThrow(/fraction/);
    expect(() => neededChunks(10, 1.5)).toThrow(/fraction/);
    expect(() => neededChunks(0, 0.5)).toThrow(/total chunks/);
  });

  test("a job splits into full chunks and one shorter last chunk", () => {
    const l = chunkLayout(2500, 1000);
    expect(l.totalChunks).toBe(3);
    expect([0, 1, 2].map(l.payloadLength)).toEqual([1000, 1000, 500]);
    expect(chunkLayout(3000, 1000).payloadLength(2)).toBe(1000);
    expect(() => chunkLayout(0, 1000)).toThrow(/job size/);
    expect(() => chunkLayout(10, 0)).toThrow(/chunk size/);
  });
});

describe("Bitset", () => {
  test("counts bits set singly and by range, and finds clear bits", () => {
    const b = new Bitset(100);
    expect(b.set(3)).toBe(true);
    expect(b.set(3)).toBe(false);
    b.setRange(5, 90);
    expect(b.count).toBe(1 + 85);
    b.setRange(0, 100);
    expect(b.count).toBe(100);
    expect(b.nextClear(0)).toBe(-1);
    const c = new Bitset(20);
    c.setRange(0, 17);
    expect(c.nextClear(0)).toBe(17);
    expect(c.nextClear(18)).toBe(18);
    expect(() => c.set(20)).toThrow(/outside/);
  });

  test("range setting agrees with setting bit by bit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.tuple(fc.nat(220), fc.nat(220)), { maxLength: 6 }),
        (size, ranges) => {
          const a = new Bitset(size);
          const b = new Bitset(size);
          for (const [x, y] of ranges) {
            const [from, to] = x <= y ? [x, y] : [y, x];
            a.setRange(from, to);
            for (let i = from; i < Math.min(to, size); i++) b.set(i);
          }
          expect(a.count).toBe(b.count);
          expect(Array.from(a.bytes)).toEqual(Array.from(b.bytes));
        },
      ),
    );
  });
});

describe("ChunkSet", () => {
  test("tracks unique chunks, the first hole and the highest chunk seen", () => {
    const s = new ChunkSet(10);
    expect(s.add(0)).toBe(true);
    expect(s.add(2)).toBe(true);
    expect(s.add(2)).toBe(false);
    expect(s.unique).toBe(2);
    expect(s.firstMissing).toBe(1);
    expect(s.seenUpTo).toBe(3);
    s.add(1);
    expect(s.firstMissing).toBe(3);
  });

  test("a window marks held chunks in its bitmap and says the skipped range is held", () => {
    const s = new ChunkSet(40);
    for (let i = 0; i < 30; i++) if (i !== 3 && i !== 20 && i !== 21) s.add(i);
    const w = s.nextWindow(8);
    expect(w).toMatchObject({
      firstMissing: 3,
      seenUpTo: 30,
      windowFrom: 3,
      windowBase: 3,
      windowBits: 8,
    });
    expect(w.bitmap[0]).toBe(0b01111111); // chunk 3 missing, 4..10 held
    const w2 = s.nextWindow(8);
    // From chunk 11 the next hole is 20: [11, 20) is held.
    expect(w2).toMatchObject({ windowFrom: 11, windowBase: 20, windowBits: 8 });
    expect(w2.bitmap[0]).toBe(0b00111111);
    const sweeps = s.sweeps;
    const w3 = s.nextWindow(8);
    // Nothing missing between 28 and the highest chunk seen: an empty window closes the sweep.
    expect(w3).toMatchObject({ windowFrom: 28, windowBase: 30, windowBits: 0 });
    expect(s.sweeps).toBe(sweeps + 1);
    expect(s.nextWindow(8)).toMatchObject({ windowFrom: 3, windowBase: 3 });
  });

  test("one sweep of windows gives the sender exactly the receiver's set", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 300 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.array(fc.nat(n - 1), { maxLength: 400 }),
              fc.integer({ min: 1, max: 64 }),
            ),
          ),
        ([n, held, maxBits]) => {
          const s = new ChunkSet(n);
          for (const c of held) s.add(c);
          const picture = new ReceiverPicture(n);
          picture.startCoverage();
          const before = s.sweeps;
          let guard = 0;
          while (s.sweeps === before && guard++ < 1000) picture.apply(s.nextWindow(maxBits));
          expect(picture.coverageComplete()).toBe(true);
          for (let i = 0; i < n; i++) expect(picture.isKnownReceived(i)).toBe(s.has(i));
          expect(picture.knownCount).toBe(s.unique);
          expect(picture.missing().length).toBe(n - s.unique);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("ReceiverPicture", () => {
  test("coverage is incomplete until windows describe everything up to the highest chunk", () => {
    const s = new ChunkSet(100);
    for (let i = 0; i < 100; i++) if (i % 10 !== 0) s.add(i);
    const p = new ReceiverPicture(100);
    expect(p.coverageComplete()).toBe(false); // not started
    p.startCoverage();
    p.apply(s.nextWindow(16));
    expect(p.coverageComplete()).toBe(false);
    for (let k = 0; k < 10; k++) p.apply(s.nextWindow(16));
    expect(p.coverageComplete()).toBe(true);
    expect(p.missing()).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });

  test("knowledge only grows: an older window cannot unmark a chunk", () => {
    const s = new ChunkSet(16);
    s.add(5);
    const old = s.nextWindow(16);
    s.add(0);
    const p = new ReceiverPicture(16);
    p.apply(s.nextWindow(16));
    p.apply(old);
    expect(p.isKnownReceived(0)).toBe(true);
    expect(p.isKnownReceived(5)).toBe(true);
    expect(p.knownCount).toBe(2);
  });
});
