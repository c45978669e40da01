// Comparison of two result sets of the same scenario (e.g. the simulator's and the Mininet
// runner's): per policy, each headline figure in both and the relative difference
// (B - A) / A, and whether the two order the policies the same way; compare-report.ts
// writes the Markdown report. Pure: the CLI reads the files.
import {
  ConfigError,
  describeValue,
  type ConfigIssue,
  type ConfigPath,
} from "@netapprox/model/config/errors.js";
import { versus } from "./report.js";
import { SUMMARY_FORMAT, type PolicySummary, type Summary } from "./results.js";
import { EXPERIMENT_POLICIES } from "./scenario.js";

/** The parts of a policy's summary a comparison reads (summary.json holds more). */
export type ComparedPolicy = Pick<
  PolicySummary,
  | "policy"
  | "runs"
  | "jobs"
  | "jobsCompleted"
  | "jct"
  | "jctChange"
  | "deliveredFraction"
  | "exactFlows"
  | "exactCompleted"
  | "fct"
  | "fctChange"
> &
  Partial<Pick<PolicySummary, "label">>;

/** A policy's row name: its label (policy and TCP setting), or the policy in older summaries. */
export function rowName(p: Pick<ComparedPolicy, "policy" | "label">): string {
  return p.label ?? p.policy;
}

/** The parts of a summary a comparison reads; a full Summary is one. */
export type ComparedSummary = Pick<
  Summary,
  "format" | "scenario" | "runner" | "seeds" | "baseline"
> & {
  policies: ComparedPolicy[];
};

export interface ComparedSource {
  /** How the report names this side, e.g. "simulator (bmv2-paced)". */
  label: string;
  summary: ComparedSummary;
  /** Where the summary was read from, as the user named it. */
  file?: string;
  /** The simulator's queue modes found in the run files (none for Mininet). */
  queueModes?: readonly string[];
}

/** A figure in A and in B; `relative` is (B - A) / A, null without both or when A is 0. */
export interface Difference {
  a: number | null;
  b: number | null;
  relative: number | null;
}

export interface Done {
  done: number;
  total: number;
}

export interface PolicyComparison {
  policy: string;
  jctMean: Difference;
  jctP99: Difference;
  /** Completed jobs over all jobs, as a fraction; the counts are in `jobs`. */
  jobsDone: Difference;
  jobs: { a: Done; b: Done };
  deliveredFraction: Difference;
  fctMean: Difference;
  fctP99: Difference;
  flows: { a: Done; b: Done };
  /** Each side's own change against its baseline policy (as its summary records it). */
  jctVsBaseline: { a: number | null; b: number | null };
  fctVsBaseline: { a: number | null; b: number | null };
}

export interface RankedPolicy {
  policy: string;
  value: number;
}

export interface DiscordantPair {
  /** The policy A ranks ahead (lower value). */
  first: string;
  second: string;
  /** (second - first) / first in A (positive) and in B (zero or negative). */
  gapA: number | null;
  gapB: number | null;
}

export interface RankingComparison {
  metric: string;
  /** Lowest value first; the same policies on both sides (those with the figure in both). */
  a: RankedPolicy[];
  b: RankedPolicy[];
  /** Policies without the figure in A or in B, so not ranked. */
  unranked: string[];
  pairs: number;
  concordant: number;
  discordant: number;
  /** Pairs with equal values in A or in B. */
  tied: number;
  /** Kendall's tau-b over the ranked policies; null with fewer than two or all tied. */
  kendallTau: number | null;
  discordantPairs: DiscordantPair[];
}

export interface SourceInfo {
  label: string;
  runner: string;
  queueModes: string[];
  seeds: number[];
  baseline: string;
  file: string | null;
}

export interface Comparison {
  scenario: string;
  a: SourceInfo;
  b: SourceInfo;
  /** Policies in both, in A's order. */
  policies: PolicyComparison[];
  onlyInA: string[];
  onlyInB: string[];
  rankings: { jct: RankingComparison; fct: RankingComparison };
  /** Reasons to read the differences with care (seeds, policies, workloads differ). */
  warnings: string[];
}

/** A comparison that cannot be made (different scenarios, nothing in common). */
export class CompareError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = "CompareError";
  }
}

const relative = (a: number | null, b: number | null): number | null =>
  a === null || b === null || !(a > 0) ? null : (b - a) / a;

const difference = (a: number | null, b: number | null): Difference => ({
  a,
  b,
  relative: relative(a, b),
});

const doneFraction = (d: Done): number | null => (d.total > 0 ? d.done / d.total : null);

const where = (s: ComparedSource, side: string) => (s.file ? `${side} (${s.file})` : side);

function sourceInfo(s: ComparedSource): SourceInfo {
  return {
    label: s.label,
    runner: s.summary.runner,
    queueModes: [...(s.queueModes ?? [])],
    seeds: [...s.summary.seeds],
    baseline: s.summary.baseline,
    file: s.file ?? null,
  };
}

