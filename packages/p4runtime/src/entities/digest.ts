// Digest configurations (how the switch batches digest lists).
import type { CodecOf } from "./codec.js";

export const digestEntryCodec: CodecOf<"digestEntry", "digestEntry"> = {
  kind: "digestEntry",
  protoCase: "digestEntry",
  encode(schema, spec) {
    const digest = schema.digests.get(spec.digest);
    return {
      entity: {
        case: "digestEntry",
        value: { digestId: digest.id, config: spec.config && { ...spec.config } },
      },
    };
  },
  decode: (schema, value) => ({
    kind: "digestEntry",
    digest: schema.digests.get(value.digestId).name,
    ...(value.config ? { config: { ...value.config } } : {}),
  }),
  key: (value) => `d:${value.digestId}`,
};
