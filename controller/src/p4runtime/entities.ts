// Typed P4Runtime entities. Each kind is built from a plain spec that uses P4Info
// names and user values, encodes to a protobuf `p4.v1.Entity` through a P4Schema,
// and decodes back to the same spec shape with canonical values. Encoding is where
// names, widths, match kinds and priorities are checked, so a wrong name or an
// oversized value fails here, before anything is sent.
//
// Pure: depends on the schema and the generated messages only.
import { create, equals, type MessageInitShape } from "@bufbuild/protobuf";
import {
  EntitySchema,
  FieldMatchSchema,
  TableEntrySchema,
  Update_Type,
  type Action as ActionMsg,
  type Entity,
  type FieldMatch,
  type MeterConfig,
  type TableEntry as TableEntryMsg,
} from "../proto/p4/v1/p4runtime_pb.js";
import { P4DataSchema } from "../proto/p4/v1/p4data_pb.js";
import { EncodedUpdates, type MeterValues } from "./wire.js";
import type { P4Action, P4MatchField, P4Meter, P4Param, P4Schema, P4Table } from "./p4info.js";
import {
  bigintToBytes,
  bytesToBigint,
  canonical,
  encodeExact,
  encodeLpm,
  encodeOptional,
  encodeRange,
  encodeTernary,
  encodeValue,
  fullMask,
  P4ValueError,
  type EncodedMatch,
  type LpmInput,
  type P4Value,
  type RangeInput,
  type TernaryInput,
} from "./values.js";

type EntityInit = MessageInitShape<typeof EntitySchema>;

/** A value given for one match field; which forms apply depends on the field's kind. */
export type MatchInput = P4Value | LpmInput | TernaryInput | RangeInput;

/** What decoding yields per match kind (encoding accepts these too). */
export type DecodedMatch =
  | bigint
  | { value: bigint; prefixLen: number }
  | { value: bigint; mask: bigint }
  | { low: bigint; high: bigint };

export interface ActionSpec {
  /** Action name (full, alias or unique suffix). */
  name: string;
  params?: Record<string, P4Value>;
}

export interface WeightedActionSpec {
  action: ActionSpec;
  weight: number;
  watchPort?: Uint8Array;
}

export interface CounterDataSpec {
  byteCount: bigint;
  packetCount: bigint;
}

export interface MeterConfigSpec {
  /** Committed rate, units (bytes or packets) per second. */
  cir: bigint | number;
  cburst: bigint | number;
  /** Peak rate, units per second. */
  pir: bigint | number;
  pburst: bigint | number;
  eburst?: bigint | number;
}

export interface MeterCounterDataSpec {
  green: CounterDataSpec;
  yellow: CounterDataSpec;
  red: CounterDataSpec;
}

export interface TableEntrySpec {
  table: string;
  /** Match field name → value. Omitted fields are "don't care". */
  match?: Record<string, MatchInput | DecodedMatch>;
  /** A direct action; or use `member`, `group` or `actionSet` for action profile tables. */
  action?: ActionSpec;
  member?: number;
  group?: number;
  actionSet?: WeightedActionSpec[];
  priority?: number;
  /** The table's default entry (no match; MODIFY only). */
  isDefault?: boolean;
  idleTimeoutNs?: bigint;
  meterConfig?: MeterConfigSpec;
  counterData?: CounterDataSpec;
  meterCounterData?: MeterCounterDataSpec;
  metadata?: Uint8Array;
  /** Set by the server on read-back for entries of const tables. */
  isConst?: boolean;
}

export interface ActionProfileMemberSpec {
  actionProfile: string;
  memberId: number;
  action: ActionSpec;
}

export interface ActionProfileGroupSpec {
  actionProfile: string;
  groupId: number;
  members: { memberId: number; weight?: number; watchPort?: Uint8Array }[];
  maxSize?: number;
}

export interface CounterEntrySpec {
  counter: string;
  /** Omitted: every index (reads only). */
  index?: number;
  data?: CounterDataSpec;
}

export interface DirectCounterEntrySpec {
  tableEntry: TableEntrySpec;
  data?: CounterDataSpec;
}

export interface MeterEntrySpec {
  meter: string;
  index?: number;
  /** Omitted: the meter is unconfigured (every packet GREEN). */
  config?: MeterConfigSpec;
  counterData?: MeterCounterDataSpec;
}

export interface DirectMeterEntrySpec {
  tableEntry: TableEntrySpec;
  config?: MeterConfigSpec;
  counterData?: MeterCounterDataSpec;
}

export interface RegisterEntrySpec {
  register: string;
  index?: number;
  /** A bit<W> cell value. */
  value?: P4Value;
}

export interface ReplicaSpec {
  port: number | Uint8Array;
  instance?: number;
}

export interface MulticastGroupEntrySpec {
  multicastGroupId: number;
  replicas: ReplicaSpec[];
  metadata?: Uint8Array;
}

export interface CloneSessionEntrySpec {
  sessionId: number;
  replicas: ReplicaSpec[];
  classOfService?: number;
  packetLengthBytes?: number;
}

/**
 * A parser value set's members (MODIFY replaces them all; no members empties the set).
 * A member of a one-field set is that field's value; otherwise match field name → value.
 */
export interface ValueSetEntrySpec {
  valueSet: string;
  members: ValueSetMemberSpec[];
}

export type ValueSetMemberSpec =
  MatchInput | DecodedMatch | Record<string, MatchInput | DecodedMatch>;

export interface DigestEntrySpec {
  digest: string;
  config?: { maxTimeoutNs: bigint; maxListSize: number; ackTimeoutNs: bigint };
}

