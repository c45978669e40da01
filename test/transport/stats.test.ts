import { quantileSorted, summarize } from "@netapprox/transport/stats.js";

describe("summary statistics", () => {
  test("quantiles interpolate between ranks", () => {
    const v = [10, 20, 30, 40, 50];
    expect(quantileSorted(v, 0)).toBe(10);
    expect(quantileSorted(v, 0.5)).toBe(30);
    expect(quantileSorted(v, 0.875)).toBe(45);
    expect(quantileSorted(v, 1)).toBe(50);
    expect(quantileSorted([], 0.5)).toBeNaN();
    expect(() => quantileSorted(v, 1.5)).toThrow(/quantile/);
  });

  test("a summary sorts its input and reports mean, p50, p99", () => {
    const values = Array.from({ length: 101 }, (_, i) => 100 - i);
    const s = summarize(values);
    expect(s).toEqual({ count: 101, mean: 50, min: 0, p50: 50, p90: 90, p99: 99, max: 100 });
    expect(values[0]).toBe(100); // input left alone
  });

  test("an empty summary has nulls, not NaN, so it stays valid JSON", () => {
    expect(JSON.parse(JSON.stringify(summarize([])))).toEqual({
      count: 0,
      mean: null,
      min: null,
      p50: null,
      p90: null,
      p99: null,
      max: null,
    });
  });
});
