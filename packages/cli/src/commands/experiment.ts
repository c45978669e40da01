// `netapprox experiment`: runs a scenario on Mininet with BMv2 switches, once per policy
// and seed, each on a fresh network, and writes the results (one JSON per run, a summary,
// the Markdown table and SVG plots) in the format the simulator writes too.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { runFileName, runLabel, type RunResult } from "@netapprox/lab/experiment/results.js";
import {
  summaryForFile,
  summaryTable,
  writeResults,
  writeRun,
} from "@netapprox/lab/experiment/report.js";
import { findExecutable } from "@netapprox/model/util/executables.js";
import { loadScenarioFile } from "@netapprox/lab/experiment/load.js";
import {
  EXPERIMENT_POLICIES,
  policyVariants,
  TCP_SETTINGS,
  type ExperimentPolicy,
  type Scenario,
  type TcpSettingName,
} from "@netapprox/lab/experiment/scenario.js";
import {
  allowedCongestionControls,
  availableCongestionControls,
  checkBmv2Version,
  readBmv2Version,
  tcpSettingSkipReason,
} from "@netapprox/lab/mininet/preflight.js";
import { runOnMininet, type Bmv2Queues } from "@netapprox/lab/mininet/run.js";
import { unsupportedSettings } from "@netapprox/lab/mininet/schedule.js";
import { loadPipeline } from "@netapprox/controller/runtime/pipelines.js";
import { packageRoot } from "@netapprox/model/util/package-root.js";
import { makeDirectory } from "@netapprox/model/util/files.js";
import { CliError, parseOptions, parseSeedList, type Command } from "../command.js";

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "off"];

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
export function conditions(
  scenario: Scenario,
  logLevel: string,
  queues: Bmv2Queues = "htb",
  bmv2Version: string | null = null,
): string[] {
  const capacities = [...new Set(scenario.topology.links.map((l) => l.capacity))]
    .sort((a, b) => a - b)
    .map((c) => `${c / 1e6} Mbit/s`);
  const links =
    queues === "htb"
      ? "a work-conserving htb tree on every switch egress veth (control first, exact and best effort by the allocation's weights, the best-effort leaf limited to the LE threshold), BMv2's own queues unpaced"
      : "BMv2's per-priority queue rates (no shaping in Linux)";
  return [
    `Mininet with BMv2 simple_switch_grpc ${bmv2Version ?? "(version unknown)"} (log level ${logLevel}); link capacities ${capacities.join(", ")}, emulated by ${links}.`,
    `Hosts: ${scenario.hosts.queues === "priority" ? `an htb priority qdisc by DSCP on each interface (the host's own exact traffic first, approximate best effort assured ${scenario.hosts.bestEffortShare * 100}%)` : "one FIFO per interface"}; the TCP baselines' hosts in each TCP setting (Reno or DCTCP, minimum RTO on the routes), the other runs in the scenario's TCP.`,
    `Every run on a fresh network; traffic starts ${scenario.mininet.warmup} s after the controller reports every switch synced; allocation ${scenario.simulator.reallocate === "on-change" ? "recomputed as jobs start and end (policy file rewritten)" : "static"}; job completion ${scenario.completion === "job" ? "per job (a coordinator per job on its first receiving host)" : "per transfer"}.`,
  ];
}

export const command: Command = {
  usage:
    "SCENARIO.yaml [--policies P,...] [--tcp-settings S,...] [--seeds N,...] [--out DIR] [--bmv2-queues htb|paced] [--python PATH] [--bmv2 PATH] [--bmv2-log-level warn] [--json]",
  description: [
    "Runs a scenario on Mininet with BMv2 switches (needs root, Mininet, BMv2's",
    "simple_switch_grpc and the compiled P4 in p4/build). For every seed and policy: a fresh",
    "network, the controller with the policy's allocator, the approximate jobs' and exact",
    "flows' host programs at the scenario's times, then teardown. Policies: " +
      EXPERIMENT_POLICIES.join(", ") +
      "; the TCP baselines once per TCP setting (" +
      TCP_SETTINGS.join(", ") +
      "; default the scenario's transport.tcp_settings), their hosts configured for it.",
    "--bmv2-queues htb (the default): every switch egress link is a work-conserving htb tree",
    "programmed by the controller; paced: BMv2's own priority queues paced over Thrift.",
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
        "bmv2-queues": { type: "string", default: "htb" },
        "tcp-settings": { type: "string", multiple: true },
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
    const queues = values["bmv2-queues"];
    if (queues !== "htb" && queues !== "paced")
      throw new CliError(`--bmv2-queues: expected htb or paced, got '${queues}'`);
    const settings =
      parseList<TcpSettingName>("--tcp-settings", values["tcp-settings"], TCP_SETTINGS) ??
      scenario.transport.tcpSettings;

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
    for (const tool of ["mnexec", "iptables", "ethtool", "ip", "tc"]) {
      if (findExecutable(tool) === undefined)
        throw new CliError(
          `${tool} not found on PATH; install Mininet and its dependencies (docs/mininet.md)`,
          1,
        );
    }
    const root = packageRoot();
    if (!existsSync(join(root, "packages", "cli", "dist", "main.js")))
      throw new CliError("the controller is not built; run `npm run build` first", 1);
    const { schema } = loadPipeline(root, "v1model");

    const out = resolve(values.out ?? join("results", scenario.name, "mininet"));
    makeDirectory(out, "results folder");
    const progress = (line: string) =>
      console.error(`${new Date().toISOString().slice(11, 19)} ${line}`);
    const version = checkBmv2Version(await readBmv2Version(bmv2), queues);
    if (version.error !== null) throw new CliError(version.error, 1);
    if (version.warning !== null) progress(`warning: ${version.warning}`);
    // TCP settings this machine's hosts cannot run are left out, and the report says why.
    const controls = await availableCongestionControls();
    const allowed = allowedCongestionControls();
    const skipped = new Map<TcpSettingName, string>();
    for (const setting of settings) {
      const reason = tcpSettingSkipReason(setting, controls, allowed, queues);
      if (reason !== null) skipped.set(setting, reason);
    }
    const variants = policyVariants(
      policies,
      settings.filter((s) => !skipped.has(s)),
    );
    const notes = [
      ...scenario.notes,
      ...unsupportedSettings(scenario),
      ...[...skipped.values()].map((r) => `Not run: the TCP baselines in ${r}.`),
    ];
    progress(
      `scenario ${scenario.name}: ${variants.length} policy variants x ${seeds.length} seeds on Mininet (BMv2 ${version.version ?? "version unknown"}, ${queues} links); results in ${out}`,
    );
    for (const note of notes) progress(`note: ${note}`);

    const runs: RunResult[] = [];
    const failures: string[] = [];
    let n = 0;
    for (const seed of seeds) {
      for (const { policy, tcpSetting } of variants) {
        n++;
        const label = runLabel({ policy, tcpSetting });
        progress(`run ${n}/${variants.length * seeds.length}: ${label}, seed ${seed}`);
        const runDir = join(
          out,
          "logs",
          runFileName({ policy, tcpSetting, seed }).replace(/\.json$/, ""),
        );
        makeDirectory(runDir, "run folder");
        try {
          const result = await runOnMininet({
            scenario,
            policy,
            tcpSetting,
            bmv2Queues: queues,
            bmv2Version: version.version,
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
          failures.push(`${label} seed ${seed}: ${message}`);
          progress(`run ${n} FAILED: ${message}`);
        }
      }
    }
    if (runs.length > 0) {
      const { summary, files } = writeResults(out, runs, {
        description: scenario.description,
        notes: [
          ...notes,
          ...conditions(scenario, values["bmv2-log-level"], queues, version.version),
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
