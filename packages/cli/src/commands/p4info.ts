// `netapprox p4info`: loads a P4Info (JSON, text or binary) and prints what it holds.
import { toJson } from "@bufbuild/protobuf";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";
import { P4InfoSchema } from "@netapprox/p4runtime/proto/p4/config/v1/p4info_pb.js";
import { describeSchema } from "@netapprox/p4runtime/summary.js";
import { CliError, parseOptions, type Command } from "../command.js";

export const command: Command = {
  usage: "FILE [--json]",
  description: [
    "Loads a P4Info as p4c writes it (.json, .txtpb/.txt, or binary .bin/.pb) and prints its",
    "tables, actions, profiles, counters, meters, registers, digests, value sets and packet",
    "metadata with ids, widths and match kinds; fields and parameters this library cannot",
    "encode (types translated to strings, enums without a width) are listed at the end.",
    "--json prints the P4Info itself as JSON (the protobuf JSON mapping).",
  ].join("\n"),
  async run(argv) {
    const { values, positionals } = parseOptions(
      argv,
      { json: { type: "boolean", default: false } },
      true,
    );
    if (positionals.length !== 1)
      throw new CliError(`expected one P4Info file, got ${positionals.length}`);
    const schema = P4Schema.fromFile(positionals[0]!);
    console.log(
      values.json
        ? JSON.stringify(toJson(P4InfoSchema, schema.p4info), null, 2)
        : describeSchema(schema),
    );
    return 0;
  },
};
