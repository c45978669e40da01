// `netapprox job-coordinator`: a job's coordinator for job-level completion.
import { CliError, parseOptions, type Command } from "../command.js";
import { jobCoordinatorOptions, SPECS } from "../../../../transport/src/cli-options.js";
import { buildOrUsage, runUntilDone } from "../../../../transport/src/cli-run.js";
import { startJobCoordinator } from "../../../../transport/src/job-coordinator.js";

const errors = {
  usage: (m: string) => new CliError(m),
  runtime: (m: string) => new CliError(m, 1),
};

export const command: Command = {
  usage:
    "--bind HOST:PORT (--spec FILE | --job N --fraction F [--min-sender-fraction X] --group SENDER:CHUNKS,... [--group ...]) [--retry T] [--attempts N] [--linger T] [--timeout T] [--pretty]",
  description: [
    "Coordinates one job's completion across its transfers. Its receivers (approx-recv or",
    "tcp-recv with --coordinator, --group, --transfer) report their counts here; once the",
    "distinct chunks of a group (one --group per round or batch: the sending host and chunks of",
    "each transfer, in transfer order) reach ceil(fraction x total), and every sender its",
    "--min-sender-fraction, it sends JOB-DONE to the group's receivers, repeated every --retry",
    "until acknowledged (at most --attempts times); each stops its sender. Ends when every",
    "group is complete and acknowledged, on --timeout or a signal. Prints one JSON object:",
    "per group when it completed, the chunks delivered and needed, each sender's share.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, SPECS["job-coordinator"]);
    const options = buildOrUsage(() => jobCoordinatorOptions(values), errors);
    return runUntilDone("job-coordinator", values, () => startJobCoordinator(options), errors);
  },
};
