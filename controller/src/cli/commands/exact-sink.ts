// `netapprox exact-sink`: the sink of exact traffic.
import { CliError, parseOptions, type Command } from "../command.js";
import { exactSinkOptions, SPECS } from "../../../../transport/src/cli-options.js";
import { buildOrUsage, runUntilDone, withoutFlows } from "../../../../transport/src/cli-run.js";
import { startExactSink } from "../../../../transport/src/exact-traffic.js";

const errors = {
  usage: (m: string) => new CliError(m),
  runtime: (m: string) => new CliError(m, 1),
};

export const command: Command = {
  usage:
    "--bind HOST:PORT [--flows N] [--idle-timeout T] [--timeout T] [--summary-only] [--pretty]",
  description: [
    "Receives exact-gen flows and acknowledges each after its last byte. Ends after --flows",
    "flows, when idle, or on a signal, and prints what it received as one JSON object.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, SPECS["exact-sink"]);
    const options = buildOrUsage(() => exactSinkOptions(values), errors);
    return runUntilDone(
      "exact-sink",
      values,
      () => startExactSink(options),
      errors,
      (r) => (values["summary-only"] === true ? withoutFlows(r) : r),
    );
  },
};
