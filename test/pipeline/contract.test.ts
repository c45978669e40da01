import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";
import {
  ACTION_NAMES,
  COUNTER_LAYOUT,
  CONTRACTS,
  DropReason,
  Dscp,
  MeterColor,
  NATIVE_METER_COLORS,
  PIPELINE_TARGETS,
  PipelineContractError,
  TABLE_NAMES,
  TrafficClass,
  assertContract,
  checkContract,
  checkQueue,
  decodeJobColorIndex,
  decodePortClassIndex,
  decodePortDropIndex,
  isPipelineTarget,
  jobColorIndex,
  pipelineContract,
  portClassIndex,
  portDropIndex,
  type PipelineTarget,
} from "@netapprox/model/pipeline/contract.js";

const root = resolve(fileURLToPath(import.meta.url), "../../..");

/**
 * The committed P4Info as JSON. The Tofino backend adds a `barefoot.PortMetadata`
 * extern whose google.protobuf.Any P4Schema.fromJson cannot decode (the type is not
 * in its registry); architecture externs are outside the contract, so they are
 * dropped here.
 */
function p4infoJson(target: PipelineTarget): P4InfoJson {
  const json = JSON.parse(
    readFileSync(join(root, CONTRACTS[target].artifacts.p4info), "utf8"),
  ) as P4InfoJson & { externs?: unknown };
  delete json.externs;
  return json;
}
const schemaOf = (target: PipelineTarget): P4Schema =>
  P4Schema.fromJson(JSON.stringify(p4infoJson(target)), CONTRACTS[target].artifacts.p4info);

/** The committed P4Info with one edit applied to its JSON form. */
function editedSchema(target: PipelineTarget, edit: (json: P4InfoJson) => void): P4Schema {
  const json = p4infoJson(target);
  edit(json);
  return P4Schema.fromJson(JSON.stringify(json), "edited P4Info");
}

interface PreambleJson {
  id: number;
  name: string;
  alias: string;
}
interface P4InfoJson {
  tables: {
    preamble: PreambleJson;
    matchFields: { name: string; bitwidth: number; matchType?: string }[];
    actionRefs: { id: number; scope?: string }[];
    size?: string;
  }[];
  actions: { preamble: PreambleJson; params?: { name: string; bitwidth: number }[] }[];
  counters: { preamble: PreambleJson; size?: string }[];
  meters: { preamble: PreambleJson; spec: { unit: string } }[];
  registers?: { preamble: PreambleJson }[];
}

