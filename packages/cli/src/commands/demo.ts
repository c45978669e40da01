// `netapprox demo` (what `npm start` runs): the built-in default, with no BMv2 and no
// root. In one run it
//   1. starts P4Runtime test switches for the default scenario's topology and runs the
//      real controller against them: pipeline push, routes, classifier entries, meters,
//      thresholds and queue settings, reconciled over gRPC; then shows what it installed;
//   2. runs the same scenario in the simulator under every policy (same workload seed),
//      with the real allocation code, and prints the results table;
// and writes the report (Markdown, SVG plots, per-run JSON, installed entries) to
// results/demo/ (or --out).
import { join } from "node:path";
import { loadScenarioFile } from "@netapprox/lab/experiment/load.js";
import {
  summaryForFile,
  summaryTable,
  writeResults,
  writeRun,
} from "@netapprox/lab/experiment/report.js";
import { runLabel, type RunResult } from "@netapprox/lab/experiment/results.js";
import { policyVariants } from "@netapprox/lab/experiment/scenario.js";
import { expandWorkload } from "@netapprox/lab/experiment/workload.js";
import { runPolicy } from "@netapprox/lab/mininet/run.js";
import { decodeEntity, type EntitySpec } from "@netapprox/p4runtime/entities.js";
import { describeSpec } from "@netapprox/p4runtime/switch.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import { NetapproxController } from "@netapprox/controller/runtime/controller.js";
import { createLogger, silentLogger } from "@netapprox/controller/runtime/log.js";
import { loadPipeline } from "@netapprox/controller/runtime/pipelines.js";
import { reconciliationReads } from "@netapprox/controller/runtime/reconcile.js";
import { TestSwitch } from "@netapprox/controller/testswitch/server.js";
import { packageRoot } from "@netapprox/model/util/package-root.js";
import { simulateRun } from "@netapprox/lab/simulator/run.js";
import { makeDirectory, writeOutputFile } from "@netapprox/model/util/files.js";
import { CliError, parseOptions, parseSeedList, type Command } from "../command.js";
import { formatStatus } from "./status.js";

const DEFAULT_SCENARIO = "experiments/dumbbell.yaml";

function json(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? [...v] : v),
    2,
  );
}

