// Reading a results folder back: its run files when it has them (the summary is made
// again from them, with every field the current format has), or else its summary.json,
// brought to the current format where an older one lacks fields (rows without labels,
// no sender fractions, no flow-time percentiles). Also the description and notes of the
// report.md it holds, so that rendering it again keeps them.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "@netapprox/model/config/errors.js";
import { checkSummary } from "./compare.js";
import { EXPERIMENT_POLICIES, TCP_SETTINGS } from "./scenario.js";
import {
  runLabel,
  summarize,
  type PolicySummary,
  type RunResult,
  type Summary,
} from "./results.js";

export class ResultsError extends Error {
  readonly userFacing = true;
}

export interface ResultsFolder {
  dir: string;
  summary: Summary;
  /** Empty when the folder has no run files (then the summary came from summary.json). */
  runs: RunResult[];
  /** Simulator queue modes found in the runs. */
  queueModes: string[];
}

/** A run file as written by any version: fields added since are filled in. */
export function normaliseRun(raw: RunResult): RunResult {
  return {
    ...raw,
    tcpSetting: raw.tcpSetting ?? null,
    jobs: raw.jobs.map((j) => ({ ...j, senders: j.senders ?? [], timerWait: j.timerWait ?? 0 })),
  };
}

/** A summary.json of any version, as the current Summary (fctSamples from its percentiles). */
export function normaliseSummary(value: unknown, file: string): Summary {
  let checked;
  try {
    checked = checkSummary(value, file);
  } catch (err) {
    if (err instanceof ConfigError) throw new ResultsError(err.message);
    throw err;
  }
  const raw = value as { requiredFraction?: number | null; policies: Record<string, unknown>[] };
  return {
    format: checked.format,
    scenario: checked.scenario,
    runner: checked.runner,
    seeds: checked.seeds,
    baseline: checked.baseline,
    requiredFraction: raw.requiredFraction ?? null,
    policies: raw.policies.map((p) => {
      const q = p as Partial<PolicySummary> & {
        policy: PolicySummary["policy"];
        fctPercentiles?: number[];
      };
      const tcpSetting = q.tcpSetting ?? null;
      return {
        label: q.label ?? runLabel({ policy: q.policy, tcpSetting }),
        policy: q.policy,
        tcpSetting,
        runs: q.runs ?? 0,
        jobs: q.jobs ?? 0,
        jobsCompleted: q.jobsCompleted ?? 0,
        jct: q.jct ?? null,
        jctChange: q.jctChange ?? null,
        jctP99Change: q.jctP99Change ?? null,
        deliveredFraction: q.deliveredFraction ?? 0,
        senderFraction: q.senderFraction ?? null,
        approxLoss: q.approxLoss ?? 0,
        exactFlows: q.exactFlows ?? 0,
        exactCompleted: q.exactCompleted ?? 0,
        fct: q.fct ?? null,
        fctChange: q.fctChange ?? null,
        fctP99Change: q.fctP99Change ?? null,
        fctSamples: q.fctSamples ?? q.fctPercentiles ?? [],
        drops: q.drops ?? {},
      };
    }),
  };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ResultsError(`${file}: cannot read it as JSON (${(err as Error).message})`);
  }
}

export function readResultsFolder(dir: string): ResultsFolder {
  if (!existsSync(dir)) throw new ResultsError(`${dir}: no such folder`);
  const runsDir = join(dir, "runs");
  const names = existsSync(runsDir)
    ? readdirSync(runsDir)
        .filter((n) => n.endsWith(".json"))
        .sort()
    : [];
  if (names.length > 0) {
    const order = (r: RunResult) => [
      EXPERIMENT_POLICIES.indexOf(r.policy),
      r.tcpSetting === null ? -1 : TCP_SETTINGS.indexOf(r.tcpSetting),
      r.seed,
    ];
    // File names sort alphabetically; rows keep the runners' order: policies as listed in
    // scenarios, each TCP baseline's settings in turn.
    const runs = names.map((n) => {
      const run = readJson(join(runsDir, n)) as RunResult;
      if (run?.format !== "netapprox-run/1" || !Array.isArray(run.jobs))
        throw new ResultsError(
          `${join(runsDir, n)}: not a netapprox run file (format netapprox-run/1)`,
        );
      return normaliseRun(run);
    });
    runs.sort((a, b) => {
      const [x, y] = [order(a), order(b)];
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
    });
    const queueModes = [
      ...new Set(
        runs.flatMap((r) =>
          typeof r.runnerInfo?.queueMode === "string" ? [r.runnerInfo.queueMode] : [],
        ),
      ),
    ];
    return { dir, summary: summarize(runs), runs, queueModes };
  }
  const file = join(dir, "summary.json");
  if (!existsSync(file))
    throw new ResultsError(
      `${dir}: neither run files (runs/*.json) nor a summary.json: not a results folder of netapprox simulate or netapprox experiment`,
    );
  return { dir, summary: normaliseSummary(readJson(file), file), runs: [], queueModes: [] };
}

/** The description and the notes of a report.md this module wrote, to keep them. */
export function previousReportContext(dir: string): {
  description: string | null;
  notes: string[];
} {
  const file = join(dir, "report.md");
  if (!existsSync(file)) return { description: null, notes: [] };
  const lines = readFileSync(file, "utf8").split("\n");
  const seeds = lines.findIndex((l) => l.startsWith("Seeds: "));
  const description = seeds > 1 ? lines.slice(1, seeds).join("\n").trim() : "";
  const notes = lines.filter((l) => l.startsWith("Note: ")).map((l) => l.slice("Note: ".length));
  return { description: description === "" ? null : description, notes };
}