/** Every entity kind this library speaks, tagged. */
export type EntitySpec =
  | ({ kind: "tableEntry" } & TableEntrySpec)
  | ({ kind: "actionProfileMember" } & ActionProfileMemberSpec)
  | ({ kind: "actionProfileGroup" } & ActionProfileGroupSpec)
  | ({ kind: "counterEntry" } & CounterEntrySpec)
  | ({ kind: "directCounterEntry" } & DirectCounterEntrySpec)
  | ({ kind: "meterEntry" } & MeterEntrySpec)
  | ({ kind: "directMeterEntry" } & DirectMeterEntrySpec)
  | ({ kind: "registerEntry" } & RegisterEntrySpec)
  | ({ kind: "multicastGroupEntry" } & MulticastGroupEntrySpec)
  | ({ kind: "cloneSessionEntry" } & CloneSessionEntrySpec)
  | ({ kind: "digestEntry" } & DigestEntrySpec)
  | ({ kind: "valueSetEntry" } & ValueSetEntrySpec);

export type EntityKind = EntitySpec["kind"];

export type UpdateType = "insert" | "modify" | "delete";

/** One write: an entity and what to do with it. */
export interface UpdateSpec {
  type: UpdateType;
  entity: EntitySpec;
}

export const UPDATE_TYPES: Record<UpdateType, Update_Type> = {
  insert: Update_Type.INSERT,
  modify: Update_Type.MODIFY,
  delete: Update_Type.DELETE,
};

// ---------------------------------------------------------------- encoding

/** Scratch for meter configs written straight to bytes (one write at a time: synchronous). */
const meterScratch: MeterValues = { cir: 0, cburst: 0, pir: 0, pburst: 0, eburst: 0 };

/**
 * Update specs checked and serialised straight to WriteRequest bytes, in order;
 * throws on the first bad spec, before anything can be sent. Meter cells (what a
 * control loop writes every round) are written without building their init
 * objects; every other kind goes through entityInit. Either way the bytes are those
 * of toBinary(encodeEntity(...)) (test/p4runtime/wire.test.ts).
 */
export function encodeUpdateSpecs(
  schema: P4Schema,
  updates: readonly UpdateSpec[],
): EncodedUpdates {
  const out = new EncodedUpdates(updates.length);
  // Meter cells come in runs of one meter: its lookup is kept from one to the next.
  let meterName: string | undefined;
  let meter: P4Meter | undefined;
  let subject = "";
  for (let i = 0; i < updates.length; i++) {
    const u = updates[i]!;
    const spec = u.entity;
    if (spec.kind === "meterEntry" && spec.counterData === undefined) {
      if (spec.meter !== meterName || meter === undefined) {
        meter = schema.meters.get(spec.meter);
        meterName = spec.meter;
        subject = subjectOf(meter, undefined, meterSubject);
      }
      out.addMeterEntry(
        UPDATE_TYPES[u.type],
        meter.id,
        spec.index === undefined ? undefined : checkIndex(spec.index, meter.size, subject),
        spec.config && readMeterConfig(spec.config, subject, meterScratch),
      );
    } else {
      out.add(UPDATE_TYPES[u.type], entityInit(schema, spec));
    }
  }
  return out;
}

/** Encodes one entity spec as a protobuf Entity, checking it against the schema. */
export function encodeEntity(schema: P4Schema, spec: EntitySpec): Entity {
  return create(EntitySchema, entityInit(schema, spec));
}

/**
 * The checked, canonical init shape of an entity spec: what `encodeEntity` makes
 * its message from, and what the wire writer (wire.ts) serialises directly on the
 * write path. Fields left at their defaults are left out.
 */
