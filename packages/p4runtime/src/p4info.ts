// The P4Info index: everything the controller knows about a compiled P4 program,
// looked up by name, alias, unique name suffix or id. Loads the JSON P4Info that p4c
// writes with `--p4runtime-files x.p4info.json` (or the binary form).
//
// Pure apart from `fromFile`; never imports the RPC client.
//
// One file over 500 lines: P4Schema indexes every P4Info object kind in one pass with one
// id check, and the pipeline fingerprint canonicalises the same message.
import {
  clone,
  fromBinary,
  fromJson,
  toBinary,
  type DescMessage,
  type JsonValue,
} from "@bufbuild/protobuf";
import { fromText } from "@bufbuild/protobuf/txtpb";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  CounterSpec_Unit,
  MatchField_MatchType,
  MeterSpec_Type,
  MeterSpec_Unit,
  ActionRef_Scope,
  P4InfoSchema,
  type P4Info,
  type Preamble,
} from "./proto/p4/config/v1/p4info_pb.js";
import type { P4DataTypeSpec, P4TypeInfo } from "./proto/p4/config/v1/p4types_pb.js";
import { decodeUtf8, describeUtf8Problem } from "./utf8.js";

/** A P4Info that cannot be loaded or is inconsistent; names the source and the path in it. */
export class P4InfoError extends Error {
  readonly userFacing = true;
  constructor(
    readonly source: string,
    readonly path: string,
    detail: string,
  ) {
    super(`${source}${path ? `: ${path}` : ""}: ${detail}`);
    this.name = "P4InfoError";
  }
}

/** A lookup of a name or id that the P4Info does not have. */
export class P4LookupError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = "P4LookupError";
  }
}

export interface P4Object {
  readonly id: number;
  readonly name: string;
  readonly alias: string;
  readonly annotations: readonly string[];
}

/**
 * Objects of one kind, found by full name, alias, unique dotted suffix
 * ("routing_v4" for "NetapproxIngress.routing_v4") or numeric id.
 */
export class P4ObjectMap<T extends P4Object> implements Iterable<T> {
  private readonly byId = new Map<number, T>();
  private readonly byName = new Map<string, T>();
  private readonly bySuffix = new Map<string, T | null>(); // null: ambiguous
  /** Names and suffixes in one map, so a lookup by suffix costs one probe (null: ambiguous). */
  private readonly byKey: Map<string, T | null>;

  constructor(
    readonly kind: string,
    private readonly source: string,
    objects: Iterable<T>,
  ) {
    for (const o of objects) {
      this.byId.set(o.id, o);
      this.byName.set(o.name, o);
      const parts = o.name.split(".");
      for (let i = 1; i < parts.length; i++) this.addSuffix(parts.slice(i).join("."), o);
      if (o.alias && o.alias !== o.name) this.addSuffix(o.alias, o);
    }
    this.byKey = new Map<string, T | null>([...this.bySuffix, ...this.byName]);
  }

  private addSuffix(key: string, o: T): void {
    if (this.byName.has(key)) return;
    const seen = this.bySuffix.get(key);
    this.bySuffix.set(key, seen === undefined || seen === o ? o : null);
  }

  get size(): number {
    return this.byId.size;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.byId.values();
  }

  /** The object, or undefined when absent (ambiguous suffixes count as absent). */
  find(key: string | number): T | undefined {
    if (typeof key === "number") return this.byId.get(key);
    return this.byKey.get(key) ?? undefined;
  }

  /** The object; throws a P4LookupError that lists what exists. */
  get(key: string | number): T {
    const found = this.find(key);
    if (found !== undefined) return found;
    if (typeof key === "string" && this.bySuffix.get(key) === null) {
      const matches = [...this.byName.keys()].filter((n) => n.endsWith(`.${key}`));
      throw new P4LookupError(
        `${this.kind} '${key}' is ambiguous in ${this.source}: it could be ${matches.join(", ")}`,
      );
    }
    const names = [...this.byName.keys()];
    const shown = names.length > 12 ? [...names.slice(0, 12), "..."] : names;
    const what = typeof key === "number" ? `id ${key}` : `'${key}'`;
    throw new P4LookupError(
      `no ${this.kind} ${what} in ${this.source}` +
        (names.length ? `; known: ${shown.join(", ")}` : `; it has no ${this.kind}s`),
    );
  }
}

