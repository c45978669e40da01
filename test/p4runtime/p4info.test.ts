import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toBinary, toJson } from "@bufbuild/protobuf";
import { toText } from "@bufbuild/protobuf/txtpb";
import { P4InfoSchema } from "@netapprox/p4runtime/proto/p4/config/v1/p4info_pb.js";
import { P4InfoError, P4LookupError, P4Schema } from "@netapprox/p4runtime/p4info.js";
import { encodeEntity } from "@netapprox/p4runtime/entities.js";
import { pipelineCookie } from "@netapprox/p4runtime/switch.js";
import { describeSchema } from "@netapprox/p4runtime/summary.js";

const FIXTURE = "test/fixtures/p4info/basic.p4info.json";
const tmp = mkdtempSync(join(tmpdir(), "p4info-test-"));

describe("P4Schema", () => {
  const schema = P4Schema.fromFile(FIXTURE);

  it("indexes every object kind by full name, alias, suffix and id", () => {
    expect(schema.tables.size).toBe(4);
    const t = schema.tables.get("ingress.routing.ipv4_lpm");
    expect(schema.tables.get("ipv4_lpm")).toBe(t);
    expect(schema.tables.get("routing.ipv4_lpm")).toBe(t);
    expect(schema.tables.get(33554434)).toBe(t);
    expect(schema.actions.get("set_next_hop").params.get("dmac").bitwidth).toBe(48);
    expect(schema.actionProfiles.get("ecmp_selector").withSelector).toBe(true);
    expect(schema.counters.get("port_counter")).toMatchObject({ unit: "both", size: 64 });
    expect(schema.directCounters.get("mac_counter").directTableId).toBe(33554433);
    expect(schema.meters.get("job_meter")).toMatchObject({
      unit: "bytes",
      type: "two_rate_three_color",
      size: 128,
    });
    expect(schema.directMeters.get("route_meter").directTableId).toBe(33554434);
    expect(schema.registers.get("qdepth")).toMatchObject({ size: 16, bitwidth: 19 });
    expect(schema.digests.get("learn").typeName).toBe("learn_t");
    expect(
      schema.controllerPacketMetadata.get("packet_out").metadata.get("egress_port").bitwidth,
    ).toBe(9);
    expect(schema.programName).toBe("basic");
    expect(schema.arch).toBe("v1model");
  });

  it("derives match kinds, priorities, action scopes and implementations", () => {
    const acl = schema.tables.get("acl");
    expect([...acl.matchFields].map((f) => f.matchType)).toEqual(["ternary", "range", "optional"]);
    expect(acl.needsPriority).toBe(true);
    expect(schema.tables.get("mac_table").needsPriority).toBe(false);
    const lpm = schema.tables.get("ipv4_lpm");
    expect(lpm.actionRefs.map((r) => [r.action.name, r.scope])).toEqual([
      ["ingress.routing.set_next_hop", "table_and_default"],
      ["ingress.drop", "table_and_default"],
      ["NoAction", "default_only"],
    ]);
    expect(schema.tables.get("ecmp_routes").implementationId).toBe(
      schema.actionProfiles.get("ecmp_selector").id,
    );
    expect(schema.directResourceTable(318767105)?.name).toBe("ingress.l2.mac_table");
  });

  it("names what exists when a lookup fails", () => {
    expect(() => schema.tables.get("nope")).toThrow(P4LookupError);
    expect(() => schema.tables.get("nope")).toThrow(
      `no table 'nope' in ${FIXTURE}; known: ingress.l2.mac_table, ingress.routing.ipv4_lpm, ingress.acl, ingress.routing.ecmp_routes`,
    );
    expect(() => schema.meters.get(7)).toThrow(`no meter id 7 in ${FIXTURE}`);
    expect(schema.tables.find("nope")).toBeUndefined();
  });

  it("reports an ambiguous suffix instead of guessing", () => {
    const twoDrops = JSON.parse(readFileSync(FIXTURE, "utf8"));
    twoDrops.actions.push({
      preamble: { id: 16777299, name: "egress.drop", alias: "egress.drop" },
    });
    const ambiguous = P4Schema.fromJson(JSON.stringify(twoDrops), "two.json");
    expect(() => ambiguous.actions.get("drop")).toThrow(
      "action 'drop' is ambiguous in two.json: it could be ingress.drop, egress.drop",
    );
  });

  it("loads the text and binary forms to the same schema", () => {
    const txt = join(tmp, "x.p4info.txtpb");
    const bin = join(tmp, "x.p4info.bin");
    writeFileSync(txt, toText(P4InfoSchema, schema.p4info));
    writeFileSync(bin, toBinary(P4InfoSchema, schema.p4info));
    expect(P4Schema.fromFile(txt).fingerprint).toBe(schema.fingerprint);
    expect(P4Schema.fromFile(bin).fingerprint).toBe(schema.fingerprint);
  });

  it("gives a clear error for a missing, malformed or inconsistent P4Info", () => {
    expect(() => P4Schema.fromFile(join(tmp, "absent.json"))).toThrow(
      `${join(tmp, "absent.json")}: cannot read the file: ENOENT`,
    );
    const broken = join(tmp, "broken.json");
    writeFileSync(broken, '{"tables": [');
    expect(() => P4Schema.fromFile(broken)).toThrow(P4InfoError);
    expect(() => P4Schema.fromFile(broken)).toThrow(`${broken}: not valid JSON`);
    const wrongType = join(tmp, "wrong.json");
    writeFileSync(wrongType, '{"tables": {"preamble": 3}}');
    expect(() => P4Schema.fromFile(wrongType)).toThrow(`${wrongType}: not a P4Info message`);
    const json = JSON.parse(readFileSync(FIXTURE, "utf8"));
    json.tables[1].actionRefs.push({ id: 99 });
    expect(() => P4Schema.fromJson(JSON.stringify(json), "bad.json")).toThrow(
      "bad.json: tables[1].actionRefs[3].id: no action has id 99",
    );
    const dup = JSON.parse(readFileSync(FIXTURE, "utf8"));
    dup.counters[0].preamble.id = 33554433;
    expect(() => P4Schema.fromJson(JSON.stringify(dup), "dup.json")).toThrow(
      "id 33554433 is also used by tables[0] (ingress.l2.mac_table)",
    );
    const zeroWidth = JSON.parse(readFileSync(FIXTURE, "utf8"));
    zeroWidth.tables[0].matchFields[0].bitwidth = 0;
    expect(() => P4Schema.fromJson(JSON.stringify(zeroWidth), "w.json")).toThrow(
      "w.json: tables[0].matchFields[0].bitwidth: expected a positive width (or a type_name) for 'hdr.ethernet.dst_addr'",
    );
    const latin1 = join(tmp, "latin1.p4info.txtpb");
    writeFileSync(latin1, Buffer.from('pkg_info {\n  name: "caf\xe9"\n}\n', "latin1"));
    expect(() => P4Schema.fromFile(latin1)).toThrow(
      `${latin1}: invalid UTF-8 at line 2, column 13 (byte 0xe9); save the file as UTF-8`,
    );
    const textLike = join(tmp, "looks-like-text.json");
    writeFileSync(textLike, 'pkg_info {\n  arch: "v1model"\n}\n');
    expect(() => P4Schema.fromFile(textLike)).toThrow("this looks like the text format");
  });

  it("loads a P4Info whose target-specific Any fields it cannot decode, leaving them out", () => {
    const json = JSON.parse(readFileSync(FIXTURE, "utf8"));
    json.externs = [
      {
        externTypeId: 144,
        externTypeName: "PortMetadata",
        instances: [
          {
            preamble: { id: 2419725669, name: "ingress.$PORT_METADATA" },
            info: { "@type": "type.googleapis.com/barefoot.PortMetadata", keyName: "port" },
          },
        ],
      },
    ];
    const loaded = P4Schema.fromJson(JSON.stringify(json), "tofino.json");
    expect(loaded.tables.size).toBe(4);
    expect(loaded.p4info.externs[0]!.instances[0]!.info).toBeUndefined();
  });

  it("has a fingerprint that changes with the program", () => {
    const json = JSON.parse(readFileSync(FIXTURE, "utf8"));
    json.tables[0].size = "65";
    expect(P4Schema.fromJson(JSON.stringify(json)).fingerprint).not.toBe(schema.fingerprint);
  });
});

