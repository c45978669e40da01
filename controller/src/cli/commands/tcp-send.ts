// `netapprox tcp-send`: the TCP baselines' sender.
import { CliError, parseOptions, type Command } from "../command.js";
import { tcpSendOptions, SPECS } from "../../../../transport/src/cli-options.js";
import { buildOrUsage, runToCompletion } from "../../../../transport/src/cli-run.js";
import { runTcpSender } from "../../../../transport/src/tcp-baseline.js";

const errors = {
  usage: (m: string) => new CliError(m),
  runtime: (m: string) => new CliError(m, 1),
};

export const command: Command = {
  usage:
    "--to HOST:PORT --job N (--bytes SIZE | --chunks N) --fraction F --mode sender-sampling|receiver-drop [--chunk-size SIZE] [--seed S] [--bind HOST:PORT] [--timeout T] [--pretty]",
  description: [
    "Sends one job over TCP to a tcp-recv. sender-sampling: only a seeded random sample of",
    "ceil(F * chunks) chunks; receiver-drop: every chunk, and the receiver stops at the",
    "fraction. Completes at the receiver's DONE. Prints one JSON object.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, SPECS["tcp-send"]);
    const options = buildOrUsage(() => tcpSendOptions(values), errors);
    return runToCompletion("tcp-send", values, () => runTcpSender(options), errors);
  },
};
