// `netapprox controller`: runs the netapprox controller against the switches of a
// topology until interrupted.
import { allocate } from "@netapprox/model/allocation/allocate.js";
import { capabilitiesOf } from "@netapprox/controller/targets/capabilities.js";
import { formatIssue } from "@netapprox/model/config/errors.js";
import { checkPolicy, vetPolicy } from "@netapprox/model/policy/checks.js";
import { loadPolicyFile } from "@netapprox/model/policy/load.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import {
  NetapproxController,
  type PipelineBundle,
} from "@netapprox/controller/runtime/controller.js";
import { controllerEndpoint } from "@netapprox/controller/runtime/endpoint.js";
import { startHttpEndpoint } from "@netapprox/controller/runtime/http.js";
import { createLogger, type LogLevel } from "@netapprox/controller/runtime/log.js";
import { loadPipeline } from "@netapprox/controller/runtime/pipelines.js";
import { dryRunSwitch, formatDryRun } from "@netapprox/controller/runtime/dry-run.js";
import { translateAll } from "@netapprox/model/pipeline/translate.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import { pipelineContract, type PipelineTarget } from "@netapprox/model/pipeline/contract.js";
import { packageRoot } from "@netapprox/model/util/package-root.js";
import { CliError, parseOptions, type Command } from "../command.js";

function hostPort(text: string, flag: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new CliError(`${flag}: expected host:port, got '${text}'`);
  return { host: m[1]!.replace(/^\[|\]$/g, "") || "127.0.0.1", port: Number(m[2]) };
}