export const command: Command = {
  usage: "[--scenario FILE] [--seeds N,...] [--out DIR] [--verbose] [--json]",
  description: [
    "The built-in default run (npm start): the real controller against P4Runtime test",
    "switches (what it would install on the scenario's switches), then the scenario in",
    `the simulator under every policy. Default scenario: ${DEFAULT_SCENARIO}; results in`,
    "results/demo/. --seeds: the seeds to simulate (default: the scenario's first; the",
    "controller part uses the first). --verbose shows the controller's log. --json prints",
    "what was installed (entities per switch) and the results summary as JSON.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, {
      scenario: { type: "string" },
      seed: { type: "string" },
      seeds: { type: "string" },
      out: { type: "string", default: "results/demo" },
      verbose: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    });
    const root = packageRoot();
    const scenario = loadScenarioFile(values.scenario ?? join(root, DEFAULT_SCENARIO));
    if (values.seed !== undefined && values.seeds !== undefined)
      throw new CliError("--seed is the old name of --seeds: give one of them");
    const given = values.seeds ?? values.seed;
    const seeds =
      given === undefined
        ? [scenario.seeds[0]!]
        : parseSeedList(values.seeds !== undefined ? "--seeds" : "--seed", given);
    const seed = seeds[0]!;
    // With --json, the story goes to stderr and stdout holds only the JSON.
    const say = values.json
      ? (...a: unknown[]) => console.error(...a)
      : (...a: unknown[]) => console.log(...a);
    const outDir = values.out;
    makeDirectory(outDir, "output folder");
    const plan = expandWorkload(scenario, seed);
    let installedCounts: Record<string, unknown[]> | undefined;

    // ---- 1. the controller against test switches ----
    say(
      `netapprox demo: scenario '${scenario.name}' (${scenario.topology.switches.length} switches, ${scenario.topology.hosts.length} hosts), seed ${seed}\n`,
    );
    say("1. The controller against P4Runtime test switches (real gRPC on loopback)");
    const pipeline = loadPipeline(root, "v1model");
    const switches = new Map<string, TestSwitch>();
    for (const sw of scenario.topology.switches) {
      const ts = new TestSwitch({ deviceId: sw.deviceId });
      await ts.start();
      switches.set(sw.name, ts);
    }
    const topology = {
      ...scenario.topology,
      switches: scenario.topology.switches.map((s) => ({
        ...s,
        address: switches.get(s.name)!.address,
        thriftPort: null,
      })),
    };
    const queueSettings: Record<
      string,
      { port: number; priority: number; ratePps: number; depthPackets: number }[]
    > = {};
    const controller = new NetapproxController({
      topology,
      policyFile: `${scenario.name} (netapprox policy of the scenario)`,
      policy: runPolicy(scenario, "netapprox", plan, null),
      pipelines: { v1model: pipeline },
      electionId: 1n,
      logger: values.verbose ? createLogger({ format: "text" }) : silentLogger,
      watchPolicy: false,
      queueConfigurator: (sw) => ({
        // Test switches have no Thrift service: record what BMv2 would be told.
        setQueueRate: async (port, priority, ratePps) => {
          const list = (queueSettings[sw.name] ??= []);
          const q = list.find((x) => x.port === port && x.priority === priority);
          if (q) q.ratePps = ratePps;
          else list.push({ port, priority, ratePps, depthPackets: 0 });
        },
        setQueueDepth: async (port, priority, depthPackets) => {
          const list = (queueSettings[sw.name] ??= []);
          const q = list.find((x) => x.port === port && x.priority === priority);
          if (q) q.depthPackets = depthPackets;
          else list.push({ port, priority, ratePps: 0, depthPackets });
        },
        close: () => undefined,
      }),
    });
    try {
      await controller.start();
      const deadline = Date.now() + 15_000;
      while ([...controller.agents.values()].some((a) => a.stats.fullSyncs === 0)) {
        if (Date.now() > deadline)
          throw new CliError("the test switches did not all come up within 15 s", 1);
        await new Promise((r) => setTimeout(r, 50));
      }
      const installed: Record<string, EntitySpec[]> = {};
      installedCounts = installed;
      for (const [name, agent] of controller.agents) {
        const entities = await agent.switch.read(reconciliationReads(pipeline.schema));
        installed[name] = entities
          .map((e) => decodeEntity(pipeline.schema, e))
          .filter((e) => !(e.kind === "meterEntry" && e.config === undefined));
      }
      for (const [name, specs] of Object.entries(installed)) {
        const byKind = new Map<string, number>();
        for (const s of specs) {
          const key = s.kind === "tableEntry" ? `table ${s.table.split(".").pop()}` : s.kind;
          byKind.set(key, (byKind.get(key) ?? 0) + 1);
        }
        say(
          `\n  ${name}: ${specs.length} entities read back (${[...byKind].map(([k, n]) => `${k} ${n}`).join(", ")})`,
        );
        const meters = specs.filter((s) => s.kind === "meterEntry");
        const classifier = specs.filter(
          (s) => s.kind === "tableEntry" && s.table.endsWith(".classifier"),
        );
        for (const s of [...classifier.slice(0, 2), ...meters.slice(0, 2)])
          say(
            `    ${describeSpec(s, pipeline.schema)}${s.kind === "meterEntry" && s.config ? ` cir ${s.config.cir} B/s pir ${s.config.pir} B/s` : ""}`,
          );
        const queues = queueSettings[name] ?? [];
        if (queues.length)
          say(
            `    ${queues.length} BMv2 queue settings (port/priority: rate pps, depth), e.g. ${queues
              .slice(0, 3)
              .map((q) => `${q.port}/${q.priority}: ${q.ratePps.toFixed(0)} pps, ${q.depthPackets}`)
              .join("; ")}`,
          );
      }
      const write = (name: string, data: unknown) =>
        writeOutputFile(join(outDir, name), json(data) + "\n", { overwrite: true });
      write("installed-entities.json", installed);
      write("queue-settings.json", queueSettings);
      say(
        `\n${formatStatus(controller.status())
          .split("\n")
          .map((l) => `  ${l}`)
          .join("\n")}`,
      );
    } finally {
      await controller.stop();
      await Promise.all([...switches.values()].map((s) => s.stop()));
    }

    // ---- 2. the scenario in the simulator ----
    say(
      `\n2. The scenario in the simulator, every policy, seed${seeds.length > 1 ? "s" : ""} ${seeds.join(", ")}`,
    );
    const routing = computeRoutes(scenario.topology);
    const runs: RunResult[] = [];
    for (const s of seeds) {
      const workload = s === seed ? plan : expandWorkload(scenario, s);
      for (const { policy, tcpSetting } of policyVariants(
        scenario.policies,
        scenario.transport.tcpSettings,
      )) {
        const t0 = performance.now();
        const run = simulateRun({ scenario, policy, tcpSetting, seed: s, plan: workload, routing });
        writeRun(outDir, run);
        runs.push(run);
        process.stderr.write(
          `  ${runLabel(run)}${seeds.length > 1 ? ` seed ${s}` : ""}: simulated in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
        );
      }
    }
    const { summary, files } = writeResults(outDir, runs, {
      description: scenario.description,
      notes: scenario.notes,
    });
    say(`\n${summaryTable(summary).join("\n")}`);
    if (values.json)
      console.log(
        JSON.stringify(
          {
            installed: Object.fromEntries(
              Object.entries(installedCounts ?? {}).map(([name, specs]) => [name, specs.length]),
            ),
            summary: summaryForFile(summary),
          },
          null,
          2,
        ),
      );
    say(
      `\nWrote ${files.join(", ")}, the runs in ${outDir}/runs/, and what the controller installed in ${join(outDir, "installed-entities.json")}.`,
    );
    return 0;
  },
};