describe("P4Infos with types this library cannot encode", () => {
  it("loads a match field translated to a string, and fails only when it is used", () => {
    const schema = P4Schema.fromFile("test/fixtures/p4info/translated-string.p4info.txtpb");
    const table = schema.tables.get("port_map");
    const port = table.matchFields.get("istd.ingress_port");
    expect(port).toMatchObject({ bitwidth: 0, typeName: "PortId_t" });
    expect(port.unsupported).toContain(
      'translated to a string (@p4runtime_translation("p4.org/psa/v1/PortId_t", string))',
    );
    expect(table.matchFields.get("hdr.ethernet.ether_type").unsupported).toBeUndefined();
    expect(() =>
      encodeEntity(schema, {
        kind: "tableEntry",
        table: "port_map",
        match: { "istd.ingress_port": 1, "hdr.ethernet.ether_type": 0x800 },
        action: { name: "NoAction" },
      }),
    ).toThrow(
      "table 'ingress.port_map' field 'istd.ingress_port': cannot encode: its type 'PortId_t' is translated to a string",
    );
    // Everything else of the program works.
    expect(() =>
      encodeEntity(schema, {
        kind: "tableEntry",
        table: "port_map",
        isDefault: true,
        action: { name: "set_vlan", params: { vid: 7 } },
      }),
    ).not.toThrow();
  });

  it("loads an action parameter whose type is an enum without a width", () => {
    const schema = P4Schema.fromFile("test/fixtures/p4info/enum-param.p4info.json");
    const color = schema.actions.get("set_color").params.get("color");
    expect(color.unsupported).toContain("its type 'Color' is an enum without a width");
    const entry = (action: { name: string; params?: Record<string, number> }) =>
      encodeEntity(schema, {
        kind: "tableEntry",
        table: "paint",
        match: { "hdr.ipv4.dst_addr": "10.0.0.1" },
        action,
      });
    expect(() => entry({ name: "NoAction" })).not.toThrow();
    expect(() => entry({ name: "set_color", params: { color: 1, port: 2 } })).toThrow(
      "action 'ingress.set_color' parameter 'color': cannot encode: its type 'Color' is an enum without a width",
    );
  });

  it("takes the width of a serializable enum or a new type when the field has none", () => {
    const json = JSON.parse(readFileSync("test/fixtures/p4info/enum-param.p4info.json", "utf8"));
    json.actions[1].params[0].typeName.name = "Hue";
    json.typeInfo.serializableEnums = {
      Hue: { underlyingType: { bitwidth: 4 }, members: [{ name: "RED", value: "AQ==" }] },
    };
    const schema = P4Schema.fromJson(JSON.stringify(json), "hue.json");
    expect(schema.actions.get("set_color").params.get("color")).toMatchObject({ bitwidth: 4 });
  });
});

