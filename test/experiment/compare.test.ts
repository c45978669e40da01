import { ConfigError } from "@netapprox/model/config/errors.js";
import {
  CompareError,
  checkSummary,
  compareRankings,
  compareSummaries,
  type ComparedPolicy,
  type ComparedSource,
  type ComparedSummary,
  type PolicyComparison,
} from "@netapprox/lab/experiment/compare.js";
import { reading, renderComparison } from "@netapprox/lab/experiment/compare-report.js";
import { summaryForFile } from "@netapprox/lab/experiment/report.js";
import { SUMMARY_FORMAT, summarize } from "@netapprox/lab/experiment/results.js";
import type { ExperimentPolicy } from "@netapprox/lab/experiment/scenario.js";
import { run } from "./fixtures.js";

/** A policy with the given JCT and FCT means (p99 twice the mean); null: nothing completed. */
function policy(
  name: ExperimentPolicy,
  jct: number | null,
  fct: number | null,
  extra: Partial<ComparedPolicy> = {},
): ComparedPolicy {
  const stats = (mean: number | null) =>
    mean === null ? null : { count: 4, mean, p50: mean, p99: 2 * mean, max: 2 * mean };
  return {
    policy: name,
    runs: 1,
    jobs: 4,
    jobsCompleted: jct === null ? 0 : 4,
    jct: stats(jct),
    jctChange: null,
    deliveredFraction: jct === null ? 0.5 : 0.9,
    exactFlows: 10,
    exactCompleted: fct === null ? 0 : 10,
    fct: stats(fct),
    fctChange: null,
    ...extra,
  };
}

function source(
  label: string,
  policies: ComparedPolicy[],
  options: { scenario?: string; seeds?: number[]; file?: string } = {},
): ComparedSource {
  const summary: ComparedSummary = {
    format: SUMMARY_FORMAT,
    scenario: options.scenario ?? "dumbbell",
    runner: label === "mininet" ? "mininet" : "simulator",
    seeds: options.seeds ?? [1, 2],
    baseline: "netapprox",
    policies,
  };
  return { label, summary, ...(options.file ? { file: options.file } : {}) };
}

