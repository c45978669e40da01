// `netapprox experiment`: runs a scenario on Mininet with BMv2 switches, once per policy
// and seed, each on a fresh network, and writes the results (one JSON per run, a summary,
// the Markdown table and SVG plots) in the format the simulator writes too.
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import type { RunResult } from "../../experiment/results.js";
import { summaryForFile, summaryTable, writeResults, writeRun } from "../../experiment/report.js";
import { loadScenarioFile } from "../../experiment/load.js";
import {
  EXPERIMENT_POLICIES,
  type ExperimentPolicy,
  type Scenario,
} from "../../experiment/scenario.js";
import { runOnMininet } from "../../mininet/run.js";
import { unsupportedSettings } from "../../mininet/schedule.js";
import { loadPipeline } from "../../runtime/pipelines.js";
import { packageRoot } from "../../util/package-root.js";
import { makeDirectory } from "../../util/files.js";
import { CliError, parseOptions, parseSeedList, type Command } from "../command.js";

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "off"];

/** `name` as found on PATH (or as given when it contains a slash); undefined when absent. */
export function findExecutable(name: string, path = process.env.PATH ?? ""): string | undefined {
  const executable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (name.includes("/")) return executable(name) ? name : undefined;
  for (const dir of path.split(delimiter)) {
    if (dir !== "" && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** "a,b" or repeated flags -> the list, each checked against `allowed`. */
export function parseList<T extends string>(
  flag: string,
  values: string[] | undefined,
  allowed: readonly T[],
): T[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const items = values.flatMap((v) => v.split(",")).map((s) => s.trim());
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item))
      throw new CliError(`${flag}: unknown value '${item}'; expected one of ${allowed.join(", ")}`);
  }
  return [...new Set(items)] as T[];
}

export function parseSeeds(values: string[] | undefined): number[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  return parseSeedList("--seeds", values);
}

/** How the runs were made, for the report. */
export function conditions(scenario: Scenario, logLevel: string): string[] {
  const capacities = [...new Set(scenario.topology.links.map((l) => l.capacity))]
    .sort((a, b) => a - b)
    .map((c) => `${c / 1e6} Mbit/s`);
  return [
    `Mininet with BMv2 simple_switch_grpc (log level ${logLevel}); link capacities ${capacities.join(", ")}, emulated by BMv2's per-priority queue rates (no shaping in Linux).`,
    `Every run on a fresh network; traffic starts ${scenario.mininet.warmup} s after the controller reports every switch synced; allocation ${scenario.simulator.reallocate === "on-change" ? "recomputed as jobs start and end (policy file rewritten)" : "static"}.`,
  ];
}

