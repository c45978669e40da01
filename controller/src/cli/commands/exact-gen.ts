// `netapprox exact-gen`: the exact-traffic generator.
import { CliError, parseOptions, type Command } from "../command.js";
import { exactGenOptions, SPECS } from "../../../../transport/src/cli-options.js";
import { buildOrUsage, runToCompletion, withoutFlows } from "../../../../transport/src/cli-run.js";
import { runExactGenerator } from "../../../../transport/src/exact-traffic.js";

const errors = {
  usage: (m: string) => new CliError(m),
  runtime: (m: string) => new CliError(m, 1),
};

export const command: Command = {
  usage:
    "--to HOST:PORT[,HOST:PORT...] --dist websearch|datamining|fixed:SIZE --load L --capacity RATE (--flows N | --duration T) [--scale K] [--max-size SIZE] [--seed S] [--first-id N] [--bind HOST] [--timeout T] [--summary-only] [--pretty]",
  description: [
    "Opens TCP flows to exact-sink(s): Poisson arrivals at --load times --capacity, sizes from",
    "the web search or data mining distribution (scaled by --scale, clipped at --max-size) or",
    "fixed. Prints flow completion times (mean, p50, p99, by size class, and per flow unless",
    "--summary-only) as one JSON object.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, SPECS["exact-gen"]);
    const options = buildOrUsage(() => exactGenOptions(values), errors);
    return runToCompletion(
      "exact-gen",
      values,
      () => runExactGenerator(options),
      errors,
      (r) => (values["summary-only"] === true ? withoutFlows(r) : r),
    );
  },
};