describe("pipeline cookie", () => {
  const text = readFileSync("test/fixtures/p4info/learn.p4info.txtpb", "utf8");

  it("is the same for the text, JSON and binary forms, whatever order the type_info maps were read in", () => {
    const fromText = P4Schema.fromText(text, "learn.txtpb");
    const json = toJson(P4InfoSchema, fromText.p4info) as { typeInfo: { structs: object } };
    // The same message, its map entries listed the other way round.
    json.typeInfo.structs = Object.fromEntries(Object.entries(json.typeInfo.structs).reverse());
    const fromJson = P4Schema.fromJson(JSON.stringify(json), "learn.json");
    expect(Object.keys(fromJson.p4info.typeInfo!.structs)).toEqual(["learn_t", "vlan_t"]);
    expect(Object.keys(fromText.p4info.typeInfo!.structs)).toEqual(["vlan_t", "learn_t"]);
    // Serialised as read, the two differ; the fingerprint does not.
    expect(toBinary(P4InfoSchema, fromJson.p4info)).not.toEqual(
      toBinary(P4InfoSchema, fromText.p4info),
    );
    const fromBinary = P4Schema.fromBinary(toBinary(P4InfoSchema, fromJson.p4info), "learn.bin");
    expect(fromJson.fingerprint).toBe(fromText.fingerprint);
    expect(fromBinary.fingerprint).toBe(fromText.fingerprint);
    const deviceConfig = Uint8Array.of(1, 2, 3);
    expect(pipelineCookie({ schema: fromJson, deviceConfig })).toBe(
      pipelineCookie({ schema: fromText, deviceConfig }),
    );
  });

  it("is the same for the committed pipelines' text and JSON P4Infos (BMv2 and Tofino)", () => {
    for (const dir of ["p4/build", "p4/build/tna"]) {
      expect(P4Schema.fromFile(`${dir}/netapprox.p4info.txtpb`).fingerprint).toBe(
        P4Schema.fromFile(`${dir}/netapprox.p4info.json`).fingerprint,
      );
    }
  });
});

describe("describeSchema", () => {
  it("prints every object with ids, match kinds, widths and action signatures", () => {
    const text = describeSchema(P4Schema.fromFile(FIXTURE));
    expect(text.split("\n")[0]).toBe(
      `basic (v1model), from ${FIXTURE}: 4 tables, 5 actions, 1 action profile, 2 counters, 2 meters, 1 register, 1 digest, 0 value sets`,
    );
    expect(text).toContain(
      "  ingress.acl (id 33554435, size 128)\n    match: hdr.ipv4.src_addr ternary bit<32>, hdr.udp.dst_port range bit<16>, hdr.ipv4.protocol optional bit<8>; entries need a priority",
    );
    expect(text).toContain(
      "  ingress.routing.set_next_hop(port: bit<9>, smac: bit<48>, dmac: bit<48>) (id 16777219)",
    );
    expect(text).toContain("ingress.routing.ipv4_lpm (id 33554434, size 1024)");
    expect(text).toContain(
      "actions: ingress.routing.set_next_hop, ingress.drop, NoAction [default only]",
    );
    expect(text).not.toContain("not encodable");
  });

  it("lists what cannot be encoded, with the reason", () => {
    const text = describeSchema(P4Schema.fromFile("test/fixtures/p4info/enum-param.p4info.json"));
    expect(text).toContain("ingress.set_color(color: Color (not encodable), port: bit<9>)");
    expect(text).toContain(
      "not encodable by this library (loaded; using them fails with this reason):\n  action ingress.set_color parameter color: its type 'Color' is an enum without a width",
    );
  });
});
