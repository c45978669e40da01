// The experiment report: a Markdown summary (per policy row: approximate JCT mean and p99,
// jobs done, delivered fraction, exact FCT mean and p99, and how netapprox compares with
// the row) and the figures (approximate JCT, exact FCT, exact FCT CDF, delivered
// fraction), each SVG with its data as CSV beside it, written next to the per-run JSON
// files. Both runners produce their output through this module, and `netapprox report`
// renders a results folder again from its runs (or, without them, its summary.json).
//
// One sign convention everywhere: a change is (netapprox - other) / other, so -40% means
// netapprox takes 40% less time than the other policy.
//
// The rendering functions are pure; writeResults and writeReport do the file I/O.
import { join } from "node:path";
import { makeDirectory, writeOutputFile } from "@netapprox/model/util/files.js";
import {
  quantile,
  runFileName,
  runLabel,
  summarize,
  type PolicySummary,
  type RunResult,
  type Stats,
  type Summary,
} from "./results.js";
import { barChart, lineChart } from "./svg.js";

/** "850 ms", "12.3 s", "47.1 µs". */
export function formatSeconds(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "n/a";
  const a = Math.abs(v);
  if (a >= 1) return `${Number(v.toPrecision(3))} s`;
  if (a >= 1e-3) return `${Number((v * 1e3).toPrecision(3))} ms`;
  return `${Number((v * 1e6).toPrecision(3))} µs`;
}

/** "+35%", "-12%", "0%"; "n/a" without a value. */
export function formatChange(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "n/a";
  const pct = Math.round(v * 100);
  return pct > 0 ? `+${pct}%` : `${pct}%`;
}

/** The sentence that says how changes are signed (README, CLI and report use it). */
export function changeConvention(baseline: string): string {
  return (
    `Changes are (${baseline} - other) / other: negative means ${baseline} takes less time ` +
    `than the other policy (-40%: 40% less), positive more.`
  );
}

/** (netapprox - other) / other for a figure; null without both or when other is 0. */
export function versus(mine: number | undefined, other: number | undefined): number | null {
  return mine === undefined || other === undefined || !(other > 0) ? null : (mine - other) / other;
}

const fraction = (v: number) => v.toFixed(3);

export interface ReportContext {
  description?: string | null;
  /** Lines shown under the table (e.g. the loader's notes). */
  notes?: readonly string[];
  /** Queue modes of the runs (simulator), for the figures' subtitles. */
  queueModes?: readonly string[];
}

/** A policy row whose jobs did not all complete: its JCT covers only the ones that did. */
export function incomplete(p: PolicySummary): boolean {
  return p.jobsCompleted < p.jobs;
}

/** "leaf-spine-144 · simulator (strict) · seed 1" */
function describeData(summary: Summary, context: ReportContext): string {
  const modes = context.queueModes?.length ? ` (${context.queueModes.join(", ")})` : "";
  const seeds = summary.seeds.length;
  return `${summary.scenario} · ${summary.runner}${modes} · ${seeds} seed${seeds === 1 ? "" : "s"} (${summary.seeds.join(", ")})`;
}

/** The Markdown report for a summary; `runs` adds the list of unfinished runs. */
export function renderMarkdown(
  summary: Summary,
  runs: readonly RunResult[],
  context: ReportContext = {},
): string {
  const lines: string[] = [];
  lines.push(`# ${summary.scenario}: ${summary.runner} results`, "");
  if (context.description) lines.push(context.description.trim(), "");
  lines.push(
    `Seeds: ${summary.seeds.join(", ")}. ${changeConvention(summary.baseline)} ` +
      `A row marked * did not complete every job: its JCT covers only the jobs that did.`,
    "",
  );
  lines.push(...summaryTable(summary), "");
  lines.push(
    "Approximate JCT counts completed jobs only (every transfer got its fraction); jobs done = completed / all. " +
      "Delivered fraction is the mean over jobs of the unique chunks received over the chunks sent in one pass" +
      (summary.policies.some((p) => p.senderFraction)
        ? "; in brackets the least and the most any single sender delivered of its own data."
        : "."),
    "",
  );
  lines.push("## Drops (packets, all seeds)", "");
  const reasons = [...new Set(summary.policies.flatMap((p) => Object.keys(p.drops)))];
  lines.push(`| policy | ${reasons.join(" | ")} | approximate data lost |`);
  lines.push(`| --- |${reasons.map(() => " ---: |").join("")} ---: |`);
  for (const p of summary.policies) {
    lines.push(
      `| ${p.label} | ${reasons.map((r) => String(p.drops[r] ?? 0)).join(" | ")} | ${(p.approxLoss * 100).toFixed(1)}% |`,
    );
  }
  lines.push("");
  const unfinished = runs.filter((r) => !r.finished);
  if (unfinished.length > 0) {
    lines.push(
      `Runs that reached the time limit with work left: ${unfinished.map((r) => `${runLabel(r)} (seed ${r.seed})`).join(", ")}.`,
      "",
    );
  }
  for (const note of context.notes ?? []) lines.push(`Note: ${note}`, "");
  const figures = figureNames(summary);
  lines.push(
    "Figures (each with its data as CSV): " +
      figures.map((f) => `[${FIGURE_TITLES[f]}](${f}.svg) ([csv](${f}.csv))`).join(", ") +
      ".",
    "",
  );
  return lines.join("\n");
}

