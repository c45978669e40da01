// Our .proto files are written from the P4Runtime specification; these checks pin
// the wire encoding of fields a real switch depends on, and that the generated
// TypeScript is current.
import { create, toBinary } from "@bufbuild/protobuf";
import { execFileSync } from "node:child_process";
import {
  EntitySchema,
  MasterArbitrationUpdateSchema,
  StreamMessageRequestSchema,
  WriteRequestSchema,
} from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import { P4InfoSchema } from "@netapprox/p4runtime/proto/p4/config/v1/p4info_pb.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("wire encoding matches the specification's field numbers", () => {
  it("WriteRequest: device_id=1, election_id=3, updates=4, atomicity=5, role=6", () => {
    const req = create(WriteRequestSchema, {
      deviceId: 1n,
      electionId: { high: 0n, low: 2n },
      updates: [{ type: 1, entity: { entity: { case: "counterEntry", value: { counterId: 3 } } } }],
      atomicity: 1,
      role: "r",
    });
    // 08 01 | 1a 02 10 02 | 22 06 (08 01 12 02 3a 02 08 03) | 28 01 | 32 01 72
    expect(hex(toBinary(WriteRequestSchema, req))).toBe(
      "0801" + "1a021002" + "2208" + "0801" + "1204" + "3a020803" + "2801" + "320172",
    );
  });

  it("Entity oneof numbers: table_entry=2, meter_entry=5, register_entry=11, digest_entry=12", () => {
    const field = (e: Parameters<typeof create<typeof EntitySchema>>[1]) =>
      toBinary(EntitySchema, create(EntitySchema, e))[0]! >> 3;
    expect(field({ entity: { case: "tableEntry", value: { tableId: 1 } } })).toBe(2);
    expect(field({ entity: { case: "meterEntry", value: { meterId: 1 } } })).toBe(5);
    expect(field({ entity: { case: "packetReplicationEngineEntry", value: {} } })).toBe(9);
    expect(field({ entity: { case: "registerEntry", value: { registerId: 1 } } })).toBe(11);
    expect(field({ entity: { case: "digestEntry", value: { digestId: 1 } } })).toBe(12);
  });

  it("TableEntry keeps its later fields: is_default_action=8, meter_counter_data=12, is_const=13", () => {
    const bytes = toBinary(
      EntitySchema,
      create(EntitySchema, {
        entity: { case: "tableEntry", value: { isDefaultAction: true, isConst: true } },
      }),
    );
    // entity field 2 (len 4): 40 01 (field 8 varint) 68 01 (field 13 varint)
    expect(hex(bytes)).toBe("120440016801");
  });

  it("arbitration and P4Info numbers", () => {
    const arb = create(StreamMessageRequestSchema, {
      update: {
        case: "arbitration",
        value: create(MasterArbitrationUpdateSchema, {
          deviceId: 1n,
          electionId: { high: 0n, low: 1n },
        }),
      },
    });
    expect(hex(toBinary(StreamMessageRequestSchema, arb))).toBe("0a06" + "0801" + "1a021001");
    const info = create(P4InfoSchema, { typeInfo: {}, externs: [{ externTypeId: 1 }] });
    // externs=100 (tag a2 06), type_info=200 (tag c2 0c)
    expect(hex(toBinary(P4InfoSchema, info))).toBe("a206020801" + "c20c00");
  });
});

describe("generated code", () => {
  it("is up to date with proto/ (npm run proto:gen)", () => {
    const out = execFileSync("node", ["scripts/proto-gen.js", "--check"], { encoding: "utf8" });
    expect(out).toContain("up to date");
  }, 60_000);
});
