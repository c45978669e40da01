import { Rng } from "@netapprox/transport/random.js";

describe("seeded random numbers", () => {
  test("the same seed gives the same sequence, another seed another one", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(sa);
  });

  test("uniform values cover [0, 1) evenly", () => {
    const r = new Rng(7);
    const buckets = new Array<number>(10).fill(0);
    const n = 100_000;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      min = Math.min(min, x);
      max = Math.max(max, x);
      buckets[Math.floor(x * 10)]!++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    for (const b of buckets) expect(Math.abs(b - n / 10)).toBeLessThan(0.03 * (n / 10));
  });

  test("exponential samples have mean 1 / rate", () => {
    const r = new Rng(3);
    let sum = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) sum += r.exponential(4);
    expect(sum / n).toBeGreaterThan(0.245);
    expect(sum / n).toBeLessThan(0.255);
  });

  test("a sample without replacement is distinct, sorted and in range", () => {
    const r = new Rng(9);
    const s = r.sampleWithoutReplacement(1000, 600);
    expect(s.length).toBe(600);
    expect(new Set(s).size).toBe(600);
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]!);
    expect(s[0]).toBeGreaterThanOrEqual(0);
    expect(s[s.length - 1]).toBeLessThan(1000);
    expect(r.sampleWithoutReplacement(5, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(() => r.sampleWithoutReplacement(5, 6)).toThrow(/cannot pick/);
  });

  test("integers are unbiased over small ranges", () => {
    const r = new Rng(11);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[r.int(3)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    expect(() => r.int(0)).toThrow(/positive/);
    expect(() => new Rng(1.5)).toThrow(/integer/);
  });
});
