// `netapprox approx-marking`: the host rules that mark the approximate transport's
// packets with DSCP (Node cannot set IP_TOS itself; see transport/src/marking.ts).
import { CliError, parseOptions, type Command } from "../command.js";
import { decimal, markingPorts, SPECS } from "../../../../transport/src/cli-options.js";
import { buildOrUsage } from "../../../../transport/src/cli-run.js";
import { iptablesCommands, toShell } from "../../../../transport/src/marking.js";

const errors = {
  usage: (m: string) => new CliError(m),
  runtime: (m: string) => new CliError(m, 1),
};

export const command: Command = {
  usage:
    "--port DATA[/CONTROL] [--port ...] [--delete] [--iptables BIN] [--data-dscp N] [--control-dscp N] [--json]",
  description: [
    "Prints the iptables commands (mangle table, OUTPUT chain, DSCP target) that mark the",
    "approximate transport on a host: data to each receiver data port LE (1), control to and",
    "from each control port CS6 (48). Run them in every host's network namespace before the",
    "transport starts; --delete prints the commands that remove them. --json prints argv arrays.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, SPECS["approx-marking"]);
    const commands = buildOrUsage(() => {
      const dataDscp = values["data-dscp"];
      const controlDscp = values["control-dscp"];
      return iptablesCommands(markingPorts(values), values.delete === true ? "delete" : "add", {
        ...(dataDscp !== undefined ? { dataDscp: decimal("data-dscp", dataDscp, 0, 63) } : {}),
        ...(controlDscp !== undefined
          ? { controlDscp: decimal("control-dscp", controlDscp, 0, 63) }
          : {}),
        ...(values.iptables !== undefined ? { iptables: values.iptables } : {}),
      });
    }, errors);
    console.log(values.json === true ? JSON.stringify(commands) : toShell(commands));
    return 0;
  },
};
