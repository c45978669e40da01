// `netapprox compare`: compares two result sets of the same scenario (e.g. the simulator's
// and the Mininet runner's) and prints a Markdown report or JSON. Reads the files; the
// comparison itself is experiment/compare.ts.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigError } from "@netapprox/model/config/errors.js";
import {
  CompareError,
  checkSummary,
  compareSummaries,
  type ComparedSource,
  type ComparedSummary,
} from "@netapprox/lab/experiment/compare.js";
import { renderComparison } from "@netapprox/lab/experiment/compare-report.js";
import { writeOutputFile } from "@netapprox/model/util/files.js";
import { CliError, parseOptions, type Command } from "../command.js";

const EXPECTED =
  "a results directory or its summary.json (written by netapprox simulate or netapprox experiment)";

/** The summary.json a command-line argument names: the file itself, or the one in a directory. */
export function summaryPath(arg: string): string {
  if (!existsSync(arg))
    throw new CliError(`${arg}: no such file or directory; expected ${EXPECTED}`);
  if (!statSync(arg).isDirectory()) return arg;
  const file = join(arg, "summary.json");
  if (!existsSync(file))
    throw new CliError(`${arg}: no summary.json in this directory; expected ${EXPECTED}`);
  return file;
}

export function readSummary(file: string): ComparedSummary {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(`${file}: cannot read (${(err as Error).message}); expected ${EXPECTED}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file}: not JSON (${(err as Error).message}); expected ${EXPECTED}`);
  }
  try {
    return checkSummary(value, file);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
}

/**
 * The simulator's queue modes, from the run files next to the summary (runnerInfo.queueMode);
 * empty when there are no run files or they do not record one (Mininet). The summary does
 * not carry it, and the report only shows it, so unreadable run files are passed over.
 */
export function queueModes(summaryFile: string): string[] {
  const dir = join(dirname(summaryFile), "runs");
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  const modes = new Set<string>();
  for (const name of names.sort()) {
    try {
      const run = JSON.parse(readFileSync(join(dir, name), "utf8")) as {
        runnerInfo?: { queueMode?: unknown };
      };
      if (typeof run.runnerInfo?.queueMode === "string") modes.add(run.runnerInfo.queueMode);
    } catch {
      // Not a run file: it says nothing about the queue mode.
    }
  }
  return [...modes];
}

/** "simulator (bmv2-paced)", "mininet". */
export function defaultLabel(summary: ComparedSummary, modes: readonly string[]): string {
  return modes.length === 0 ? summary.runner : `${summary.runner} (${modes.join(", ")})`;
}

export function parseLabels(text: string): [string, string] {
  const labels = text.split(",").map((s) => s.trim());
  if (labels.length !== 2 || labels.some((l) => l === ""))
    throw new CliError(
      `--labels: expected two non-empty labels separated by a comma, got "${text}"`,
    );
  return [labels[0]!, labels[1]!];
}

export const command: Command = {
  usage: "A_DIR_OR_SUMMARY B_DIR_OR_SUMMARY [--labels a,b] [--out FILE.md [--force]] [--json]",
  description: [
    "Compares two result sets of the same scenario, e.g. the simulator's and the Mininet",
    "runner's: per policy, approximate JCT mean and p99, jobs done, delivered fraction and",
    "exact FCT mean and p99 in A and B with the difference (B - A) / A, and whether the two",
    "order the policies alike by approximate JCT mean and by exact FCT mean. Each argument",
    "is a results directory (its summary.json is read) or a summary.json.",
    "  --labels a,b   names for A and B (default: runner and queue mode)",
    "  --out FILE     also write the report (or the JSON) to FILE (--force replaces an existing one)",
    "  --json         print the comparison as JSON instead of Markdown",
  ].join("\n"),
  async run(argv) {
    const { values, positionals } = parseOptions(
      argv,
      {
        labels: { type: "string" },
        out: { type: "string" },
        json: { type: "boolean" },
        force: { type: "boolean", default: false },
      },
      true,
    );
    if (positionals.length !== 2)
      throw new CliError(
        `expected two result sets (A and B), got ${positionals.length}; usage: netapprox compare ${this.usage}`,
      );
    const sources = positionals.map((arg): ComparedSource => {
      const file = summaryPath(arg);
      const summary = readSummary(file);
      const modes = queueModes(file);
      return { label: defaultLabel(summary, modes), summary, file, queueModes: modes };
    }) as [ComparedSource, ComparedSource];
    if (values.labels !== undefined) {
      const [a, b] = parseLabels(values.labels);
      sources[0].label = a;
      sources[1].label = b;
    } else if (sources[0].label === sources[1].label) {
      sources[0].label += " (A)";
      sources[1].label += " (B)";
    }

    let comparison;
    try {
      comparison = compareSummaries(sources[0], sources[1]);
    } catch (err) {
      if (err instanceof CompareError) throw new CliError(err.message);
      throw err;
    }
    const text = values.json
      ? JSON.stringify(comparison, null, 2) + "\n"
      : renderComparison(comparison);
    process.stdout.write(text);
    if (values.out !== undefined) {
      writeOutputFile(values.out, text, {
        overwrite: values.force,
        overwriteFlag: "--force",
        what: "report",
      });
      console.error(`wrote ${values.out}`);
    }
    return 0;
  },
};
