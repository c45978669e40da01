import { quantile, runFileName, stats, summarize } from "@netapprox/lab/experiment/results.js";
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

  it("refuses to summarize nothing and names run files by policy, TCP setting and seed", () => {
    expect(() => summarize([])).toThrow(RangeError);
    expect(runFileName({ policy: "netapprox", tcpSetting: null, seed: 3 })).toBe(
      "netapprox-seed3.json",
    );
    expect(runFileName({ policy: "tcp-receiver-drop", tcpSetting: "dc-tuned", seed: 3 })).toBe(
      "tcp-receiver-drop-dc-tuned-seed3.json",
    );
  });

  it("keeps a TCP baseline's settings apart, one row each, named in the label", () => {
    const withSetting = (setting: "linux-default" | "dctcp", jct: number) => ({
      ...run("tcp-sender-sampling", 1, [jct], [1]),
      tcpSetting: setting,
    });
    const rows = summarize([
      run("netapprox", 1, [1], [1]),
      withSetting("linux-default", 4),
      withSetting("dctcp", 2),
    ]).policies;
    expect(rows.map((r) => r.label)).toEqual([
      "netapprox",
      "tcp-sender-sampling (linux-default)",
      "tcp-sender-sampling (dctcp)",
    ]);
    expect(rows[1]!.jctChange).toBe(3);
    expect(rows[2]!.tcpSetting).toBe("dctcp");
  });

  it("reports the spread of what each sender delivered of its own data", () => {
    const r = run("netapprox", 1, [1, 2], [1]);
    r.jobs[0]!.senders = [
      { host: "h1", deliveredChunks: 10, totalChunks: 10 },
      { host: "h2", deliveredChunks: 4, totalChunks: 10 },
    ];
    r.jobs[1]!.senders = [{ host: "h3", deliveredChunks: 7, totalChunks: 10 }];
    expect(summarize([r]).policies[0]!.senderFraction).toEqual({ min: 0.4, p50: 0.7, max: 1 });
  });
});