export const command: Command = {
  usage:
    "SCENARIO.yaml [--policies P,...] [--seeds N,...] [--out DIR] [--python PATH] [--bmv2 PATH] [--bmv2-log-level warn] [--json]",
  description: [
    "Runs a scenario on Mininet with BMv2 switches (needs root, Mininet, BMv2's",
    "simple_switch_grpc and the compiled P4 in p4/build). For every seed and policy: a fresh",
    "network, the controller with the policy's allocator, the approximate jobs' and exact",
    "flows' host programs at the scenario's times, then teardown. Policies: " +
      EXPERIMENT_POLICIES.join(", ") +
      ".",
    "Writes runs/<policy>-seed<N>.json, summary.json, report.md and SVG plots to --out",
    "(default results/<scenario>/mininet), and each run's logs to <out>/logs/<policy>-seed<N>/.",
  ].join("\n"),
  async run(argv) {
    const { values, positionals } = parseOptions(
      argv,
      {
        policies: { type: "string", multiple: true },
        seeds: { type: "string", multiple: true },
        out: { type: "string" },
        python: { type: "string", default: process.env.NETAPPROX_PYTHON ?? "/usr/bin/python3" },
        bmv2: { type: "string", default: process.env.NETAPPROX_BMV2 ?? "simple_switch_grpc" },
        "bmv2-log-level": { type: "string", default: "warn" },
        json: { type: "boolean", default: false },
      },
      true,
    );
    if (positionals.length !== 1) throw new CliError("expected one scenario file");
    if (!LOG_LEVELS.includes(values["bmv2-log-level"]))
      throw new CliError(`--bmv2-log-level: expected one of ${LOG_LEVELS.join(", ")}`);
    const scenario = loadScenarioFile(positionals[0]!);
    const policies =
      parseList<ExperimentPolicy>("--policies", values.policies, EXPERIMENT_POLICIES) ??
      scenario.policies;
    const seeds = parseSeeds(values.seeds) ?? scenario.seeds;

    // Everything the runs need, checked before the first network is built.
    if (process.getuid?.() !== 0) throw new CliError("Mininet needs root: run with sudo", 1);
    const bmv2 = findExecutable(values.bmv2);
    if (bmv2 === undefined)
      throw new CliError(
        `${values.bmv2} not found (PATH=${process.env.PATH ?? ""}); install BMv2 (docs/p4.md) or pass --bmv2 PATH`,
        1,
      );
    const python = findExecutable(values.python);
    if (python === undefined)
      throw new CliError(`${values.python} not found; pass --python PATH`, 1);
    for (const tool of ["mnexec", "iptables", "ethtool", "ip"]) {
      if (findExecutable(tool) === undefined)
        throw new CliError(
          `${tool} not found on PATH; install Mininet and its dependencies (docs/mininet.md)`,
          1,
        );
    }
    const root = packageRoot();
    if (!existsSync(join(root, "dist", "controller", "src", "cli", "main.js")))
      throw new CliError("the controller is not built; run `npm run build` first", 1);
    const { schema } = loadPipeline(root, "v1model");

    const out = resolve(values.out ?? join("results", scenario.name, "mininet"));
    makeDirectory(out, "results folder");
    const progress = (line: string) =>
      console.error(`${new Date().toISOString().slice(11, 19)} ${line}`);
    progress(
      `scenario ${scenario.name}: ${policies.length} policies x ${seeds.length} seeds on Mininet; results in ${out}`,
    );
    for (const note of [...scenario.notes, ...unsupportedSettings(scenario)])
      progress(`note: ${note}`);

    const runs: RunResult[] = [];
    const failures: string[] = [];
    let n = 0;
    for (const seed of seeds) {
      for (const policy of policies) {
        n++;
        progress(`run ${n}/${policies.length * seeds.length}: ${policy}, seed ${seed}`);
        const runDir = join(out, "logs", `${policy}-seed${seed}`);
        makeDirectory(runDir, "run folder");
        try {
          const result = await runOnMininet({
            scenario,
            policy,
            seed,
            runDir,
            root,
            python,
            bmv2Binary: bmv2,
            bmv2LogLevel: values["bmv2-log-level"],
            schema,
            progress,
          });
          writeRun(out, result);
          runs.push(result);
          const done = result.jobs.filter((j) => j.completed).length;
          const jcts = result.jobs.filter((j) => j.jct !== null).map((j) => j.jct!);
          const mean = jcts.length ? jcts.reduce((a, b) => a + b, 0) / jcts.length : null;
          const fcts = result.exactFlows.filter((f) => f.fct !== null).map((f) => f.fct!);
          const fctMean = fcts.length ? fcts.reduce((a, b) => a + b, 0) / fcts.length : null;
          progress(
            `run ${n} done: jobs ${done}/${result.jobs.length} completed, mean JCT ${mean === null ? "-" : mean.toFixed(2) + " s"}, exact flows ${fcts.length}/${result.exactFlows.length}, mean FCT ${fctMean === null ? "-" : (1000 * fctMean).toFixed(0) + " ms"}`,
          );
        } catch (err) {
          const message = (err as Error).message;
          failures.push(`${policy} seed ${seed}: ${message}`);
          progress(`run ${n} FAILED: ${message}`);
        }
      }
    }
    if (runs.length > 0) {
      const { summary, files } = writeResults(out, runs, {
        description: scenario.description,
        notes: [
          ...scenario.notes,
          ...unsupportedSettings(scenario),
          ...conditions(scenario, values["bmv2-log-level"]),
        ],
      });
      console.log(
        values.json
          ? JSON.stringify(summaryForFile(summary), null, 2)
          : summaryTable(summary).join("\n"),
      );
      progress(`wrote ${runs.length} run files to ${join(out, "runs")} and ${files.join(", ")}`);
    }
    if (failures.length > 0) {
      console.error(`${failures.length} run(s) failed:\n  ${failures.join("\n  ")}`);
      return 1;
    }
    return 0;
  },
};