export function entityInit(schema: P4Schema, spec: EntitySpec): EntityInit {
  switch (spec.kind) {
    case "tableEntry":
      return { entity: { case: "tableEntry", value: tableEntryInit(schema, spec) } };
    case "actionProfileMember": {
      const profile = schema.actionProfiles.get(spec.actionProfile);
      return {
        entity: {
          case: "actionProfileMember",
          value: {
            actionProfileId: profile.id,
            memberId: checkU32(spec.memberId, `member id of '${profile.name}'`),
            action: actionInit(schema, spec.action, undefined),
          },
        },
      };
    }
    case "actionProfileGroup": {
      const profile = schema.actionProfiles.get(spec.actionProfile);
      const members = [...spec.members]
        .sort((a, b) => a.memberId - b.memberId)
        .map((m) => ({
          memberId: checkU32(m.memberId, `member id in group ${spec.groupId}`),
          weight: m.weight ?? 1,
          watchKind: m.watchPort
            ? { case: "watchPort" as const, value: m.watchPort }
            : { case: undefined },
        }));
      return {
        entity: {
          case: "actionProfileGroup",
          value: {
            actionProfileId: profile.id,
            groupId: checkU32(spec.groupId, `group id of '${profile.name}'`),
            members,
            maxSize: spec.maxSize ?? 0,
          },
        },
      };
    }
    case "counterEntry": {
      const counter = schema.counters.get(spec.counter);
      return {
        entity: {
          case: "counterEntry",
          value: {
            counterId: counter.id,
            index: indexInit(spec.index, counter.size, `counter '${counter.name}'`),
            data: spec.data && counterDataInit(spec.data),
          },
        },
      };
    }
    case "directCounterEntry":
      return {
        entity: {
          case: "directCounterEntry",
          value: {
            tableEntry: tableEntryInit(schema, spec.tableEntry),
            data: spec.data && counterDataInit(spec.data),
          },
        },
      };
    case "meterEntry": {
      const meter = schema.meters.get(spec.meter);
      const subject = subjectOf(meter, undefined, meterSubject);
      return {
        entity: {
          case: "meterEntry",
          value: {
            meterId: meter.id,
            index: indexInit(spec.index, meter.size, subject),
            config: spec.config && meterConfigInit(spec.config, subject),
            counterData: spec.counterData && meterCounterDataInit(spec.counterData),
          },
        },
      };
    }
    case "directMeterEntry":
      return {
        entity: {
          case: "directMeterEntry",
          value: {
            tableEntry: tableEntryInit(schema, spec.tableEntry),
            config:
              spec.config &&
              meterConfigInit(spec.config, `direct meter of '${spec.tableEntry.table}'`),
            counterData: spec.counterData && meterCounterDataInit(spec.counterData),
          },
        },
      };
    case "registerEntry": {
      const register = schema.registers.get(spec.register);
      const subject = `register '${register.name}'`;
      let data: MessageInitShape<typeof P4DataSchema> | undefined;
      if (spec.value !== undefined) {
        if (register.bitwidth === undefined) {
          throw new P4ValueError(
            subject,
            "only registers of bit<W> cells can be written by this library",
          );
        }
        data = {
          data: { case: "bitstring", value: encodeValue(spec.value, register.bitwidth, subject) },
        };
      }
      return {
        entity: {
          case: "registerEntry",
          value: {
            registerId: register.id,
            index: indexInit(spec.index, register.size, subject),
            data,
          },
        },
      };
    }
    case "multicastGroupEntry":
      return {
        entity: {
          case: "packetReplicationEngineEntry",
          value: {
            type: {
              case: "multicastGroupEntry",
              value: {
                multicastGroupId: checkU32(spec.multicastGroupId, "multicast group id"),
                replicas: spec.replicas.map(replicaInit),
                metadata: spec.metadata ?? new Uint8Array(),
              },
            },
          },
        },
      };
    case "cloneSessionEntry":
      return {
        entity: {
          case: "packetReplicationEngineEntry",
          value: {
            type: {
              case: "cloneSessionEntry",
              value: {
                sessionId: checkU32(spec.sessionId, "clone session id"),
                replicas: spec.replicas.map(replicaInit),
                classOfService: spec.classOfService ?? 0,
                packetLengthBytes: spec.packetLengthBytes ?? 0,
              },
            },
          },
        },
      };
    case "digestEntry": {
      const digest = schema.digests.get(spec.digest);
      return {
        entity: {
          case: "digestEntry",
          value: { digestId: digest.id, config: spec.config && { ...spec.config } },
        },
      };
    }
    case "valueSetEntry": {
      const vs = schema.valueSets.get(spec.valueSet);
      const fields = [...vs.matchFields];
      const members = spec.members.map((member, i) => {
        const subject = `value set '${vs.name}' member ${i}`;
        const given: [P4MatchField, MatchInput | DecodedMatch][] =
          fields.length === 1
            ? [[fields[0]!, member as MatchInput | DecodedMatch]]
            : Object.entries(member as Record<string, MatchInput | DecodedMatch>).map(
                ([name, input]) => [vs.matchFields.get(name), input],
              );
        const match = given.flatMap(([field, input]) => {
          const encoded = encodeMatch(field, input, `${subject} field '${field.name}'`);
          return encoded === undefined ? [] : [fieldMatchInit(field.id, encoded)];
        });
        return { match: match.sort((a, b) => (a.fieldId ?? 0) - (b.fieldId ?? 0)) };
      });
      return { entity: { case: "valueSetEntry", value: { valueSetId: vs.id, members } } };
    }
  }
}

function checkU32(value: number, subject: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new P4ValueError(subject, `${value} is not an unsigned 32-bit integer`);
  }
  return value;
}

function indexInit(index: number | undefined, size: number, subject: string) {
  return index === undefined ? undefined : { index: BigInt(checkIndex(index, size, subject)) };
}

function checkIndex(index: number, size: number, subject: string): number {
  if (!Number.isInteger(index) || index < 0 || (size > 0 && index >= size)) {
    throw new P4ValueError(subject, `index ${index} is outside 0..${size - 1}`);
  }
  return index;
}

function counterDataInit(d: CounterDataSpec) {
  return { byteCount: d.byteCount, packetCount: d.packetCount };
}

function meterCounterDataInit(d: MeterCounterDataSpec) {
  return {
    green: counterDataInit(d.green),
    yellow: counterDataInit(d.yellow),
    red: counterDataInit(d.red),
  };
}

function meterConfigInit(c: MeterConfigSpec, subject: string) {
  const v = readMeterConfig(c, subject, { cir: 0, cburst: 0, pir: 0, pburst: 0, eburst: 0 });
  return {
    cir: BigInt(v.cir),
    cburst: BigInt(v.cburst),
    pir: BigInt(v.pir),
    pburst: BigInt(v.pburst),
    eburst: BigInt(v.eburst),
  };
}

/**
 * Checks a meter config and puts its values, as P4Runtime carries them (whole
 * units, not negative, pir >= cir), into `into`: numbers stay numbers (no bigint
 * per value on the write path), bigints stay bigints.
 */
function readMeterConfig(c: MeterConfigSpec, subject: string, into: MeterValues): MeterValues {
  into.cir = meterValue(c.cir, "cir", subject);
  into.cburst = meterValue(c.cburst, "cburst", subject);
  into.pir = meterValue(c.pir, "pir", subject);
  into.pburst = meterValue(c.pburst, "pburst", subject);
  into.eburst = meterValue(c.eburst, "eburst", subject);
  if (into.pir < into.cir)
    throw new P4ValueError(subject, `pir ${into.pir} is below cir ${into.cir}`);
  return into;
}