export type MatchKind = "exact" | "lpm" | "ternary" | "range" | "optional";

/** What a field or parameter's type says beyond its width. */
export interface P4Typed {
  readonly bitwidth: number;
  /** The user-defined type it has (type_name), or "". */
  readonly typeName: string;
  /**
   * Why this library cannot encode values for it (a type translated to a string, an
   * enum without a width); undefined when it can. Using it fails with this reason.
   */
  readonly unsupported?: string;
}

export interface P4MatchField extends P4Object, P4Typed {
  /** A standard kind, or the name of an architecture-specific one. */
  readonly matchType: MatchKind | string;
}

export interface P4Param extends P4Object, P4Typed {}

export interface P4Action extends P4Object {
  readonly params: P4ObjectMap<P4Param>;
}

export interface P4ActionRef {
  readonly action: P4Action;
  readonly scope: "table_and_default" | "table_only" | "default_only";
}

export interface P4Table extends P4Object {
  readonly matchFields: P4ObjectMap<P4MatchField>;
  readonly actionRefs: readonly P4ActionRef[];
  readonly constDefaultActionId: number;
  /** Action profile or selector id, 0 for direct tables. */
  readonly implementationId: number;
  readonly directResourceIds: readonly number[];
  readonly size: number;
  readonly supportsIdleTimeout: boolean;
  readonly isConst: boolean;
  /** Entries need a priority when any field is ternary, range or optional. */
  readonly needsPriority: boolean;
}

export interface P4ActionProfile extends P4Object {
  readonly tableIds: readonly number[];
  readonly withSelector: boolean;
  readonly size: number;
  readonly maxGroupSize: number;
}

export type CounterUnit = "bytes" | "packets" | "both" | "unspecified";
export type MeterUnit = "bytes" | "packets" | "unspecified";
export type MeterType =
  "two_rate_three_color" | "single_rate_three_color" | "single_rate_two_color";

export interface P4Counter extends P4Object {
  readonly unit: CounterUnit;
  readonly size: number;
}
export interface P4DirectCounter extends P4Object {
  readonly unit: CounterUnit;
  readonly directTableId: number;
}
export interface P4Meter extends P4Object {
  readonly unit: MeterUnit;
  readonly type: MeterType;
  readonly size: number;
}
export interface P4DirectMeter extends P4Object {
  readonly unit: MeterUnit;
  readonly type: MeterType;
  readonly directTableId: number;
}
export interface P4Register extends P4Object {
  readonly size: number;
  /** Width of the cell when it is a plain bit<W>, else undefined. */
  readonly bitwidth: number | undefined;
  readonly typeSpec: P4DataTypeSpec | undefined;
}
export interface P4Digest extends P4Object {
  readonly typeName: string;
  /** The type of each digest's data (decode with decodeP4Data). */
  readonly typeSpec: P4DataTypeSpec | undefined;
}
export interface P4ValueSet extends P4Object {
  readonly matchFields: P4ObjectMap<P4MatchField>;
  readonly size: number;
}
export interface P4ControllerPacketMetadata extends P4Object {
  readonly metadata: P4ObjectMap<P4Param>;
}

