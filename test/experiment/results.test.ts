import {
  quantile,
  runFileName,
  stats,
  summarize,
} from "../../controller/src/experiment/results.js";
import { run } from "./fixtures.js";

describe("quantile and stats", () => {
  it("use the nearest rank", () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(v, 0.5)).toBe(50);
    expect(quantile(v, 0.99)).toBe(99);
    expect(quantile(v, 1)).toBe(100);
    expect(quantile([7], 0.99)).toBe(7);
    expect(stats([3, 1, 2])).toEqual({ count: 3, mean: 2, p50: 2, p99: 3, max: 3 });
    expect(stats([])).toBeNull();
  });
});

describe("summarize", () => {
  const runs = [
    run("netapprox", 1, [1, 3], [0.1, 0.3]),
    run("netapprox", 2, [2, null], [0.2, null]),
    run("udp-blast", 1, [0.5, null], [1, 1]),
    run("udp-blast", 2, [1.5, null], [2, 2]),
  ];
  const s = summarize(runs);

  it("pools seeds per policy, in the order the policies appear", () => {
    expect(s.seeds).toEqual([1, 2]);
    expect(
      s.policies.map((p) => [
        p.policy,
        p.runs,
        p.jobs,
        p.jobsCompleted,
        p.exactFlows,
        p.exactCompleted,
      ]),
    ).toEqual([
      ["netapprox", 2, 4, 3, 4, 3],
      ["udp-blast", 2, 4, 2, 4, 4],
    ]);
    const n = s.policies[0]!;
    expect(n.jct!.mean).toBe(2);
    expect(n.fct!.mean).toBeCloseTo(0.2, 12);
    expect(n.fctSamples).toEqual([0.1, 0.2, 0.3]);
    expect(n.deliveredFraction).toBeCloseTo((0.9 * 3 + 0.5) / 4, 12);
    expect(n.approxLoss).toBeCloseTo(0.1, 12);
    expect(n.drops).toEqual({ "meter-red": 6, "le-threshold": 2 });
    expect(s.requiredFraction).toBe(0.9);
  });

  it("gives changes relative to the baseline, none for the baseline itself", () => {
    const [n, b] = s.policies;
    expect(n!.jctChange).toBe(0);
    expect(b!.jctChange).toBeCloseTo(-0.5, 12);
    expect(b!.fctChange).toBeCloseTo((1.5 - 0.2) / 0.2, 12);
    expect(b!.jctP99Change).toBeCloseTo((1.5 - 3) / 3, 12);
    const noBase = summarize([run("udp-blast", 1, [1], [1])]);
    expect(noBase.policies[0]!.jctChange).toBeNull();
  });

  it("refuses to summarize nothing and names run files by policy and seed", () => {
    expect(() => summarize([])).toThrow(RangeError);
    expect(runFileName("tcp-receiver-drop", 3)).toBe("tcp-receiver-drop-seed3.json");
  });
});
