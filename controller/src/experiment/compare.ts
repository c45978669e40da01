// Comparison of two result sets of the same scenario (e.g. the simulator's and the Mininet
// runner's): per policy, each headline figure in both and the relative difference
// (B - A) / A, whether the two order the policies the same way, and a Markdown report
// whose prose is generated from the numbers. Pure: the CLI reads the files.
import { ConfigError, describeValue, type ConfigIssue, type ConfigPath } from "../config/errors.js";
import { formatChange, formatSeconds, versus } from "./report.js";
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
// Markdown

const fraction = (v: number | null) => (v === null ? "n/a" : v.toFixed(3));
const done = (d: Done) => `${d.done}/${d.total}`;

function describeSource(side: string, s: SourceInfo): string {
  const parts = [`runner ${s.runner}`];
  if (s.queueModes.length > 0)
    parts.push(`queue mode${s.queueModes.length > 1 ? "s" : ""} ${s.queueModes.join(", ")}`);
  parts.push(`seeds ${s.seeds.join(", ")}`);
  const file = s.file === null ? "" : ` (\`${s.file}\`)`;
  return `- **${side}**: ${s.label}${file}: ${parts.join("; ")}.`;
}

function rankingTable(r: RankingComparison, format: (v: number) => string): string[] {
  const lines = ["| rank | A | B |", "| ---: | --- | --- |"];
  r.a.forEach((x, i) => {
    const y = r.b[i]!;
    const mark = x.policy === y.policy ? "" : " *";
    lines.push(
      `| ${i + 1}${mark} | ${x.policy} (${format(x.value)}) | ${y.policy} (${format(y.value)}) |`,
    );
  });
  return lines;
}

function pairText(p: DiscordantPair): string {
  return (
    `${p.first} and ${p.second} (${p.second} against ${p.first}: ` +
    `${formatChange(p.gapA)} in A, ${formatChange(p.gapB)} in B)`
  );
}

function agreementText(r: RankingComparison): string {
  if (r.a.length < 2)
    return `Fewer than two policies have the ${r.metric} in both: no ordering to compare.`;
  const tau = r.kendallTau === null ? "" : ` Kendall's tau-b ${r.kendallTau.toFixed(2)}.`;
  const ties = r.tied > 0 ? `, ${r.tied} tied in A or B` : "";
  const list =
    r.discordantPairs.length === 0
      ? ""
      : ` Discordant: ${r.discordantPairs.map(pairText).join("; ")}.`;
  return `${r.concordant} of ${r.pairs} pairs in the same order, ${r.discordant} reversed${ties}.${tau}${list}`;
}

/** "from -5% to +18% (median +4%)", or one value. */
function spread(values: readonly number[]): string {
  const sorted = [...values].sort((x, y) => x - y);
  if (sorted.length === 1) return formatChange(sorted[0]!);
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return `from ${formatChange(sorted[0]!)} to ${formatChange(sorted[sorted.length - 1]!)} (median ${formatChange(median)})`;
}

function figureSentence(
  c: Comparison,
  name: string,
  present: string,
  figure: (p: PolicyComparison) => Difference,
): string | null {
  const rels = c.policies.flatMap((p) => {
    const r = figure(p).relative;
    return r === null ? [] : [r];
  });
  if (rels.length === 0) return null;
  const groups = (
    [
      ["higher", "higher than", rels.filter((r) => r > 0).length],
      ["lower", "lower than", rels.filter((r) => r < 0).length],
      ["equal", "equal to", rels.filter((r) => r === 0).length],
    ] as const
  ).filter(([, , n]) => n > 0);
  const policies = rels.length === 1 ? "the one policy" : `${rels.length} policies`;
  // "higher than A's for all 5 policies", or "higher than A's for 2 and equal for 1 of 3 policies"
  const direction =
    groups.length === 1
      ? `${groups[0]![1]} A's for ${rels.length === 1 ? "" : "all "}${policies}`
      : groups
          .map(([word, phrase, n], i) => (i === 0 ? `${phrase} A's for ${n}` : `${word} for ${n}`))
          .join(", ")
          .replace(/, ([^,]*)$/, " and $1") + ` of ${policies}`;
  return `B's ${name} is ${direction} with ${present} in both: ${spread(rels)}.`;
}

