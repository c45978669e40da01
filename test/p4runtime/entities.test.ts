import { create } from "@bufbuild/protobuf";
import { EntitySchema } from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import {
  decodeEntity,
  encodeEntity,
  entityKey,
  entityKindOf,
  normalizeEntity,
  sameEntity,
  wildcard,
  type EntitySpec,
} from "@netapprox/p4runtime/entities.js";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";

const schema = P4Schema.fromFile("test/fixtures/p4info/basic.p4info.json");
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

const route: EntitySpec = {
  kind: "tableEntry",
  table: "ipv4_lpm",
  match: { "hdr.ipv4.dst_addr": "10.0.1.0/24" },
  action: {
    name: "set_next_hop",
    params: { port: 3, smac: "00:00:00:00:00:01", dmac: "00:00:00:00:01:03" },
  },
};

describe("table entries", () => {
  it("encode names to ids and values to canonical bytes", () => {
    const e = encodeEntity(schema, route);
    expect(e.entity.case).toBe("tableEntry");
    const t = e.entity
      .value as import("@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js").TableEntry;
    expect(t.tableId).toBe(33554434);
    expect(t.match).toHaveLength(1);
    const lpm = t.match[0]!.fieldMatchType;
    expect(lpm.case).toBe("lpm");
    if (lpm.case === "lpm") {
      expect(hex(lpm.value.value)).toBe("0a000100");
      expect(lpm.value.prefixLen).toBe(24);
    }
    const a = t.action!.type;
    expect(a.case).toBe("action");
    if (a.case === "action") {
      expect(a.value.actionId).toBe(16777219);
      expect(a.value.params.map((p) => [p.paramId, hex(p.value)])).toEqual([
        [1, "03"],
        [2, "01"],
        [3, "0103"],
      ]);
    }
  });

  it("decode back to the same spec with canonical values", () => {
    const decoded = decodeEntity(schema, encodeEntity(schema, route));
    expect(decoded).toEqual({
      kind: "tableEntry",
      table: "ingress.routing.ipv4_lpm",
      match: { "hdr.ipv4.dst_addr": { value: 0x0a000100n, prefixLen: 24 } },
      action: {
        name: "ingress.routing.set_next_hop",
        params: { port: 3n, smac: 1n, dmac: 0x103n },
      },
    });
    // And the decoded form encodes to the identical message.
    expect(sameEntity(encodeEntity(schema, decoded), encodeEntity(schema, route))).toBe(true);
  });

  it("handle ternary, range and optional fields with priorities; omit wildcards", () => {
    const acl: EntitySpec = {
      kind: "tableEntry",
      table: "acl",
      match: {
        "hdr.ipv4.src_addr": "10.0.0.0&&&255.0.0.0",
        "hdr.udp.dst_port": "5000..5999",
        "hdr.ipv4.protocol": 17,
      },
      action: { name: "classify", params: { job_id: 7 } },
      priority: 10,
    };
    const decoded = decodeEntity(schema, encodeEntity(schema, acl));
    expect(decoded).toMatchObject({
      match: {
        "hdr.ipv4.src_addr": { value: 0x0a000000n, mask: 0xff000000n },
        "hdr.udp.dst_port": { low: 5000n, high: 5999n },
        "hdr.ipv4.protocol": 17n,
      },
      priority: 10,
    });
    const wild = encodeEntity(schema, {
      ...acl,
      match: { "hdr.ipv4.src_addr": "0.0.0.0&&&0.0.0.0", "hdr.udp.dst_port": "0..65535" },
    });
    expect((wild.entity.value as { match: unknown[] }).match).toHaveLength(0);
  });

  it("refuse wrong names, widths, kinds and priorities before anything is sent", () => {
    expect(() => encodeEntity(schema, { ...route, table: "routes" } as EntitySpec)).toThrow(
      "no table 'routes' in test/fixtures/p4info/basic.p4info.json",
    );
    expect(() =>
      encodeEntity(schema, { ...route, match: { "hdr.ipv4.dst": "10.0.0.0/8" } } as EntitySpec),
    ).toThrow("no match field of table 'ingress.routing.ipv4_lpm' 'hdr.ipv4.dst'");
    expect(() =>
      encodeEntity(schema, {
        ...route,
        action: { name: "set_next_hop", params: { port: 512, smac: 0, dmac: 0 } },
      } as EntitySpec),
    ).toThrow(
      "action 'ingress.routing.set_next_hop' parameter 'port': value 512 needs 10 bits, field is 9 bits wide",
    );
    expect(() =>
      encodeEntity(schema, {
        ...route,
        action: { name: "set_next_hop", params: { port: 1, smac: 0 } },
      } as EntitySpec),
    ).toThrow("parameter 'dmac' (bit<48>) is missing");
    expect(() =>
      encodeEntity(schema, {
        ...route,
        action: { name: "set_port", params: { port: 1 } },
      } as EntitySpec),
    ).toThrow("action 'ingress.l2.set_port' is not one of its actions");
    expect(() =>
      encodeEntity(schema, { kind: "tableEntry", table: "acl", action: { name: "drop" } }),
    ).toThrow("entries of this table need a priority > 0");
    expect(() => encodeEntity(schema, { ...route, priority: 5 } as EntitySpec)).toThrow(
      "priority 5 given, but the table has only exact and LPM fields",
    );
    expect(() =>
      encodeEntity(schema, {
        kind: "tableEntry",
        table: "mac_table",
        match: { "hdr.ethernet.dst_addr": { value: 1, prefixLen: 8 } },
        action: { name: "drop" },
      }),
    ).toThrow("expected a single value for a exact field");
    expect(() =>
      encodeEntity(schema, {
        kind: "tableEntry",
        table: "ecmp_routes",
        match: { "hdr.ipv4.dst_addr": "10.0.0.0/8" },
        action: { name: "drop" },
      }),
    ).toThrow("the table uses an action profile: give a member, group or actionSet");
    expect(() => encodeEntity(schema, { kind: "tableEntry", table: "ipv4_lpm", group: 1 })).toThrow(
      "the table has no action profile",
    );
  });

  it("encode default entries and action profile references", () => {
    const def = decodeEntity(
      schema,
      encodeEntity(schema, {
        kind: "tableEntry",
        table: "ipv4_lpm",
        isDefault: true,
        action: { name: "NoAction" },
      }),
    );
    expect(def).toEqual({
      kind: "tableEntry",
      table: "ingress.routing.ipv4_lpm",
      isDefault: true,
      action: { name: "NoAction", params: {} },
    });
    const viaGroup = decodeEntity(
      schema,
      encodeEntity(schema, {
        kind: "tableEntry",
        table: "ecmp_routes",
        match: { "hdr.ipv4.dst_addr": "10.0.2.0/24" },
        group: 4,
      }),
    );
    expect(viaGroup).toMatchObject({ group: 4 });
  });
});

