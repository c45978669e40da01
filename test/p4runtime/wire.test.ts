// The hand-written wire format (wire.ts) against the generated code: for every
// entity kind, from specs, from messages and from init shapes, as entities, updates
// and whole WriteRequests, the bytes must be exactly what protobuf-es writes.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { allocate } from "@netapprox/model/allocation/allocate.js";
import {
  encodeEntity,
  encodeUpdateSpecs,
  entityInit,
  UPDATE_TYPES,
  type EntitySpec,
} from "@netapprox/p4runtime/entities.js";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";
import { toUint128 } from "@netapprox/p4runtime/values.js";
import {
  EncodedUpdates,
  entityToBinary,
  updateToBinary,
  WireWriter,
  writeRequestBytes,
  type EntityInit,
} from "@netapprox/p4runtime/wire.js";
import { pipelineContract } from "@netapprox/model/pipeline/contract.js";
import { translateAll } from "@netapprox/model/pipeline/translate.js";
import { loadPolicyFile } from "@netapprox/model/policy/load.js";
import {
  EntitySchema,
  UpdateSchema,
  Update_Type,
  WriteRequest_Atomicity,
  WriteRequestSchema,
  type Entity,
} from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";

const basic = P4Schema.fromFile("test/fixtures/p4info/basic.p4info.json");
const netapprox = P4Schema.fromFile("p4/build/netapprox.p4info.json");
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** The generated code's bytes of an entity. */
const generated = (e: Entity) => hex(toBinary(EntitySchema, e));

/** Checks one spec three ways: init shape, message, and as each kind of update. */
function expectIdentical(schema: P4Schema, spec: EntitySpec): void {
  const message = encodeEntity(schema, spec);
  const want = generated(message);
  expect(hex(entityToBinary(entityInit(schema, spec)))).toBe(want);
  expect(hex(entityToBinary(message))).toBe(want);
  for (const type of [Update_Type.INSERT, Update_Type.MODIFY, Update_Type.DELETE]) {
    expect(hex(updateToBinary({ type, entity: message }))).toBe(
      hex(toBinary(UpdateSchema, create(UpdateSchema, { type, entity: message }))),
    );
  }
}

