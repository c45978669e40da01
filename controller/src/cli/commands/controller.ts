// `netapprox controller`: runs the netapprox controller against the switches of a
// topology until interrupted.
import { allocate } from "../../allocation/allocate.js";
import { capabilitiesOf } from "../../targets/capabilities.js";
import { loadPolicyFile } from "../../policy/load.js";
import { computeRoutes } from "../../routing/routing.js";
import { NetapproxController, type PipelineBundle } from "../../runtime/controller.js";
import { startHttpEndpoint } from "../../runtime/http.js";
import { createLogger, type LogLevel } from "../../runtime/log.js";
import { loadPipeline } from "../../runtime/pipelines.js";
import { loadTopologyFile } from "../../topology/load.js";
import type { PipelineTarget } from "../../pipeline/contract.js";
import { packageRoot } from "../../util/package-root.js";
import { CliError, parseOptions, type Command } from "../command.js";

function hostPort(text: string, flag: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new CliError(`${flag}: expected host:port, got '${text}'`);
  return { host: m[1]!.replace(/^\[|\]$/g, "") || "127.0.0.1", port: Number(m[2]) };
}

export const command: Command = {
  usage:
    "--topology FILE --policy FILE [--election-id N] [--role NAME] [--http 127.0.0.1:9464 | --no-http] " +
    "[--p4-build DIR] [--bmv2-queues htb|paced] [--tofino-format bfrt|pi] [--tm-config-dir DIR] [--poll-ms N] [--log-format json|text] [--log-level debug|info|warn|error]",
  description: [
    "Connects to every switch of the topology (P4Runtime, TLS when the topology gives",
    "certificates), pushes the netapprox pipeline where the switch does not already run",
    "it, installs routes and the allocation, and keeps them current: counter polls,",
    "demand estimates, re-allocation, live policy reloads. Several controllers with",
    "different --election-id values give primary/backup failover. The topology and",
    "policy are validated before any switch is touched. /status and /metrics are served",
    "on --http (loopback by default); `netapprox status` reads /status.",
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
      "poll-ms": { type: "string" },
      "log-format": { type: "string", default: "json" },
      "log-level": { type: "string", default: "info" },
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
    allocate(topology, computeRoutes(topology), {}, policy);
    const root = values["p4-build"] ? values["p4-build"] : packageRoot();
    const pipelines: Partial<Record<PipelineTarget, PipelineBundle>> = {};
    for (const sw of topology.switches) {
      const target = capabilitiesOf(sw.target).pipeline;
      pipelines[target] ??= loadPipeline(root, target, values["tofino-format"] as "bfrt" | "pi");
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
      bmv2Queues: values["bmv2-queues"] as "htb" | "paced",
      ...(pollMs !== undefined ? { pollIntervalMs: pollMs } : {}),
    });
    let http: Awaited<ReturnType<typeof startHttpEndpoint>> | undefined;
    if (!values["no-http"]) {
      const { host, port } = hostPort(values.http, "--http");
      try {
        http = await startHttpEndpoint(
          {
            metrics: () => {
              controller.status(); // refreshes the utilisation gauges
              return controller.metrics.render();
            },
            status: () => controller.status(),
            healthy: () => [...controller.agents.values()].some((a) => a.switch.state === "ready"),
          },
          { host, port },
        );
      } catch (err) {
        throw new CliError(`--http ${values.http}: cannot listen: ${(err as Error).message}`, 1);
      }
      logger.info("status and metrics served", { url: http.url });
    }
    await controller.start();
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    logger.info("stopping");
    await controller.stop();
    http?.server.close();
    return 0;
  },
};
