// The netapprox command line: `netapprox <command> [options]`. Each command lives in
// commands/<name>.ts and is loaded only when used, so one command's dependencies never
// slow down another. The programs that run on the hosts of an experiment are grouped
// under `netapprox host <tool>` (one table, host-tools.ts); their old top-level names
// still work (the Mininet runner starts them by those names) but are not listed.
import { packageVersion } from "@netapprox/model/util/package-root.js";
import { CliError, didYouMean, UNITS_HELP, type Command } from "./command.js";
import { HOST_TOOLS, hostToolCommand } from "./host-tools.js";

type Loader = () => Promise<{ command: Command }>;

interface Entry {
  name: string;
  summary: string;
  group: string;
  load: Loader;
}

const GROUPS = [
  "Start here",
  "Plan and check (offline)",
  "Run and watch a network",
  "Experiments and results",
] as const;

const commands: Entry[] = [];
const hostTools: Entry[] = [];

/** Registers a command module under a group, with its one-line summary. */
export function register(
  name: string,
  group: (typeof GROUPS)[number],
  summary: string,
  load: Loader,
): void {
  commands.push({ name, group, summary, load });
}

register(
  "demo",
  "Start here",
  "the built-in default (npm start): controller on test switches, then the simulator",
  () => import("./commands/demo.js"),
);
register(
  "alloc",
  "Plan and check (offline)",
  "the allocation for a topology and a policy, per job and per link",
  () => import("./commands/alloc.js"),
);
register(
  "topo",
  "Plan and check (offline)",
  "generate, check and show topologies: routes, paths",
  () => import("./commands/topo.js"),
);
register(
  "p4info",
  "Plan and check (offline)",
  "print what a P4Info holds: tables, actions, counters, meters",
  () => import("./commands/p4info.js"),
);
register(
  "controller",
  "Run and watch a network",
  "run the controller against a topology's switches (web view, /status, /metrics)",
  () => import("./commands/controller.js"),
);
register(
  "status",
  "Run and watch a network",
  "a running controller's switches, jobs, links and drops, and why a switch is not ready",
  () => import("./commands/status.js"),
);
register(
  "switch",
  "Run and watch a network",
  "read what a switch holds, by name (switch read SWITCH [TABLE])",
  () => import("./commands/switch.js"),
);
register(
  "test-switch",
  "Run and watch a network",
  "serve P4Runtime test switches on loopback (stand-ins for BMv2)",
  () => import("./commands/test-switch.js"),
);
register(
  "mininet",
  "Run and watch a network",
  "bring a topology up in Mininet with BMv2 switches and the controller (root)",
  () => import("./commands/mininet.js"),
);
register(
  "simulate",
  "Experiments and results",
  "run a scenario in the simulator under every policy",
  () => import("./commands/simulate.js"),
);
register(
  "experiment",
  "Experiments and results",
  "run a scenario on Mininet with BMv2 under every policy (root)",
  () => import("./commands/experiment.js"),
);
register(
  "report",
  "Experiments and results",
  "render a results folder again: report.md, figures and their CSV",
  () => import("./commands/report.js"),
);
register(
  "sweep",
  "Experiments and results",
  "JCT and FCT against exact load over a family of scenarios",
  () => import("./commands/sweep.js"),
);
register(
  "compare",
  "Experiments and results",
  "two result sets of one scenario side by side",
  () => import("./commands/compare.js"),
);

