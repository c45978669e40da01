// The netapprox pipeline contract: every name, width and constant the controller
// relies on in the P4 programs under p4/, per target (v1model for BMv2, tna for
// Tofino). Logical names are the P4 local names (`routing_v4`, `set_next_hop`);
// the contract maps them to each target's P4Info names. test/pipeline/contract.test.ts
// checks it against the committed P4Infos, so a rename in P4 breaks a test, not a
// switch; `checkContract` does the same at run time against a loaded P4Info.
//
// Pure: no I/O.
//
// Over 500 lines because it is mostly data: the tables, actions and per-target names, which
// are read and reviewed side by side against the P4 programs.
import type { MatchKind, P4Schema } from "@netapprox/p4runtime/p4info.js";

export const PIPELINE_TARGETS = ["v1model", "tna"] as const;
export type PipelineTarget = (typeof PIPELINE_TARGETS)[number];

export function isPipelineTarget(value: string): value is PipelineTarget {
  return (PIPELINE_TARGETS as readonly string[]).includes(value);
}

// ---------------------------------------------------------------- constants --

/** Widths of the values the pipeline carries (p4/include/defines.p4). */
export const WIDTHS = {
  port: 9,
  jobId: 16,
  trafficClass: 2,
  dscp: 6,
  protocol: 8,
  l4Port: 16,
  ipv4: 32,
  mac: 48,
  color: 2,
  queue: 5,
  qdepth: 19,
} as const;

export const TrafficClass = {
  EXACT: 0,
  APPROX_GUARANTEED: 1,
  APPROX_BEST_EFFORT: 2,
  CONTROL: 3,
} as const;
export type TrafficClass = (typeof TrafficClass)[keyof typeof TrafficClass];
export const TRAFFIC_CLASS_COUNT = 4;

/**
 * Meter colours as the pipeline uses them (color_action keys, job_colors index).
 * Both programs normalise to these values; see NATIVE_METER_COLORS.
 */
export const MeterColor = { GREEN: 0, YELLOW: 1, RED: 2 } as const;
export type MeterColor = (typeof MeterColor)[keyof typeof MeterColor];

/** What each architecture's meter extern returns natively (RED differs). */
export const NATIVE_METER_COLORS: Readonly<
  Record<PipelineTarget, Readonly<Record<keyof typeof MeterColor, number>>>
> = {
  v1model: { GREEN: 0, YELLOW: 1, RED: 2 },
  tna: { GREEN: 0, YELLOW: 1, RED: 3 },
};

/** Why a packet was dropped: the low bits of a port_drops index. */
export const DropReason = {
  /** Edge meter said RED: beyond the job's allocation. Counted on the ingress port. */
  METER_RED: 0,
  /** Best-effort approximate packet over the port's LE threshold. Counted on the egress port. */
  LE_THRESHOLD: 1,
  /** No routing_v4 entry (or a drop_no_route member). Counted on the ingress port. */
  NO_ROUTE: 2,
  /** TTL 0 or 1 on arrival. Counted on the ingress port. */
  TTL_EXPIRED: 3,
  /** Not plain IPv4: another EtherType or an IPv4 header with options. Ingress port. */
  NOT_IPV4: 4,
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];
export const DROP_REASON_COUNT = 5;

/**
 * DSCP values. LE and AF11 are defaults the controller installs (color_action,
 * dscp_class, queue_map) and may change; DEFAULT and CS6 are written by the
 * classifier actions classify_exact / classify_control and fixed at compile time.
 */
export const Dscp = { DEFAULT: 0, LE: 1, AF11: 10, CS6: 48 } as const;

/** Counter index layout (p4/include/defines.p4): index = key * stride + low part. */
export const COUNTER_LAYOUT = {
  ports: 512,
  jobs: 1024,
  portClassStride: 4,
  portDropStride: 8,
  jobColorStride: 4,
} as const;

export class PipelineValueError extends RangeError {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = "PipelineValueError";
  }
}

function checkInt(what: string, value: number, limit: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= limit) {
    throw new PipelineValueError(
      `${what} ${value} is out of range: expected an integer in [0, ${limit})`,
    );
  }
}

/** port_class_tx index of (egress port, traffic class). */
export function portClassIndex(port: number, trafficClass: number): number {
  checkInt("port", port, COUNTER_LAYOUT.ports);
  checkInt("traffic class", trafficClass, TRAFFIC_CLASS_COUNT);
  return port * COUNTER_LAYOUT.portClassStride + trafficClass;
}

