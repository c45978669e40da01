// The netapprox command line: `netapprox <command> [options]`. Each command lives in
// commands/<name>.ts and is loaded only when used, so one command's dependencies
// never slow down another.
import { CliError, type Command } from "./command.js";

const commands: Record<string, () => Promise<{ command: Command }>> = {};

/** Registers a command module; called once per command below. */
export function register(name: string, load: () => Promise<{ command: Command }>): void {
  commands[name] = load;
}

// Commands are registered here, one line each.
register("alloc", () => import("./commands/alloc.js"));
register("topo", () => import("./commands/topo.js"));
register("test-switch", () => import("./commands/test-switch.js"));
register("controller", () => import("./commands/controller.js"));
register("status", () => import("./commands/status.js"));
register("demo", () => import("./commands/demo.js"));
register("approx-marking", () => import("./commands/approx-marking.js"));
register("approx-recv", () => import("./commands/approx-recv.js"));
register("approx-send", () => import("./commands/approx-send.js"));
register("blast-recv", () => import("./commands/blast-recv.js"));
register("blast-send", () => import("./commands/blast-send.js"));
register("exact-gen", () => import("./commands/exact-gen.js"));
register("exact-sink", () => import("./commands/exact-sink.js"));
register("tcp-recv", () => import("./commands/tcp-recv.js"));
register("tcp-send", () => import("./commands/tcp-send.js"));
register("job-coordinator", () => import("./commands/job-coordinator.js"));
register("simulate", () => import("./commands/simulate.js"));
register("experiment", () => import("./commands/experiment.js"));
register("mininet", () => import("./commands/mininet.js"));
register("compare", () => import("./commands/compare.js"));

function usage(): string {
  const lines = ["usage: netapprox <command> [options]", "", "commands:"];
  return [
    ...lines,
    ...Object.keys(commands)
      .sort()
      .map((c) => `  ${c}`),
    "",
    "netapprox <command> --help shows a command's options",
  ].join("\n");
}

/** Runs the CLI and returns the process exit code; never throws. */
export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (load === undefined) {
    console.error(`netapprox: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    const { command } = await load();
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(`usage: netapprox ${name} ${command.usage}\n\n${command.description}`);
      return 0;
    }
    return await command.run(rest);
  } catch (err) {
    // Expected failures (bad input, unreachable switch) print one clear message;
    // anything else is a bug: its message, and the stack with NETAPPROX_DEBUG=1.
    if (
      err instanceof CliError ||
      (err instanceof Error && "userFacing" in err && err.userFacing === true)
    ) {
      console.error(`netapprox ${name}: ${err.message}`);
      return err instanceof CliError ? err.exitCode : 1;
    }
    const detail =
      err instanceof Error
        ? process.env.NETAPPROX_DEBUG
          ? (err.stack ?? err.message)
          : err.message
        : String(err);
    console.error(
      `netapprox ${name}: internal error: ${detail}${process.env.NETAPPROX_DEBUG ? "" : " (NETAPPROX_DEBUG=1 shows where)"}`,
    );
    return 70;
  }
}
