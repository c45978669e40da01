import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toBinary } from "@bufbuild/protobuf";
import { toText } from "@bufbuild/protobuf/txtpb";
import { P4InfoSchema } from "../../controller/src/proto/p4/config/v1/p4info_pb.js";
import { P4InfoError, P4LookupError, P4Schema } from "../../controller/src/p4runtime/p4info.js";

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
      "w.json: tables[0].matchFields[0].bitwidth: expected a positive width for 'hdr.ethernet.dst_addr'",
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