/** A meter rate or burst: numbers are rounded to whole units. */
function meterValue(v: bigint | number | undefined, what: string, subject: string) {
  if (v === undefined) return 0;
  if (typeof v === "number") {
    v = Math.round(v);
    if (!Number.isSafeInteger(v))
      throw new P4ValueError(subject, `${what} ${v} is not a whole number below 2^53`);
  }
  if (v < 0) throw new P4ValueError(subject, `${what} ${v} is negative`);
  return v;
}

function replicaInit(r: ReplicaSpec) {
  const port =
    typeof r.port === "number" ? bigintToBytes(BigInt(checkU32(r.port, "replica port"))) : r.port;
  return { portKind: { case: "port" as const, value: port }, instance: r.instance ?? 0 };
}

function tableEntryInit(
  schema: P4Schema,
  spec: TableEntrySpec,
): MessageInitShape<typeof TableEntrySchema> {
  const table = schema.tables.get(spec.table);
  const subject = subjectOf(table, undefined, tableSubject);
  const match: MessageInitShape<typeof FieldMatchSchema>[] = [];
  if (spec.match !== undefined) {
    if (spec.isDefault) throw new P4ValueError(subject, "a default entry has no match fields");
    const given = spec.match;
    for (const name in given) {
      if (!Object.hasOwn(given, name)) continue;
      const field = table.matchFields.get(name);
      const fieldSubject = subjectOf(field, subject, matchFieldSubject);
      const encoded = encodeMatch(field, given[name]!, fieldSubject);
      if (encoded !== undefined) match.push(fieldMatchInit(field.id, encoded));
    }
    if (match.length > 1) match.sort((a, b) => (a.fieldId ?? 0) - (b.fieldId ?? 0));
  }
  const priority = spec.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0 || priority > 0x7fffffff) {
    throw new P4ValueError(subject, `priority ${priority} is not a positive 32-bit integer`);
  }
  if (!spec.isDefault && table.needsPriority && priority === 0) {
    throw new P4ValueError(
      subject,
      "entries of this table need a priority > 0 (it has ternary, range or optional fields)",
    );
  }
  if (!table.needsPriority && priority !== 0) {
    throw new P4ValueError(
      subject,
      `priority ${priority} given, but the table has only exact and LPM fields`,
    );
  }
  // Only what is set: create() and the wire writer both take absent as the default.
  const init: MessageInitShape<typeof TableEntrySchema> = { tableId: table.id, match };
  const action = tableActionInit(schema, table, spec, subject);
  if (action !== undefined) init.action = action;
  if (priority !== 0) init.priority = priority;
  if (spec.isDefault) init.isDefaultAction = true;
  if (spec.idleTimeoutNs) init.idleTimeoutNs = spec.idleTimeoutNs;
  if (spec.meterConfig)
    init.meterConfig = meterConfigInit(spec.meterConfig, `${subject} direct meter`);
  if (spec.counterData) init.counterData = counterDataInit(spec.counterData);
  if (spec.meterCounterData) init.meterCounterData = meterCounterDataInit(spec.meterCounterData);
  if (spec.metadata) init.metadata = spec.metadata;
  if (spec.isConst) init.isConst = true;
  return init;
}

const subjects = new WeakMap<object, string>();

/**
 * The name of a P4 object in error messages ("table 'x'", "table 'x' field 'y'"),
 * made once per object: entries are encoded by the thousand and rarely fail. The
 * makers are module functions, so that a lookup allocates nothing.
 */
function subjectOf<T extends object, C>(object: T, context: C, make: (o: T, c: C) => string) {
  let text = subjects.get(object);
  if (text === undefined) {
    text = make(object, context);
    subjects.set(object, text);
  }
  return text;
}

const tableSubject = (t: P4Table) => `table '${t.name}'`;
const matchFieldSubject = (f: P4MatchField, table: string) => `${table} field '${f.name}'`;
const paramSubject = (p: P4Param, a: P4Action) => `action '${a.name}' parameter '${p.name}'`;
const meterSubject = (m: P4Meter) => `meter '${m.name}'`;

function tableActionInit(schema: P4Schema, table: P4Table, spec: TableEntrySpec, subject: string) {
  const given =
    (spec.action !== undefined ? 1 : 0) +
    (spec.member !== undefined ? 1 : 0) +
    (spec.group !== undefined ? 1 : 0) +
    (spec.actionSet !== undefined ? 1 : 0);
  if (given > 1)
    throw new P4ValueError(subject, "give only one of action, member, group or actionSet");
  if (spec.action !== undefined) {
    if (table.implementationId !== 0 && !spec.isDefault) {
      throw new P4ValueError(
        subject,
        "the table uses an action profile: give a member, group or actionSet, not an action",
      );
    }
    return { type: { case: "action" as const, value: actionInit(schema, spec.action, table) } };
  }
  if (spec.member !== undefined || spec.group !== undefined || spec.actionSet !== undefined) {
    if (table.implementationId === 0) {
      throw new P4ValueError(subject, "the table has no action profile: give an action");
    }
    if (spec.member !== undefined) {
      return {
        type: {
          case: "actionProfileMemberId" as const,
          value: checkU32(spec.member, `${subject} member`),
        },
      };
    }
    if (spec.group !== undefined) {
      return {
        type: {
          case: "actionProfileGroupId" as const,
          value: checkU32(spec.group, `${subject} group`),
        },
      };
    }
    return {
      type: {
        case: "actionProfileActionSet" as const,
        value: {
          actionProfileActions: spec.actionSet!.map((a) => ({
            action: actionInit(schema, a.action, table),
            weight: a.weight,
            watchKind: a.watchPort
              ? { case: "watchPort" as const, value: a.watchPort }
              : { case: undefined },
          })),
        },
      },
    };
  }
  return undefined; // reads and deletes may leave the action out
}

