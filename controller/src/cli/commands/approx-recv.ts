// `netapprox approx-recv`: the approximate transport's receiver.
import { CliError, parseOptions, type Command } from "../command.js";
import { approxRecvOptions, SPECS } from "../../../../transport/src/cli-options.js";
import { buildOrUsage, runUntilDone } from "../../../../transport/src/cli-run.js";
import { startApproxReceiver } from "../../../../transport/src/approx-receiver.js";

const errors = {
  usage: (m: string) => new CliError(m),
  runtime: (m: string) => new CliError(m, 1),
};

export const command: Command = {
  usage:
    "--bind HOST:PORT --job N [--control-port P] [--feedback-interval T] [--window-bits N] [--idle-timeout T] [--timeout T] [--coordinator HOST:PORT --group G --transfer I [--report-interval T] [--keepalive T]] [--pretty]",
  description: [
    "Receives one approximate job: data on --bind, feedback and DONE from the control port",
    "(default: data port + 1). Ends when it holds the job's fraction and the sender has",
    "acknowledged, when the sender gives up, or on a timeout or signal. With --coordinator",
    "(job-level completion) it reports its count to the job's coordinator (netapprox",
    "job-coordinator) and stops its sender when the coordinator says the job is complete.",
    "Prints one JSON object.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, SPECS["approx-recv"]);
    const options = buildOrUsage(() => approxRecvOptions(values), errors);
    return runUntilDone("approx-recv", values, () => startApproxReceiver(options), errors);
  },
};