/** The headline table alone (also used by the CLI and in docs). */
export function summaryTable(summary: Summary): string[] {
  const base = summary.baseline;
  const rows = [
    `| policy | approx JCT mean | approx JCT p99 | jobs done | delivered fraction | exact FCT mean | exact FCT p99 | flows done | ${base} vs this: JCT mean / p99 | ${base} vs this: FCT mean / p99 |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const ref = summary.policies.find((p) => p.label === base);
  for (const p of summary.policies) rows.push(row(p, ref));
  return rows;
}

function row(p: PolicySummary, ref: PolicySummary | undefined): string {
  const isBase = p === ref;
  const pair = (a: number | null, b: number | null) =>
    isBase ? "-" : `${formatChange(a)} / ${formatChange(b)}`;
  const jct = p.jct === null ? `never reached ${p.jobs > 0 ? "its fraction" : "-"}` : null;
  const sender = p.senderFraction
    ? ` (${fraction(p.senderFraction.min)}-${fraction(p.senderFraction.max)})`
    : "";
  return [
    "",
    ` ${p.label}${incomplete(p) ? " *" : ""} `,
    ` ${jct ?? formatSeconds(p.jct?.mean)} `,
    ` ${jct === null ? formatSeconds(p.jct?.p99) : "-"} `,
    ` ${p.jobsCompleted}/${p.jobs} `,
    ` ${fraction(p.deliveredFraction)}${sender} `,
    ` ${formatSeconds(p.fct?.mean)} `,
    ` ${formatSeconds(p.fct?.p99)} `,
    ` ${p.exactCompleted}/${p.exactFlows} `,
    ` ${pair(versus(ref?.jct?.mean, p.jct?.mean), versus(ref?.jct?.p99, p.jct?.p99))} `,
    ` ${pair(versus(ref?.fct?.mean, p.fct?.mean), versus(ref?.fct?.p99, p.fct?.p99))} `,
    "",
  ].join("|");
}

// ---------------------------------------------------------------- figures

const FIGURE_TITLES: Record<string, string> = {
  jct: "approximate JCT",
  fct: "exact FCT",
  "fct-cdf": "exact FCT CDF",
  delivered: "delivered fraction",
};

/** The figures a summary can have: the CDF needs the flows' completion times. */
export function figureNames(summary: Summary): string[] {
  const cdf = summary.policies.some((p) => p.fctSamples.length > 0);
  return ["jct", "fct", ...(cdf ? ["fct-cdf"] : []), "delivered"];
}

/** A time unit that suits the values' median: s, ms or µs. */
export function pickUnit(values: readonly number[]): { name: string; scale: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const typical = sorted.length === 0 ? 1 : sorted[Math.floor(sorted.length / 2)]!;
  if (typical >= 1) return { name: "s", scale: 1 };
  if (typical >= 1e-3) return { name: "ms", scale: 1e-3 };
  return { name: "µs", scale: 1e-6 };
}

/** RFC 4180 CSV: fields with commas, quotes or line breaks are quoted. */
export function csv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const field = (v: unknown) => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(field).join(",")).join("\n") + "\n";
}

const statsColumns = (s: Stats | null) =>
  s === null ? [0, "", "", "", ""] : [s.count, s.mean, s.p50, s.p99, s.max];

/** Quantiles of a sorted sample at 0, 1, ..., 100 percent, for CDFs without the samples. */
export function percentiles(sorted: readonly number[]): number[] {
  if (sorted.length === 0) return [];
  return Array.from({ length: 101 }, (_, i) => (i === 0 ? sorted[0]! : quantile(sorted, i / 100)));
}

/** Every figure as SVG, each with its CSV ("jct.svg" and "jct.csv", ...). */
export function renderFigures(
  summary: Summary,
  context: ReportContext = {},
): Record<string, string> {
  const policies = summary.policies;
  const data = describeData(summary, context);
  const jobsPer = Math.max(0, ...policies.map((p) => p.jobs));
  const flowsPer = Math.max(0, ...policies.map((p) => p.exactFlows));
  const out: Record<string, string> = {};
  const mutedNote = "hatched: not every job completed (mean of those that did)";

  // Units that suit the axis: the largest value drawn (a p99) is what the ticks must read.
  const unit = pickUnit([Math.max(0, ...policies.flatMap((p) => (p.jct ? [p.jct.p99] : [])))]);
  out["jct.svg"] = barChart({
    title: "Approximate job completion time",
    subtitle: [`${data} · ${jobsPer} approximate jobs per policy row, pooled over the seeds`],
    axisLabel: `job completion time (${unit.name})`,
    legend: { bar: "mean", whisker: "99th percentile", muted: mutedNote },
    rows: policies.map((p) => ({
      label: p.label,
      value: p.jct ? p.jct.mean / unit.scale : null,
      whisker: p.jct ? p.jct.p99 / unit.scale : null,
      note:
        p.jct === null
          ? `no job completed (0/${p.jobs})`
          : incomplete(p)
            ? `${p.jobsCompleted}/${p.jobs} done`
            : "",
      muted: incomplete(p),
    })),
    caption: [
      "Completed jobs only: a job completes when every round or batch holds its fraction. Bars: mean; whiskers: p99.",
    ],
  });
  out["jct.csv"] = csv(
    [
      "policy",
      "tcp_setting",
      "jobs",
      "jobs_completed",
      "jct_count",
      "jct_mean_s",
      "jct_p50_s",
      "jct_p99_s",
      "jct_max_s",
    ],
    policies.map((p) => [
      p.label,
      p.tcpSetting ?? "",
      p.jobs,
      p.jobsCompleted,
      ...statsColumns(p.jct),
    ]),
  );

  const fctUnit = pickUnit([Math.max(0, ...policies.flatMap((p) => (p.fct ? [p.fct.p99] : [])))]);
  out["fct.svg"] = barChart({
    title: "Exact flow completion time",
    subtitle: [`${data} · ${flowsPer} exact flows per policy row, pooled over the seeds`],
    axisLabel: `flow completion time (${fctUnit.name})`,
    legend: { bar: "mean", whisker: "99th percentile", muted: "hatched: not every flow completed" },
    rows: policies.map((p) => ({
      label: p.label,
      value: p.fct ? p.fct.mean / fctUnit.scale : null,
      whisker: p.fct ? p.fct.p99 / fctUnit.scale : null,
      note:
        p.fct === null
          ? "no flow completed"
          : p.exactCompleted < p.exactFlows
            ? `${p.exactCompleted}/${p.exactFlows} done`
            : "",
      muted: p.exactCompleted < p.exactFlows,
    })),
    caption: ["The exact traffic co-running with the approximate jobs. Bars: mean; whiskers: p99."],
  });
  out["fct.csv"] = csv(
    [
      "policy",
      "tcp_setting",
      "flows",
      "flows_completed",
      "fct_count",
      "fct_mean_s",
      "fct_p50_s",
      "fct_p99_s",
      "fct_max_s",
    ],
    policies.map((p) => [
      p.label,
      p.tcpSetting ?? "",
      p.exactFlows,
      p.exactCompleted,
      ...statsColumns(p.fct),
    ]),
  );

  if (policies.some((p) => p.fctSamples.length > 0)) {
    // A log axis reads in the unit of the typical flow.
    const cdfUnit = pickUnit(policies.flatMap((p) => p.fctSamples));
    const series = policies.map((p) => {
      const pts = percentiles(p.fctSamples);
      return {
        label: p.label,
        points: pts.map((v, i) => [v / cdfUnit.scale, i / 100] as const),
        muted: p.fctSamples.length === 0,
      };
    });
    out["fct-cdf.svg"] = lineChart({
      title: "Exact flow completion times, CDF",
      subtitle: [`${data} · completed exact flows of all seeds`],
      xLabel: `flow completion time (${cdfUnit.name}, log scale)`,
      yLabel: "fraction of flows",
      series,
      steps: true,
      logX: true,
      yMax: 1,
      yTicks: [0, 0.25, 0.5, 0.75, 0.9, 1],
      markAt: [0.5, 0.9, 0.99],
      caption: [
        `Markers at the median, the 90th and the 99th percentile of each policy row; ${flowCounts(policies)}.`,
      ],
    });
    out["fct-cdf.csv"] = csv(
      ["policy", ...Array.from({ length: 101 }, (_, i) => `p${i}_s`)],
      policies.map((p) => [p.label, ...percentiles(p.fctSamples)]),
    );
  }

  const withSenders = policies.some((p) => p.senderFraction);
  out["delivered.svg"] = barChart({
    title: "Delivered fraction of the approximate data",
    subtitle: [`${data} · mean over the jobs of each policy row`],
    axisLabel: "delivered fraction (unique chunks received / chunks of one pass)",
    legend: {
      bar: "mean over jobs",
      ...(withSenders ? { range: "least to most a single sender delivered" } : {}),
      muted: mutedNote,
    },
    max: 1,
    format: (v) => v.toFixed(2),
    rows: policies.map((p) => ({
      label: p.label,
      value: p.deliveredFraction,
      range: p.senderFraction ? [p.senderFraction.min, p.senderFraction.max] : null,
      note: incomplete(p) ? `${p.jobsCompleted}/${p.jobs} done` : "",
      muted: incomplete(p),
    })),
    reference:
      summary.requiredFraction === null
        ? null
        : { value: summary.requiredFraction, label: `required ${summary.requiredFraction}` },
    caption: [
      "A job needs the fraction of its data its policy file names (most jobs here: the dashed line).",
    ],
  });
  out["delivered.csv"] = csv(
    [
      "policy",
      "tcp_setting",
      "jobs",
      "jobs_completed",
      "delivered_fraction",
      "sender_min",
      "sender_p50",
      "sender_max",
      "approx_loss",
    ],
    policies.map((p) => [
      p.label,
      p.tcpSetting ?? "",
      p.jobs,
      p.jobsCompleted,
      p.deliveredFraction,
      p.senderFraction?.min ?? "",
      p.senderFraction?.p50 ?? "",
      p.senderFraction?.max ?? "",
      p.approxLoss,
    ]),
  );
  return out;
}

/** "2158 completed flows per row", or their range when the rows differ. */
function flowCounts(policies: readonly PolicySummary[]): string {
  const counts = policies.map((p) => p.fct?.count ?? 0);
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  return lo === hi ? `${lo} completed flows per row` : `${lo} to ${hi} completed flows per row`;
}

/** The summary as stored: the flows' completion times as percentiles, not every sample. */
export function summaryForFile(summary: Summary): unknown {
  return {
    ...summary,
    policies: summary.policies.map(({ fctSamples, ...rest }) => ({
      ...rest,
      fctPercentiles: percentiles(fctSamples),
    })),
  };
}

export function writeRun(outDir: string, run: RunResult): string {
  const dir = join(outDir, "runs");
  makeDirectory(dir, "results folder");
  const path = join(dir, runFileName(run));
  // Compact: a run of a large scenario holds thousands of flows and links.
  writeOutputFile(path, JSON.stringify(run) + "\n", { overwrite: true, what: "run file" });
  return path;
}

/** Writes report.md and the figures of a summary; returns the files written. */
export function writeReport(
  outDir: string,
  summary: Summary,
  runs: readonly RunResult[],
  context: ReportContext = {},
): string[] {
  makeDirectory(outDir, "results folder");
  const files: string[] = [];
  const write = (name: string, text: string) => {
    const path = join(outDir, name);
    writeOutputFile(path, text, { overwrite: true, what: "results file" });
    files.push(path);
  };
  write("report.md", renderMarkdown(summary, runs, context));
  for (const [name, text] of Object.entries(renderFigures(summary, context))) write(name, text);
  return files;
}

/** Writes summary.json, report.md and the figures; returns the summary and the files written. */
export function writeResults(
  outDir: string,
  runs: readonly RunResult[],
  context: ReportContext = {},
): { summary: Summary; files: string[] } {
  makeDirectory(outDir, "results folder");
  const summary = summarize(runs);
  const path = join(outDir, "summary.json");
  writeOutputFile(path, JSON.stringify(summaryForFile(summary), null, 2) + "\n", {
    overwrite: true,
    what: "results file",
  });
  const queueModes = [
    ...new Set(
      runs.flatMap((r) =>
        typeof r.runnerInfo.queueMode === "string" ? [r.runnerInfo.queueMode] : [],
      ),
    ),
  ];
  const files = writeReport(outDir, summary, runs, {
    ...context,
    ...(context.queueModes === undefined && queueModes.length > 0 ? { queueModes } : {}),
  });
  return { summary, files: [path, ...files] };
}
