import { create } from "@bufbuild/protobuf";
import { EntitySchema } from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import { wildcard } from "@netapprox/p4runtime/entities.js";
import { codecOf, entityCodecs } from "@netapprox/p4runtime/entities/registry.js";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";

const schema = P4Schema.fromFile("test/fixtures/p4info/basic.p4info.json");

describe("entity codec registry", () => {
  it("files each codec under its own kind", () => {
    for (const [kind, codec] of Object.entries(entityCodecs)) expect(codec.kind).toBe(kind);
    expect(Object.keys(entityCodecs)).toHaveLength(12);
  });

  it("finds the codec of a protobuf entity by its case, and by its type for replication", () => {
    const found = (e: ReturnType<typeof wildcard.digests>) => codecOf(e)?.kind;
    expect(found(wildcard.tableEntries(schema, "acl"))).toBe("tableEntry");
    expect(found(wildcard.actionProfileGroups())).toBe("actionProfileGroup");
    expect(found(wildcard.counterEntries())).toBe("counterEntry");
    expect(found(wildcard.meterEntries())).toBe("meterEntry");
    expect(found(wildcard.registerEntries())).toBe("registerEntry");
    expect(found(wildcard.multicastGroups())).toBe("multicastGroupEntry");
    expect(found(wildcard.cloneSessions())).toBe("cloneSessionEntry");
    expect(found(wildcard.valueSets())).toBe("valueSetEntry");
  });

  it("takes a replication entry of neither kind as a multicast group, which fails to decode", () => {
    const neither = create(EntitySchema, {
      entity: { case: "packetReplicationEngineEntry", value: {} },
    });
    const codec = codecOf(neither)!;
    expect(codec.kind).toBe("multicastGroupEntry");
    expect(codec.key(neither.entity.value as never)).toBe("pre:?");
    expect(() => codec.decode(schema, neither.entity.value as never)).toThrow(
      /neither a multicast group nor a clone session/,
    );
  });

  it("has no codec for extern entries or an empty entity", () => {
    expect(codecOf(create(EntitySchema, { entity: { case: "externEntry", value: {} } }))).toBe(
      undefined,
    );
    expect(codecOf(create(EntitySchema, {}))).toBe(undefined);
  });
});