/** port_drops index of (port, drop reason). */
export function portDropIndex(port: number, reason: number): number {
  checkInt("port", port, COUNTER_LAYOUT.ports);
  checkInt("drop reason", reason, DROP_REASON_COUNT);
  return port * COUNTER_LAYOUT.portDropStride + reason;
}

/** job_colors index of (job id, normalised colour). */
export function jobColorIndex(jobId: number, color: number): number {
  checkInt("job id", jobId, COUNTER_LAYOUT.jobs);
  checkInt("meter colour", color, 3);
  return jobId * COUNTER_LAYOUT.jobColorStride + color;
}

/** Inverse of portClassIndex (for counters read with a wildcard index). */
export function decodePortClassIndex(index: number): { port: number; trafficClass: number } {
  checkInt("port_class_tx index", index, COUNTER_LAYOUT.ports * COUNTER_LAYOUT.portClassStride);
  return {
    port: Math.floor(index / COUNTER_LAYOUT.portClassStride),
    trafficClass: index % COUNTER_LAYOUT.portClassStride,
  };
}

/** Inverse of portDropIndex; undefined for the unused slots (reasons 5 to 7). */
export function decodePortDropIndex(index: number): { port: number; reason: number } | undefined {
  checkInt("port_drops index", index, COUNTER_LAYOUT.ports * COUNTER_LAYOUT.portDropStride);
  const reason = index % COUNTER_LAYOUT.portDropStride;
  if (reason >= DROP_REASON_COUNT) return undefined;
  return { port: Math.floor(index / COUNTER_LAYOUT.portDropStride), reason };
}

/** Inverse of jobColorIndex; undefined for the unused slot (colour 3). */
export function decodeJobColorIndex(index: number): { jobId: number; color: number } | undefined {
  checkInt("job_colors index", index, COUNTER_LAYOUT.jobs * COUNTER_LAYOUT.jobColorStride);
  const color = index % COUNTER_LAYOUT.jobColorStride;
  if (color > MeterColor.RED) return undefined;
  return { jobId: Math.floor(index / COUNTER_LAYOUT.jobColorStride), color };
}

// -------------------------------------------------------------------- names --