export const command: Command = {
  usage:
    "--topology FILE --policy FILE [--election-id N] [--role NAME] [--http 127.0.0.1:9464 | --no-http] " +
    "[--p4-build DIR] [--bmv2-queues htb|paced] [--tofino-format bfrt|pi] [--tm-config-dir DIR] [--state-dir DIR] [--poll-ms N] [--log-format json|text] [--log-level debug|info|warn|error] [--dry-run [--json]]",
  description: [
    "Connects to every switch of the topology (P4Runtime, TLS when the topology gives",
    "certificates), pushes the netapprox pipeline where the switch does not already run",
    "it, installs routes and the allocation, and keeps them current: counter polls,",
    "demand estimates, re-allocation, live policy reloads. Several controllers with",
    "different --election-id values give primary/backup failover. The topology and",
    "policy are validated before any switch is touched. On --http (loopback by default):",
    "the web view at /, /status (what `netapprox status` shows) and /metrics (Prometheus).",
    "The BMv2 queue settings sent are kept in --state-dir (default ./netapprox-state), so a",
    "restarted controller sends them again only to switches that restarted.",
    "  --dry-run   read every switch as an observer (never primary, nothing written), print",
    "              what the controller would write to it (inserts, modifies, deletes by",
    "              name) and exit; --json prints it as JSON",
    "  --poll-ms   counter poll interval in milliseconds (default: the policy's poll_interval)",
    "BMv2 links: --bmv2-queues htb (the default) schedules each switch egress interface with",
    "a work-conserving htb tree (tc, root) named as the Mininet launcher names them, from the",
    "allocation's weights, and leaves BMv2's own queues unpaced; paced sets each BMv2 priority",
    "queue's rate over Thrift instead.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, {
      topology: { type: "string" },
      policy: { type: "string" },
      "election-id": { type: "string", default: "1" },
      role: { type: "string", default: "" },
      http: { type: "string", default: "127.0.0.1:9464" },
      "no-http": { type: "boolean", default: false },
      "p4-build": { type: "string" },
      "tofino-format": { type: "string", default: "bfrt" },
      "bmv2-queues": { type: "string", default: "htb" },
      "tm-config-dir": { type: "string", default: "tm-config" },
      "state-dir": { type: "string", default: "netapprox-state" },
      "poll-ms": { type: "string" },
      "log-format": { type: "string", default: "json" },
      "log-level": { type: "string", default: "info" },
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    });
    if (!values.topology) throw new CliError("--topology FILE is required");
    if (!values.policy) throw new CliError("--policy FILE is required");
    if (!/^\d+$/.test(values["election-id"]) || BigInt(values["election-id"]) < 1n) {
      throw new CliError(
        `--election-id: expected a positive integer, got '${values["election-id"]}'`,
      );
    }
    if (!["json", "text"].includes(values["log-format"]))
      throw new CliError("--log-format: expected json or text");
    if (!["debug", "info", "warn", "error"].includes(values["log-level"]))
      throw new CliError("--log-level: expected debug, info, warn or error");
    if (!["bfrt", "pi"].includes(values["tofino-format"]))
      throw new CliError("--tofino-format: expected bfrt or pi");
    if (!["htb", "paced"].includes(values["bmv2-queues"]))
      throw new CliError("--bmv2-queues: expected htb or paced");
    const pollMs = values["poll-ms"] === undefined ? undefined : Number(values["poll-ms"]);
    if (pollMs !== undefined && !(pollMs >= 10))
      throw new CliError("--poll-ms: expected a number of milliseconds >= 10");

    const logger = createLogger({
      format: values["log-format"] as "json" | "text",
      level: values["log-level"] as LogLevel,
    });
    // Validate everything before touching a switch.
    const topology = loadTopologyFile(values.topology);
    const policy = loadPolicyFile(values.policy);
    const routing = computeRoutes(topology);
    vetPolicy(policy, routing.network);
    const allocation = allocate(topology, routing, {}, policy);
    const warnings = checkPolicy(policy, routing.network, allocation).warnings;
    const root = values["p4-build"] ? values["p4-build"] : packageRoot();
    const pipelines: Partial<Record<PipelineTarget, PipelineBundle>> = {};
    for (const sw of topology.switches) {
      const target = capabilitiesOf(sw.target).pipeline;
      pipelines[target] ??= loadPipeline(root, target, values["tofino-format"] as "bfrt" | "pi");
    }
    if (values.json && !values["dry-run"])
      throw new CliError("--json goes with --dry-run (the running controller serves /status)");
    if (values["dry-run"]) {
      for (const w of warnings) console.error(`warning: ${formatIssue(w)}`);
      const states = translateAll(allocation, routing.tables(), (plan) =>
        pipelineContract(capabilitiesOf(plan.target).pipeline),
      );
      const runs = await Promise.all(
        states.map((state) => {
          const sw = topology.switches.find((s) => s.name === state.switch)!;
          const schema = pipelines[capabilitiesOf(sw.target).pipeline]!.schema;
          return dryRunSwitch(sw, state, schema, 5_000);
        }),
      );
      console.log(values.json ? JSON.stringify(runs, null, 2) : formatDryRun(runs));
      return 0;
    }

    const controller = new NetapproxController({
      topology,
      policyFile: values.policy,
      policy,
      pipelines,
      electionId: BigInt(values["election-id"]),
      role: values.role,
      logger,
      trafficManagerDir: values["tm-config-dir"],
      stateDir: values["state-dir"],
      bmv2Queues: values["bmv2-queues"] as "htb" | "paced",
      ...(pollMs !== undefined ? { pollIntervalMs: pollMs } : {}),
    });
    let http: Awaited<ReturnType<typeof startHttpEndpoint>> | undefined;
    if (!values["no-http"]) {
      const { host, port } = hostPort(values.http, "--http");
      try {
        http = await startHttpEndpoint(controllerEndpoint(controller, topology), { host, port });
      } catch (err) {
        throw new CliError(`--http ${values.http}: cannot listen: ${(err as Error).message}`, 1);
      }
      logger.info("web view, status and metrics served", { url: http.url });
    }
    for (const w of warnings) logger.warn(`policy: ${formatIssue(w)}`, { file: values.policy });
    await controller.start();
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    logger.info("stopping");
    await controller.stop();
    await http?.close();
    return 0;
  },
};
