import { mix32, SimRandom } from "@netapprox/lab/simulator/random.js";

describe("SimRandom", () => {
  it("gives the same sequence for the same seed and another for another seed", () => {
    const a = new SimRandom(42);
    const b = new SimRandom(42);
    const c = new SimRandom(43);
    const seqA = Array.from({ length: 8 }, () => a.u32());
    expect(Array.from({ length: 8 }, () => b.u32())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.u32())).not.toEqual(seqA);
  });

  it("draws uniform numbers in [0, 1) and exponentials with the requested mean", () => {
    const r = new SimRandom(1);
    let sum = 0;
    let expSum = 0;
    let min = 1;
    let max = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      sum += u;
      expSum += r.exponential(4);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(expSum / n).toBeCloseTo(0.25, 2);
  });

  it("refuses a seed that is not an integer", () => {
    expect(() => new SimRandom(1.5)).toThrow(RangeError);
  });
});

describe("mix32", () => {
  it("is deterministic, unsigned, and spreads neighbouring inputs over all buckets", () => {
    expect(mix32(12345)).toBe(mix32(12345));
    const buckets = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) {
      const h = mix32(i);
      expect(h).toBeGreaterThanOrEqual(0);
      buckets[h % 8]!++;
    }
    for (const b of buckets) expect(b).toBeGreaterThan(850);
  });
});