describe.each(PIPELINE_TARGETS)("the committed %s P4Info", (target) => {
  const contract = pipelineContract(target);
  let schema: P4Schema;
  beforeAll(() => {
    schema = schemaOf(target);
  });

  test("matches the contract as a whole", () => {
    expect(checkContract(contract, schema)).toEqual([]);
    expect(assertContract(contract, schema)).toBe(schema);
  });

  test.each(TABLE_NAMES)("table %s: name, match fields and widths", (logical) => {
    const t = contract.tables[logical];
    const table = schema.tables.get(t.name);
    expect(table.name).toBe(t.name);
    expect([...table.matchFields].map((f) => [f.name, f.bitwidth, f.matchType])).toEqual(
      t.matchFields.map((f) => [f.name, f.bitwidth, f.matchType]),
    );
    expect(table.needsPriority).toBe(t.needsPriority);
    expect(table.size).toBe(t.size);
  });

  test.each(ACTION_NAMES)("action %s: name and param widths", (logical) => {
    const a = contract.actions[logical];
    const action = schema.actions.get(a.name);
    expect(action.name).toBe(a.name);
    expect([...action.params].map((p) => [p.name, p.bitwidth])).toEqual(
      a.params.map((p) => [p.name, p.bitwidth]),
    );
  });

  test("meter, counters and the ECMP action profile exist with their sizes", () => {
    const meter = schema.meters.get(contract.meters.job_meter.name);
    expect([meter.unit, meter.size]).toEqual(["bytes", COUNTER_LAYOUT.jobs]);
    for (const c of Object.values(contract.counters)) {
      for (const name of c.names) {
        const counter = schema.counters.get(name);
        expect([counter.name, counter.unit, counter.size]).toEqual([name, "both", c.size]);
      }
    }
    const profile = schema.actionProfiles.get(contract.actionProfiles.ecmp_selector.name);
    expect(profile.withSelector).toBe(true);
    expect(schema.tables.get(contract.tables.routing_v4.name).implementationId).toBe(profile.id);
  });

  test("has no table, action, counter or meter the contract does not name", () => {
    const known = (names: string[]) => new Set(names);
    const tables = known(Object.values(contract.tables).map((t) => t.name));
    const actions = known(Object.values(contract.actions).map((a) => a.name));
    const counters = known(Object.values(contract.counters).flatMap((c) => c.names));
    const meters = known(Object.values(contract.meters).map((m) => m.name));
    expect([...schema.tables].map((t) => t.name).filter((n) => !tables.has(n))).toEqual([]);
    expect([...schema.actions].map((a) => a.name).filter((n) => !actions.has(n))).toEqual([]);
    expect([...schema.counters].map((c) => c.name).filter((n) => !counters.has(n))).toEqual([]);
    expect([...schema.meters].map((m) => m.name).filter((n) => !meters.has(n))).toEqual([]);
    expect(schema.directCounters.size + schema.directMeters.size).toBe(0);
  });

  test("keeps registers internal: only the v1model queue-depth record exists", () => {
    // BMv2's P4Runtime server refuses registers, so the controller must never need one.
    const registers = [...schema.registers].map((r) => r.name);
    expect(registers).toEqual(target === "v1model" ? ["queue_depth"] : []);
  });

  test("a renamed table is reported", () => {
    const name = contract.tables.classifier.name;
    const edited = editedSchema(target, (j) => {
      const t = j.tables.find((x) => x.preamble.name === name)!;
      t.preamble.name = `${name}_v2`;
      t.preamble.alias = `${t.preamble.alias}_v2`;
    });
    expect(checkContract(contract, edited)).toContain(`table '${name}' is missing`);
    expect(() => assertContract(contract, edited)).toThrow(PipelineContractError);
  });

  test("a changed match field width or kind is reported", () => {
    const name = contract.tables.port_role.name;
    const edited = editedSchema(target, (j) => {
      const t = j.tables.find((x) => x.preamble.name === name)!;
      t.matchFields[0]!.bitwidth = 16;
      t.matchFields[0]!.matchType = "TERNARY";
    });
    expect(checkContract(contract, edited)).toEqual(
      expect.arrayContaining([
        `table '${name}' field 'ingress_port' is 16 bits, expected 9`,
        `table '${name}' field 'ingress_port' is ternary, expected exact`,
      ]),
    );
  });

  test("a changed action param is reported", () => {
    const name = contract.actions.set_queue.name;
    const edited = editedSchema(target, (j) => {
      j.actions.find((a) => a.preamble.name === name)!.params![0]!.bitwidth = 3;
    });
    expect(checkContract(contract, edited)).toEqual([
      `action '${name}' param 'queue' is 3 bits, expected 5`,
    ]);
  });

  test("an action taken away from a table is reported", () => {
    const table = contract.tables.color_action.name;
    const drop = contract.actions.drop_meter_red.name;
    const edited = editedSchema(target, (j) => {
      const dropId = j.actions.find((a) => a.preamble.name === drop)!.preamble.id;
      const t = j.tables.find((x) => x.preamble.name === table)!;
      t.actionRefs = t.actionRefs.filter((r) => r.id !== dropId);
    });
    expect(checkContract(contract, edited)).toEqual([`table '${table}' lacks action '${drop}'`]);
  });

  test("a meter counting packets instead of bytes is reported", () => {
    const name = contract.meters.job_meter.name;
    const edited = editedSchema(target, (j) => {
      j.meters.find((m) => m.preamble.name === name)!.spec.unit = "PACKETS";
    });
    expect(checkContract(contract, edited)).toEqual([
      `meter '${name}' counts packets, expected bytes`,
    ]);
  });
});

