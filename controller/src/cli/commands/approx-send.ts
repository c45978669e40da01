// `netapprox approx-send`: the approximate transport's sender.
import { CliError, parseOptions, type Command } from "../command.js";
import { approxSendOptions, SPECS } from "../../../../transport/src/cli-options.js";
import { buildOrUsage, runToCompletion } from "../../../../transport/src/cli-run.js";
import { runApproxSender } from "../../../../transport/src/approx-sender.js";

const errors = {
  usage: (m: string) => new CliError(m),
  runtime: (m: string) => new CliError(m, 1),
};

export const command: Command = {
  usage:
    "--to HOST:PORT --job N (--bytes SIZE | --chunks N) --fraction F [--rate RATE] [--chunk-size SIZE] [--control-port P] [--bind HOST:PORT] [--min-rate RATE] [--probe M] [--memory T] [--max-passes N] [--timeout T] [--pretty]",
  description: [
    "Sends one approximate job in numbered chunks over UDP to an approx-recv, with loss-based",
    "rate control, until the receiver holds the fraction F of the chunks: resend passes over",
    "the missing chunks while they deliver new ones, at most --max-passes passes in all",
    "(default 32). Data goes to --to (marked LE by the host), control to the receiver's",
    "control port (default: data port + 1). --rate is the start and maximum rate (line rate",
    "or a rate hint, with its unit: 100M, 1G; default 100M). --memory is how long the rate",
    "control remembers the best loss-free rate (default 1s). Prints one JSON object.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, SPECS["approx-send"]);
    const options = buildOrUsage(() => approxSendOptions(values), errors);
    return runToCompletion("approx-send", values, () => runApproxSender(options), errors);
  },
};