const mac = "00:00:00:00:01:03";
const SPECS: [string, EntitySpec][] = [
  [
    "exact entry with a direct action",
    {
      kind: "tableEntry",
      table: "mac_table",
      match: { "hdr.ethernet.dst_addr": mac },
      action: { name: "set_port", params: { port: 7 } },
    },
  ],
  [
    "LPM entry with direct meter config, idle timeout and metadata",
    {
      kind: "tableEntry",
      table: "ipv4_lpm",
      match: { "hdr.ipv4.dst_addr": "10.1.2.3/20" },
      action: { name: "set_next_hop", params: { port: 0, smac: mac, dmac: 1 } },
      meterConfig: { cir: 1_000, cburst: 100, pir: 2_000, pburst: 200, eburst: 5 },
      idleTimeoutNs: 5_000_000_000n,
      metadata: Uint8Array.from([1, 2, 3]),
    },
  ],
  [
    "ternary, range and optional entry with a large priority",
    {
      kind: "tableEntry",
      table: "acl",
      match: {
        "hdr.ipv4.src_addr": "10.0.0.7&&&255.255.255.0",
        "hdr.udp.dst_port": "1000..2000",
        "hdr.ipv4.protocol": 17,
      },
      action: { name: "classify", params: { job_id: 1023 } },
      priority: 0x7fffffff,
    },
  ],
  [
    "entry pointing at a member",
    {
      kind: "tableEntry",
      table: "ecmp_routes",
      match: { "hdr.ipv4.dst_addr": "10.0.0.0/8" },
      member: 0,
    },
  ],
  [
    "entry pointing at a group",
    {
      kind: "tableEntry",
      table: "ecmp_routes",
      match: { "hdr.ipv4.dst_addr": "10.9.0.0/16" },
      group: 300,
    },
  ],
  [
    "entry with a one-shot action set",
    {
      kind: "tableEntry",
      table: "ecmp_routes",
      match: { "hdr.ipv4.dst_addr": "10.0.0.0/8" },
      actionSet: [
        { action: { name: "set_next_hop", params: { port: 1, smac: mac, dmac: mac } }, weight: 2 },
        {
          action: { name: "set_next_hop", params: { port: 2, smac: mac, dmac: mac } },
          weight: 1,
          watchPort: Uint8Array.from([2]),
        },
      ],
    },
  ],
  [
    "default entry",
    { kind: "tableEntry", table: "mac_table", isDefault: true, action: { name: "drop" } },
  ],
  [
    "delete key without action",
    { kind: "tableEntry", table: "ipv4_lpm", match: { "hdr.ipv4.dst_addr": "10.0.0.0/8" } },
  ],
  [
    "action profile member",
    {
      kind: "actionProfileMember",
      actionProfile: "ecmp_selector",
      memberId: 70_000,
      action: { name: "set_next_hop", params: { port: 511, smac: mac, dmac: mac } },
    },
  ],
  [
    "action profile group with weights and a watch port",
    {
      kind: "actionProfileGroup",
      actionProfile: "ecmp_selector",
      groupId: 1,
      members: [
        { memberId: 3, weight: 4 },
        { memberId: 1, watchPort: Uint8Array.from([9]) },
      ],
      maxSize: 16,
    },
  ],
  [
    "meter config of index 0",
    {
      kind: "meterEntry",
      meter: "job_meter",
      index: 0,
      config: { cir: 125_000, cburst: 15_000, pir: 2n ** 40n, pburst: 30_000 },
    },
  ],
  ["meter cell reset (no config)", { kind: "meterEntry", meter: "job_meter", index: 5 }],
  [
    "meter with counter data",
    {
      kind: "meterEntry",
      meter: "job_meter",
      index: 3,
      counterData: {
        green: { byteCount: 1n, packetCount: 0n },
        yellow: { byteCount: 0n, packetCount: 0n },
        red: { byteCount: 2n ** 62n, packetCount: 7n },
      },
    },
  ],
  [
    "direct meter entry",
    {
      kind: "directMeterEntry",
      tableEntry: { table: "ipv4_lpm", match: { "hdr.ipv4.dst_addr": "10.0.1.0/24" } },
      config: { cir: 1, cburst: 2, pir: 3, pburst: 4 },
    },
  ],
  [
    "counter cell",
    {
      kind: "counterEntry",
      counter: "port_counter",
      index: 2,
      data: { byteCount: 9n, packetCount: 1n },
    },
  ],
  ["every counter cell", { kind: "counterEntry", counter: "port_counter" }],
  [
    "direct counter entry",
    {
      kind: "directCounterEntry",
      tableEntry: { table: "mac_table", match: { "hdr.ethernet.dst_addr": mac } },
      data: { byteCount: 0n, packetCount: 3n },
    },
  ],
  ["register cell", { kind: "registerEntry", register: "qdepth", index: 1, value: 77 }],
  [
    "multicast group",
    {
      kind: "multicastGroupEntry",
      multicastGroupId: 1,
      replicas: [{ port: 1 }, { port: 2, instance: 1 }, { port: Uint8Array.from([0, 3]) }],
      metadata: Uint8Array.from([0xab]),
    },
  ],
  [
    "clone session",
    {
      kind: "cloneSessionEntry",
      sessionId: 5,
      replicas: [{ port: 255 }],
      classOfService: 2,
      packetLengthBytes: 128,
    },
  ],
  [
    "digest config",
    {
      kind: "digestEntry",
      digest: "learn",
      config: { maxTimeoutNs: 1_000_000n, maxListSize: 100, ackTimeoutNs: 10n ** 9n },
    },
  ],
];

