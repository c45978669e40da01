// The Markdown report of a comparison of two result sets (compare.ts): both sources, the
// headline figures side by side, the policies' order in each, and prose generated from
// the numbers. Pure.
import type {
  Comparison,
  Difference,
  DiscordantPair,
  Done,
  PolicyComparison,
  RankingComparison,
  SourceInfo,
} from "./compare.js";
import { formatChange, formatSeconds } from "./report.js";

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
