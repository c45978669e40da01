import { Rng } from "@netapprox/transport/random.js";
import {
  DATA_MINING,
  distributionByName,
  EmpiricalDistribution,
  FixedSize,
  WEB_SEARCH,
  type SizeDistribution,
} from "@netapprox/transport/size-distributions.js";
import { quantileSorted } from "@netapprox/transport/stats.js";
import { parseBytes } from "@netapprox/transport/units.js";

function draw(d: SizeDistribution, n: number, seed: number): number[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => d.sample(r)).sort((a, b) => a - b);
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

describe("flow size distributions", () => {
  test("the published CDF points are where the distributions put them", () => {
    // Web search: 15% of flows are 6 packets, 53% at most 53, 90% at most 3333 (1460 B each).
    expect(WEB_SEARCH.quantile(0.15)).toBe(6 * 1460);
    expect(WEB_SEARCH.quantile(0.53)).toBe(53 * 1460);
    expect(WEB_SEARCH.quantile(0.9)).toBe(3333 * 1460);
    expect(WEB_SEARCH.quantile(1)).toBe(20000 * 1460);
    // Data mining: half the flows are one packet, 90% at most 267, 99% at most 66667.
    expect(DATA_MINING.quantile(0.5)).toBe(1460);
    expect(DATA_MINING.quantile(0.9)).toBe(267 * 1460);
    expect(DATA_MINING.quantile(0.99)).toBe(66667 * 1460);
    // Linear between points: halfway from 0.9 to 0.97 in web search.
    expect(WEB_SEARCH.quantile(0.935)).toBeCloseTo(((3333 + 6667) / 2) * 1460);
  });

  test("exact means: web search about 1.67 MB, data mining about 7.47 MB", () => {
    expect(WEB_SEARCH.mean()).toBeCloseTo(1140.98 * 1460, 0);
    expect(DATA_MINING.mean()).toBeCloseTo(5116.6 * 1460, 0);
  });

  test("samples match the mean and quantiles for a seed", () => {
    for (const [d, n] of [
      [WEB_SEARCH, 200_000],
      [DATA_MINING, 400_000],
    ] as const) {
      const s = draw(d, n, 2024);
      expect(Math.abs(mean(s) / d.mean() - 1)).toBeLessThan(0.05);
      for (const q of [0.3, 0.6, 0.8, 0.9, 0.99]) {
        const expected = d.quantile(q);
        expect(Math.abs(quantileSorted(s, q) / expected - 1)).toBeLessThan(0.05);
      }
    }
  });

  test("samples are whole bytes of at least one", () => {
    for (const x of draw(DATA_MINING.scaled(0.0001), 1000, 5)) {
      expect(Number.isInteger(x)).toBe(true);
      expect(x).toBeGreaterThanOrEqual(1);
    }
  });

  test("scaling multiplies sizes; clipping caps them and lowers the mean accordingly", () => {
    const small = WEB_SEARCH.scaled(0.01);
    expect(small.mean()).toBeCloseTo(WEB_SEARCH.mean() * 0.01, 3);
    const capped = WEB_SEARCH.scaled(1, 1_000_000);
    expect(capped.quantile(0.99)).toBe(1_000_000);
    const s = draw(capped, 200_000, 8);
    expect(s[s.length - 1]).toBe(1_000_000);
    expect(Math.abs(mean(s) / capped.mean() - 1)).toBeLessThan(0.02);
    expect(capped.mean()).toBeLessThan(WEB_SEARCH.mean());
  });

  test("a fixed size is always that size", () => {
    const f = new FixedSize(4096);
    expect(draw(f, 10, 1)).toEqual(new Array(10).fill(4096));
    expect(f.mean()).toBe(4096);
    expect(() => new FixedSize(0)).toThrow(/positive/);
  });

  test("distributions by name, and bad CDFs refused", () => {
    expect(distributionByName("websearch", { parseBytes }).mean()).toBeCloseTo(WEB_SEARCH.mean());
    expect(distributionByName("datamining", { parseBytes, scale: 0.5 }).mean()).toBeCloseTo(
      DATA_MINING.mean() / 2,
    );
    expect(distributionByName("fixed:64k", { parseBytes }).mean()).toBe(64_000);
    expect(() => distributionByName("video", { parseBytes })).toThrow(
      /unknown size distribution 'video'/,
    );
    expect(
      () =>
        new EmpiricalDistribution("bad", [
          { sizeBytes: 10, cumulative: 0 },
          { sizeBytes: 5, cumulative: 1 },
        ]),
    ).toThrow(/decreases/);
    expect(
      () =>
        new EmpiricalDistribution("bad", [
          { sizeBytes: 10, cumulative: 0.1 },
          { sizeBytes: 20, cumulative: 1 },
        ]),
    ).toThrow(/start at 0/);
  });
});