describe("per-target naming", () => {
  test("names are control-qualified; TNA moves the thresholds to egress", () => {
    expect(CONTRACTS.v1model.tables.routing_v4.name).toBe("NetapproxIngress.routing_v4");
    expect(CONTRACTS.tna.tables.routing_v4.name).toBe("NetapproxIngress.routing_v4");
    expect(CONTRACTS.v1model.tables.port_thresholds.name).toBe("NetapproxIngress.port_thresholds");
    expect(CONTRACTS.tna.tables.port_thresholds.name).toBe("NetapproxEgress.port_thresholds");
    expect(CONTRACTS.tna.actions.set_thresholds.name).toBe("NetapproxEgress.set_thresholds");
    expect(CONTRACTS.v1model.actionProfiles.ecmp_selector.name).toBe(
      "NetapproxIngress.ecmp_selector",
    );
    expect(CONTRACTS.tna.actionProfiles.ecmp_selector.name).toBe("NetapproxIngress.ecmp_profile");
    expect(CONTRACTS.v1model.counters.port_drops.names).toEqual(["NetapproxIngress.port_drops"]);
    expect(CONTRACTS.tna.counters.port_drops.names).toEqual([
      "NetapproxIngress.port_drops",
      "NetapproxEgress.port_drops",
    ]);
  });

  test("isPipelineTarget accepts the two targets only", () => {
    expect(["v1model", "tna", "bmv2", ""].map(isPipelineTarget)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  test("checkQueue allows 8 BMv2 priority queues and 32 Tofino queues", () => {
    expect(checkQueue(CONTRACTS.v1model, 7)).toBe(7);
    expect(() => checkQueue(CONTRACTS.v1model, 8)).toThrow(/queue id on v1model 8 is out of range/);
    expect(checkQueue(CONTRACTS.tna, 31)).toBe(31);
    expect(() => checkQueue(CONTRACTS.tna, 32)).toThrow(RangeError);
  });
});

describe("counter index formulas", () => {
  test("compute the documented layouts", () => {
    expect(portClassIndex(3, TrafficClass.APPROX_BEST_EFFORT)).toBe(14);
    expect(portDropIndex(3, DropReason.NO_ROUTE)).toBe(26);
    expect(jobColorIndex(5, MeterColor.RED)).toBe(22);
    expect(portClassIndex(511, TrafficClass.CONTROL)).toBe(2047);
    expect(jobColorIndex(1023, MeterColor.RED)).toBe(4094);
  });

  test("decode what they encode, and skip unused slots", () => {
    for (const [port, tc] of [
      [0, 0],
      [7, 3],
      [511, 2],
    ] as const) {
      expect(decodePortClassIndex(portClassIndex(port, tc))).toEqual({ port, trafficClass: tc });
    }
    expect(decodePortDropIndex(portDropIndex(9, DropReason.NOT_IPV4))).toEqual({
      port: 9,
      reason: DropReason.NOT_IPV4,
    });
    expect(decodePortDropIndex(9 * 8 + 5)).toBeUndefined();
    expect(decodeJobColorIndex(jobColorIndex(1000, MeterColor.YELLOW))).toEqual({
      jobId: 1000,
      color: MeterColor.YELLOW,
    });
    expect(decodeJobColorIndex(4 * 2 + 3)).toBeUndefined();
  });

  test("reject values outside the layout", () => {
    expect(() => portClassIndex(512, 0)).toThrow(/port 512 is out of range/);
    expect(() => portClassIndex(1, 4)).toThrow(/traffic class 4/);
    expect(() => portDropIndex(1, 5)).toThrow(/drop reason 5/);
    expect(() => jobColorIndex(1024, 0)).toThrow(/job id 1024/);
    expect(() => jobColorIndex(1, 3)).toThrow(/meter colour 3/);
    expect(() => jobColorIndex(1.5, 0)).toThrow(RangeError);
    expect(() => decodePortClassIndex(2048)).toThrow(/port_class_tx index 2048/);
  });
});

describe("constants agree with p4/include/defines.p4", () => {
  const defines = readFileSync(join(root, "p4/include/defines.p4"), "utf8");
  const p4Value = (name: string): number => {
    const m = new RegExp(
      `(?:const\\s+[\\w<>]+\\s+${name}\\s*=|#define\\s+${name}\\s)\\s*(\\w+)`,
    ).exec(defines);
    if (m === null) throw new Error(`defines.p4 has no ${name}`);
    return Number(m[1]);
  };

  test("traffic classes, colours, drop reasons and DSCPs", () => {
    expect(p4Value("TC_EXACT")).toBe(TrafficClass.EXACT);
    expect(p4Value("TC_APPROX_GUARANTEED")).toBe(TrafficClass.APPROX_GUARANTEED);
    expect(p4Value("TC_APPROX_BEST_EFFORT")).toBe(TrafficClass.APPROX_BEST_EFFORT);
    expect(p4Value("TC_CONTROL")).toBe(TrafficClass.CONTROL);
    expect(p4Value("COLOR_GREEN")).toBe(MeterColor.GREEN);
    expect(p4Value("COLOR_YELLOW")).toBe(MeterColor.YELLOW);
    expect(p4Value("COLOR_RED")).toBe(MeterColor.RED);
    for (const [name, value] of Object.entries(DropReason)) {
      expect([name, p4Value(`DROP_${name}`)]).toEqual([name, value]);
    }
    expect(p4Value("DSCP_DEFAULT")).toBe(Dscp.DEFAULT);
    expect(p4Value("DSCP_CS6")).toBe(Dscp.CS6);
  });

  test("counter and table sizes", () => {
    expect(p4Value("NUM_PORTS")).toBe(COUNTER_LAYOUT.ports);
    expect(p4Value("NUM_JOBS")).toBe(COUNTER_LAYOUT.jobs);
    expect(p4Value("PORT_CLASS_SLOTS")).toBe(CONTRACTS.v1model.counters.port_class_tx.size);
    expect(p4Value("PORT_DROP_SLOTS")).toBe(CONTRACTS.v1model.counters.port_drops.size);
    expect(p4Value("JOB_COLOR_SLOTS")).toBe(CONTRACTS.v1model.counters.job_colors.size);
    expect(p4Value("ECMP_MEMBERS")).toBe(CONTRACTS.v1model.actionProfiles.ecmp_selector.size);
  });

  test("the TNA meter is built to return the normalised colours", () => {
    // Tofino's native RED is 3; p4/tna/netapprox.p4 passes (RED, YELLOW, GREEN) encodings.
    expect(NATIVE_METER_COLORS.tna.RED).not.toBe(MeterColor.RED);
    const tna = readFileSync(join(root, "p4/tna/netapprox.p4"), "utf8").replace(/\s+/g, " ");
    expect(tna).toContain(
      "(NUM_JOBS, MeterType_t.BYTES, (bit<8>) COLOR_RED, (bit<8>) COLOR_YELLOW, (bit<8>) COLOR_GREEN) job_meter;",
    );
  });
});