function actionInit(schema: P4Schema, spec: ActionSpec, table: P4Table | undefined) {
  const action = schema.actions.get(spec.name);
  if (table !== undefined && !actionIdsOf(table).has(action.id)) {
    throw new P4ValueError(
      `table '${table.name}'`,
      `action '${action.name}' is not one of its actions (${table.actionRefs.map((r) => r.action.name).join(", ")})`,
    );
  }
  const given = spec.params ?? {};
  const ordered = paramsById(action);
  if (Object.keys(given).length !== ordered.length) {
    for (const name of Object.keys(given)) action.params.get(name); // unknown names fail here
  }
  const params = ordered.map((p) => {
    if (p.unsupported) {
      throw new P4ValueError(
        `action '${action.name}' parameter '${p.name}'`,
        `cannot encode: ${p.unsupported}`,
      );
    }
    const v = given[p.name] ?? given[p.alias];
    if (v === undefined) {
      throw new P4ValueError(
        `action '${action.name}'`,
        `parameter '${p.name}' (bit<${p.bitwidth}>) is missing`,
      );
    }
    return {
      paramId: p.id,
      value: encodeValue(v, p.bitwidth, subjectOf(p, action, paramSubject)),
    };
  });
  return { actionId: action.id, params };
}

const actionIds = new WeakMap<P4Table, Set<number>>();

/** The ids of a table's actions (cached, like the orders below). */
function actionIdsOf(table: P4Table): Set<number> {
  let ids = actionIds.get(table);
  if (ids === undefined) {
    ids = new Set(table.actionRefs.map((r) => r.action.id));
    actionIds.set(table, ids);
  }
  return ids;
}

const paramOrder = new WeakMap<P4Action, P4Param[]>();

/** An action's parameters sorted by id (cached: entries are encoded by the thousand). */
function paramsById(action: P4Action): P4Param[] {
  let list = paramOrder.get(action);
  if (list === undefined) {
    list = [...action.params].sort((a, b) => a.id - b.id);
    paramOrder.set(action, list);
  }
  return list;
}

function encodeMatch(
  field: P4MatchField,
  input: MatchInput | DecodedMatch,
  subject: string,
): EncodedMatch | undefined {
  if (field.unsupported) throw new P4ValueError(subject, `cannot encode: ${field.unsupported}`);
  const w = field.bitwidth;
  // A bare number, bigint or bytestring is an exact value whatever the match kind.
  const bare =
    typeof input !== "object" || input instanceof Uint8Array ? (input as P4Value) : undefined;
  const object = bare === undefined ? (input as Record<string, unknown>) : undefined;
  const need = (...keys: string[]) => {
    if (object !== undefined && !keys.every((k) => k in object)) {
      throw new P4ValueError(
        subject,
        `expected ${keys.join(" and ")} for a ${field.matchType} field`,
      );
    }
  };
  switch (field.matchType) {
    case "exact":
    case "optional":
      if (bare === undefined)
        throw new P4ValueError(subject, `expected a single value for a ${field.matchType} field`);
      return field.matchType === "exact"
        ? encodeExact(bare, w, subject)
        : encodeOptional(bare, w, subject);
    case "lpm":
      need("value", "prefixLen");
      return encodeLpm(
        typeof bare === "string"
          ? bare
          : bare !== undefined
            ? { value: bare, prefixLen: w }
            : (object as { value: P4Value; prefixLen: number }),
        w,
        subject,
      );
    case "ternary":
      need("value", "mask");
      return encodeTernary(
        typeof bare === "string"
          ? bare
          : bare !== undefined
            ? { value: bare, mask: fullMask(w) }
            : (object as { value: P4Value; mask: P4Value }),
        w,
        subject,
      );
    case "range":
      need("low", "high");
      return encodeRange(
        typeof bare === "string"
          ? bare
          : bare !== undefined
            ? { low: bare, high: bare }
            : (object as { low: P4Value; high: P4Value }),
        w,
        subject,
      );
    default:
      throw new P4ValueError(subject, `match kind '${field.matchType}' is not supported`);
  }
}

/**
 * A FieldMatch init whose inner message is the encoded match itself: each kind has
 * that message's fields under the same names (its `kind` is ignored by create() and
 * the wire writer), one object fewer per field on the write path.
 */
function fieldMatchInit(
  fieldId: number,
  m: EncodedMatch,
): MessageInitShape<typeof FieldMatchSchema> {
  return {
    fieldId,
    fieldMatchType: { case: m.kind, value: m } as MessageInitShape<
      typeof FieldMatchSchema
    >["fieldMatchType"],
  };
}

// ---------------------------------------------------------------- decoding

/**
 * Decodes a protobuf Entity (e.g. read back from a switch) into its spec form,
 * with names from the schema and canonical values. Throws a P4LookupError for ids
 * the schema does not know and a P4ValueError for values wider than their field.
 */
