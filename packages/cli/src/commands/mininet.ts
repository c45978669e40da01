// `netapprox mininet`: brings a topology up in Mininet with BMv2 switches and the
// controller (mininet/launch.py does the Mininet part), for interactive use.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildClassPlan } from "@netapprox/model/allocation/ports.js";
import { DEFAULT_HOSTS, DEFAULT_TCP } from "@netapprox/lab/experiment/scenario.js";
import { hostSetupCommands } from "@netapprox/lab/mininet/host-setup.js";
import { buildLaunchPlan } from "@netapprox/lab/mininet/plan.js";
import { checkBmv2Version, readBmv2Version } from "@netapprox/lab/mininet/preflight.js";
import { markingCommands } from "@netapprox/lab/mininet/schedule.js";
import { loadPolicyFile } from "@netapprox/model/policy/load.js";
import { DEFAULT_CLASSES } from "@netapprox/model/policy/types.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import { packageRoot } from "@netapprox/model/util/package-root.js";
import { makeDirectory, writeOutputFile } from "@netapprox/model/util/files.js";
import { CliError, parseOptions, type Command } from "../command.js";
import { findExecutable } from "@netapprox/model/util/executables.js";

export const command: Command = {
  usage:
    "--topology FILE [--policy FILE | --no-controller] [--cli | --duration SECONDS] [--marking-port DATA[/CONTROL] ...] [--bmv2-queues htb|paced] [--run-dir DIR] [--http 127.0.0.1:9464] [--plan-only FILE] [--python PATH] [--bmv2 PATH] [--bmv2-log-level warn] [--force-clean]",
  description: [
    "Builds the topology in Mininet: one simple_switch_grpc per switch (device id, Thrift",
    "port and gRPC address from the topology, 8 priority queues), hosts with static ARP,",
    "IPv6 and offloads off, the DSCP marking rules for --marking-port and a priority qdisc by",
    "DSCP on each interface, veth links whose capacity is an htb tree per switch egress the",
    "controller programs from the allocation (--bmv2-queues htb, the default) or BMv2's own",
    "paced queues (paced), then the controller with --policy; it waits until",
    "the controller reports every switch ready. --cli opens the Mininet CLI; otherwise it",
    "runs until Ctrl-C (or --duration). Everything is torn down on exit. Needs root.",
    "--plan-only writes the launch plan for mininet/launch.py and exits.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, {
      topology: { type: "string" },
      policy: { type: "string" },
      "no-controller": { type: "boolean", default: false },
      cli: { type: "boolean", default: false },
      duration: { type: "string" },
      "marking-port": { type: "string", multiple: true },
      "run-dir": { type: "string" },
      http: { type: "string", default: "127.0.0.1:9464" },
      "plan-only": { type: "string" },
      python: { type: "string", default: process.env.NETAPPROX_PYTHON ?? "/usr/bin/python3" },
      bmv2: { type: "string", default: process.env.NETAPPROX_BMV2 ?? "simple_switch_grpc" },
      "bmv2-log-level": { type: "string", default: "warn" },
      "force-clean": { type: "boolean", default: false },
      "bmv2-queues": { type: "string", default: "htb" },
    });
    const queues = values["bmv2-queues"];
    if (queues !== "htb" && queues !== "paced")
      throw new CliError(`--bmv2-queues: expected htb or paced, got '${queues}'`);
    if (!values.topology) throw new CliError("--topology FILE is required");
    if (!values.policy && !values["no-controller"])
      throw new CliError("--policy FILE is required (or --no-controller)");
    if (values.cli && values.duration !== undefined)
      throw new CliError("--cli and --duration exclude each other");
    if (values.duration !== undefined && !(Number(values.duration) > 0))
      throw new CliError(
        `--duration: expected a positive number of seconds, got '${values.duration}'`,
      );
    if (!/^[^\s:]+:\d{1,5}$/.test(values.http))
      throw new CliError(`--http: expected host:port, got '${values.http}'`);

    const topologyFile = resolve(values.topology);
    const topology = loadTopologyFile(topologyFile);
    const policy = values.policy ? loadPolicyFile(values.policy) : undefined;
    const ports = (values["marking-port"] ?? [])
      .flatMap((p) => p.split(","))
      .map((item) => {
        const m = /^(\d{1,5})(?:\/(\d{1,5}))?$/.exec(item.trim());
        if (!m) throw new CliError(`--marking-port: expected DATA or DATA/CONTROL, got '${item}'`);
        return { dataPort: Number(m[1]), controlPort: m[2] ? Number(m[2]) : Number(m[1]) + 1 };
      });
    let hostCommands: string[][];
    try {
      hostCommands = markingCommands(ports, policy?.classes ?? DEFAULT_CLASSES);
    } catch (err) {
      throw new CliError(`--marking-port: ${(err as Error).message}`);
    }
    const bmv2 = findExecutable(values.bmv2);
    if (bmv2 === undefined && values["plan-only"] === undefined)
      throw new CliError(
        `${values.bmv2} not found; install BMv2 (docs/p4.md) or pass --bmv2 PATH`,
        1,
      );

    if (bmv2 !== undefined && values["plan-only"] === undefined) {
      const version = checkBmv2Version(await readBmv2Version(bmv2), queues);
      if (version.error !== null) throw new CliError(version.error, 1);
      if (version.warning !== null) console.error(`netapprox mininet: warning: ${version.warning}`);
    }
    const root = packageRoot();
    // Hosts serve their own exact traffic before their approximate data (the policy's DSCPs).
    const classes = policy ? buildClassPlan(policy) : null;
    const runDir = resolve(values["run-dir"] ?? mkdtempSync(join(tmpdir(), "netapprox-mininet-")));
    makeDirectory(runDir, "run folder");
    const plan = buildLaunchPlan(topology, {
      topologyFile,
      runDir,
      hostCommands,
      hostSetup: (host, capacity) =>
        hostSetupCommands(host, capacity, {
          scheduling:
            classes === null
              ? null
              : { ...classes, bestEffortShare: DEFAULT_HOSTS.bestEffortShare },
          queueLimit: 1000,
          tcp: DEFAULT_TCP,
        }),
      bmv2: { binary: bmv2 ?? values.bmv2, logLevel: values["bmv2-log-level"] },
      controller: values.policy
        ? {
            argv: [
              process.execPath,
              join(root, "bin", "netapprox.js"),
              "controller",
              "--topology",
              topologyFile,
              "--policy",
              resolve(values.policy),
              "--http",
              values.http,
              "--log-format",
              "text",
              "--bmv2-queues",
              queues,
            ],
            cwd: runDir,
            statusUrl: `http://${values.http}/status`,
            readyTimeout: 90,
          }
        : null,
    });
    const planFile = values["plan-only"] ? resolve(values["plan-only"]) : join(runDir, "plan.json");
    writeOutputFile(planFile, JSON.stringify(plan, null, 2) + "\n", {
      overwrite: true,
      what: "launch plan",
    });
    if (values["plan-only"]) {
      console.log(planFile);
      return 0;
    }
    if (process.getuid?.() !== 0) throw new CliError("Mininet needs root: run with sudo", 1);
    const args = [join(root, "mininet", "launch.py"), "--plan", planFile];
    if (values.cli) args.push("--cli");
    if (values.duration !== undefined) args.push("--duration", values.duration);
    if (values["force-clean"]) args.push("--force-clean");
    const child = spawn(values.python, args, { stdio: "inherit" });
    // The launcher handles Ctrl-C (tears down, then exits); this process only waits for it.
    const ignore = () => undefined;
    process.on("SIGINT", ignore);
    process.on("SIGTERM", () => child.kill("SIGTERM"));
    const code = await new Promise<number>((done) => {
      child.once("error", (err) => {
        console.error(`netapprox mininet: cannot run ${values.python}: ${err.message}`);
        done(1);
      });
      child.once("exit", (c) => done(c ?? 1));
    });
    process.off("SIGINT", ignore);
    return code;
  },
};
