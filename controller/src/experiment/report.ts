// The experiment report: a Markdown summary (per policy: approximate JCT mean and p99 with
// the change relative to netapprox, exact FCT mean and p99, delivered fraction, drops) and
// three SVG plots (approximate JCT per policy, exact FCT CDF, delivered fraction), written
// next to the per-run JSON files. The rendering functions are pure; writeResults does the
// file I/O. Both runners produce their output through this module.
import { join } from "node:path";
import { makeDirectory, writeOutputFile } from "../util/files.js";
import {
  runFileName,
  runLabel,
  summarize,
  type PolicySummary,
  type RunResult,
  type Summary,
} from "./results.js";
import { barChart, cdfChart } from "./svg.js";

/** "850 ms", "12.3 s", "47.1 us". */
export function formatSeconds(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "n/a";
  const a = Math.abs(v);
  if (a >= 1) return `${Number(v.toPrecision(3))} s`;
  if (a >= 1e-3) return `${Number((v * 1e3).toPrecision(3))} ms`;
  return `${Number((v * 1e6).toPrecision(3))} us`;
}

/** "+35%", "-12%", "0%"; "n/a" without a value. */
export function formatChange(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "n/a";
  const pct = Math.round(v * 100);
  return pct > 0 ? `+${pct}%` : `${pct}%`;
}

const fraction = (v: number) => v.toFixed(3);

export interface ReportContext {
  description?: string | null;
  /** Lines shown under the table (e.g. the loader's notes). */
  notes?: readonly string[];
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
    `Seeds: ${summary.seeds.join(", ")}. Changes are relative to ${summary.baseline} ` +
      `((policy - ${summary.baseline}) / ${summary.baseline}): negative is faster than ${summary.baseline}.`,
    "",
  );
  lines.push(...summaryTable(summary), "");
  lines.push(
    "Approximate JCT counts completed jobs only (every transfer got its fraction); jobs done = completed / all. " +
      "Delivered fraction is the mean over jobs of the unique chunks received over the chunks sent in one pass.",
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
  lines.push(
    "Plots: [approximate JCT](jct.svg), [exact FCT CDF](fct-cdf.svg), [delivered fraction](delivered.svg).",
    "",
  );
  return lines.join("\n");
}

/** The headline table alone (also used in docs). */
export function summaryTable(summary: Summary): string[] {
  const rows = [
    "| policy | approx JCT mean | approx JCT p99 | JCT mean vs " +
      summary.baseline +
      " | JCT p99 vs " +
      summary.baseline +
      " | jobs done | delivered fraction | exact FCT mean | exact FCT p99 | FCT mean vs " +
      summary.baseline +
      " | FCT p99 vs " +
      summary.baseline +
      " | flows done |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const p of summary.policies) rows.push(row(p, summary.baseline));
  return rows;
}

function row(p: PolicySummary, baseline: string): string {
  const isBase = p.label === baseline;
  const change = (v: number | null) => (isBase ? "-" : formatChange(v));
  return [
    "",
    ` ${p.label} `,
    ` ${formatSeconds(p.jct?.mean)} `,
    ` ${formatSeconds(p.jct?.p99)} `,
    ` ${change(p.jctChange)} `,
    ` ${change(p.jctP99Change)} `,
    ` ${p.jobsCompleted}/${p.jobs} `,
    ` ${fraction(p.deliveredFraction)} `,
    ` ${formatSeconds(p.fct?.mean)} `,
    ` ${formatSeconds(p.fct?.p99)} `,
    ` ${change(p.fctChange)} `,
    ` ${change(p.fctP99Change)} `,
    ` ${p.exactCompleted}/${p.exactFlows} `,
    "",
  ].join("|");
}

export function renderPlots(summary: Summary): Record<string, string> {
  const policies = summary.policies;
  const unit = pickUnit(policies.flatMap((p) => (p.jct ? [p.jct.mean] : [])));
  const fctUnit = pickUnit(policies.flatMap((p) => p.fctSamples));
  return {
    "jct.svg": barChart({
      title: `${summary.scenario}: approximate job completion time (mean, whisker p99)`,
      yLabel: `JCT (${unit.name})`,
      bars: policies.map((p) => ({
        label: p.label,
        value: p.jct ? p.jct.mean / unit.scale : null,
        whisker: p.jct ? p.jct.p99 / unit.scale : null,
        note: `${p.jobsCompleted}/${p.jobs} done`,
      })),
    }),
    "fct-cdf.svg": cdfChart({
      title: `${summary.scenario}: exact flow completion times`,
      xLabel: `FCT (${fctUnit.name}, log scale)`,
      log: true,
      series: policies.map((p) => ({
        label: p.label,
        values: p.fctSamples.map((v) => v / fctUnit.scale),
      })),
    }),
    "delivered.svg": barChart({
      title: `${summary.scenario}: delivered fraction of approximate data (mean over jobs)`,
      yLabel: "delivered fraction",
      yMax: 1,
      format: (v) => v.toFixed(2),
      bars: policies.map((p) => ({ label: p.label, value: p.deliveredFraction })),
      reference:
        summary.requiredFraction === null
          ? null
          : { value: summary.requiredFraction, label: `required ${summary.requiredFraction}` },
    }),
  };
}

function pickUnit(values: readonly number[]): { name: string; scale: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const typical = sorted.length === 0 ? 1 : sorted[Math.floor(sorted.length / 2)]!;
  if (typical >= 1) return { name: "s", scale: 1 };
  if (typical >= 1e-3) return { name: "ms", scale: 1e-3 };
  return { name: "us", scale: 1e-6 };
}

/** The summary as stored: without the per-flow samples (they are in the run files). */
export function summaryForFile(summary: Summary): unknown {
  return {
    ...summary,
    policies: summary.policies.map(({ fctSamples: _samples, ...rest }) => rest),
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

/** Writes summary.json, report.md and the plots; returns the summary and the files written. */
export function writeResults(
  outDir: string,
  runs: readonly RunResult[],
  context: ReportContext = {},
): { summary: Summary; files: string[] } {
  makeDirectory(outDir, "results folder");
  const summary = summarize(runs);
  const files: string[] = [];
  const write = (name: string, text: string) => {
    const path = join(outDir, name);
    writeOutputFile(path, text, { overwrite: true, what: "results file" });
    files.push(path);
  };
  write("summary.json", JSON.stringify(summaryForFile(summary), null, 2) + "\n");
  write("report.md", renderMarkdown(summary, runs, context));
  for (const [name, svg] of Object.entries(renderPlots(summary))) write(name, svg);
  return { summary, files };
}