const MATCH_KINDS: Record<number, MatchKind> = {
  [MatchField_MatchType.EXACT]: "exact",
  [MatchField_MatchType.LPM]: "lpm",
  [MatchField_MatchType.TERNARY]: "ternary",
  [MatchField_MatchType.RANGE]: "range",
  [MatchField_MatchType.OPTIONAL]: "optional",
};
const SCOPES: Record<number, P4ActionRef["scope"]> = {
  [ActionRef_Scope.TABLE_AND_DEFAULT]: "table_and_default",
  [ActionRef_Scope.TABLE_ONLY]: "table_only",
  [ActionRef_Scope.DEFAULT_ONLY]: "default_only",
};
const COUNTER_UNITS: Record<number, CounterUnit> = {
  [CounterSpec_Unit.UNSPECIFIED]: "unspecified",
  [CounterSpec_Unit.BYTES]: "bytes",
  [CounterSpec_Unit.PACKETS]: "packets",
  [CounterSpec_Unit.BOTH]: "both",
};
const METER_UNITS: Record<number, MeterUnit> = {
  [MeterSpec_Unit.UNSPECIFIED]: "unspecified",
  [MeterSpec_Unit.BYTES]: "bytes",
  [MeterSpec_Unit.PACKETS]: "packets",
};
const METER_TYPES: Record<number, MeterType> = {
  [MeterSpec_Type.TWO_RATE_THREE_COLOR]: "two_rate_three_color",
  [MeterSpec_Type.SINGLE_RATE_THREE_COLOR]: "single_rate_three_color",
  [MeterSpec_Type.SINGLE_RATE_TWO_COLOR]: "single_rate_two_color",
};

/** The indexed P4Info of one program. */
export class P4Schema {
  readonly tables: P4ObjectMap<P4Table>;
  readonly actions: P4ObjectMap<P4Action>;
  readonly actionProfiles: P4ObjectMap<P4ActionProfile>;
  readonly counters: P4ObjectMap<P4Counter>;
  readonly directCounters: P4ObjectMap<P4DirectCounter>;
  readonly meters: P4ObjectMap<P4Meter>;
  readonly directMeters: P4ObjectMap<P4DirectMeter>;
  readonly registers: P4ObjectMap<P4Register>;
  readonly digests: P4ObjectMap<P4Digest>;
  readonly valueSets: P4ObjectMap<P4ValueSet>;
  readonly controllerPacketMetadata: P4ObjectMap<P4ControllerPacketMetadata>;
  private fingerprintCache: bigint | undefined;

