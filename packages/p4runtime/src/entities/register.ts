// Register cells (bit<W> values only).
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { P4DataSchema } from "../proto/p4/v1/p4data_pb.js";
import { bytesToBigint, encodeValue, P4ValueError } from "../values.js";
import type { CodecOf } from "./codec.js";
import { decodeIndex, indexInit, indexKey } from "./common.js";

export const registerEntryCodec: CodecOf<"registerEntry", "registerEntry"> = {
  kind: "registerEntry",
  protoCase: "registerEntry",
  encode(schema, spec) {
    const register = schema.registers.get(spec.register);
    const subject = `register '${register.name}'`;
    let data: MessageInitShape<typeof P4DataSchema> | undefined;
    if (spec.value !== undefined) {
      if (register.bitwidth === undefined) {
        throw new P4ValueError(
          subject,
          "only registers of bit<W> cells can be written by this library",
        );
      }
      data = {
        data: { case: "bitstring", value: encodeValue(spec.value, register.bitwidth, subject) },
      };
    }
    return {
      entity: {
        case: "registerEntry",
        value: {
          registerId: register.id,
          index: indexInit(spec.index, register.size, subject),
          data,
        },
      },
    };
  },
  decode(schema, value) {
    const register = schema.registers.get(value.registerId);
    const data = value.data?.data;
    return {
      kind: "registerEntry",
      register: register.name,
      ...decodeIndex(value.index),
      ...(data?.case === "bitstring" ? { value: bytesToBigint(data.value) } : {}),
    };
  },
  key: (value) => `r:${value.registerId}:${indexKey(value.index)}`,
};
