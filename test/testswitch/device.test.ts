import { create } from "@bufbuild/protobuf";
import { status as Code } from "@grpc/grpc-js";
import {
  EntitySchema,
  UpdateSchema,
  Update_Type,
  type Entity,
} from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import {
  decodeEntity,
  encodeEntity,
  wildcard,
  type EntitySpec,
} from "@netapprox/p4runtime/entities.js";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";
import { BMV2_QUIRKS, DeviceState } from "@netapprox/controller/testswitch/device.js";

const schema = P4Schema.fromFile("test/fixtures/p4info/basic.p4info.json");

function update(type: Update_Type, entity: Entity) {
  return create(UpdateSchema, { type, entity });
}
const insert = (d: DeviceState, spec: EntitySpec) =>
  d.apply(update(Update_Type.INSERT, encodeEntity(schema, spec)));
const modify = (d: DeviceState, spec: EntitySpec) =>
  d.apply(update(Update_Type.MODIFY, encodeEntity(schema, spec)));
const remove = (d: DeviceState, spec: EntitySpec) =>
  d.apply(update(Update_Type.DELETE, encodeEntity(schema, spec)));

const route = (prefix: string, port = 1): EntitySpec => ({
  kind: "tableEntry",
  table: "ipv4_lpm",
  match: { "hdr.ipv4.dst_addr": prefix },
  action: { name: "set_next_hop", params: { port, smac: 1, dmac: 2 } },
});

