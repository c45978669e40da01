// `netapprox simulate`: runs a scenario in the packet-level simulator under each policy
// and seed, with progress bars on stderr, and writes the results (per-run JSON, summary,
// Markdown report, SVG plots) in the format the Mininet runner writes too.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadScenarioFile } from "@netapprox/lab/experiment/load.js";
import {
  summaryForFile,
  summaryTable,
  writeResults,
  writeRun,
} from "@netapprox/lab/experiment/report.js";
import { runLabel, type RunResult } from "@netapprox/lab/experiment/results.js";
import {
  EXPERIMENT_POLICIES,
  policyVariants,
  QUEUE_MODES,
  TCP_SETTINGS,
  type QueueMode,
} from "@netapprox/lab/experiment/scenario.js";
import { expandWorkload } from "@netapprox/lab/experiment/workload.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import { simulateRun, type RunProgress } from "@netapprox/lab/simulator/run.js";
import { makeDirectory } from "@netapprox/model/util/files.js";
import { CliError, parseOptions, parseSeedList, type Command } from "../command.js";

export const command: Command = {
  usage:
    "SCENARIO.yaml [--policies a,b] [--tcp-settings a,b] [--seeds N,...] [--out DIR] [--queue-mode MODE] [--quiet] [--json]",
  description: [
    "Runs a scenario (experiments/*.yaml) in the simulator: every policy with the same",
    "workload for each seed, the TCP baselines once per TCP setting of the scenario",
    "(transport.tcp_settings). Writes DIR/runs/<policy>[-<setting>]-seed<N>.json, DIR/summary.json,",
    "DIR/report.md, the figures (SVG, each with its data as CSV); prints the table.",
    "  --policies a,b  only these policies (" + EXPERIMENT_POLICIES.join(", ") + ")",
    "  --tcp-settings a,b  the TCP baselines' settings (" + TCP_SETTINGS.join(", ") + ")",
    "  --seeds N,...   these seeds (default: the scenario's seeds)",
    "  --out DIR       where to write (default: results/<scenario name>)",
    "  --queue-mode M  " +
      QUEUE_MODES.join(", ") +
      ", instead of the scenario's simulator.queue_mode",
    "  --quiet         no progress on stderr",
    "  --json          print the summary as JSON instead of the table",
  ].join("\n"),
  async run(argv) {
    const { values, positionals } = parseOptions(
      argv,
      {
        policies: { type: "string" },
        seed: { type: "string" },
        seeds: { type: "string" },
        out: { type: "string" },
        json: { type: "boolean", default: false },
        "queue-mode": { type: "string" },
        "tcp-settings": { type: "string" },
        quiet: { type: "boolean" },
      },
      true,
    );
    if (positionals.length !== 1) {
      throw new CliError(
        `expected one scenario file, got ${positionals.length}; usage: netapprox simulate ${this.usage}`,
      );
    }
    const scenario = loadScenarioFile(positionals[0]!);
    const policies =
      values.policies === undefined
        ? scenario.policies
        : parseList(values.policies, "--policies", EXPERIMENT_POLICIES, "policy");
    let seeds = scenario.seeds;
    if (values.seed !== undefined && values.seeds !== undefined)
      throw new CliError("--seed is the old name of --seeds: give one of them");
    if (values.seeds !== undefined) seeds = parseSeedList("--seeds", values.seeds);
    if (values.seed !== undefined) {
      if (!/^[0-9]+$/.test(values.seed) || Number(values.seed) > 4294967295) {
        throw new CliError(
          `--seed: expected an integer from 0 to 4294967295, got "${values.seed}"`,
        );
      }
      seeds = [Number(values.seed)];
    }
    const mode = values["queue-mode"];
    if (mode !== undefined) {
      if (!(QUEUE_MODES as readonly string[]).includes(mode)) {
        throw new CliError(
          `--queue-mode: expected one of ${QUEUE_MODES.join(", ")}, got "${mode}"`,
        );
      }
      scenario.simulator.queueMode = mode as QueueMode;
    }
    if (values["tcp-settings"] !== undefined)
      scenario.transport.tcpSettings = parseList(
        values["tcp-settings"],
        "--tcp-settings",
        TCP_SETTINGS,
        "TCP setting",
      );
    const outDir = values.out ?? `results/${scenario.name}`;
    const variants = policyVariants(policies, scenario.transport.tcpSettings);
    if (existsSync(join(outDir, "summary.json")))
      process.stderr.write(`note: replacing the results already in ${outDir}\n`);
    makeDirectory(join(outDir, "runs"), "results folder"); // before hours of simulation, not after
    const progress =
      values.quiet === true
        ? null
        : new ProgressBar(process.stderr, variants.length * seeds.length);
    for (const note of scenario.notes) process.stderr.write(`note: ${note}\n`);

    const routing = computeRoutes(scenario.topology);
    const runs: RunResult[] = [];
    for (const seed of seeds) {
      const plan = expandWorkload(scenario, seed);
      for (const { policy, tcpSetting } of variants) {
        progress?.start(runLabel({ policy, tcpSetting }), seed);
        const run = simulateRun({
          scenario,
          policy,
          tcpSetting,
          seed,
          plan,
          routing,
          ...(progress ? { progress: (p: RunProgress) => progress.update(p) } : {}),
        });
        progress?.finish(run);
        writeRun(outDir, run);
        runs.push(run);
      }
    }
    const { summary, files } = writeResults(outDir, runs, {
      description: scenario.description,
      notes: scenario.notes,
    });
    if (values.json) console.log(JSON.stringify(summaryForFile(summary), null, 2));
    else {
      console.log(summaryTable(summary).join("\n"));
      console.log(`\nwrote ${runs.length} run files to ${outDir}/runs/ and ${files.join(", ")}`);
    }
    return 0;
  },
};