export function decodeEntity(schema: P4Schema, entity: Entity): EntitySpec {
  const e = entity.entity;
  switch (e.case) {
    case "tableEntry":
      return { kind: "tableEntry", ...decodeTableEntry(schema, e.value) };
    case "actionProfileMember": {
      const profile = schema.actionProfiles.get(e.value.actionProfileId);
      return {
        kind: "actionProfileMember",
        actionProfile: profile.name,
        memberId: e.value.memberId,
        action: decodeAction(
          schema,
          e.value.action,
          `member ${e.value.memberId} of '${profile.name}'`,
        ),
      };
    }
    case "actionProfileGroup": {
      const profile = schema.actionProfiles.get(e.value.actionProfileId);
      return {
        kind: "actionProfileGroup",
        actionProfile: profile.name,
        groupId: e.value.groupId,
        members: e.value.members.map((m) => ({
          memberId: m.memberId,
          weight: m.weight,
          ...(m.watchKind.case === "watchPort" ? { watchPort: m.watchKind.value } : {}),
        })),
        ...(e.value.maxSize ? { maxSize: e.value.maxSize } : {}),
      };
    }
    case "counterEntry":
      return {
        kind: "counterEntry",
        counter: schema.counters.get(e.value.counterId).name,
        ...(e.value.index ? { index: Number(e.value.index.index) } : {}),
        ...(e.value.data ? { data: decodeCounterData(e.value.data) } : {}),
      };
    case "directCounterEntry":
      return {
        kind: "directCounterEntry",
        tableEntry: decodeTableEntry(
          schema,
          requireField(e.value.tableEntry, "direct counter entry", "table_entry"),
        ),
        ...(e.value.data ? { data: decodeCounterData(e.value.data) } : {}),
      };
    case "meterEntry":
      return {
        kind: "meterEntry",
        meter: schema.meters.get(e.value.meterId).name,
        ...(e.value.index ? { index: Number(e.value.index.index) } : {}),
        ...(e.value.config ? { config: decodeMeterConfig(e.value.config) } : {}),
        ...(e.value.counterData
          ? { counterData: decodeMeterCounterData(e.value.counterData) }
          : {}),
      };
    case "directMeterEntry":
      return {
        kind: "directMeterEntry",
        tableEntry: decodeTableEntry(
          schema,
          requireField(e.value.tableEntry, "direct meter entry", "table_entry"),
        ),
        ...(e.value.config ? { config: decodeMeterConfig(e.value.config) } : {}),
        ...(e.value.counterData
          ? { counterData: decodeMeterCounterData(e.value.counterData) }
          : {}),
      };
    case "registerEntry": {
      const register = schema.registers.get(e.value.registerId);
      const data = e.value.data?.data;
      return {
        kind: "registerEntry",
        register: register.name,
        ...(e.value.index ? { index: Number(e.value.index.index) } : {}),
        ...(data?.case === "bitstring" ? { value: bytesToBigint(data.value) } : {}),
      };
    }
    case "packetReplicationEngineEntry": {
      const t = e.value.type;
      if (t.case === "multicastGroupEntry") {
        return {
          kind: "multicastGroupEntry",
          multicastGroupId: t.value.multicastGroupId,
          replicas: t.value.replicas.map(decodeReplica),
          ...(t.value.metadata.length ? { metadata: t.value.metadata } : {}),
        };
      }
      if (t.case === "cloneSessionEntry") {
        return {
          kind: "cloneSessionEntry",
          sessionId: t.value.sessionId,
          replicas: t.value.replicas.map(decodeReplica),
          ...(t.value.classOfService ? { classOfService: t.value.classOfService } : {}),
          ...(t.value.packetLengthBytes ? { packetLengthBytes: t.value.packetLengthBytes } : {}),
        };
      }
      throw new P4ValueError(
        "packet replication engine entry",
        "has neither a multicast group nor a clone session",
      );
    }
    case "digestEntry":
      return {
        kind: "digestEntry",
        digest: schema.digests.get(e.value.digestId).name,
        ...(e.value.config ? { config: { ...e.value.config } } : {}),
      };
    case "valueSetEntry": {
      const vs = schema.valueSets.get(e.value.valueSetId);
      const single = vs.matchFields.size === 1;
      return {
        kind: "valueSetEntry",
        valueSet: vs.name,
        members: e.value.members.map((member, i) => {
          const decoded: Record<string, DecodedMatch> = {};
          for (const m of member.match) {
            const field = vs.matchFields.get(m.fieldId);
            const value = decodeFieldMatch(
              field,
              m,
              `value set '${vs.name}' member ${i} field '${field.name}'`,
            );
            if (value !== undefined) decoded[field.name] = value;
          }
          return single ? (Object.values(decoded)[0] ?? {}) : decoded;
        }),
      };
    }
    default:
      throw new P4ValueError(
        "entity",
        `kind '${e.case ?? "empty"}' is not supported by this library`,
      );
  }
}

function requireField<T>(value: T | undefined, what: string, field: string): T {
  if (value === undefined) throw new P4ValueError(what, `${field} is missing`);
  return value;
}