  constructor(
    readonly p4info: P4Info,
    /** Where the P4Info came from, used in every error message. */
    readonly source = "P4Info",
  ) {
    const checker = new IdChecker(source);
    const preamble = (p: Preamble | undefined, path: string): P4Object => {
      if (p === undefined) throw new P4InfoError(source, path, "missing preamble");
      if (!p.name) throw new P4InfoError(source, `${path}.preamble.name`, "empty name");
      checker.add(p.id, `${path} (${p.name})`);
      return { id: p.id, name: p.name, alias: p.alias, annotations: p.annotations };
    };
    const fields = (
      list: P4Info["tables"][number]["matchFields"],
      path: string,
      kind: string,
    ): P4ObjectMap<P4MatchField> => {
      const seen = new Set<number>();
      const out = list.map((f, i) => {
        const where = `${path}[${i}]`;
        const typed =
          f.match.case === "otherMatchType" && f.bitwidth <= 0
            ? { bitwidth: f.bitwidth, typeName: f.typeName?.name ?? "" }
            : widthOf(f, `${where}.bitwidth`);
        if (seen.has(f.id))
          throw new P4InfoError(source, `${where}.id`, `duplicate match field id ${f.id}`);
        seen.add(f.id);
        const matchType =
          f.match.case === "matchType"
            ? MATCH_KINDS[f.match.value]
            : f.match.case === "otherMatchType"
              ? f.match.value
              : undefined;
        if (matchType === undefined) {
          throw new P4InfoError(source, `${where}.matchType`, `unknown match type for '${f.name}'`);
        }
        return {
          id: f.id,
          name: f.name,
          alias: f.name,
          annotations: f.annotations,
          ...typed,
          matchType,
        };
      });
      return new P4ObjectMap(kind, source, out);
    };
    const params = (
      list: {
        id: number;
        name: string;
        bitwidth: number;
        annotations: string[];
        typeName?: { name: string };
      }[],
      path: string,
      kind: string,
    ): P4ObjectMap<P4Param> =>
      new P4ObjectMap(
        kind,
        source,
        list.map((p, i) => ({
          id: p.id,
          name: p.name,
          alias: p.name,
          annotations: p.annotations,
          ...widthOf(p, `${path}[${i}].bitwidth`),
        })),
      );
    /**
     * The width of a field or parameter: its bitwidth, or the width its user-defined
     * type gives; a type with no width is loaded as unsupported (used, it fails).
     */
    const widthOf = (
      f: { name: string; bitwidth: number; typeName?: { name: string } },
      path: string,
    ): P4Typed => {
      const typeName = f.typeName?.name ?? "";
      if (f.bitwidth > 0) return { bitwidth: f.bitwidth, typeName };
      if (f.bitwidth < 0 || typeName === "") {
        throw new P4InfoError(
          source,
          path,
          `expected a positive width (or a type_name) for '${f.name}'`,
        );
      }
      const typed = typeWidth(typeName, p4info.typeInfo);
      return typeof typed === "number"
        ? { bitwidth: typed, typeName }
        : { bitwidth: 0, typeName, unsupported: typed.unsupported };
    };

    this.actions = new P4ObjectMap(
      "action",
      source,
      p4info.actions.map((a, i) => ({
        ...preamble(a.preamble, `actions[${i}]`),
        params: params(
          a.params,
          `actions[${i}].params`,
          `parameter of action '${a.preamble?.name}'`,
        ),
      })),
    );
    this.tables = new P4ObjectMap(
      "table",
      source,
      p4info.tables.map((t, i) => {
        const base = preamble(t.preamble, `tables[${i}]`);
        const matchFields = fields(
          t.matchFields,
          `tables[${i}].matchFields`,
          `match field of table '${base.name}'`,
        );
        const actionRefs = t.actionRefs.map((r, j) => {
          const action = this.actions.find(r.id);
          if (action === undefined) {
            throw new P4InfoError(
              source,
              `tables[${i}].actionRefs[${j}].id`,
              `no action has id ${r.id}`,
            );
          }
          return { action, scope: SCOPES[r.scope] ?? "table_and_default" };
        });
        return {
          ...base,
          matchFields,
          actionRefs,
          constDefaultActionId: t.constDefaultActionId,
          implementationId: t.implementationId,
          directResourceIds: t.directResourceIds,
          size: Number(t.size),
          supportsIdleTimeout: t.idleTimeoutBehavior !== 0,
          isConst: t.isConstTable,
          needsPriority: [...matchFields].some((f) =>
            ["ternary", "range", "optional"].includes(f.matchType),
          ),
        };
      }),
    );
    this.actionProfiles = new P4ObjectMap(
      "action profile",
      source,
      p4info.actionProfiles.map((p, i) => ({
        ...preamble(p.preamble, `actionProfiles[${i}]`),
        tableIds: p.tableIds,
        withSelector: p.withSelector,
        size: Number(p.size),
        maxGroupSize: p.maxGroupSize,
      })),
    );
    this.counters = new P4ObjectMap(
      "counter",
      source,
      p4info.counters.map((c, i) => ({
        ...preamble(c.preamble, `counters[${i}]`),
        unit: COUNTER_UNITS[c.spec?.unit ?? 0] ?? "unspecified",
        size: Number(c.size),
      })),
    );
    this.directCounters = new P4ObjectMap(
      "direct counter",
      source,
      p4info.directCounters.map((c, i) => ({
        ...preamble(c.preamble, `directCounters[${i}]`),
        unit: COUNTER_UNITS[c.spec?.unit ?? 0] ?? "unspecified",
        directTableId: c.directTableId,
      })),
    );
    this.meters = new P4ObjectMap(
      "meter",
      source,
      p4info.meters.map((m, i) => ({
        ...preamble(m.preamble, `meters[${i}]`),
        unit: METER_UNITS[m.spec?.unit ?? 0] ?? "unspecified",
        type: METER_TYPES[m.spec?.type ?? 0] ?? "two_rate_three_color",
        size: Number(m.size),
      })),
    );
    this.directMeters = new P4ObjectMap(
      "direct meter",
      source,
      p4info.directMeters.map((m, i) => ({
        ...preamble(m.preamble, `directMeters[${i}]`),
        unit: METER_UNITS[m.spec?.unit ?? 0] ?? "unspecified",
        type: METER_TYPES[m.spec?.type ?? 0] ?? "two_rate_three_color",
        directTableId: m.directTableId,
      })),
    );
    this.registers = new P4ObjectMap(
      "register",
      source,
      p4info.registers.map((r, i) => {
        const spec = r.typeSpec?.typeSpec;
        const bits = spec?.case === "bitstring" ? spec.value.typeSpec : undefined;
        return {
          ...preamble(r.preamble, `registers[${i}]`),
          size: r.size,
          bitwidth: bits?.case === "bit" || bits?.case === "int" ? bits.value.bitwidth : undefined,
          typeSpec: r.typeSpec,
        };
      }),
    );
    this.digests = new P4ObjectMap(
      "digest",
      source,
      p4info.digests.map((d, i) => {
        const spec = d.typeSpec?.typeSpec;
        return {
          ...preamble(d.preamble, `digests[${i}]`),
          typeName: spec?.case === "struct" || spec?.case === "header" ? spec.value.name : "",
          typeSpec: d.typeSpec,
        };
      }),
    );
    this.valueSets = new P4ObjectMap(
      "value set",
      source,
      p4info.valueSets.map((v, i) => {
        const base = preamble(v.preamble, `valueSets[${i}]`);
        return {
          ...base,
          matchFields: fields(
            v.match,
            `valueSets[${i}].match`,
            `match field of value set '${base.name}'`,
          ),
          size: v.size,
        };
      }),
    );
    this.controllerPacketMetadata = new P4ObjectMap(
      "controller packet metadata",
      source,
      p4info.controllerPacketMetadata.map((c, i) => {
        const base = preamble(c.preamble, `controllerPacketMetadata[${i}]`);
        return {
          ...base,
          metadata: params(
            c.metadata,
            `controllerPacketMetadata[${i}].metadata`,
            `metadata of '${base.name}'`,
          ),
        };
      }),
    );

    // Cross references: implementations and direct resources must exist.
    for (const t of this.tables) {
      if (t.implementationId !== 0 && this.actionProfiles.find(t.implementationId) === undefined) {
        throw new P4InfoError(
          source,
          `table '${t.name}'.implementationId`,
          `no action profile has id ${t.implementationId}`,
        );
      }
      for (const id of t.directResourceIds) {
        if (
          this.directCounters.find(id) === undefined &&
          this.directMeters.find(id) === undefined
        ) {
          throw new P4InfoError(
            source,
            `table '${t.name}'.directResourceIds`,
            `no direct counter or meter has id ${id}`,
          );
        }
      }
    }
  }