export const TABLE_NAMES = [
  "port_role",
  "classifier",
  "dscp_class",
  "color_action",
  "routing_v4",
  "queue_map",
  "port_thresholds",
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export const ACTION_NAMES = [
  "mark_edge_port",
  "classify_approx",
  "classify_exact",
  "classify_control",
  "set_traffic_class",
  "set_dscp_and_class",
  "drop_meter_red",
  "set_next_hop",
  "drop_no_route",
  "set_queue",
  "set_thresholds",
  "NoAction",
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

export const METER_NAMES = ["job_meter"] as const;
export type MeterName = (typeof METER_NAMES)[number];

export const COUNTER_NAMES = ["port_class_tx", "port_drops", "job_colors"] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];

export const ACTION_PROFILE_NAMES = ["ecmp_selector"] as const;
export type ActionProfileName = (typeof ACTION_PROFILE_NAMES)[number];

export interface MatchFieldContract {
  readonly name: string;
  readonly bitwidth: number;
  readonly matchType: MatchKind;
}

export interface TableContract {
  readonly logical: TableName;
  /** Full P4Info name on this target. */
  readonly name: string;
  readonly matchFields: readonly MatchFieldContract[];
  /** Actions entries may use (NoAction may also be the default where listed). */
  readonly actions: readonly ActionName[];
  readonly defaultOnlyActions: readonly ActionName[];
  /** Entries point at members/groups of this action profile instead of direct actions. */
  readonly implementation?: ActionProfileName;
  /** Entries need a priority (ternary or range fields). */
  readonly needsPriority: boolean;
  readonly size: number;
}

export interface ParamContract {
  readonly name: string;
  readonly bitwidth: number;
}

export interface ActionContract {
  readonly logical: ActionName;
  readonly name: string;
  readonly params: readonly ParamContract[];
}

export interface MeterContract {
  readonly logical: MeterName;
  readonly name: string;
  readonly unit: "bytes";
  readonly size: number;
}

export interface CounterContract {
  readonly logical: CounterName;
  /**
   * P4Info names of the counter arrays that make up this logical counter. One on
   * BMv2; port_drops has two on Tofino (a counter lives in one gress: ingress
   * drops and LE_THRESHOLD drops in egress). Same size and layout: sum them.
   */
  readonly names: readonly string[];
  readonly unit: "both";
  readonly size: number;
}

export interface ActionProfileContract {
  readonly logical: ActionProfileName;
  readonly name: string;
  readonly withSelector: true;
  readonly size: number;
}

export interface PipelineArtifacts {
  /** Repository-relative paths of the committed compiler outputs. */
  readonly p4info: string;
  readonly p4infoText: string;
  /** What the target's P4Runtime server needs besides the P4Info, in order. */
  readonly deviceConfig: readonly string[];
  /** The source-hash manifest written by scripts/p4-build.sh. */
  readonly sourcesManifest: string;
}

export interface PipelineContract {
  readonly target: PipelineTarget;
  readonly tables: { readonly [K in TableName]: TableContract };
  readonly actions: { readonly [K in ActionName]: ActionContract };
  readonly meters: { readonly [K in MeterName]: MeterContract };
  readonly counters: { readonly [K in CounterName]: CounterContract };
  readonly actionProfiles: { readonly [K in ActionProfileName]: ActionProfileContract };
  /** Queue ids set_queue may use: BMv2 runs with --priority-queues 8; Tofino has 32 qids. */
  readonly queueCount: number;
  /** Unit of le_depth / ecn_depth: BMv2 queues count packets, Tofino 1 counts 80-byte cells. */
  readonly qdepthUnit: "packets" | "cells";
  /** On BMv2 the higher queue id is served first (0 is the lowest priority). */
  readonly higherQueueServedFirst: boolean;
  readonly artifacts: PipelineArtifacts;
}

type Gress = "ingress" | "egress";
const CONTROLS: Record<Gress, string> = { ingress: "NetapproxIngress", egress: "NetapproxEgress" };

interface TableDef {
  readonly gress: Gress | Readonly<Record<PipelineTarget, Gress>>;
  readonly matchFields: readonly MatchFieldContract[];
  readonly actions: readonly ActionName[];
  readonly defaultOnlyActions: readonly ActionName[];
  readonly implementation?: ActionProfileName;
  readonly size: number;
}

const field = (name: string, bitwidth: number, matchType: MatchKind): MatchFieldContract => ({
  name,
  bitwidth,
  matchType,
});

// port_thresholds moves to egress on Tofino: a register cannot carry egress's
// queue depth back to ingress there (see p4/tna/netapprox.p4).
const THRESHOLDS_GRESS: Readonly<Record<PipelineTarget, Gress>> = {
  v1model: "ingress",
  tna: "egress",
};

const TABLES: Readonly<Record<TableName, TableDef>> = {
  port_role: {
    gress: "ingress",
    matchFields: [field("ingress_port", WIDTHS.port, "exact")],
    actions: ["mark_edge_port"],
    defaultOnlyActions: ["NoAction"],
    size: 512,
  },
  classifier: {
    gress: "ingress",
    matchFields: [
      field("src_addr", WIDTHS.ipv4, "ternary"),
      field("dst_addr", WIDTHS.ipv4, "ternary"),
      field("protocol", WIDTHS.protocol, "ternary"),
      field("l4_src_port", WIDTHS.l4Port, "range"),
      field("l4_dst_port", WIDTHS.l4Port, "range"),
      field("dscp", WIDTHS.dscp, "ternary"),
    ],
    actions: ["classify_approx", "classify_exact", "classify_control"],
    defaultOnlyActions: ["NoAction"],
    size: 1024,
  },
  dscp_class: {
    gress: "ingress",
    matchFields: [field("dscp", WIDTHS.dscp, "exact")],
    actions: ["set_traffic_class"],
    defaultOnlyActions: [],
    size: 64,
  },
  color_action: {
    gress: "ingress",
    matchFields: [field("color", WIDTHS.color, "exact")],
    actions: ["set_dscp_and_class", "drop_meter_red"],
    defaultOnlyActions: ["NoAction"],
    size: 4,
  },
  routing_v4: {
    gress: "ingress",
    matchFields: [field("dst_addr", WIDTHS.ipv4, "lpm")],
    actions: ["set_next_hop", "drop_no_route"],
    // Tables with an action profile cannot have a configurable default action.
    defaultOnlyActions: ["NoAction"],
    implementation: "ecmp_selector",
    size: 4096,
  },
  queue_map: {
    gress: "ingress",
    matchFields: [field("dscp", WIDTHS.dscp, "exact")],
    actions: ["set_queue"],
    defaultOnlyActions: [],
    size: 64,
  },
  port_thresholds: {
    gress: THRESHOLDS_GRESS,
    matchFields: [field("egress_port", WIDTHS.port, "exact")],
    actions: ["set_thresholds"],
    defaultOnlyActions: ["NoAction"],
    size: 512,
  },
};

interface ActionDef {
  readonly gress: Gress | Readonly<Record<PipelineTarget, Gress>> | "global";
  readonly params: readonly ParamContract[];
}

const param = (name: string, bitwidth: number): ParamContract => ({ name, bitwidth });

const ACTIONS: Readonly<Record<ActionName, ActionDef>> = {
  mark_edge_port: { gress: "ingress", params: [] },
  classify_approx: { gress: "ingress", params: [param("job_id", WIDTHS.jobId)] },
  classify_exact: { gress: "ingress", params: [] },
  classify_control: { gress: "ingress", params: [] },
  set_traffic_class: { gress: "ingress", params: [param("traffic_class", WIDTHS.trafficClass)] },
  set_dscp_and_class: {
    gress: "ingress",
    params: [param("dscp", WIDTHS.dscp), param("traffic_class", WIDTHS.trafficClass)],
  },
  drop_meter_red: { gress: "ingress", params: [] },
  set_next_hop: {
    gress: "ingress",
    params: [param("port", WIDTHS.port), param("smac", WIDTHS.mac), param("dmac", WIDTHS.mac)],
  },
  drop_no_route: { gress: "ingress", params: [] },
  set_queue: { gress: "ingress", params: [param("queue", WIDTHS.queue)] },
  set_thresholds: {
    gress: THRESHOLDS_GRESS,
    params: [param("le_depth", WIDTHS.qdepth), param("ecn_depth", WIDTHS.qdepth)],
  },
  NoAction: { gress: "global", params: [] },
};

/** How one target spells P4Info names. */
interface Naming {
  /** Tables and extern instances. */
  readonly object: (gress: Gress, local: string) => string;
  readonly action: (gress: Gress, local: string) => string;
  /** Local name of the ECMP action profile: TNA's selector wraps an ActionProfile. */
  readonly ecmpProfile: string;
  readonly counterGresses: Readonly<Record<CounterName, readonly Gress[]>>;
}

const NAMING: Readonly<Record<PipelineTarget, Naming>> = {
  v1model: {
    object: (g, local) => `${CONTROLS[g]}.${local}`,
    action: (g, local) => `${CONTROLS[g]}.${local}`,
    ecmpProfile: "ecmp_selector",
    counterGresses: { port_class_tx: ["egress"], port_drops: ["ingress"], job_colors: ["ingress"] },
  },
  // p4c's Tofino backend names P4Info objects like v1model for a one-pipeline
  // program (bfrt.json, not the P4Info, carries the "pipe." prefix).
  tna: {
    object: (g, local) => `${CONTROLS[g]}.${local}`,
    action: (g, local) => `${CONTROLS[g]}.${local}`,
    ecmpProfile: "ecmp_profile",
    counterGresses: {
      port_class_tx: ["egress"],
      port_drops: ["ingress", "egress"],
      job_colors: ["ingress"],
    },
  },
};

const COUNTER_SIZES: Readonly<Record<CounterName, number>> = {
  port_class_tx: COUNTER_LAYOUT.ports * COUNTER_LAYOUT.portClassStride,
  port_drops: COUNTER_LAYOUT.ports * COUNTER_LAYOUT.portDropStride,
  job_colors: COUNTER_LAYOUT.jobs * COUNTER_LAYOUT.jobColorStride,
};

const ARTIFACTS: Readonly<Record<PipelineTarget, PipelineArtifacts>> = {
  v1model: {
    p4info: "p4/build/netapprox.p4info.json",
    p4infoText: "p4/build/netapprox.p4info.txtpb",
    deviceConfig: ["p4/build/netapprox.json"],
    sourcesManifest: "p4/build/SOURCES.sha256",
  },
  tna: {
    p4info: "p4/build/tna/netapprox.p4info.json",
    p4infoText: "p4/build/tna/netapprox.p4info.txtpb",
    deviceConfig: ["p4/build/tna/pipe/tofino.bin", "p4/build/tna/pipe/context.json"],
    sourcesManifest: "p4/build/tna/SOURCES.sha256",
  },
};

function gressOf(
  gress: Gress | Readonly<Record<PipelineTarget, Gress>>,
  target: PipelineTarget,
): Gress {
  return typeof gress === "string" ? gress : gress[target];
}

/** An object with one value per key, typed by the key list. */
function byName<K extends string, V>(keys: readonly K[], value: (key: K) => V): Record<K, V> {
  return Object.fromEntries(keys.map((k) => [k, value(k)])) as Record<K, V>;
}

function buildContract(target: PipelineTarget): PipelineContract {
  const naming = NAMING[target];
  const tables = byName(TABLE_NAMES, (logical): TableContract => {
    const def = TABLES[logical];
    return {
      logical,
      name: naming.object(gressOf(def.gress, target), logical),
      matchFields: def.matchFields,
      actions: def.actions,
      defaultOnlyActions: def.defaultOnlyActions,
      ...(def.implementation ? { implementation: def.implementation } : {}),
      needsPriority: def.matchFields.some(
        (f) => f.matchType === "ternary" || f.matchType === "range",
      ),
      size: def.size,
    };
  });
  const actions = byName(ACTION_NAMES, (logical): ActionContract => {
    const def = ACTIONS[logical];
    const name =
      def.gress === "global" ? logical : naming.action(gressOf(def.gress, target), logical);
    return { logical, name, params: def.params };
  });
  const counters = byName(COUNTER_NAMES, (logical): CounterContract => ({
    logical,
    names: naming.counterGresses[logical].map((g) => naming.object(g, logical)),
    unit: "both",
    size: COUNTER_SIZES[logical],
  }));
  return {
    target,
    tables,
    actions,
    meters: {
      job_meter: {
        logical: "job_meter",
        name: naming.object("ingress", "job_meter"),
        unit: "bytes",
        size: COUNTER_LAYOUT.jobs,
      },
    },
    counters,
    actionProfiles: {
      ecmp_selector: {
        logical: "ecmp_selector",
        name: naming.object("ingress", naming.ecmpProfile),
        withSelector: true,
        size: 1024,
      },
    },
    queueCount: target === "v1model" ? 8 : 32,
    qdepthUnit: target === "v1model" ? "packets" : "cells",
    higherQueueServedFirst: target === "v1model",
    artifacts: ARTIFACTS[target],
  };
}

/** The contract of each target. */
export const CONTRACTS: Readonly<Record<PipelineTarget, PipelineContract>> = {
  v1model: buildContract("v1model"),
  tna: buildContract("tna"),
};

export function pipelineContract(target: PipelineTarget): PipelineContract {
  return CONTRACTS[target];
}

/** A queue id set_queue may carry on this target (BMv2 drops priorities >= its queue count). */
export function checkQueue(contract: PipelineContract, queue: number): number {
  checkInt(`queue id on ${contract.target}`, queue, contract.queueCount);
  return queue;
}

// ---------------------------------------------------------- P4Info checking --

export class PipelineContractError extends Error {
  readonly userFacing = true;
  constructor(
    readonly source: string,
    readonly mismatches: readonly string[],
  ) {
    super(
      `${source} does not match the netapprox pipeline contract:\n  ` + mismatches.join("\n  "),
    );
    this.name = "PipelineContractError";
  }
}

/**
 * Every way the P4Info differs from the contract (missing or renamed objects,
 * widths, match kinds, action lists, sizes, implementations). Empty when it matches.
 */
export function checkContract(contract: PipelineContract, schema: P4Schema): string[] {
  const out: string[] = [];
  const exact = <T extends { name: string }>(
    kind: string,
    map: { find(key: string): T | undefined },
    name: string,
  ): T | undefined => {
    const found = map.find(name);
    if (found === undefined || found.name !== name) {
      out.push(`${kind} '${name}' is missing`);
      return undefined;
    }
    return found;
  };

  for (const a of Object.values(contract.actions)) {
    const action = exact("action", schema.actions, a.name);
    if (action === undefined) continue;
    const names = [...action.params].map((p) => p.name);
    const expected = a.params.map((p) => p.name);
    if (names.join(",") !== expected.join(",")) {
      out.push(
        `action '${a.name}' has params (${names.join(", ")}), expected (${expected.join(", ")})`,
      );
      continue;
    }
    for (const p of a.params) {
      const got = action.params.get(p.name);
      if (got.bitwidth !== p.bitwidth) {
        out.push(
          `action '${a.name}' param '${p.name}' is ${got.bitwidth} bits, expected ${p.bitwidth}`,
        );
      }
    }
  }

  for (const t of Object.values(contract.tables)) {
    const table = exact("table", schema.tables, t.name);
    if (table === undefined) continue;
    const names = [...table.matchFields].map((f) => f.name);
    const expected = t.matchFields.map((f) => f.name);
    if (names.join(",") !== expected.join(",")) {
      out.push(
        `table '${t.name}' has match fields (${names.join(", ")}), expected (${expected.join(", ")})`,
      );
    } else {
      for (const f of t.matchFields) {
        const got = table.matchFields.get(f.name);
        if (got.bitwidth !== f.bitwidth) {
          out.push(
            `table '${t.name}' field '${f.name}' is ${got.bitwidth} bits, expected ${f.bitwidth}`,
          );
        }
        if (got.matchType !== f.matchType) {
          out.push(
            `table '${t.name}' field '${f.name}' is ${got.matchType}, expected ${f.matchType}`,
          );
        }
      }
    }
    const refs = new Map(table.actionRefs.map((r) => [r.action.name, r.scope]));
    const wanted = new Map<string, string>([
      ...t.actions.map((a) => [contract.actions[a].name, "entries"] as const),
      ...t.defaultOnlyActions.map((a) => [contract.actions[a].name, "default_only"] as const),
    ]);
    for (const [name, use] of wanted) {
      const scope = refs.get(name);
      if (scope === undefined) out.push(`table '${t.name}' lacks action '${name}'`);
      else if (use === "entries" && scope === "default_only") {
        out.push(`table '${t.name}' allows action '${name}' only as its default`);
      }
    }
    for (const name of refs.keys()) {
      if (!wanted.has(name))
        out.push(`table '${t.name}' has action '${name}' the contract does not know`);
    }
    if (table.size !== t.size)
      out.push(`table '${t.name}' has size ${table.size}, expected ${t.size}`);
    if (table.needsPriority !== t.needsPriority) {
      out.push(`table '${t.name}' ${t.needsPriority ? "should" : "should not"} need priorities`);
    }
    if (t.implementation === undefined) {
      if (table.implementationId !== 0) out.push(`table '${t.name}' should be a direct table`);
    } else {
      const profileName = contract.actionProfiles[t.implementation].name;
      const profile = schema.actionProfiles.find(table.implementationId);
      if (profile?.name !== profileName) {
        out.push(`table '${t.name}' should be implemented by action profile '${profileName}'`);
      }
    }
  }

  for (const p of Object.values(contract.actionProfiles)) {
    const profile = exact("action profile", schema.actionProfiles, p.name);
    if (profile === undefined) continue;
    if (!profile.withSelector) out.push(`action profile '${p.name}' should have a selector`);
    if (profile.size !== p.size)
      out.push(`action profile '${p.name}' has size ${profile.size}, expected ${p.size}`);
  }

  for (const m of Object.values(contract.meters)) {
    const meter = exact("meter", schema.meters, m.name);
    if (meter === undefined) continue;
    if (meter.unit !== m.unit)
      out.push(`meter '${m.name}' counts ${meter.unit}, expected ${m.unit}`);
    if (meter.size !== m.size)
      out.push(`meter '${m.name}' has size ${meter.size}, expected ${m.size}`);
  }

  for (const c of Object.values(contract.counters)) {
    for (const name of c.names) {
      const counter = exact("counter", schema.counters, name);
      if (counter === undefined) continue;
      if (counter.unit !== c.unit)
        out.push(`counter '${name}' counts ${counter.unit}, expected ${c.unit}`);
      if (counter.size !== c.size)
        out.push(`counter '${name}' has size ${counter.size}, expected ${c.size}`);
    }
  }
  return out;
}

/** Throws a PipelineContractError listing every mismatch; returns the schema otherwise. */
export function assertContract(contract: PipelineContract, schema: P4Schema): P4Schema {
  const mismatches = checkContract(contract, schema);
  if (mismatches.length > 0) throw new PipelineContractError(schema.source, mismatches);
  return schema;
}