/** Decodes a protobuf TableEntry into its spec (names, bigint values). */
export function decodeTableEntry(schema: P4Schema, msg: TableEntryMsg): TableEntrySpec {
  const table = schema.tables.get(msg.tableId);
  const subject = `table '${table.name}'`;
  const spec: TableEntrySpec = { table: table.name };
  if (msg.match.length > 0) {
    spec.match = {};
    for (const m of msg.match) {
      const field = table.matchFields.get(m.fieldId);
      const decoded = decodeFieldMatch(field, m, `${subject} field '${field.name}'`);
      if (decoded !== undefined) spec.match[field.name] = decoded;
    }
  }
  const a = msg.action?.type;
  if (a?.case === "action") spec.action = decodeAction(schema, a.value, subject);
  else if (a?.case === "actionProfileMemberId") spec.member = a.value;
  else if (a?.case === "actionProfileGroupId") spec.group = a.value;
  else if (a?.case === "actionProfileActionSet") {
    spec.actionSet = a.value.actionProfileActions.map((x) => ({
      action: decodeAction(schema, x.action, subject),
      weight: x.weight,
      ...(x.watchKind.case === "watchPort" ? { watchPort: x.watchKind.value } : {}),
    }));
  }
  if (msg.priority) spec.priority = msg.priority;
  if (msg.isDefaultAction) spec.isDefault = true;
  if (msg.idleTimeoutNs) spec.idleTimeoutNs = msg.idleTimeoutNs;
  if (msg.meterConfig) spec.meterConfig = decodeMeterConfig(msg.meterConfig);
  if (msg.counterData) spec.counterData = decodeCounterData(msg.counterData);
  if (msg.meterCounterData) spec.meterCounterData = decodeMeterCounterData(msg.meterCounterData);
  if (msg.metadata.length) spec.metadata = msg.metadata;
  if (msg.isConst) spec.isConst = true;
  return spec;
}

function decodeFieldMatch(
  field: P4MatchField,
  m: FieldMatch,
  subject: string,
): DecodedMatch | undefined {
  if (field.unsupported) throw new P4ValueError(subject, `cannot decode: ${field.unsupported}`);
  const w = field.bitwidth;
  const t = m.fieldMatchType;
  const value = (bytes: Uint8Array, what = "value") =>
    bytesToBigint(canonical(bytes, w, `${subject} ${what}`));
  const expect = (kind: string) => {
    if (field.matchType !== kind) {
      throw new P4ValueError(subject, `got a ${kind} match for a ${field.matchType} field`);
    }
  };
  switch (t.case) {
    case "exact":
      expect("exact");
      return value(t.value.value);
    case "optional":
      expect("optional");
      return value(t.value.value);
    case "lpm":
      expect("lpm");
      return { value: value(t.value.value), prefixLen: t.value.prefixLen };
    case "ternary":
      expect("ternary");
      return { value: value(t.value.value), mask: value(t.value.mask, "mask") };
    case "range":
      expect("range");
      return { low: value(t.value.low, "low"), high: value(t.value.high, "high") };
    default:
      throw new P4ValueError(subject, "unsupported or empty field match");
  }
}

function decodeAction(schema: P4Schema, msg: ActionMsg | undefined, subject: string): ActionSpec {
  if (msg === undefined) throw new P4ValueError(subject, "action is missing");
  const action: P4Action = schema.actions.get(msg.actionId);
  const params: Record<string, bigint> = {};
  for (const p of msg.params) {
    const param = action.params.get(p.paramId);
    if (param.unsupported) {
      throw new P4ValueError(
        `${subject} parameter '${param.name}'`,
        `cannot decode: ${param.unsupported}`,
      );
    }
    params[param.name] = bytesToBigint(
      canonical(p.value, param.bitwidth, `action '${action.name}' parameter '${param.name}'`),
    );
  }
  return { name: action.name, params };
}

function decodeCounterData(d: { byteCount: bigint; packetCount: bigint }): CounterDataSpec {
  return { byteCount: d.byteCount, packetCount: d.packetCount };
}

function decodeMeterCounterData(d: {
  green?: { byteCount: bigint; packetCount: bigint };
  yellow?: { byteCount: bigint; packetCount: bigint };
  red?: { byteCount: bigint; packetCount: bigint };
}): MeterCounterDataSpec {
  const zero = { byteCount: 0n, packetCount: 0n };
  return {
    green: decodeCounterData(d.green ?? zero),
    yellow: decodeCounterData(d.yellow ?? zero),
    red: decodeCounterData(d.red ?? zero),
  };
}

function decodeMeterConfig(c: MeterConfig): MeterConfigSpec {
  return {
    cir: c.cir,
    cburst: c.cburst,
    pir: c.pir,
    pburst: c.pburst,
    ...(c.eburst ? { eburst: c.eburst } : {}),
  };
}

function decodeReplica(r: {
  portKind:
    | { case: "egressPort"; value: number }
    | { case: "port"; value: Uint8Array }
    | { case: undefined };
  instance: number;
}): ReplicaSpec {
  const port =
    r.portKind.case === "egressPort"
      ? r.portKind.value
      : r.portKind.case === "port"
        ? Number(bytesToBigint(r.portKind.value))
        : 0;
  return { port, instance: r.instance };
}

// ---------------------------------------------------------------- comparing

/**
 * The entity in its canonical form: what `encodeEntity` would produce from its
 * decoded spec. Read-back entities are normalised this way before they are
 * compared with desired ones, so padded bytestrings, field order and "don't care"
 * matches sent explicitly do not count as differences.
 */
export function normalizeEntity(schema: P4Schema, entity: Entity): Entity {
  return encodeEntity(schema, decodeEntity(schema, entity));
}

/** True when two (normalised) entities are identical. */
export function sameEntity(a: Entity, b: Entity): boolean {
  return equals(EntitySchema, a, b);
}

function hexOf(bytes: Uint8Array): string {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return Buffer.from(bytes.subarray(i)).toString("hex");
}

/** One field match as text; padded and canonical values give the same text. */
export function fieldMatchKey(m: FieldMatch): string {
  const f = m.fieldMatchType;
  switch (f.case) {
    case "exact":
    case "optional":
      return `${m.fieldId}=${hexOf(f.value.value)}`;
    case "lpm":
      return `${m.fieldId}=${hexOf(f.value.value)}/${f.value.prefixLen}`;
    case "ternary":
      return `${m.fieldId}=${hexOf(f.value.value)}&${hexOf(f.value.mask)}`;
    case "range":
      return `${m.fieldId}=${hexOf(f.value.low)}-${hexOf(f.value.high)}`;
    default:
      return `${m.fieldId}=?`;
  }
}