describe("compareSummaries: per-policy differences", () => {
  const a = source("simulator", [
    policy("netapprox", 10, 0.1, { fctChange: 0 }),
    policy("oblivious", 8, 1, { fctChange: 9 }),
    policy("udp-blast", null, 2, { fctChange: 19 }),
  ]);
  const b = source("mininet", [
    policy("netapprox", 12, 0.3, { fctChange: 0 }),
    policy("oblivious", 6, 1.5, { fctChange: 4 }),
    policy("udp-blast", null, 2, { deliveredFraction: 0.4, fctChange: 5.67 }),
  ]);
  const c = compareSummaries(a, b);

  it("gives each figure in A and B and (B - A) / A", () => {
    const [netapprox, oblivious, blast] = c.policies;
    expect(netapprox!.jctMean).toEqual({ a: 10, b: 12, relative: 0.2 });
    expect(netapprox!.jctP99).toEqual({ a: 20, b: 24, relative: 0.2 });
    expect(netapprox!.fctMean.relative).toBeCloseTo(2);
    expect(oblivious!.jctMean.relative).toBeCloseTo(-0.25);
    expect(oblivious!.fctP99).toEqual({ a: 2, b: 3, relative: 0.5 });
    expect(blast!.deliveredFraction.relative).toBeCloseTo(-0.2);
    expect(blast!.fctMean.relative).toBe(0);
  });

  it("leaves the difference out when A has no value or nothing completed", () => {
    const blast = c.policies[2]!;
    expect(blast.jctMean).toEqual({ a: null, b: null, relative: null });
    expect(blast.jobsDone).toEqual({ a: 0, b: 0, relative: null });
    expect(blast.jobs).toEqual({ a: { done: 0, total: 4 }, b: { done: 0, total: 4 } });
  });

  it("gives each side's own change against the baseline, (baseline - policy) / policy", () => {
    // netapprox's exact FCT mean 100 ms against oblivious's 1 s in A, 300 ms against 1.5 s in B.
    expect(c.policies[1]!.fctVsBaseline.a).toBeCloseTo(-0.9);
    expect(c.policies[1]!.fctVsBaseline.b).toBeCloseTo(-0.8);
    // Its JCT mean 10 s against 8 s in A, 12 s against 6 s in B.
    expect(c.policies[1]!.jctVsBaseline.a).toBeCloseTo(0.25);
    expect(c.policies[1]!.jctVsBaseline.b).toBeCloseTo(1);
  });

  it("has no warnings when seeds, policies and workloads match", () => {
    expect(c.warnings).toEqual([]);
    expect(c.onlyInA).toEqual([]);
    expect(c.onlyInB).toEqual([]);
  });

  it("renders the tables, rankings and a reading built from these numbers", () => {
    const md = renderComparison(c);
    expect(md).toMatch(/^# dumbbell: simulator against mininet$/m);
    expect(md).toMatch(/^- \*\*A\*\*: simulator: runner simulator; seeds 1, 2\.$/m);
    expect(md).toContain("| netapprox | 10 s | 12 s | +20% | 20 s | 24 s | +20% | 4/4 | 4/4 |");
    expect(md).toContain("| udp-blast | n/a | n/a | n/a |");
    expect(md).toContain("| oblivious | +25% | +100% | -90% | -80% |");
    expect(md).toContain("### By exact FCT mean (lowest first)");
    expect(md).toContain("| 1 | netapprox (100 ms) | netapprox (300 ms) |");
    expect(md).toContain("Not ranked (no value in A or B): udp-blast.");
    expect(md).not.toContain("## Warnings");
    const text = reading(c);
    expect(text).toContain(
      "B's approximate JCT mean is higher than A's for 1 and lower for 1 of 2 policies with completed jobs in both: from -25% to +20% (median -2%).",
    );
    expect(text).toContain(
      "B's exact FCT mean is higher than A's for 2 and equal for 1 of 3 policies with completed flows in both: from 0% to +200% (median +50%).",
    );
    expect(text).toContain(
      "Against netapprox, the two agree on the direction of the approximate JCT change for 1 of 1 policies and of the exact FCT change for 2 of 2.",
    );
    expect(text).toContain("The delivered fractions are within 20% of each other.");
    expect(text).toContain("Ordered by exact FCT mean, the two rank all 3 policies alike");
  });
});

describe("compareRankings", () => {
  const compared = (pairs: [ExperimentPolicy, number, number][]): PolicyComparison[] =>
    compareSummaries(
      source(
        "x",
        pairs.map(([p, a]) => policy(p, a, 1)),
      ),
      source(
        "y",
        pairs.map(([p, , b]) => policy(p, b, 1)),
      ),
    ).policies;
  const byJct = (ps: PolicyComparison[]) => compareRankings("JCT", ps, (p) => p.jctMean);

  it("counts concordant and discordant pairs, with Kendall's tau", () => {
    const r = byJct(
      compared([
        ["netapprox", 1, 1],
        ["oblivious", 2, 3.3],
        ["udp-blast", 3, 3],
      ]),
    );
    expect(r.a.map((x) => x.policy)).toEqual(["netapprox", "oblivious", "udp-blast"]);
    expect(r.b.map((x) => x.policy)).toEqual(["netapprox", "udp-blast", "oblivious"]);
    expect([r.pairs, r.concordant, r.discordant, r.tied]).toEqual([3, 2, 1, 0]);
    expect(r.kendallTau).toBeCloseTo(1 / 3);
    expect(r.discordantPairs).toHaveLength(1);
    const [pair] = r.discordantPairs;
    expect([pair!.first, pair!.second]).toEqual(["oblivious", "udp-blast"]);
    expect(pair!.gapA).toBeCloseTo(0.5);
    expect(pair!.gapB).toBeCloseTo(-0.3 / 3.3);
  });

  it("gives tau 1 for the same order and -1 for the reverse", () => {
    const same = byJct(
      compared([
        ["netapprox", 1, 10],
        ["oblivious", 2, 20],
        ["udp-blast", 3, 30],
      ]),
    );
    expect([same.concordant, same.kendallTau]).toEqual([3, 1]);
    const reversed = byJct(
      compared([
        ["netapprox", 1, 30],
        ["oblivious", 2, 20],
        ["udp-blast", 3, 10],
      ]),
    );
    expect([reversed.discordant, reversed.kendallTau]).toEqual([3, -1]);
  });

  it("counts ties apart and uses tau-b", () => {
    const r = byJct(
      compared([
        ["netapprox", 1, 1],
        ["oblivious", 1, 2],
        ["udp-blast", 3, 3],
      ]),
    );
    expect([r.concordant, r.discordant, r.tied]).toEqual([2, 0, 1]);
    // (2 - 0) / sqrt((3 - 1) * (3 - 0))
    expect(r.kendallTau).toBeCloseTo(2 / Math.sqrt(6));
  });

  it("ranks only policies with the figure on both sides", () => {
    const policies = compareSummaries(
      source("x", [policy("netapprox", 1, 1), policy("udp-blast", 2, 1)]),
      source("y", [policy("netapprox", 1, 1), policy("udp-blast", null, 1)]),
    ).policies;
    const r = byJct(policies);
    expect(r.a.map((x) => x.policy)).toEqual(["netapprox"]);
    expect(r.unranked).toEqual(["udp-blast"]);
    expect([r.pairs, r.kendallTau]).toEqual([0, null]);
  });
});

describe("compareSummaries: policy subsets and warnings", () => {
  it("compares only the policies in both and says which were left out", () => {
    const c = compareSummaries(
      source("a", [
        policy("netapprox", 1, 1),
        policy("oblivious", 2, 2),
        policy("udp-blast", 3, 3),
      ]),
      source("b", [
        policy("priority-only", 1, 1),
        policy("oblivious", 2, 2),
        policy("netapprox", 1, 1),
      ]),
    );
    expect(c.policies.map((p) => p.policy)).toEqual(["netapprox", "oblivious"]);
    expect(c.onlyInA).toEqual(["udp-blast"]);
    expect(c.onlyInB).toEqual(["priority-only"]);
    expect(c.warnings).toEqual([
      "the policies differ; only the policies run by both are compared (only in A: udp-blast) (only in B: priority-only)",
    ]);
    const md = renderComparison(c);
    expect(md).toContain("## Warnings");
    expect(md).toContain("- the policies differ;");
    expect(md).not.toMatch(/^\| udp-blast /m);
  });

  it("warns when the seeds or the workloads differ", () => {
    const c = compareSummaries(
      source("a", [policy("netapprox", 1, 1)], { seeds: [1, 2, 3] }),
      source("b", [policy("netapprox", 1, 1, { jobs: 5, jobsCompleted: 5 })], { seeds: [1] }),
    );
    expect(c.warnings).toEqual([
      "the seeds differ (A: 1, 2, 3; B: 1), so the two did not run the same workload draws",
      "netapprox: A has 4 approximate jobs and B 5, so the workloads are not the same",
    ]);
    expect(reading(c)).toContain("2 warnings apply (below).");
  });
});

describe("compareSummaries: what cannot be compared", () => {
  it("rejects two different scenarios, naming both files", () => {
    const a = source("a", [policy("netapprox", 1, 1)], { file: "sim/summary.json" });
    const b = source("b", [policy("netapprox", 1, 1)], {
      scenario: "leaf-spine",
      file: "mn/summary.json",
    });
    expect(() => compareSummaries(a, b)).toThrow(CompareError);
    expect(() => compareSummaries(a, b)).toThrow(
      'A (sim/summary.json) is scenario "dumbbell" but B (mn/summary.json) is scenario "leaf-spine"; expected two result sets of the same scenario',
    );
  });

  it("rejects two result sets without a policy in common", () => {
    expect(() =>
      compareSummaries(
        source("a", [policy("netapprox", 1, 1)]),
        source("b", [policy("oblivious", 1, 1)]),
      ),
    ).toThrow(/have no policy in common/);
  });
});

describe("checkSummary", () => {
  const stored = JSON.parse(
    JSON.stringify(
      summaryForFile(
        summarize([run("netapprox", 1, [1, 2], [0.1]), run("udp-blast", 1, [null], [0.5])]),
      ),
    ),
  ) as Record<string, unknown>;

  it("accepts a summary as the runners write it", () => {
    const s = checkSummary(stored, "x/summary.json");
    expect(s.scenario).toBe("s");
    expect(s.policies.map((p) => p.policy)).toEqual(["netapprox", "udp-blast"]);
  });

  it("rejects something that is not a summary, naming the file and what was expected", () => {
    expect(() => checkSummary([1, 2], "f.json")).toThrow(
      /^f\.json: \(top level\): expected a netapprox results summary .*got a list of 2 items$/,
    );
    expect(() => checkSummary({ format: "netapprox-run/1" }, "r.json")).toThrow(
      /^r\.json: format: expected "netapprox-summary\/1" .*got "netapprox-run\/1"$/,
    );
  });

  it("names each malformed field by its path", () => {
    const policies = stored.policies as Record<string, unknown>[];
    const broken = {
      ...stored,
      seeds: "1",
      policies: [
        { ...policies[0], jct: { ...(policies[0]!.jct as object), mean: "fast" } },
        { ...policies[1], policy: "tcp", jobs: -1 },
      ],
    };
    let error: unknown;
    try {
      checkSummary(broken, "b.json");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('b.json: seeds: expected a list of seeds, got "1"');
    expect(message).toContain(
      'b.json: policies[0].jct.mean: expected a number of at least 0, got "fast"',
    );
    expect(message).toContain("b.json: policies[1].policy: expected one of netapprox, ");
    expect(message).toContain(
      "b.json: policies[1].jobs: expected an integer of at least 0, got -1",
    );
  });
});
