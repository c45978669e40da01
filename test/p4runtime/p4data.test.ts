import { create } from "@bufbuild/protobuf";
import { P4DataSchema, type P4Data } from "@netapprox/p4runtime/proto/p4/v1/p4data_pb.js";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";
import { decodeDigestData, decodeP4Data } from "@netapprox/p4runtime/p4data.js";
import { decodeEntity, encodeEntity, wildcard } from "@netapprox/p4runtime/entities.js";

const schema = P4Schema.fromFile("test/fixtures/p4info/learn.p4info.txtpb");
const bits = (...b: number[]): P4Data =>
  create(P4DataSchema, { data: { case: "bitstring", value: Uint8Array.from(b) } });
const struct = (...members: P4Data[]): P4Data =>
  create(P4DataSchema, { data: { case: "struct", value: { members } } });

describe("typed decoding of digest data", () => {
  const learn = (delta: number[], reason: number) =>
    struct(
      bits(0x00, 0x11, 0x22, 0x33, 0x44, 0x55),
      bits(0x01, 0x02),
      bits(...delta),
      create(P4DataSchema, { data: { case: "bool", value: true } }),
      create(P4DataSchema, { data: { case: "enumValue", value: Uint8Array.of(reason) } }),
      struct(bits(0x0f, 0xff)),
    );

  it("names struct members and decodes widths, signs, bools, enums and nested structs", () => {
    expect(decodeDigestData(schema, "learn_t", learn([0xfd], 2))).toEqual({
      src_mac: 0x001122334455n,
      port: 258n,
      delta: -3n,
      moved: true,
      reason: "MOVE",
      vlan: { vid: 4095n },
    });
    // int<8> -3 may come sign-extended to more bytes; an unknown enum value stays a number.
    expect(decodeDigestData(schema, "learn_t", learn([0xff, 0xfd], 9))).toMatchObject({
      delta: -3n,
      reason: 9n,
    });
  });

  it("says which member does not fit its type", () => {
    const tooWide = struct(bits(1), bits(0x04, 0x00), bits(1), bits(1), bits(1), struct(bits(1)));
    expect(() => decodeDigestData(schema, "learn_t", tooWide)).toThrow(
      "digest 'learn_t'.port: value needs 11 bits, bit<9> holds 9",
    );
    expect(() => decodeDigestData(schema, "learn_t", struct(bits(1)))).toThrow(
      "digest 'learn_t': struct learn_t has 6 members, got 1",
    );
    expect(() => decodeDigestData(schema, "learn_t", bits(1))).toThrow(
      "digest 'learn_t': expected struct learn_t, got bitstring",
    );
  });

  it("decodes by the data's own shape when there is no type", () => {
    expect(decodeP4Data(undefined, undefined, struct(bits(1), bits(0, 2)))).toEqual([1n, 2n]);
  });
});

describe("value set entries", () => {
  it("encode one-field members as bare values and others by field name, and decode back", () => {
    const trill = encodeEntity(schema, {
      kind: "valueSetEntry",
      valueSet: "trill_types",
      members: [0x22f3, "0x893b"],
    });
    expect(decodeEntity(schema, trill)).toEqual({
      kind: "valueSetEntry",
      valueSet: "parser.trill_types",
      members: [0x22f3n, 0x893bn],
    });
    const tunnels = encodeEntity(schema, {
      kind: "valueSetEntry",
      valueSet: "tunnels",
      members: [{ port: "4789&&&0xffff", proto: 17 }],
    });
    expect(decodeEntity(schema, tunnels)).toEqual({
      kind: "valueSetEntry",
      valueSet: "parser.tunnels",
      members: [{ proto: 17n, port: { value: 4789n, mask: 0xffffn } }],
    });
    expect(() =>
      encodeEntity(schema, { kind: "valueSetEntry", valueSet: "trill_types", members: [0x10000] }),
    ).toThrow("value set 'parser.trill_types' member 0 field '': value 65536 needs 17 bits");
    expect(wildcard.valueSets(schema, "tunnels").entity.value).toMatchObject({
      valueSetId: 50331650,
    });
  });
});
