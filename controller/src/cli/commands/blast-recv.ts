// `netapprox blast-recv`: the UDP blast baseline's receiver.
import { CliError, parseOptions, type Command } from "../command.js";
import { blastRecvOptions, SPECS } from "../../../../transport/src/cli-options.js";
import { buildOrUsage, runUntilDone } from "../../../../transport/src/cli-run.js";
import { startApproxReceiver } from "../../../../transport/src/approx-receiver.js";

const errors = {
  usage: (m: string) => new CliError(m),
  runtime: (m: string) => new CliError(m, 1),
};

export const command: Command = {
  usage:
    "--bind HOST:PORT --job N [--control-port P] [--drain T] [--idle-timeout T] [--timeout T] [--pretty]",
  description: [
    "Counts the chunks of one UDP blast job; ends --drain after the sender's END (or when",
    "idle), and prints the delivered fraction as one JSON object.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, SPECS["blast-recv"]);
    const options = buildOrUsage(() => blastRecvOptions(values), errors);
    return runUntilDone("blast-recv", values, () => startApproxReceiver(options), errors);
  },
};