describe("other entity kinds", () => {
  const specs: EntitySpec[] = [
    {
      kind: "actionProfileMember",
      actionProfile: "ecmp_selector",
      memberId: 1,
      action: { name: "set_next_hop", params: { port: 1, smac: 1, dmac: 2 } },
    },
    {
      kind: "actionProfileGroup",
      actionProfile: "ecmp_selector",
      groupId: 2,
      members: [
        { memberId: 3, weight: 1 },
        { memberId: 1, weight: 2 },
      ],
    },
    {
      kind: "counterEntry",
      counter: "port_counter",
      index: 5,
      data: { byteCount: 100n, packetCount: 2n },
    },
    {
      kind: "meterEntry",
      meter: "job_meter",
      index: 9,
      config: { cir: 1000n, cburst: 1500n, pir: 2000n, pburst: 3000n },
    },
    {
      kind: "directCounterEntry",
      tableEntry: { table: "mac_table", match: { "hdr.ethernet.dst_addr": "00:00:00:00:00:05" } },
      data: { byteCount: 1n, packetCount: 1n },
    },
    {
      kind: "directMeterEntry",
      tableEntry: { table: "ipv4_lpm", match: { "hdr.ipv4.dst_addr": "10.0.0.0/8" } },
      config: { cir: 10, cburst: 10, pir: 20, pburst: 20 },
    },
    { kind: "registerEntry", register: "qdepth", index: 3, value: 1000 },
    {
      kind: "multicastGroupEntry",
      multicastGroupId: 1,
      replicas: [
        { port: 1, instance: 0 },
        { port: 2, instance: 0 },
      ],
    },
    {
      kind: "cloneSessionEntry",
      sessionId: 5,
      replicas: [{ port: 255, instance: 1 }],
      classOfService: 1,
    },
    {
      kind: "digestEntry",
      digest: "learn",
      config: { maxTimeoutNs: 1_000_000n, maxListSize: 10, ackTimeoutNs: 5_000_000n },
    },
  ];

  it.each(specs.map((s) => [s.kind, s] as const))(
    "%s round-trips through protobuf",
    (_kind, spec) => {
      const encoded = encodeEntity(schema, spec);
      expect(entityKindOf(encoded)).toBe(spec.kind);
      const again = encodeEntity(schema, decodeEntity(schema, encoded));
      expect(sameEntity(again, encoded)).toBe(true);
    },
  );

  it("sorts group members so member order does not make two groups differ", () => {
    const a = encodeEntity(schema, specs[1]!);
    const b = encodeEntity(schema, {
      ...(specs[1] as Extract<EntitySpec, { kind: "actionProfileGroup" }>),
      members: [
        { memberId: 1, weight: 2 },
        { memberId: 3, weight: 1 },
      ],
    });
    expect(sameEntity(a, b)).toBe(true);
  });

  it("check indexes and meter rates", () => {
    expect(() =>
      encodeEntity(schema, { kind: "counterEntry", counter: "port_counter", index: 64 }),
    ).toThrow("counter 'ingress.port_counter': index 64 is outside 0..63");
    expect(() =>
      encodeEntity(schema, {
        kind: "meterEntry",
        meter: "job_meter",
        index: 0,
        config: { cir: 10, cburst: 1, pir: 5, pburst: 1 },
      }),
    ).toThrow("meter 'ingress.job_meter': pir 5 is below cir 10");
    expect(() =>
      encodeEntity(schema, { kind: "registerEntry", register: "qdepth", index: 0, value: 1 << 19 }),
    ).toThrow("register 'ingress.qdepth': value 524288 needs 20 bits, field is 19 bits wide");
  });
});