describe("DeviceState writes", () => {
  it("inserts, refuses duplicates, modifies and deletes with the right codes", () => {
    const d = new DeviceState(schema);
    expect(insert(d, route("10.0.0.0/8")).code).toBe(Code.OK);
    expect(insert(d, route("10.0.0.0/8")).code).toBe(Code.ALREADY_EXISTS);
    expect(modify(d, route("10.0.0.0/8", 7)).code).toBe(Code.OK);
    expect(modify(d, route("11.0.0.0/8")).code).toBe(Code.NOT_FOUND);
    expect(
      d.read(wildcard.tableEntries(schema, "ipv4_lpm")).map((e) => decodeEntity(schema, e)),
    ).toMatchObject([{ action: { params: { port: 7n } } }]);
    expect(remove(d, route("10.0.0.0/8")).code).toBe(Code.OK);
    expect(remove(d, route("10.0.0.0/8")).code).toBe(Code.NOT_FOUND);
    expect(d.entryCount).toBe(0);
  });

  it("answers INVALID_ARGUMENT for unknown ids and a missing priority, OUT_OF_RANGE for bad widths", () => {
    const d = new DeviceState(schema);
    const unknownTable = create(EntitySchema, {
      entity: { case: "tableEntry", value: { tableId: 42 } },
    });
    expect(d.apply(update(Update_Type.INSERT, unknownTable))).toEqual({
      code: Code.INVALID_ARGUMENT,
      message: "unknown table id 42",
    });

    const tooWide = encodeEntity(schema, route("10.0.0.0/8"));
    const params = (
      tooWide.entity.value as { action: { type: { value: { params: { value: Uint8Array }[] } } } }
    ).action.type.value.params;
    params[0]!.value = Uint8Array.of(0x02, 0x00); // 512 in a 9-bit field
    const tooWideMessage =
      "table 'ingress.routing.ipv4_lpm': action 'ingress.routing.set_next_hop' parameter 'port': value needs 10 bits, field is 9 bits wide";
    expect(d.apply(update(Update_Type.INSERT, tooWide))).toEqual({
      code: Code.OUT_OF_RANGE,
      message: tooWideMessage,
    });
    // PI (BMv2) answers INVALID_ARGUMENT here; the quirk keeps that code.
    expect(new DeviceState(schema, BMV2_QUIRKS).apply(update(Update_Type.INSERT, tooWide))).toEqual(
      { code: Code.INVALID_ARGUMENT, message: tooWideMessage },
    );
    params[0]!.value = new Uint8Array();
    expect(d.apply(update(Update_Type.INSERT, tooWide))).toMatchObject({
      code: Code.OUT_OF_RANGE,
      message: expect.stringContaining("empty bytestring"),
    });

    const noPriority = create(EntitySchema, {
      entity: {
        case: "tableEntry",
        value: {
          tableId: schema.tables.get("acl").id,
          action: { type: { case: "action", value: { actionId: schema.actions.get("drop").id } } },
        },
      },
    });
    expect(d.apply(update(Update_Type.INSERT, noPriority)).message).toBe(
      "table 'ingress.acl': entries need a priority > 0",
    );

    const hostBits = encodeEntity(schema, route("10.0.0.0/8"));
    const lpm = (
      hostBits.entity.value as { match: { fieldMatchType: { value: { value: Uint8Array } } }[] }
    ).match[0]!;
    lpm.fieldMatchType.value.value = Uint8Array.of(10, 0, 0, 1);
    expect(d.apply(update(Update_Type.INSERT, hostBits)).message).toBe(
      "table 'ingress.routing.ipv4_lpm' field 'hdr.ipv4.dst_addr': bits past the /8 prefix must be zero",
    );

    const missingExact = create(EntitySchema, {
      entity: {
        case: "tableEntry",
        value: {
          tableId: schema.tables.get("mac_table").id,
          action: { type: { case: "action", value: { actionId: schema.actions.get("drop").id } } },
        },
      },
    });
    expect(d.apply(update(Update_Type.INSERT, missingExact)).message).toBe(
      "table 'ingress.l2.mac_table': exact match field 'hdr.ethernet.dst_addr' is missing",
    );
  });

  it("keeps action profile references consistent", () => {
    const d = new DeviceState(schema);
    const member = (id: number): EntitySpec => ({
      kind: "actionProfileMember",
      actionProfile: "ecmp_selector",
      memberId: id,
      action: { name: "set_next_hop", params: { port: id, smac: 1, dmac: 2 } },
    });
    const group: EntitySpec = {
      kind: "actionProfileGroup",
      actionProfile: "ecmp_selector",
      groupId: 1,
      members: [{ memberId: 1 }, { memberId: 2 }],
    };
    const entry: EntitySpec = {
      kind: "tableEntry",
      table: "ecmp_routes",
      match: { "hdr.ipv4.dst_addr": "10.0.0.0/8" },
      group: 1,
    };
    expect(insert(d, group).code).toBe(Code.NOT_FOUND); // members do not exist yet
    expect(insert(d, entry).code).toBe(Code.NOT_FOUND); // nor does the group
    expect(insert(d, member(1)).code).toBe(Code.OK);
    expect(insert(d, member(2)).code).toBe(Code.OK);
    expect(insert(d, group).code).toBe(Code.OK);
    expect(insert(d, entry).code).toBe(Code.OK);
    expect(remove(d, member(1)).code).toBe(Code.FAILED_PRECONDITION);
    expect(remove(d, group).code).toBe(Code.FAILED_PRECONDITION);
    expect(remove(d, entry).code).toBe(Code.OK);
    expect(remove(d, group).code).toBe(Code.OK);
    expect(remove(d, member(1)).code).toBe(Code.OK);
  });

  it("behaves like BMv2 for meters and registers", () => {
    const d = new DeviceState(schema, BMV2_QUIRKS);
    const meter: EntitySpec = {
      kind: "meterEntry",
      meter: "job_meter",
      index: 3,
      config: { cir: 1000, cburst: 100, pir: 2000, pburst: 100 },
    };
    expect(insert(d, meter).message).toBe("meter entries support MODIFY only");
    expect(modify(d, meter).code).toBe(Code.OK);
    expect(d.meterConfig("job_meter", 3)?.pir).toBe(2000n);
    expect(
      modify(d, {
        kind: "meterEntry",
        meter: "job_meter",
        config: { cir: 1, cburst: 1, pir: 1, pburst: 1 },
      }).message,
    ).toBe("a meter write needs an index (wildcard meter writes are not supported)");
    expect(modify(d, { kind: "registerEntry", register: "qdepth", index: 0, value: 3 }).code).toBe(
      Code.UNIMPLEMENTED,
    );
    expect(() => d.read(wildcard.registerEntries(schema, "qdepth"))).toThrow(
      "register reads are not supported",
    );

    const full = new DeviceState(schema, { ...BMV2_QUIRKS, registersUnimplemented: false });
    expect(
      modify(full, { kind: "registerEntry", register: "qdepth", index: 2, value: 77 }).code,
    ).toBe(Code.OK);
    expect(
      decodeEntity(schema, full.read(wildcard.registerEntries(schema, "qdepth"))[2]!),
    ).toMatchObject({ index: 2, value: 77n });
  });

  it("reads counters by wildcard and by index, with injected values", () => {
    const d = new DeviceState(schema);
    d.setCounter("port_counter", 4, 10n, 1500n);
    d.addCounter("port_counter", 4, 1n, 100n);
    const all = d.read(wildcard.counterEntries(schema, "port_counter"));
    expect(all).toHaveLength(64);
    expect(decodeEntity(schema, all[4]!)).toEqual({
      kind: "counterEntry",
      counter: "ingress.port_counter",
      index: 4,
      data: { packetCount: 11n, byteCount: 1600n },
    });
    const one = d.read(
      encodeEntity(schema, { kind: "counterEntry", counter: "port_counter", index: 5 }),
    );
    expect(decodeEntity(schema, one[0]!)).toMatchObject({ data: { packetCount: 0n } });
    expect(() => d.read(create(EntitySchema, {}))).toThrow("read request has an empty entity");
  });

  it("reads default entries only when asked, falling back to the program's default", () => {
    const d = new DeviceState(schema);
    const def = d.read(wildcard.defaultEntry(schema, "ipv4_lpm"));
    expect(decodeEntity(schema, def[0]!)).toMatchObject({
      isDefault: true,
      action: { name: "NoAction" },
    });
    expect(
      modify(d, {
        kind: "tableEntry",
        table: "ipv4_lpm",
        isDefault: true,
        action: { name: "drop" },
      }).code,
    ).toBe(Code.OK);
    expect(
      decodeEntity(schema, d.read(wildcard.defaultEntry(schema, "ipv4_lpm"))[0]!),
    ).toMatchObject({ action: { name: "ingress.drop" } });
    expect(d.read(wildcard.tableEntries(schema, "ipv4_lpm"))).toHaveLength(0);
    expect(
      insert(d, {
        kind: "tableEntry",
        table: "ipv4_lpm",
        isDefault: true,
        action: { name: "drop" },
      }).message,
    ).toContain("the default entry can only be modified");
  });

  it("tracks direct counters and meters per entry", () => {
    const d = new DeviceState(schema);
    const mac: EntitySpec = {
      kind: "tableEntry",
      table: "mac_table",
      match: { "hdr.ethernet.dst_addr": 5 },
      action: { name: "set_port", params: { port: 2 } },
    };
    expect(insert(d, mac).code).toBe(Code.OK);
    expect(
      modify(d, {
        kind: "directCounterEntry",
        tableEntry: { table: "mac_table", match: { "hdr.ethernet.dst_addr": 5 } },
        data: { packetCount: 3n, byteCount: 300n },
      }).code,
    ).toBe(Code.OK);
    const read = d.read(
      encodeEntity(schema, {
        kind: "directCounterEntry",
        tableEntry: { table: "mac_table", match: { "hdr.ethernet.dst_addr": 5 } },
      }),
    );
    expect(decodeEntity(schema, read[0]!)).toMatchObject({
      data: { packetCount: 3n, byteCount: 300n },
    });
    expect(
      modify(d, {
        kind: "directCounterEntry",
        tableEntry: { table: "mac_table", match: { "hdr.ethernet.dst_addr": 6 } },
      }).code,
    ).toBe(Code.NOT_FOUND);
  });

  it("carries compatible state over on RECONCILE_AND_COMMIT", () => {
    const d = new DeviceState(schema);
    insert(d, route("10.0.0.0/8"));
    modify(d, {
      kind: "meterEntry",
      meter: "job_meter",
      index: 1,
      config: { cir: 1, cburst: 1, pir: 2, pburst: 1 },
    });
    const next = new DeviceState(schema);
    d.carryOverTo(next);
    expect(next.entryCount).toBe(1);
    expect(next.meterConfig("job_meter", 1)?.pir).toBe(2n);
  });
});
