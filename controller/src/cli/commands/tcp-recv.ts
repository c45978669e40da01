// `netapprox tcp-recv`: the TCP baselines' receiver.
import { CliError, parseOptions, type Command } from "../command.js";
import { tcpRecvOptions, SPECS } from "../../../../transport/src/cli-options.js";
import { buildOrUsage, runUntilDone } from "../../../../transport/src/cli-run.js";
import { startTcpReceiver } from "../../../../transport/src/tcp-baseline.js";

const errors = {
  usage: (m: string) => new CliError(m),
  runtime: (m: string) => new CliError(m, 1),
};

export const command: Command = {
  usage:
    "--bind HOST:PORT [--job N] [--coordinator HOST:PORT --group G --transfer I [--report-interval T] [--keepalive T]] [--linger T] [--timeout T] [--pretty]",
  description: [
    "Accepts one job's TCP stream, answers DONE and closes as soon as it holds the job's",
    "fraction (the sender told it the fraction and the mode). With --coordinator (job-level",
    "completion) it also reports its count to the job's coordinator and answers DONE and",
    "closes when the coordinator says the job is complete. Prints one JSON object.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, SPECS["tcp-recv"]);
    const options = buildOrUsage(() => tcpRecvOptions(values), errors);
    return runUntilDone("tcp-recv", values, () => startTcpReceiver(options), errors);
  },
};