describe("normalisation and keys", () => {
  it("treats padded read-back values and field order as equal", () => {
    const written = encodeEntity(schema, {
      kind: "tableEntry",
      table: "acl",
      match: { "hdr.udp.dst_port": "80..80", "hdr.ipv4.src_addr": "10.0.0.1&&&255.255.255.255" },
      action: { name: "drop" },
      priority: 3,
    });
    // What a server might return: fields reversed, values padded to full width.
    const readBack = create(EntitySchema, {
      entity: {
        case: "tableEntry",
        value: {
          tableId: 33554435,
          priority: 3,
          match: [
            {
              fieldId: 2,
              fieldMatchType: {
                case: "range",
                value: { low: Uint8Array.of(0, 80), high: Uint8Array.of(0, 80) },
              },
            },
            {
              fieldId: 1,
              fieldMatchType: {
                case: "ternary",
                value: {
                  value: Uint8Array.of(10, 0, 0, 1),
                  mask: Uint8Array.of(255, 255, 255, 255),
                },
              },
            },
          ],
          action: { type: { case: "action", value: { actionId: 16777218 } } },
        },
      },
    });
    expect(sameEntity(readBack, written)).toBe(false);
    expect(sameEntity(normalizeEntity(schema, readBack), written)).toBe(true);
    expect(entityKey(readBack)).toBe(entityKey(written));
  });

  it("keys differ for different matches, priorities and kinds", () => {
    const a = encodeEntity(schema, route);
    const b = encodeEntity(schema, {
      ...route,
      match: { "hdr.ipv4.dst_addr": "10.0.2.0/24" },
    } as EntitySpec);
    expect(entityKey(a)).not.toBe(entityKey(b));
    const m1 = encodeEntity(schema, { kind: "meterEntry", meter: "job_meter", index: 1 });
    const m2 = encodeEntity(schema, { kind: "meterEntry", meter: "job_meter", index: 2 });
    expect(entityKey(m1)).not.toBe(entityKey(m2));
    expect(entityKey(wildcard.meterEntries(schema, "job_meter"))).toBe("m:335544321:*");
  });

  it("builds wildcard requests", () => {
    expect(wildcard.tableEntries().entity.value).toMatchObject({ tableId: 0 });
    expect(wildcard.tableEntries(schema, "acl").entity.value).toMatchObject({ tableId: 33554435 });
    expect(wildcard.defaultEntry(schema, "acl").entity.value).toMatchObject({
      isDefaultAction: true,
    });
    expect(wildcard.counterEntries(schema, "port_counter").entity.value).toMatchObject({
      counterId: 302063617,
    });
    expect(
      (wildcard.counterEntries(schema, "port_counter").entity.value as { index?: unknown }).index,
    ).toBeUndefined();
  });

  it("refuses to decode ids the schema does not have", () => {
    const unknown = create(EntitySchema, {
      entity: { case: "tableEntry", value: { tableId: 99 } },
    });
    expect(() => decodeEntity(schema, unknown)).toThrow("no table id 99");
  });
});