/** A comma-separated list of names from `allowed`, each once. */
function parseList<T extends string>(
  text: string,
  flag: string,
  allowed: readonly T[],
  what: string,
): T[] {
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (names.length === 0) throw new CliError(`${flag}: expected a comma-separated list`);
  for (const name of names) {
    if (!(allowed as readonly string[]).includes(name)) {
      throw new CliError(
        `${flag}: unknown ${what} "${name}"; expected some of ${allowed.join(", ")}`,
      );
    }
  }
  return [...new Set(names)] as T[];
}

/**
 * One line per run: a bar of the run's progress (the larger of simulated time over the
 * time limit and finished work over all work), redrawn in place on a terminal; on a pipe,
 * a line at each quarter.
 */
class ProgressBar {
  private index = 0;
  private label = "";
  private lastDraw = 0;
  private lastQuarter = -1;
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly total: number,
  ) {
    this.tty = out.isTTY === true;
  }

  start(policy: string, seed: number): void {
    this.index++;
    this.label = `[${this.index}/${this.total}] ${policy} seed ${seed}`;
    this.lastQuarter = -1;
    this.lastDraw = 0;
  }

  update(p: RunProgress): void {
    const work = p.jobs + p.flows;
    const done = Math.min(
      1,
      Math.max(p.time / p.timeLimit, work > 0 ? (p.jobsDone + p.flowsDone) / work : 0),
    );
    const line = `${this.label} ${bar(done)} ${(done * 100).toFixed(0).padStart(3)}% t=${p.time.toPrecision(3)}s jobs ${p.jobsDone}/${p.jobs} flows ${p.flowsDone}/${p.flows} events ${(p.events / 1e6).toFixed(1)}M`;
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.out.write(`\r${line}\u001b[K`);
    } else {
      const quarter = Math.floor(done * 4);
      if (quarter > this.lastQuarter && quarter < 4) {
        this.lastQuarter = quarter;
        this.out.write(`${line}\n`);
      }
    }
  }

  finish(run: RunResult): void {
    const info = run.runnerInfo;
    const events = Number(info.events);
    const wall = Number(info.wallSeconds);
    const done = run.jobs.filter((j) => j.completed).length;
    const line = `${this.label} ${bar(1)} done: ${done}/${run.jobs.length} jobs, ${run.exactFlows.filter((f) => f.fct !== null).length}/${run.exactFlows.length} flows, ${run.duration.toPrecision(3)} s simulated, ${(events / 1e6).toFixed(1)}M events in ${wall.toFixed(1)} s (${(events / wall / 1e6).toFixed(2)}M/s)${run.finished ? "" : ", time limit reached"}`;
    this.out.write(this.tty ? `\r${line}\u001b[K\n` : `${line}\n`);
  }
}

function bar(fraction: number, width = 24): string {
  const full = Math.round(fraction * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}]`;
}
