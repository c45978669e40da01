// `netapprox blast-send`: the UDP blast baseline's sender.
import { CliError, parseOptions, type Command } from "../command.js";
import { blastSendOptions, SPECS } from "../../../../transport/src/cli-options.js";
import { buildOrUsage, runToCompletion } from "../../../../transport/src/cli-run.js";
import { runBlastSender } from "../../../../transport/src/udp-blast.js";

const errors = {
  usage: (m: string) => new CliError(m),
  runtime: (m: string) => new CliError(m, 1),
};

export const command: Command = {
  usage:
    "--to HOST:PORT --job N (--bytes SIZE | --chunks N) --fraction F [--rate RATE] [--chunk-size SIZE] [--control-port P] [--bind HOST:PORT] [--drain T] [--pretty]",
  description: [
    "Sends every chunk once at --rate (line rate; default 100 Mbit/s) with no feedback, then",
    "END to the receiver's control port. The job's completion time is the sending time plus",
    "--drain (default 200ms). Prints one JSON object; blast-recv reports the delivered fraction.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, SPECS["blast-send"]);
    const options = buildOrUsage(() => blastSendOptions(values), errors);
    return runToCompletion("blast-send", values, () => runBlastSender(options), errors);
  },
};