function orderSentence(r: RankingComparison): string | null {
  if (r.a.length < 2) return null;
  const la = r.a[0]!.policy;
  const lb = r.b[0]!.policy;
  const leader =
    la === lb
      ? `both give ${la} the lowest`
      : `A gives ${la} the lowest and B gives ${lb} the lowest`;
  if (r.discordant === 0 && r.tied === 0)
    return `Ordered by ${r.metric}, the two rank all ${r.a.length} policies alike (${leader}).`;
  const tau = r.kendallTau === null ? "" : `, Kendall's tau-b ${r.kendallTau.toFixed(2)}`;
  let swapped = "";
  if (r.discordantPairs.length > 0) {
    const widest = (gaps: (number | null)[]) =>
      formatChange(Math.max(...gaps.map((g) => Math.abs(g ?? 0)))).replace("+", "");
    swapped =
      `; the swapped pairs are at most ${widest(r.discordantPairs.map((p) => p.gapA))} apart in A ` +
      `and ${widest(r.discordantPairs.map((p) => p.gapB))} in B`;
  }
  return (
    `Ordered by ${r.metric}, ${r.concordant} of ${r.pairs} pairs of policies keep their order ` +
    `and ${r.discordant} swap${tau}${swapped}; ${leader}.`
  );
}

/** How many policies change in the same direction against the shared baseline on both sides. */
function baselineSentence(c: Comparison): string | null {
  if (c.a.baseline !== c.b.baseline) return null;
  const agree = (change: (p: PolicyComparison) => { a: number | null; b: number | null }) => {
    const both = c.policies.filter(
      (p) => p.policy !== c.a.baseline && change(p).a !== null && change(p).b !== null,
    );
    const same = both.filter((p) => Math.sign(change(p).a!) === Math.sign(change(p).b!));
    return { same: same.length, of: both.length };
  };
  const jct = agree((p) => p.jctVsBaseline);
  const fct = agree((p) => p.fctVsBaseline);
  const parts = [
    jct.of > 0 ? `the approximate JCT change for ${jct.same} of ${jct.of} policies` : null,
    fct.of > 0 ? `the exact FCT change for ${fct.same} of ${fct.of}` : null,
  ].filter((x) => x !== null);
  if (parts.length === 0) return null;
  return `Against ${c.a.baseline}, the two agree on the direction of ${parts.join(" and of ")}.`;
}

/** One paragraph that says what the numbers show, built from them alone. */
export function reading(c: Comparison): string {
  const sentences: (string | null)[] = [
    `A is ${c.a.label}, B is ${c.b.label}.`,
    figureSentence(c, "approximate JCT mean", "completed jobs", (p) => p.jctMean),
    figureSentence(c, "exact FCT mean", "completed flows", (p) => p.fctMean),
    figureSentence(c, "exact FCT p99", "completed flows", (p) => p.fctP99),
  ];
  const jobsDiffer = c.policies.filter((p) => p.jobs.a.done !== p.jobs.b.done);
  sentences.push(
    jobsDiffer.length === 0
      ? "Both complete the same number of approximate jobs under every policy."
      : `Jobs done differ for ${jobsDiffer
          .map((p) => `${p.policy} (${done(p.jobs.a)} in A, ${done(p.jobs.b)} in B)`)
          .join(", ")}.`,
  );
  const delivered = c.policies.flatMap((p) =>
    p.deliveredFraction.relative === null ? [] : [Math.abs(p.deliveredFraction.relative)],
  );
  if (delivered.length > 0)
    sentences.push(
      `The delivered fractions are within ${formatChange(Math.max(...delivered)).replace("+", "")} of each other.`,
    );
  sentences.push(baselineSentence(c), orderSentence(c.rankings.jct), orderSentence(c.rankings.fct));
  if (c.warnings.length > 0)
    sentences.push(
      `${c.warnings.length === 1 ? "One warning applies" : `${c.warnings.length} warnings apply`} (below).`,
    );
  return sentences.filter((s): s is string => s !== null).join(" ");
}

