// `netapprox p4info`: loads a P4Info (JSON, text or binary) and prints what it holds.
import { P4Schema } from "../../p4runtime/p4info.js";
import { describeSchema } from "../../p4runtime/summary.js";
import { CliError, parseOptions, type Command } from "../command.js";

export const command: Command = {
  usage: "FILE",
  description: [
    "Loads a P4Info as p4c writes it (.json, .txtpb/.txt, or binary .bin/.pb) and prints its",
    "tables, actions, profiles, counters, meters, registers, digests, value sets and packet",
    "metadata with ids, widths and match kinds; fields and parameters this library cannot",
    "encode (types translated to strings, enums without a width) are listed at the end.",
  ].join("\n"),
  async run(argv) {
    const { positionals } = parseOptions(argv, {}, true);
    if (positionals.length !== 1)
      throw new CliError(`expected one P4Info file, got ${positionals.length}`);
    console.log(describeSchema(P4Schema.fromFile(positionals[0]!)));
    return 0;
  },
};