/** Compares B against A; throws CompareError when they are not the same scenario. */
export function compareSummaries(a: ComparedSource, b: ComparedSource): Comparison {
  if (a.summary.scenario !== b.summary.scenario) {
    throw new CompareError(
      `${where(a, "A")} is scenario "${a.summary.scenario}" but ${where(b, "B")} is scenario ` +
        `"${b.summary.scenario}"; expected two result sets of the same scenario`,
    );
  }
  const inB = new Map(b.summary.policies.map((p) => [rowName(p), p]));
  const inA = new Set(a.summary.policies.map(rowName));
  const common = a.summary.policies.filter((p) => inB.has(rowName(p)));
  const onlyInA = a.summary.policies.filter((p) => !inB.has(rowName(p))).map(rowName);
  const onlyInB = b.summary.policies.filter((p) => !inA.has(rowName(p))).map(rowName);
  if (common.length === 0) {
    throw new CompareError(
      `${where(a, "A")} (policies ${a.summary.policies.map(rowName).join(", ")}) and ` +
        `${where(b, "B")} (policies ${b.summary.policies.map(rowName).join(", ")}) ` +
        "have no policy in common; expected at least one policy run by both",
    );
  }

  const warnings: string[] = [];
  const seedsA = a.summary.seeds.join(", ");
  const seedsB = b.summary.seeds.join(", ");
  if (seedsA !== seedsB)
    warnings.push(
      `the seeds differ (A: ${seedsA}; B: ${seedsB}), so the two did not run the same workload draws`,
    );
  if (onlyInA.length > 0 || onlyInB.length > 0)
    warnings.push(
      "the policies differ; only the policies run by both are compared" +
        (onlyInA.length > 0 ? ` (only in A: ${onlyInA.join(", ")})` : "") +
        (onlyInB.length > 0 ? ` (only in B: ${onlyInB.join(", ")})` : ""),
    );
  if (a.summary.baseline !== b.summary.baseline)
    warnings.push(
      `the baselines differ (A: ${a.summary.baseline}; B: ${b.summary.baseline}), so each side's changes are against a different policy`,
    );

  const baseA = a.summary.policies.find((p) => rowName(p) === a.summary.baseline);
  const baseB = b.summary.policies.find((p) => rowName(p) === b.summary.baseline);
  const policies = common.map((pa): PolicyComparison => {
    const pb = inB.get(rowName(pa))!;
    const jobs = {
      a: { done: pa.jobsCompleted, total: pa.jobs },
      b: { done: pb.jobsCompleted, total: pb.jobs },
    };
    const flows = {
      a: { done: pa.exactCompleted, total: pa.exactFlows },
      b: { done: pb.exactCompleted, total: pb.exactFlows },
    };
    if (jobs.a.total !== jobs.b.total)
      warnings.push(
        `${rowName(pa)}: A has ${jobs.a.total} approximate jobs and B ${jobs.b.total}, so the workloads are not the same`,
      );
    if (flows.a.total !== flows.b.total)
      warnings.push(
        `${rowName(pa)}: A has ${flows.a.total} exact flows and B ${flows.b.total}, so the workloads are not the same`,
      );
    return {
      policy: rowName(pa),
      jctMean: difference(pa.jct?.mean ?? null, pb.jct?.mean ?? null),
      jctP99: difference(pa.jct?.p99 ?? null, pb.jct?.p99 ?? null),
      jobsDone: difference(doneFraction(jobs.a), doneFraction(jobs.b)),
      jobs,
      deliveredFraction: difference(pa.deliveredFraction, pb.deliveredFraction),
      fctMean: difference(pa.fct?.mean ?? null, pb.fct?.mean ?? null),
      fctP99: difference(pa.fct?.p99 ?? null, pb.fct?.p99 ?? null),
      flows,
      // (baseline - policy) / policy on each side: the report's convention.
      jctVsBaseline: {
        a: versus(baseA?.jct?.mean, pa.jct?.mean),
        b: versus(baseB?.jct?.mean, pb.jct?.mean),
      },
      fctVsBaseline: {
        a: versus(baseA?.fct?.mean, pa.fct?.mean),
        b: versus(baseB?.fct?.mean, pb.fct?.mean),
      },
    };
  });

  return {
    scenario: a.summary.scenario,
    a: sourceInfo(a),
    b: sourceInfo(b),
    policies,
    onlyInA,
    onlyInB,
    rankings: {
      jct: compareRankings("approximate JCT mean", policies, (p) => p.jctMean),
      fct: compareRankings("exact FCT mean", policies, (p) => p.fctMean),
    },
    warnings,
  };
}