for (const tool of HOST_TOOLS) {
  hostTools.push({
    name: tool.name,
    group: "host",
    summary: tool.summary,
    load: () => Promise.resolve({ command: hostToolCommand(tool) }),
  });
}

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length), "host".length) + 2;
  const lines = [
    "usage: netapprox <command> [options]",
    "",
    "An approximate-aware network layer for programmable switches: the allocation, the",
    "P4Runtime controller, the simulator and the experiments.",
  ];
  for (const group of GROUPS) {
    lines.push("", `${group}:`);
    for (const c of commands.filter((c) => c.group === group))
      lines.push(`  ${c.name.padEnd(width)}${c.summary}`);
  }
  lines.push(
    "",
    "On the hosts of an experiment (the runners start these):",
    `  ${"host".padEnd(width)}${hostTools.map((t) => t.name).join(", ")} (netapprox host --help)`,
    "",
    "netapprox <command> --help shows a command's options; netapprox --version its version.",
  );
  return lines.join("\n");
}

function hostUsage(): string {
  const width = Math.max(...hostTools.map((t) => t.name.length)) + 2;
  return [
    "usage: netapprox host <tool> [options]",
    "",
    "Programs that run on the hosts of an experiment; each prints one JSON object.",
    "",
    ...hostTools.map((t) => `  ${t.name.padEnd(width)}${t.summary}`),
    "",
    "netapprox host <tool> --help shows a tool's options.",
  ].join("\n");
}

function version(): string {
  return `netapprox ${packageVersion()} (Node.js ${process.versions.node})`;
}

/** The help of one command: its usage, what it does, and the units where it takes any. */
function commandHelp(label: string, command: Command): string {
  const text = `usage: netapprox ${label} ${command.usage}\n\n${command.description}`;
  return /RATE|SIZE|\bT\b|SECONDS|DURATION|--rate|--capacity/.test(text)
    ? `${text}\n\n${UNITS_HELP}`
    : text;
}

/** Runs the CLI and returns the process exit code; never throws. */
export async function run(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    console.log(usage());
    return first === undefined ? 2 : 0;
  }
  if (first === "--version" || first === "-V" || first === "version") {
    console.log(version());
    return 0;
  }
  let entry = commands.find((c) => c.name === first) ?? hostTools.find((t) => t.name === first);
  let label = first;
  let args = rest;
  if (first === "host") {
    const [tool, ...toolArgs] = rest;
    if (tool === undefined || tool === "--help" || tool === "-h") {
      console.log(hostUsage());
      return tool === undefined ? 2 : 0;
    }
    entry = hostTools.find((t) => t.name === tool);
    if (entry === undefined) {
      const guess = didYouMean(
        tool,
        hostTools.map((t) => t.name),
      );
      console.error(
        `netapprox host: unknown tool '${tool}'${guess ? `; did you mean '${guess}'?` : ""}\n\n${hostUsage()}`,
      );
      return 2;
    }
    label = `host ${tool}`;
    args = toolArgs;
  }
  if (entry === undefined) {
    const guess = didYouMean(first, [
      ...commands.map((c) => c.name),
      "host",
      ...hostTools.map((t) => t.name),
    ]);
    console.error(
      `netapprox: unknown command '${first}'${guess ? `; did you mean '${guess}'?` : ""}\n\n${usage()}`,
    );
    return 2;
  }
  try {
    const { command } = await entry.load();
    if (args.includes("--help") || args.includes("-h")) {
      console.log(commandHelp(label, command));
      return 0;
    }
    return await command.run(args);
  } catch (err) {
    // Expected failures (bad input, unreachable switch) print one clear message;
    // anything else is a bug: its message, and the stack with NETAPPROX_DEBUG=1.
    if (
      err instanceof CliError ||
      (err instanceof Error && "userFacing" in err && err.userFacing === true)
    ) {
      console.error(`netapprox ${label}: ${err.message}`);
      return err instanceof CliError ? err.exitCode : 1;
    }
    const detail =
      err instanceof Error
        ? process.env.NETAPPROX_DEBUG
          ? (err.stack ?? err.message)
          : err.message
        : String(err);
    console.error(
      `netapprox ${label}: internal error: ${detail}${process.env.NETAPPROX_DEBUG ? "" : " (NETAPPROX_DEBUG=1 shows where)"}`,
    );
    return 70;
  }
}