describe("the wire writer against the generated code", () => {
  it.each(SPECS)("writes the same bytes: %s", (_name, spec) => expectIdentical(basic, spec));

  it("writes the same bytes for every entity the controller writes (dumbbell and leaf-spine)", () => {
    const contract = pipelineContract("v1model");
    let checked = 0;
    const kinds = new Set<string>();
    for (const name of ["dumbbell", "leaf-spine"]) {
      const topology = loadTopologyFile(`topologies/${name}.yaml`);
      const routing = computeRoutes(topology);
      const allocation = allocate(topology, routing, {}, loadPolicyFile(`policies/${name}.yaml`));
      for (const state of translateAll(allocation, routing.tables(), () => contract)) {
        for (const spec of state.entities) {
          expectIdentical(netapprox, spec);
          kinds.add(spec.kind === "tableEntry" ? `table ${spec.table}` : spec.kind);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    // Every table of the pipeline, members, groups and meter cells were among them.
    expect([...kinds].sort()).toEqual(
      [
        "actionProfileGroup",
        "actionProfileMember",
        "meterEntry",
        ...[...netapprox.tables].map((t) => `table ${t.name}`),
      ].sort(),
    );
  });

  it("writes whole WriteRequests as the generated code does, for any run of updates", () => {
    const specs = SPECS.map(([, s]) => s);
    const types = ["insert", "modify", "delete"] as const;
    const typeAt = (i: number) => types[i % types.length]!; // cycles through all three
    // From specs (meter cells written directly, the rest through entityInit) and from
    // init shapes into a buffer that starts small, so that growth is exercised too.
    const fromSpecs = encodeUpdateSpecs(
      basic,
      specs.map((entity, i) => ({ type: typeAt(i), entity })),
    );
    const encoded = new EncodedUpdates(2);
    specs.forEach((s, i) => encoded.add(UPDATE_TYPES[typeAt(i)], entityInit(basic, s)));
    const heads = [
      { deviceId: 1n },
      {
        deviceId: 2n ** 63n + 5n,
        electionId: toUint128((7n << 64n) | 9n),
        role: "rôle-ü",
        atomicity: WriteRequest_Atomicity.ROLLBACK_ON_ERROR,
      },
    ];
    for (const head of heads) {
      for (const [start, end] of [
        [0, specs.length],
        [0, 1],
        [3, 11],
        [specs.length - 1, specs.length],
      ] as const) {
        const want = toBinary(
          WriteRequestSchema,
          create(WriteRequestSchema, {
            ...head,
            updates: specs.slice(start, end).map((s, k) => ({
              type: UPDATE_TYPES[typeAt(start + k)],
              entity: encodeEntity(basic, s),
            })),
          }),
        );
        expect(hex(writeRequestBytes(head, encoded, start, end))).toBe(hex(want));
        expect(hex(writeRequestBytes(head, fromSpecs, start, end))).toBe(hex(want));
      }
    }
  });

  it("writes meter cells from specs as the generated code does, for any values (property)", () => {
    const value = fc.oneof(
      fc.nat({ max: 2 ** 40 }),
      fc.double({ min: 0, max: 1e12, noNaN: true }),
      fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
    );
    const meter = fc.record(
      {
        index: fc.nat({ max: 1023 }),
        config: fc.record(
          { cir: value, cburst: value, pir: value, pburst: value, eburst: value },
          { requiredKeys: ["cir", "cburst", "pir", "pburst"] },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(meter, fc.constantFrom("insert", "modify", "delete" as const), (m, type) => {
        const spec: EntitySpec = { kind: "meterEntry", meter: "job_meter", ...m };
        let want: string;
        try {
          want = hex(
            updateToBinary({ type: UPDATE_TYPES[type], entity: encodeEntity(basic, spec) }),
          );
        } catch (err) {
          // pir below cir: both paths refuse it with the same message.
          expect(() => encodeUpdateSpecs(basic, [{ type, entity: spec }])).toThrow(
            (err as Error).message,
          );
          return;
        }
        const got = encodeUpdateSpecs(basic, [{ type, entity: spec }]).range(0, 1);
        // range() includes the WriteRequest.updates tag and length in front of the Update.
        expect(hex(got)).toMatch(new RegExp(`^22[0-9a-f]{2,4}${want}$`));
        expect(hex(got).length - want.length).toBeLessThanOrEqual(6);
      }),
      { numRuns: 500 },
    );
    expect(() =>
      encodeUpdateSpecs(basic, [
        { type: "modify", entity: { kind: "meterEntry", meter: "job_meter", index: 5000 } },
      ]),
    ).toThrow("meter 'ingress.job_meter': index 5000 is outside 0..");
    expect(() =>
      encodeUpdateSpecs(basic, [
        {
          type: "modify",
          entity: {
            kind: "meterEntry",
            meter: "job_meter",
            index: 1,
            config: { cir: -1, cburst: 1, pir: 1, pburst: 1 },
          },
        },
      ]),
    ).toThrow("cir -1 is negative");
  });

  it("keeps the unknown fields of a decoded message, as toBinary does", () => {
    const known = toBinary(EntitySchema, encodeEntity(basic, SPECS[2]![1]));
    // A table entry with an unknown varint field 99 inside and an unknown bytes field 50 outside.
    const w = new WireWriter();
    w.raw(known.subarray(0, 1)); // tag of table_entry
    const inner = known.subarray(2); // known.length < 128: one length byte
    const extra = Uint8Array.from([0x98, 0x06, 0x2a]); // field 99, varint 42
    w.uint32(inner.length + extra.length);
    w.raw(inner);
    w.raw(extra);
    w.bytes(50, Uint8Array.from([1, 2]));
    const decoded = fromBinary(EntitySchema, w.view().slice());
    expect(decoded.$unknown).toHaveLength(1);
    expect(hex(entityToBinary(decoded))).toBe(generated(decoded));
  });

  it("writes the same bytes for arbitrary field values (property)", () => {
    const bytes = fc.uint8Array({ minLength: 0, maxLength: 300 });
    const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    const uint32 = fc.nat({ max: 0xffffffff });
    const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    const fieldMatch = fc.record({
      fieldId: uint32,
      fieldMatchType: fc.oneof(
        fc.record({ case: fc.constant("exact" as const), value: fc.record({ value: bytes }) }),
        fc.record({
          case: fc.constant("lpm" as const),
          value: fc.record({ value: bytes, prefixLen: int32 }),
        }),
        fc.record({
          case: fc.constant("ternary" as const),
          value: fc.record({ value: bytes, mask: bytes }),
        }),
        fc.record({
          case: fc.constant("range" as const),
          value: fc.record({ low: bytes, high: bytes }),
        }),
        fc.record({ case: fc.constant("optional" as const), value: fc.record({ value: bytes }) }),
        fc.record({
          case: fc.constant("other" as const),
          value: fc.record({ typeUrl: fc.string(), value: bytes }),
        }),
      ),
    });
    const meterConfig = fc.record({
      cir: int64,
      cburst: int64,
      pir: int64,
      pburst: int64,
      eburst: int64,
    });
    const tableEntry = fc.record(
      {
        tableId: uint32,
        match: fc.array(fieldMatch, { maxLength: 6 }),
        action: fc.record({
          type: fc.oneof(
            fc.record({ case: fc.constant("actionProfileMemberId" as const), value: uint32 }),
            fc.record({ case: fc.constant("actionProfileGroupId" as const), value: uint32 }),
            fc.record({
              case: fc.constant("action" as const),
              value: fc.record({
                actionId: uint32,
                params: fc.array(fc.record({ paramId: uint32, value: bytes }), { maxLength: 5 }),
              }),
            }),
          ),
        }),
        priority: int32,
        meterConfig,
        isDefaultAction: fc.boolean(),
        idleTimeoutNs: int64,
        metadata: bytes,
        isConst: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    const entity = fc.oneof(
      fc.record({
        entity: fc.record({ case: fc.constant("tableEntry" as const), value: tableEntry }),
      }),
      fc.record({
        entity: fc.record({
          case: fc.constant("meterEntry" as const),
          value: fc.record(
            { meterId: uint32, index: fc.record({ index: int64 }), config: meterConfig },
            { requiredKeys: [] },
          ),
        }),
      }),
      fc.record({
        entity: fc.record({
          case: fc.constant("actionProfileGroup" as const),
          value: fc.record({
            actionProfileId: uint32,
            groupId: uint32,
            members: fc.array(fc.record({ memberId: uint32, weight: int32 }), { maxLength: 40 }),
            maxSize: int32,
          }),
        }),
      }),
    );
    fc.assert(
      fc.property(entity, (init) => {
        const e = init as EntityInit;
        const want = hex(toBinary(EntitySchema, create(EntitySchema, e)));
        expect(hex(entityToBinary(e))).toBe(want);
        expect(hex(entityToBinary(create(EntitySchema, e)))).toBe(want);
      }),
      { numRuns: 300 },
    );
  });

  it("writes lengths of one, two and three bytes", () => {
    for (const size of [0, 127, 128, 16_383, 16_384, 70_000]) {
      const e = create(EntitySchema, {
        entity: {
          case: "tableEntry",
          value: { tableId: 1, metadata: new Uint8Array(size).fill(7) },
        },
      });
      expect(hex(entityToBinary(e))).toBe(generated(e));
    }
  });
});