  /** Parses p4c's JSON P4Info text. */
  static fromJson(text: string, source = "P4Info JSON"): P4Schema {
    let json: JsonValue;
    try {
      json = JSON.parse(text) as JsonValue;
    } catch (err) {
      const hint =
        text.trimStart().startsWith("pkg_info") || /^\s*\w+\s*\{/.test(text)
          ? " (this looks like the text format: load the .p4info.json that p4c writes with --p4runtime-files)"
          : "";
      throw new P4InfoError(source, "", `not valid JSON: ${(err as Error).message}${hint}`);
    }
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      throw new P4InfoError(source, "", "expected a JSON object (a P4Info message)");
    }
    let p4info: P4Info;
    try {
      p4info = fromJson(P4InfoSchema, withoutForeignAnys(json), { ignoreUnknownFields: true });
    } catch (err) {
      throw new P4InfoError(source, "", `not a P4Info message: ${(err as Error).message}`);
    }
    return new P4Schema(p4info, source);
  }

  /** Parses a P4Info in protobuf text format (p4c's .p4info.txtpb). */
  static fromText(text: string, source = "P4Info text"): P4Schema {
    let p4info: P4Info;
    try {
      p4info = fromText(P4InfoSchema, text);
    } catch (err) {
      throw new P4InfoError(source, "", `not a P4Info in text format: ${(err as Error).message}`);
    }
    return new P4Schema(p4info, source);
  }

