// The spec shapes of P4Runtime entities: plain objects that use P4Info names and user
// values. Each kind is encoded and decoded by its codec (registry.ts).
import type { LpmInput, P4Value, RangeInput, TernaryInput } from "../values.js";

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
