// A load sweep: the same workload at several exact loads (a scenario family such as
// leaf-spine-144-light / leaf-spine-144 / leaf-spine-144-heavy), as two figures (mean
// approximate JCT and mean exact FCT against the exact load, one line per policy row)
// with their CSV, and a Markdown table. Pure: summaries in, text out.
import { csv, formatChange, formatSeconds, incomplete, pickUnit, versus } from "./report.js";
import type { PolicySummary, Summary } from "./results.js";
import type { Scenario } from "./scenario.js";
import { lineChart } from "./svg.js";

export interface SweepPoint {
  /** Exact load offered by every host, as a fraction of its link. */
  load: number;
  summary: Summary;
}

/**
 * The exact load a scenario offers: the sum of its exact specs that load every source's
 * own link (the web search or data mining background); specs with a capacity of their
 * own (flows into the aggregators, say) are the same at every point of a family and are
 * described apart.
 */
export function exactLoad(scenario: Pick<Scenario, "exact">): { load: number; others: string[] } {
  let load = 0;
  const others: string[] = [];
  for (const e of scenario.exact) {
    if (e.capacity === null) load += e.load;
    else
      others.push(
        `${e.name}: ${e.distribution} flows at ${Number(((e.load * e.capacity) / 1e9).toPrecision(3))} Gbit/s in all`,
      );
  }
  return { load, others };
}

/** Policy rows in the order they first appear over the points. */
function labels(points: readonly SweepPoint[]): string[] {
  const out: string[] = [];
  for (const p of points)
    for (const s of p.summary.policies) if (!out.includes(s.label)) out.push(s.label);
  return out;
}

const percent = (load: number) => `${Number((load * 100).toPrecision(3))}%`;

export function renderSweep(
  points: readonly SweepPoint[],
  context: { title?: string; others?: readonly string[] } = {},
): Record<string, string> {
  const sorted = [...points].sort((a, b) => a.load - b.load);
  if (sorted.length === 0) throw new RangeError("a sweep needs at least one results folder");
  const rows = labels(sorted);
  const scenarios = sorted.map((p) => p.summary.scenario);
  const seeds = [...new Set(sorted.flatMap((p) => p.summary.seeds))];
  const runner = [...new Set(sorted.map((p) => p.summary.runner))].join(", ");
  const name = context.title ?? scenarios.join(", ");
  const subtitle = [
    `${scenarios.join(" / ")} · ${runner} · seed${seeds.length === 1 ? "" : "s"} ${seeds.join(", ")}`,
    ...(context.others?.length ? [`at every load also ${context.others.join("; ")}`] : []),
  ];
  const at = (label: string, p: SweepPoint) => p.summary.policies.find((s) => s.label === label);
  const series = (
    value: (s: PolicySummary) => number | null,
    scale: number,
    hollow: (s: PolicySummary) => boolean,
  ) =>
    rows.map((label) => {
      const pts: [number, number][] = [];
      const hollows: boolean[] = [];
      for (const p of sorted) {
        const s = at(label, p);
        const v = s === undefined ? null : value(s);
        if (s === undefined || v === null) continue;
        pts.push([p.load * 100, v / scale]);
        hollows.push(hollow(s));
      }
      return { label, points: pts, hollow: hollows };
    });
  const jctUnit = pickUnit(
    sorted.flatMap((p) => p.summary.policies.flatMap((s) => (s.jct ? [s.jct.mean] : []))),
  );
  const fctUnit = pickUnit(
    sorted.flatMap((p) => p.summary.policies.flatMap((s) => (s.fct ? [s.fct.mean] : []))),
  );
  const loads = sorted.map((p) => p.load * 100);
  const xFormat = (v: number) => `${Number(v.toPrecision(3))}%`;
  const out: Record<string, string> = {};
  out["sweep-jct.svg"] = lineChart({
    title: `Approximate JCT against exact load: ${name}`,
    subtitle,
    xLabel: "exact load (% of every host's link)",
    yLabel: `mean job completion time (${jctUnit.name})`,
    series: series((s) => s.jct?.mean ?? null, jctUnit.scale, incomplete),
    xFormat,
    legendNote: "hollow marker: not every job completed at that load (mean of those that did)",
    caption: [
      `Mean over the completed jobs of all seeds at each load (${loads.map((l) => xFormat(l)).join(", ")}).`,
    ],
  });
  out["sweep-fct.svg"] = lineChart({
    title: `Exact FCT against exact load: ${name}`,
    subtitle,
    xLabel: "exact load (% of every host's link)",
    yLabel: `mean flow completion time (${fctUnit.name})`,
    series: series(
      (s) => s.fct?.mean ?? null,
      fctUnit.scale,
      (s) => s.exactCompleted < s.exactFlows,
    ),
    xFormat,
    legendNote: "hollow marker: not every exact flow completed at that load",
    caption: ["Mean over the completed exact flows of all seeds at each load."],
  });
  out["sweep.csv"] = csv(
    [
      "scenario",
      "exact_load",
      "policy",
      "jobs",
      "jobs_completed",
      "jct_mean_s",
      "jct_p99_s",
      "flows",
      "flows_completed",
      "fct_mean_s",
      "fct_p99_s",
    ],
    sorted.flatMap((p) =>
      p.summary.policies.map((s) => [
        p.summary.scenario,
        p.load,
        s.label,
        s.jobs,
        s.jobsCompleted,
        s.jct?.mean ?? "",
        s.jct?.p99 ?? "",
        s.exactFlows,
        s.exactCompleted,
        s.fct?.mean ?? "",
        s.fct?.p99 ?? "",
      ]),
    ),
  );
  return out;
}

/** The sweep as a Markdown table: per policy row, JCT and FCT means at each load. */
export function sweepTable(points: readonly SweepPoint[]): string[] {
  const sorted = [...points].sort((a, b) => a.load - b.load);
  const base = sorted[0]?.summary.baseline ?? "netapprox";
  const head = sorted.map((p) => percent(p.load));
  const lines = [
    `| policy | ${head.map((h) => `JCT mean at ${h}`).join(" | ")} | ${head.map((h) => `FCT mean at ${h}`).join(" | ")} |`,
    `| --- |${head.map(() => " ---: |").join("")}${head.map(() => " ---: |").join("")}`,
  ];
  for (const label of labels(sorted)) {
    const cells = (metric: (s: PolicySummary) => number | undefined) =>
      sorted.map((p) => {
        const s = p.summary.policies.find((x) => x.label === label);
        const ref = p.summary.policies.find((x) => x.label === base);
        if (s === undefined) return "-";
        const v = metric(s);
        const vs =
          s === ref || ref === undefined ? "" : ` (${formatChange(versus(metric(ref), v))})`;
        return `${formatSeconds(v)}${incomplete(s) && metric === jctMean ? " *" : ""}${vs}`;
      });
    lines.push(`| ${label} | ${cells(jctMean).join(" | ")} | ${cells(fctMean).join(" | ")} |`);
  }
  return lines;
}

const jctMean = (s: PolicySummary) => s.jct?.mean;
const fctMean = (s: PolicySummary) => s.fct?.mean;