/** The comparison as a Markdown report. */
export function renderComparison(c: Comparison): string {
  const lines: string[] = [];
  lines.push(`# ${c.scenario}: ${c.a.label} against ${c.b.label}`, "");
  lines.push(describeSource("A", c.a), describeSource("B", c.b), "");
  lines.push(
    "Differences are (B - A) / A: positive means B's figure is higher (for times: slower). " +
      `Policies compared: ${c.policies.map((p) => p.policy).join(", ")}.`,
    "",
  );

  lines.push("## Approximate jobs", "");
  lines.push(
    "| policy | JCT mean A | JCT mean B | difference | JCT p99 A | JCT p99 B | difference | jobs done A | jobs done B | delivered fraction A | delivered fraction B | difference |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const p of c.policies) {
    lines.push(
      `| ${p.policy} | ${formatSeconds(p.jctMean.a)} | ${formatSeconds(p.jctMean.b)} | ${formatChange(p.jctMean.relative)} | ` +
        `${formatSeconds(p.jctP99.a)} | ${formatSeconds(p.jctP99.b)} | ${formatChange(p.jctP99.relative)} | ` +
        `${done(p.jobs.a)} | ${done(p.jobs.b)} | ` +
        `${fraction(p.deliveredFraction.a)} | ${fraction(p.deliveredFraction.b)} | ${formatChange(p.deliveredFraction.relative)} |`,
    );
  }
  lines.push("", "JCT counts completed jobs only; n/a: no job completed.", "");

  lines.push("## Exact flows", "");
  lines.push(
    "| policy | FCT mean A | FCT mean B | difference | FCT p99 A | FCT p99 B | difference | flows done A | flows done B |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const p of c.policies) {
    lines.push(
      `| ${p.policy} | ${formatSeconds(p.fctMean.a)} | ${formatSeconds(p.fctMean.b)} | ${formatChange(p.fctMean.relative)} | ` +
        `${formatSeconds(p.fctP99.a)} | ${formatSeconds(p.fctP99.b)} | ${formatChange(p.fctP99.relative)} | ` +
        `${done(p.flows.a)} | ${done(p.flows.b)} |`,
    );
  }
  lines.push("");

  if (c.a.baseline === c.b.baseline) {
    const base = c.a.baseline;
    lines.push(`## Against ${base}, within each side`, "");
    lines.push(
      `Each side's own change, (${base} - policy) / policy (negative: ${base} takes less time): whether the two agree on what ${base} gains or costs.`,
      "",
      `| policy | ${base} vs policy: JCT mean, A | JCT mean, B | FCT mean, A | FCT mean, B |`,
      "| --- | ---: | ---: | ---: | ---: |",
    );
    for (const p of c.policies) {
      if (p.policy === base) continue;
      lines.push(
        `| ${p.policy} | ${formatChange(p.jctVsBaseline.a)} | ${formatChange(p.jctVsBaseline.b)} | ` +
          `${formatChange(p.fctVsBaseline.a)} | ${formatChange(p.fctVsBaseline.b)} |`,
      );
    }
    lines.push("");
  }

  lines.push("## Ordering of the policies", "");
  for (const r of [c.rankings.jct, c.rankings.fct]) {
    lines.push(`### By ${r.metric} (lowest first)`, "");
    if (r.a.length > 0) lines.push(...rankingTable(r, formatSeconds), "");
    if (r.a.some((x, i) => x.policy !== r.b[i]!.policy))
      lines.push("\\* the two rank a different policy here.", "");
    lines.push(agreementText(r), "");
    if (r.unranked.length > 0)
      lines.push(`Not ranked (no value in A or B): ${r.unranked.join(", ")}.`, "");
  }

  lines.push("## Reading", "", reading(c), "");
  if (c.warnings.length > 0) {
    lines.push("## Warnings", "");
    for (const w of c.warnings) lines.push(`- ${w}`);
    lines.push("");
  }
  return lines.join("\n");
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