function tableKey(t: TableEntryMsg | undefined): string {
  if (t === undefined) return "t:?";
  if (t.isDefaultAction) return `t:${t.tableId}:default`;
  const parts = [...t.match].sort((a, b) => a.fieldId - b.fieldId).map(fieldMatchKey);
  return `t:${t.tableId}:${t.priority}:${parts.join(",")}`;
}

/**
 * The identity of an entity: two entities with the same key address the same
 * switch object (same table entry, same meter cell, ...). Padded values give the
 * same key as canonical ones.
 */
export function entityKey(entity: Entity): string {
  const e = entity.entity;
  switch (e.case) {
    case "tableEntry":
      return tableKey(e.value);
    case "actionProfileMember":
      return `apm:${e.value.actionProfileId}:${e.value.memberId}`;
    case "actionProfileGroup":
      return `apg:${e.value.actionProfileId}:${e.value.groupId}`;
    case "counterEntry":
      return `c:${e.value.counterId}:${e.value.index?.index ?? "*"}`;
    case "directCounterEntry":
      return `dc:${tableKey(e.value.tableEntry)}`;
    case "meterEntry":
      return `m:${e.value.meterId}:${e.value.index?.index ?? "*"}`;
    case "directMeterEntry":
      return `dm:${tableKey(e.value.tableEntry)}`;
    case "registerEntry":
      return `r:${e.value.registerId}:${e.value.index?.index ?? "*"}`;
    case "packetReplicationEngineEntry": {
      const t = e.value.type;
      if (t.case === "multicastGroupEntry") return `mc:${t.value.multicastGroupId}`;
      if (t.case === "cloneSessionEntry") return `cs:${t.value.sessionId}`;
      return "pre:?";
    }
    case "digestEntry":
      return `d:${e.value.digestId}`;
    case "valueSetEntry":
      return `vs:${e.value.valueSetId}`;
    case "externEntry":
      return `x:${e.value.externTypeId}:${e.value.externId}`;
    default:
      return "?";
  }
}

/** The entity kind of a protobuf Entity in this library's naming. */
export function entityKindOf(entity: Entity): EntityKind | undefined {
  const e = entity.entity;
  if (e.case === "packetReplicationEngineEntry") {
    return e.value.type.case === "cloneSessionEntry" ? "cloneSessionEntry" : "multicastGroupEntry";
  }
  if (e.case === "externEntry" || e.case === undefined) return undefined;
  return e.case;
}

// ---------------------------------------------------------------- wildcards for Read

/** Wildcard read requests: every entity of a kind, or of one table/counter/meter/... */
export const wildcard = {
  tableEntries(schema?: P4Schema, table?: string): Entity {
    return create(EntitySchema, {
      entity: {
        case: "tableEntry",
        value: { tableId: table && schema ? schema.tables.get(table).id : 0 },
      },
    });
  },
  /** The default entry of one table (wildcard reads never return default entries). */
  defaultEntry(schema: P4Schema, table: string): Entity {
    return create(EntitySchema, {
      entity: {
        case: "tableEntry",
        value: { tableId: schema.tables.get(table).id, isDefaultAction: true },
      },
    });
  },
  actionProfileMembers(schema?: P4Schema, profile?: string): Entity {
    const id = profile && schema ? schema.actionProfiles.get(profile).id : 0;
    return create(EntitySchema, {
      entity: { case: "actionProfileMember", value: { actionProfileId: id } },
    });
  },
  actionProfileGroups(schema?: P4Schema, profile?: string): Entity {
    const id = profile && schema ? schema.actionProfiles.get(profile).id : 0;
    return create(EntitySchema, {
      entity: { case: "actionProfileGroup", value: { actionProfileId: id } },
    });
  },
  counterEntries(schema?: P4Schema, counter?: string): Entity {
    const id = counter && schema ? schema.counters.get(counter).id : 0;
    return create(EntitySchema, { entity: { case: "counterEntry", value: { counterId: id } } });
  },
  meterEntries(schema?: P4Schema, meter?: string): Entity {
    const id = meter && schema ? schema.meters.get(meter).id : 0;
    return create(EntitySchema, { entity: { case: "meterEntry", value: { meterId: id } } });
  },
  registerEntries(schema?: P4Schema, register?: string): Entity {
    const id = register && schema ? schema.registers.get(register).id : 0;
    return create(EntitySchema, { entity: { case: "registerEntry", value: { registerId: id } } });
  },
  multicastGroups(): Entity {
    return create(EntitySchema, {
      entity: {
        case: "packetReplicationEngineEntry",
        value: { type: { case: "multicastGroupEntry", value: {} } },
      },
    });
  },
  cloneSessions(): Entity {
    return create(EntitySchema, {
      entity: {
        case: "packetReplicationEngineEntry",
        value: { type: { case: "cloneSessionEntry", value: {} } },
      },
    });
  },
  digests(): Entity {
    return create(EntitySchema, { entity: { case: "digestEntry", value: {} } });
  },
  valueSets(schema?: P4Schema, valueSet?: string): Entity {
    const id = valueSet && schema ? schema.valueSets.get(valueSet).id : 0;
    return create(EntitySchema, { entity: { case: "valueSetEntry", value: { valueSetId: id } } });
  },
};