/** Ranks the policies by one figure in A and in B and counts the pairs they order alike. */
export function compareRankings(
  metric: string,
  policies: readonly PolicyComparison[],
  figure: (p: PolicyComparison) => Difference,
): RankingComparison {
  const ranked = policies.filter((p) => figure(p).a !== null && figure(p).b !== null);
  const unranked = policies.filter((p) => !ranked.includes(p)).map((p) => p.policy);
  const values = ranked.map((p) => ({
    policy: p.policy,
    a: figure(p).a!,
    b: figure(p).b!,
  }));
  // Stable sorts: equal values keep A's policy order.
  const order = (side: "a" | "b"): RankedPolicy[] =>
    [...values]
      .sort((x, y) => x[side] - y[side])
      .map((v) => ({ policy: v.policy, value: v[side] }));

  let concordant = 0;
  let discordant = 0;
  let tiedA = 0;
  let tiedB = 0;
  let tied = 0;
  const discordantPairs: DiscordantPair[] = [];
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) {
      const p = values[i]!;
      const q = values[j]!;
      const da = Math.sign(q.a - p.a);
      const db = Math.sign(q.b - p.b);
      if (da === 0) tiedA++;
      if (db === 0) tiedB++;
      if (da === 0 || db === 0) tied++;
      else if (da === db) concordant++;
      else {
        discordant++;
        const [first, second] = da > 0 ? [p, q] : [q, p];
        discordantPairs.push({
          first: first.policy,
          second: second.policy,
          gapA: relative(first.a, second.a),
          gapB: relative(first.b, second.b),
        });
      }
    }
  }
  const pairs = (values.length * (values.length - 1)) / 2;
  const denominator = Math.sqrt((pairs - tiedA) * (pairs - tiedB));
  return {
    metric,
    a: order("a"),
    b: order("b"),
    unranked,
    pairs,
    concordant,
    discordant,
    tied,
    kendallTau: denominator > 0 ? (concordant - discordant) / denominator : null,
    discordantPairs,
  };
}

// ---------------------------------------------------------------------------------------
// Checking a parsed summary.json

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Checks that `value` (parsed JSON from `file`) is a results summary and returns it typed;
 * throws ConfigError naming the file, the path inside it and what was expected.
 */
export function checkSummary(value: unknown, file: string): ComparedSummary {
  const what = `a netapprox results summary (the summary.json written by netapprox simulate or netapprox experiment, format "${SUMMARY_FORMAT}")`;
  if (!isRecord(value))
    throw new ConfigError([
      { file, path: [], message: `expected ${what}, got ${describeValue(value)}` },
    ]);
  if (value.format !== SUMMARY_FORMAT)
    throw new ConfigError([
      {
        file,
        path: ["format"],
        message: `expected "${SUMMARY_FORMAT}" (${what.slice(2)}), got ${describeValue(value.format)}`,
      },
    ]);

  const issues: ConfigIssue[] = [];
  const problem = (path: ConfigPath, expected: string, got: unknown) =>
    issues.push({ file, path, message: `expected ${expected}, got ${describeValue(got)}` });
  const string = (v: unknown, path: ConfigPath) => {
    if (typeof v !== "string" || v === "") problem(path, "a non-empty string", v);
  };
  const number = (v: unknown, path: ConfigPath) => {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
      problem(path, "a number of at least 0", v);
  };
  const count = (v: unknown, path: ConfigPath) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
      problem(path, "an integer of at least 0", v);
  };
  const change = (v: unknown, path: ConfigPath) => {
    if (v !== null && (typeof v !== "number" || !Number.isFinite(v)))
      problem(path, "a number or null", v);
  };
  const policyName = (v: unknown, path: ConfigPath) => {
    if (!(EXPERIMENT_POLICIES as readonly unknown[]).includes(v))
      problem(path, `one of ${EXPERIMENT_POLICIES.join(", ")}`, v);
  };
  const statsAt = (v: unknown, path: ConfigPath) => {
    if (v === null) return;
    if (!isRecord(v)) return problem(path, "statistics (count, mean, p50, p99, max) or null", v);
    count(v.count, [...path, "count"]);
    for (const key of ["mean", "p50", "p99", "max"] as const) number(v[key], [...path, key]);
  };

  string(value.scenario, ["scenario"]);
  string(value.runner, ["runner"]);
  string(value.baseline, ["baseline"]);
  if (!Array.isArray(value.seeds)) problem(["seeds"], "a list of seeds", value.seeds);
  else value.seeds.forEach((s, i) => count(s, ["seeds", i]));
  if (!Array.isArray(value.policies) || value.policies.length === 0) {
    problem(["policies"], "a non-empty list of per-policy summaries", value.policies);
  } else {
    const seen = new Set<unknown>();
    value.policies.forEach((p: unknown, i) => {
      const at = (key: string): ConfigPath => ["policies", i, key];
      if (!isRecord(p)) return problem(["policies", i], "a per-policy summary (a mapping)", p);
      policyName(p.policy, at("policy"));
      if (p.label !== undefined) string(p.label, at("label"));
      const name = p.label ?? p.policy;
      if (seen.has(name))
        issues.push({
          file,
          path: at(p.label !== undefined ? "label" : "policy"),
          message: `policy "${String(name)}" appears twice`,
        });
      seen.add(name);
      for (const key of ["runs", "jobs", "jobsCompleted", "exactFlows", "exactCompleted"])
        count(p[key], at(key));
      number(p.deliveredFraction, at("deliveredFraction"));
      statsAt(p.jct, at("jct"));
      statsAt(p.fct, at("fct"));
      change(p.jctChange, at("jctChange"));
      change(p.fctChange, at("fctChange"));
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return value as unknown as ComparedSummary;
}