  /** Parses a binary P4Info message. */
  static fromBinary(bytes: Uint8Array, source = "P4Info"): P4Schema {
    let p4info: P4Info;
    try {
      p4info = fromBinary(P4InfoSchema, bytes);
    } catch (err) {
      throw new P4InfoError(source, "", `not a binary P4Info message: ${(err as Error).message}`);
    }
    return new P4Schema(p4info, source);
  }

  /** Loads a P4Info file: `.json` (p4c's JSON output), `.txt`/`.txtpb` (text) or `.bin`/`.pb` (binary). */
  static fromFile(path: string): P4Schema {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (err) {
      throw new P4InfoError(
        path,
        "",
        `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    if (/\.(bin|pb|binpb)$/.test(path)) return P4Schema.fromBinary(data, path);
    const decoded = decodeUtf8(data);
    if ("problem" in decoded) throw new P4InfoError(path, "", describeUtf8Problem(decoded.problem));
    if (/\.(txt|txtpb|textproto)$/.test(path)) return P4Schema.fromText(decoded.text, path);
    return P4Schema.fromJson(decoded.text, path);
  }

  /** Program name from pkg_info, if the compiler set it. */
  get programName(): string {
    return this.p4info.pkgInfo?.name ?? "";
  }

  get arch(): string {
    return this.p4info.pkgInfo?.arch ?? "";
  }

  /** The program's named types (structs, enums, new types ...). */
  get typeInfo(): P4TypeInfo | undefined {
    return this.p4info.typeInfo;
  }

  /**
   * A stable 64-bit digest of the P4Info, usable as (part of) a pipeline cookie. It is
   * the same whichever form (JSON, text, binary) the P4Info was loaded from.
   */
  get fingerprint(): bigint {
    this.fingerprintCache ??= digest64(canonicalP4Info(this.p4info));
    return this.fingerprintCache;
  }

  /** The table a direct counter or meter belongs to, by its id. */
  directResourceTable(id: number): P4Table | undefined {
    for (const t of this.tables) if (t.directResourceIds.includes(id)) return t;
    return undefined;
  }
}

/**
 * The JSON with every google.protobuf.Any whose type this library does not know
 * left out. Compilers put target-specific messages in a P4Info's Any fields (the
 * Tofino backend describes its port metadata extern with a barefoot.PortMetadata);
 * the JSON form of an Any can only be read with its type at hand, and the
 * controller never needs these, so they are dropped rather than failing the load.
 */
function withoutForeignAnys(json: JsonValue): JsonValue {
  if (Array.isArray(json)) return json.map(withoutForeignAnys);
  if (json === null || typeof json !== "object") return json;
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(json)) {
    if (
      value !== null &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      typeof value["@type"] === "string"
    ) {
      const type = value["@type"].slice(value["@type"].lastIndexOf("/") + 1);
      if (!type.startsWith("google.protobuf.")) continue;
    }
    out[key] = withoutForeignAnys(value);
  }
  return out;
}

/**
 * The width a user-defined type gives a field or parameter declared without one, or
 * why there is none this library can encode.
 */
function typeWidth(
  name: string,
  typeInfo: P4TypeInfo | undefined,
): number | { unsupported: string } {
  const newType = typeInfo?.newTypes[name]?.representation;
  if (newType?.case === "translatedType") {
    const t = newType.value;
    if (t.sdnType.case === "sdnBitwidth" && t.sdnType.value > 0) return t.sdnType.value;
    return {
      unsupported: `its type '${name}' is translated to a string (@p4runtime_translation("${t.uri}", string)); this library does not encode translated values`,
    };
  }
  if (newType?.case === "originalType") {
    const bits = newType.value.typeSpec;
    if (bits.case === "bitstring" && bits.value.typeSpec.case === "bit")
      return bits.value.typeSpec.value.bitwidth;
  }
  const serializable = typeInfo?.serializableEnums[name];
  if (serializable?.underlyingType && serializable.underlyingType.bitwidth > 0)
    return serializable.underlyingType.bitwidth;
  if (typeInfo?.enums[name] !== undefined) {
    return {
      unsupported: `its type '${name}' is an enum without a width; P4Runtime gives its values no bitstring this library can write`,
    };
  }
  return { unsupported: `its type '${name}' has no width this library knows how to encode` };
}

/**
 * The P4Info as bytes that depend only on its content: map entries (type_info) in key
 * order, no fields unknown to this library's P4Info version, no target-specific Any
 * values (the JSON loader drops those). The same message read from JSON, text or binary
 * gives the same bytes.
 */
export function canonicalP4Info(p4info: P4Info): Uint8Array {
  const copy = clone(P4InfoSchema, p4info);
  canonicalise(P4InfoSchema, copy as unknown as Record<string, unknown>);
  return toBinary(P4InfoSchema, copy, { writeUnknownFields: false });
}

/** Sorts map fields and drops foreign Anys, in place, through the whole message. */
function canonicalise(desc: DescMessage, msg: Record<string, unknown>): void {
  for (const f of desc.fields) {
    const oneof = f.oneof
      ? (msg[f.oneof.localName] as { case?: string; value?: unknown })
      : undefined;
    const value = oneof ? (oneof.case === f.localName ? oneof.value : undefined) : msg[f.localName];
    if (value === undefined || value === null) continue;
    if (f.fieldKind === "message") {
      if (f.message.typeName === "google.protobuf.Any" && isForeignAny(value)) {
        if (oneof) msg[f.oneof!.localName] = { case: undefined };
        else msg[f.localName] = undefined;
      } else canonicalise(f.message, value as Record<string, unknown>);
    } else if (f.fieldKind === "list" && f.listKind === "message") {
      const list = value as Record<string, unknown>[];
      const kept =
        f.message.typeName === "google.protobuf.Any" ? list.filter((v) => !isForeignAny(v)) : list;
      for (const v of kept) canonicalise(f.message, v);
      msg[f.localName] = kept;
    } else if (f.fieldKind === "map") {
      const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
      if (f.mapKind === "message")
        for (const [, v] of entries) canonicalise(f.message, v as Record<string, unknown>);
      msg[f.localName] = Object.fromEntries(entries);
    }
  }
}

function isForeignAny(value: unknown): boolean {
  const url = (value as { typeUrl?: string }).typeUrl ?? "";
  return url !== "" && !url.slice(url.lastIndexOf("/") + 1).startsWith("google.protobuf.");
}

/** First 8 bytes of SHA-256 of the given parts, as an unsigned 64-bit integer. */
export function digest64(...parts: Uint8Array[]): bigint {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest().readBigUInt64BE(0);
}

/** P4Info ids are unique across all object kinds. */
class IdChecker {
  private readonly seen = new Map<number, string>();
  constructor(private readonly source: string) {}
  add(id: number, what: string): void {
    if (id === 0) throw new P4InfoError(this.source, what, "id 0 is not a valid P4Info id");
    const before = this.seen.get(id);
    if (before !== undefined)
      throw new P4InfoError(this.source, what, `id ${id} is also used by ${before}`);
    this.seen.set(id, what);
  }
}
