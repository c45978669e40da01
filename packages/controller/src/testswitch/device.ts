// The forwarding state of a P4Runtime test device and the semantics of Write and
// Read on it: what a real server accepts, what it refuses, and with which code.
// No gRPC here; server.ts wires this to the network.
//
// It follows the P4Runtime specification (v1.5); where BMv2's PI-based server
// differs, the difference is a quirk flag (DeviceQuirks) that BMV2_QUIRKS turns on.
// Only CONTINUE_ON_ERROR batches are supported. Values are stored in their canonical
// (shortest) form, so reads answer with canonical bytestrings whatever was written.
//
// One file over 500 lines: Write and Read of every entity kind act on one store with
// cross-kind reference counts (tables, members, groups), kept in one class.
import { clone, create, type MessageInitShape } from "@bufbuild/protobuf";
import { status as Code } from "@grpc/grpc-js";
import {
  ActionProfileGroupSchema,
  ActionProfileMemberSchema,
  CounterDataSchema,
  EntitySchema,
  MeterConfigSchema,
  TableEntrySchema,
  UpdateSchema,
  Update_Type,
  type ActionProfileGroup,
  type ActionProfileMember,
  type CloneSessionEntry,
  type CounterData,
  type DigestEntry,
  type Entity,
  type FieldMatch,
  type MeterConfig,
  type MulticastGroupEntry,
  type TableEntry,
  type Update,
  type Action,
  type Replica,
  type ValueSetEntry,
  type ValueSetMember,
  ValueSetMemberSchema,
} from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import { P4DataSchema, type P4Data } from "@netapprox/p4runtime/proto/p4/v1/p4data_pb.js";
import { entityKey, fieldMatchKey } from "@netapprox/p4runtime/entities.js";
import type {
  P4MatchField,
  P4Object,
  P4ObjectMap,
  P4Schema,
  P4Table,
} from "@netapprox/p4runtime/p4info.js";
import { bitLength, bytesToBigint, fullMask, prefixMask } from "@netapprox/p4runtime/values.js";

/** The outcome of one update, as it goes into a p4.v1.Error. */
export interface UpdateStatus {
  code: number;
  message: string;
}

type EntityInit = MessageInitShape<typeof EntitySchema>;

export const OK: UpdateStatus = { code: Code.OK, message: "" };

class DeviceError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function fail(code: number, message: string): never {
  throw new DeviceError(code, message);
}

/** Where a server departs from the specification, as BMv2's does. */
export interface DeviceQuirks {
  /** Register reads and writes answer UNIMPLEMENTED. */
  registersUnimplemented: boolean;
  /** A meter write needs an index: UNIMPLEMENTED without (the spec lets it set every cell). */
  meterWritesNeedIndex: boolean;
  /** Values wider than their field and empty bytestrings are INVALID_ARGUMENT (spec: OUT_OF_RANGE). */
  valueErrorsInvalidArgument: boolean;
  /**
   * When the primary leaves, the remaining client with the highest election id is made
   * primary at once (spec: no primary until a client bids at least the highest id seen).
   */
  promotesBackupOnPrimaryLoss: boolean;
}

export const SPEC_BEHAVIOUR: DeviceQuirks = {
  registersUnimplemented: false,
  meterWritesNeedIndex: false,
  valueErrorsInvalidArgument: false,
  promotesBackupOnPrimaryLoss: false,
};

export const BMV2_QUIRKS: DeviceQuirks = {
  registersUnimplemented: true,
  meterWritesNeedIndex: true,
  valueErrorsInvalidArgument: true,
  promotesBackupOnPrimaryLoss: true,
};

interface StoredEntry {
  entry: TableEntry; // as written (normalised key fields), without counter data
  counter: CounterData;
  meter: MeterConfig | undefined;
}

const zeroCounter = (): CounterData => create(CounterDataSchema);
const copyCounter = (d: CounterData): CounterData => clone(CounterDataSchema, d);

/** All state of one device for one pipeline. */
export class DeviceState {
  private readonly tables = new Map<number, Map<string, StoredEntry>>();
  private readonly defaults = new Map<number, TableEntry>();
  private readonly members = new Map<number, Map<number, ActionProfileMember>>();
  private readonly groups = new Map<number, Map<number, ActionProfileGroup>>();
  private readonly counters = new Map<number, Map<number, CounterData>>();
  private readonly meters = new Map<number, Map<number, MeterConfig>>();
  private readonly registers = new Map<number, Map<number, P4Data>>();
  private readonly multicastGroups = new Map<number, MulticastGroupEntry>();
  private readonly cloneSessions = new Map<number, CloneSessionEntry>();
  private readonly digestConfigs = new Map<number, DigestEntry>();
  /** Value set members, canonical, by value set id. */
  private readonly valueSets = new Map<number, ValueSetMember[]>();
  /** Member/group reference counts, to refuse deleting what is in use. */
  private readonly memberRefs = new Map<string, number>();
  private readonly groupRefs = new Map<string, number>();

  constructor(
    readonly schema: P4Schema,
    readonly quirks: DeviceQuirks = SPEC_BEHAVIOUR,
  ) {
    for (const t of schema.tables) this.tables.set(t.id, new Map());
    for (const p of schema.actionProfiles) {
      this.members.set(p.id, new Map());
      this.groups.set(p.id, new Map());
    }
    for (const c of schema.counters) this.counters.set(c.id, new Map());
    for (const m of schema.meters) this.meters.set(m.id, new Map());
    for (const r of schema.registers) this.registers.set(r.id, new Map());
  }

  /** Number of table entries installed, over all tables. */
  get entryCount(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.size;
    return n;
  }

  // ------------------------------------------------------------ write

  /** Applies one update; never throws, returns the update's status. */
  apply(update: Update): UpdateStatus {
    try {
      this.applyOrThrow(update);
      return OK;
    } catch (err) {
      if (err instanceof DeviceError) return { code: err.code, message: err.message };
      return { code: Code.INTERNAL, message: (err as Error).message };
    }
  }

  private applyOrThrow(update: Update): void {
    const type = update.type;
    if (type !== Update_Type.INSERT && type !== Update_Type.MODIFY && type !== Update_Type.DELETE) {
      fail(Code.INVALID_ARGUMENT, "update type must be INSERT, MODIFY or DELETE");
    }
    const e = update.entity?.entity;
    switch (e?.case) {
      case "tableEntry":
        return this.writeTableEntry(type, e.value);
      case "actionProfileMember":
        return this.writeMember(type, e.value);
      case "actionProfileGroup":
        return this.writeGroup(type, e.value);
      case "counterEntry": {
        if (type !== Update_Type.MODIFY)
          fail(Code.INVALID_ARGUMENT, "counter entries support MODIFY only");
        const counter = this.lookup(
          () => this.schema.counters.get(e.value.counterId),
          "counter",
          e.value.counterId,
        );
        const cells = this.counters.get(counter.id)!;
        const data = () => (e.value.data ? copyCounter(e.value.data) : zeroCounter());
        for (const i of this.indexes(e.value.index, counter)) cells.set(i, data());
        return;
      }
      case "directCounterEntry": {
        if (type !== Update_Type.MODIFY)
          fail(Code.INVALID_ARGUMENT, "direct counter entries support MODIFY only");
        const stored = this.findStored(e.value.tableEntry, "direct counter");
        stored.counter = e.value.data ? copyCounter(e.value.data) : zeroCounter();
        return;
      }
      case "meterEntry": {
        if (type !== Update_Type.MODIFY)
          fail(Code.INVALID_ARGUMENT, "meter entries support MODIFY only");
        const meter = this.lookup(
          () => this.schema.meters.get(e.value.meterId),
          "meter",
          e.value.meterId,
        );
        if (e.value.index === undefined && this.quirks.meterWritesNeedIndex)
          fail(
            Code.UNIMPLEMENTED,
            "a meter write needs an index (wildcard meter writes are not supported)",
          );
        const cells = this.meters.get(meter.id)!;
        const config = e.value.config && checkMeterConfig(e.value.config);
        for (const i of this.indexes(e.value.index, meter)) {
          if (config === undefined) cells.delete(i);
          else cells.set(i, config);
        }
        return;
      }
      case "directMeterEntry": {
        if (type !== Update_Type.MODIFY)
          fail(Code.INVALID_ARGUMENT, "direct meter entries support MODIFY only");
        const stored = this.findStored(e.value.tableEntry, "direct meter");
        stored.meter = e.value.config ? checkMeterConfig(e.value.config) : undefined;
        return;
      }
      case "registerEntry": {
        if (this.quirks.registersUnimplemented)
          fail(Code.UNIMPLEMENTED, "register writes are not supported by this target");
        if (type !== Update_Type.MODIFY)
          fail(Code.INVALID_ARGUMENT, "register entries support MODIFY only");
        const register = this.lookup(
          () => this.schema.registers.get(e.value.registerId),
          "register",
          e.value.registerId,
        );
        if (e.value.index === undefined)
          fail(Code.INVALID_ARGUMENT, "a register write needs an index");
        const index = this.checkIndex(
          e.value.index.index,
          register.size,
          `register '${register.name}'`,
        );
        const data = e.value.data;
        if (data?.data.case !== "bitstring")
          fail(Code.INVALID_ARGUMENT, "register data must be a bitstring");
        if (register.bitwidth !== undefined)
          this.checkWidth(data.data.value, register.bitwidth, `register '${register.name}'`);
        this.registers.get(register.id)!.set(
          index,
          create(P4DataSchema, {
            data: { case: "bitstring", value: canonicalBytes(data.data.value) },
          }),
        );
        return;
      }
      case "packetReplicationEngineEntry": {
        const t = e.value.type;
        if (t.case === "multicastGroupEntry") {
          return this.writeById(
            type,
            this.multicastGroups,
            t.value.multicastGroupId,
            t.value,
            "multicast group",
            () => canonicalReplicas(checkReplicas(t.value.replicas)),
          );
        }
        if (t.case === "cloneSessionEntry") {
          return this.writeById(
            type,
            this.cloneSessions,
            t.value.sessionId,
            t.value,
            "clone session",
            () => canonicalReplicas(checkReplicas(t.value.replicas)),
          );
        }
        fail(Code.INVALID_ARGUMENT, "packet replication engine entry without a type");
        break;
      }
      case "digestEntry": {
        const digest = this.lookup(
          () => this.schema.digests.get(e.value.digestId),
          "digest",
          e.value.digestId,
        );
        return this.writeById(
          type,
          this.digestConfigs,
          digest.id,
          e.value,
          `digest '${digest.name}'`,
          () => {
            if (type !== Update_Type.DELETE && e.value.config === undefined) {
              fail(Code.INVALID_ARGUMENT, "a digest entry needs a config");
            }
          },
        );
      }
      case "valueSetEntry":
        return this.writeValueSet(type, e.value);
      case "externEntry":
        fail(Code.UNIMPLEMENTED, `${e.case} is not supported by this target`);
        break;
      default:
        fail(Code.INVALID_ARGUMENT, "update has an empty entity");
    }
  }

  /** Value sets: MODIFY replaces every member; duplicates and overflow are refused. */
  private writeValueSet(type: Update_Type, entry: ValueSetEntry): void {
    if (type !== Update_Type.MODIFY)
      fail(Code.INVALID_ARGUMENT, "value set entries support MODIFY only");
    const vs = this.lookup(
      () => this.schema.valueSets.get(entry.valueSetId),
      "value set",
      entry.valueSetId,
    );
    const where = `value set '${vs.name}'`;
    if (vs.size > 0 && entry.members.length > vs.size)
      fail(
        Code.RESOURCE_EXHAUSTED,
        `${where}: ${entry.members.length} members exceed its size ${vs.size}`,
      );
    const seen = new Set<string>();
    const members = entry.members.map((member, i) => {
      const ids = new Set<number>();
      for (const m of member.match) {
        const field = vs.matchFields.find(m.fieldId);
        if (field === undefined)
          fail(Code.INVALID_ARGUMENT, `${where} member ${i}: unknown match field id ${m.fieldId}`);
        if (ids.has(m.fieldId))
          fail(Code.INVALID_ARGUMENT, `${where} member ${i}: field '${field.name}' given twice`);
        ids.add(m.fieldId);
        this.checkFieldMatch(`${where} member ${i}`, field, m);
      }
      const canonical = create(ValueSetMemberSchema, {
        match: [...member.match].sort((a, b) => a.fieldId - b.fieldId).map(canonicalFieldMatch),
      });
      const key = canonical.match.map(fieldMatchKey).join(",");
      if (seen.has(key)) fail(Code.ALREADY_EXISTS, `${where}: member ${i} is listed twice`);
      seen.add(key);
      return canonical;
    });
    this.valueSets.set(vs.id, members);
  }

  private lookup<T>(get: () => T, kind: string, id: number): T {
    try {
      return get();
    } catch {
      return fail(Code.INVALID_ARGUMENT, `unknown ${kind} id ${id}`);
    }
  }

  private checkIndex(index: bigint, size: number, what: string): number {
    if (index < 0n || index >= BigInt(size))
      fail(Code.OUT_OF_RANGE, `${what}: index ${index} is outside 0..${size - 1}`);
    return Number(index);
  }

  /**
   * A bitstring for a bit<W> field: not empty, at most W significant bits (OUT_OF_RANGE,
   * or INVALID_ARGUMENT as PI answers). Width 0 is a field translated to another type
   * (@p4runtime_translation): any non-empty value is taken.
   */
  private checkWidth(value: Uint8Array, bitwidth: number, what: string): void {
    const code = this.quirks.valueErrorsInvalidArgument ? Code.INVALID_ARGUMENT : Code.OUT_OF_RANGE;
    if (value.length === 0) fail(code, `${what}: empty bytestring`);
    const bits = bitLength(value);
    if (bitwidth > 0 && bits > bitwidth)
      fail(code, `${what}: value needs ${bits} bits, field is ${bitwidth} bits wide`);
  }

  private writeById<T>(
    type: Update_Type,
    map: Map<number, T>,
    id: number,
    value: T,
    what: string,
    validate: () => void,
  ): void {
    if (id === 0) fail(Code.INVALID_ARGUMENT, `${what} id 0 is reserved`);
    const exists = map.has(id);
    if (type === Update_Type.INSERT && exists)
      fail(Code.ALREADY_EXISTS, `${what} ${id} already exists`);
    if (type !== Update_Type.INSERT && !exists)
      fail(Code.NOT_FOUND, `${what} ${id} does not exist`);
    if (type === Update_Type.DELETE) {
      map.delete(id);
      return;
    }
    validate();
    map.set(id, value);
  }

  private tableOf(entry: TableEntry | undefined, what: string): P4Table {
    if (entry === undefined) fail(Code.INVALID_ARGUMENT, `${what}: table_entry is missing`);
    return this.lookup(() => this.schema.tables.get(entry.tableId), "table", entry.tableId);
  }

  /** Validates the key part of a table entry and returns its storage key. */
  private entryKey(table: P4Table, entry: TableEntry): string {
    const seen = new Set<number>();
    for (const m of entry.match) {
      const field = table.matchFields.find(m.fieldId);
      if (field === undefined)
        fail(Code.INVALID_ARGUMENT, `table '${table.name}': unknown match field id ${m.fieldId}`);
      if (seen.has(m.fieldId))
        fail(
          Code.INVALID_ARGUMENT,
          `table '${table.name}': match field '${field.name}' given twice`,
        );
      seen.add(m.fieldId);
      this.checkFieldMatch(`table '${table.name}'`, field, m);
    }
    for (const field of table.matchFields) {
      if (field.matchType === "exact" && !seen.has(field.id)) {
        fail(
          Code.INVALID_ARGUMENT,
          `table '${table.name}': exact match field '${field.name}' is missing`,
        );
      }
    }
    if (table.needsPriority) {
      if (entry.priority <= 0)
        fail(Code.INVALID_ARGUMENT, `table '${table.name}': entries need a priority > 0`);
    } else if (entry.priority !== 0) {
      fail(
        Code.INVALID_ARGUMENT,
        `table '${table.name}': priority must be 0 for a table without ternary, range or optional fields`,
      );
    }
    return entityKey(create(EntitySchema, { entity: { case: "tableEntry", value: entry } }));
  }

  private checkFieldMatch(owner: string, field: P4MatchField, m: FieldMatch): void {
    const kind = field.matchType;
    const w = field.bitwidth;
    const what = `${owner} field '${field.name}'`;
    const t = m.fieldMatchType;
    if (t.case !== kind)
      fail(Code.INVALID_ARGUMENT, `${what}: expected a ${kind} match, got ${t.case ?? "none"}`);
    switch (t.case) {
      case "exact":
      case "optional":
        this.checkWidth(t.value.value, w, what);
        return;
      case "lpm": {
        this.checkWidth(t.value.value, w, what);
        const len = t.value.prefixLen;
        if (len <= 0 || len > w)
          fail(
            Code.INVALID_ARGUMENT,
            `${what}: prefix length ${len} is outside 1..${w} (omit the field for a wildcard)`,
          );
        if ((bytesToBigint(t.value.value) & ~prefixMask(len, w) & fullMask(w)) !== 0n) {
          fail(Code.INVALID_ARGUMENT, `${what}: bits past the /${len} prefix must be zero`);
        }
        return;
      }
      case "ternary": {
        this.checkWidth(t.value.value, w, what);
        this.checkWidth(t.value.mask, w, `${what} mask`);
        const mask = bytesToBigint(t.value.mask);
        if (mask === 0n)
          fail(Code.INVALID_ARGUMENT, `${what}: a zero mask is a wildcard; omit the field`);
        if ((bytesToBigint(t.value.value) & ~mask) !== 0n)
          fail(Code.INVALID_ARGUMENT, `${what}: value has bits outside the mask`);
        return;
      }
      case "range": {
        this.checkWidth(t.value.low, w, `${what} low`);
        this.checkWidth(t.value.high, w, `${what} high`);
        const lo = bytesToBigint(t.value.low);
        const hi = bytesToBigint(t.value.high);
        if (lo > hi) fail(Code.INVALID_ARGUMENT, `${what}: low ${lo} is above high ${hi}`);
        if (lo === 0n && hi === fullMask(w))
          fail(Code.INVALID_ARGUMENT, `${what}: the full range is a wildcard; omit the field`);
        return;
      }
      default:
        fail(Code.INVALID_ARGUMENT, `${what}: unsupported match type`);
    }
  }

  private checkAction(
    table: P4Table | undefined,
    action: Action,
    forDefault: boolean,
    where: string,
  ): void {
    const a = this.lookup(
      () => this.schema.actions.get(action.actionId),
      "action",
      action.actionId,
    );
    if (table !== undefined) {
      const ref = table.actionRefs.find((r) => r.action.id === a.id);
      if (ref === undefined)
        fail(
          Code.INVALID_ARGUMENT,
          `${where}: action '${a.name}' is not an action of table '${table.name}'`,
        );
      if (forDefault && ref.scope === "table_only")
        fail(Code.INVALID_ARGUMENT, `${where}: action '${a.name}' cannot be a default action`);
      if (!forDefault && ref.scope === "default_only")
        fail(Code.INVALID_ARGUMENT, `${where}: action '${a.name}' can only be a default action`);
    }
    const given = new Set<number>();
    for (const p of action.params) {
      const param = a.params.find(p.paramId);
      if (param === undefined)
        fail(
          Code.INVALID_ARGUMENT,
          `${where}: action '${a.name}' has no parameter id ${p.paramId}`,
        );
      if (given.has(p.paramId))
        fail(Code.INVALID_ARGUMENT, `${where}: parameter '${param.name}' given twice`);
      given.add(p.paramId);
      this.checkWidth(
        p.value,
        param.bitwidth,
        `${where}: action '${a.name}' parameter '${param.name}'`,
      );
    }
    for (const p of a.params) {
      if (!given.has(p.id))
        fail(
          Code.INVALID_ARGUMENT,
          `${where}: action '${a.name}' parameter '${p.name}' is missing`,
        );
    }
  }

  /** Checks a table entry's action and returns the member/group it references, if any. */
  private checkTableAction(table: P4Table, entry: TableEntry): string | undefined {
    const where = `table '${table.name}'`;
    const a = entry.action?.type;
    if (a === undefined || a.case === undefined)
      fail(Code.INVALID_ARGUMENT, `${where}: the entry has no action`);
    if (table.implementationId === 0) {
      if (a.case !== "action")
        fail(Code.INVALID_ARGUMENT, `${where}: a direct table takes an action, not ${a.case}`);
      this.checkAction(table, a.value, entry.isDefaultAction, where);
      return undefined;
    }
    const profile = table.implementationId;
    switch (a.case) {
      case "actionProfileMemberId":
        if (!this.members.get(profile)!.has(a.value))
          fail(Code.NOT_FOUND, `${where}: member ${a.value} does not exist`);
        return `m:${profile}:${a.value}`;
      case "actionProfileGroupId":
        if (!this.groups.get(profile)!.has(a.value))
          fail(Code.NOT_FOUND, `${where}: group ${a.value} does not exist`);
        return `g:${profile}:${a.value}`;
      case "actionProfileActionSet":
        for (const x of a.value.actionProfileActions)
          this.checkAction(table, x.action!, false, where);
        return undefined;
      default:
        if (entry.isDefaultAction) {
          this.checkAction(table, a.value, true, where);
          return undefined;
        }
        return fail(
          Code.INVALID_ARGUMENT,
          `${where}: the table uses an action profile; give a member or group id`,
        );
    }
  }

  private addRef(ref: string | undefined, delta: number): void {
    if (ref === undefined) return;
    const map = ref.startsWith("m:") ? this.memberRefs : this.groupRefs;
    const n = (map.get(ref) ?? 0) + delta;
    if (n <= 0) map.delete(ref);
    else map.set(ref, n);
  }

  private refOf(table: P4Table, entry: TableEntry): string | undefined {
    const a = entry.action?.type;
    if (table.implementationId === 0 || a === undefined) return undefined;
    if (a.case === "actionProfileMemberId") return `m:${table.implementationId}:${a.value}`;
    if (a.case === "actionProfileGroupId") return `g:${table.implementationId}:${a.value}`;
    return undefined;
  }

  private writeTableEntry(type: Update_Type, entry: TableEntry): void {
    const table = this.tableOf(entry, "table entry");
    if (table.isConst) fail(Code.PERMISSION_DENIED, `table '${table.name}' is const`);
    if (entry.isDefaultAction) {
      if (type !== Update_Type.MODIFY)
        fail(
          Code.INVALID_ARGUMENT,
          `table '${table.name}': the default entry can only be modified`,
        );
      if (entry.match.length > 0)
        fail(Code.INVALID_ARGUMENT, `table '${table.name}': the default entry has no match`);
      if (table.constDefaultActionId !== 0)
        fail(Code.PERMISSION_DENIED, `table '${table.name}': the default action is const`);
      if (entry.action === undefined) {
        this.defaults.delete(table.id); // back to the program's initial default action
        return;
      }
      this.checkTableAction(table, entry);
      this.defaults.set(table.id, storedEntry(entry));
      return;
    }
    const key = this.entryKey(table, entry);
    const entries = this.tables.get(table.id)!;
    const existing = entries.get(key);
    if (entry.idleTimeoutNs !== 0n && !table.supportsIdleTimeout) {
      fail(Code.INVALID_ARGUMENT, `table '${table.name}' does not support idle timeouts`);
    }
    switch (type) {
      case Update_Type.INSERT: {
        if (existing !== undefined)
          fail(Code.ALREADY_EXISTS, `table '${table.name}': the entry already exists`);
        if (table.size > 0 && entries.size >= table.size)
          fail(Code.RESOURCE_EXHAUSTED, `table '${table.name}' is full (${table.size} entries)`);
        const ref = this.checkTableAction(table, entry);
        this.addRef(ref, 1);
        entries.set(key, {
          entry: storedEntry(entry),
          counter: entry.counterData ? copyCounter(entry.counterData) : zeroCounter(),
          meter: entry.meterConfig ? checkMeterConfig(entry.meterConfig) : undefined,
        });
        return;
      }
      case Update_Type.MODIFY: {
        if (existing === undefined)
          fail(Code.NOT_FOUND, `table '${table.name}': no such entry to modify`);
        const ref = this.checkTableAction(table, entry);
        this.addRef(this.refOf(table, existing.entry), -1);
        this.addRef(ref, 1);
        existing.entry = storedEntry(entry);
        if (entry.meterConfig) existing.meter = checkMeterConfig(entry.meterConfig);
        if (entry.counterData) existing.counter = copyCounter(entry.counterData);
        return;
      }
      default: {
        if (existing === undefined)
          fail(Code.NOT_FOUND, `table '${table.name}': no such entry to delete`);
        this.addRef(this.refOf(table, existing.entry), -1);
        entries.delete(key);
      }
    }
  }

  private findStored(entry: TableEntry | undefined, what: string): StoredEntry {
    const table = this.tableOf(entry, what);
    if (table.directResourceIds.length === 0)
      fail(Code.INVALID_ARGUMENT, `table '${table.name}' has no ${what}`);
    const stored = this.tables.get(table.id)!.get(this.entryKey(table, entry!));
    if (stored === undefined)
      fail(Code.NOT_FOUND, `${what}: no such entry in table '${table.name}'`);
    return stored;
  }

  private writeMember(type: Update_Type, member: ActionProfileMember): void {
    const profile = this.lookup(
      () => this.schema.actionProfiles.get(member.actionProfileId),
      "action profile",
      member.actionProfileId,
    );
    const members = this.members.get(profile.id)!;
    const exists = members.has(member.memberId);
    const where = `member ${member.memberId} of '${profile.name}'`;
    if (type === Update_Type.INSERT && exists) fail(Code.ALREADY_EXISTS, `${where} already exists`);
    if (type !== Update_Type.INSERT && !exists) fail(Code.NOT_FOUND, `${where} does not exist`);
    if (type === Update_Type.DELETE) {
      if (this.memberRefs.has(`m:${profile.id}:${member.memberId}`)) {
        fail(Code.FAILED_PRECONDITION, `${where} is used by a group or table entry`);
      }
      members.delete(member.memberId);
      return;
    }
    if (member.action === undefined) fail(Code.INVALID_ARGUMENT, `${where}: action is missing`);
    const tables = profile.tableIds
      .map((id) => this.schema.tables.find(id))
      .filter((t): t is P4Table => t !== undefined);
    this.checkAction(tables[0], member.action, false, where);
    if (type === Update_Type.INSERT && profile.size > 0 && members.size >= profile.size) {
      fail(Code.RESOURCE_EXHAUSTED, `action profile '${profile.name}' is full`);
    }
    const stored = clone(ActionProfileMemberSchema, member);
    if (stored.action) canonicalAction(stored.action);
    members.set(member.memberId, stored);
  }

  private writeGroup(type: Update_Type, group: ActionProfileGroup): void {
    const profile = this.lookup(
      () => this.schema.actionProfiles.get(group.actionProfileId),
      "action profile",
      group.actionProfileId,
    );
    const groups = this.groups.get(profile.id)!;
    const exists = groups.has(group.groupId);
    const where = `group ${group.groupId} of '${profile.name}'`;
    if (!profile.withSelector)
      fail(
        Code.INVALID_ARGUMENT,
        `action profile '${profile.name}' has no selector: it takes no groups`,
      );
    if (type === Update_Type.INSERT && exists) fail(Code.ALREADY_EXISTS, `${where} already exists`);
    if (type !== Update_Type.INSERT && !exists) fail(Code.NOT_FOUND, `${where} does not exist`);
    const old = groups.get(group.groupId);
    if (type === Update_Type.DELETE) {
      if (this.groupRefs.has(`g:${profile.id}:${group.groupId}`))
        fail(Code.FAILED_PRECONDITION, `${where} is used by a table entry`);
      for (const m of old!.members) this.addRef(`m:${profile.id}:${m.memberId}`, -1);
      groups.delete(group.groupId);
      return;
    }
    const ids = new Set<number>();
    for (const m of group.members) {
      if (ids.has(m.memberId))
        fail(Code.INVALID_ARGUMENT, `${where}: member ${m.memberId} listed twice`);
      ids.add(m.memberId);
      if (!this.members.get(profile.id)!.has(m.memberId))
        fail(Code.NOT_FOUND, `${where}: member ${m.memberId} does not exist`);
      if (m.weight < 0)
        fail(Code.INVALID_ARGUMENT, `${where}: member ${m.memberId} has a negative weight`);
    }
    const limit = group.maxSize || profile.maxGroupSize;
    if (limit > 0 && group.members.length > limit) {
      fail(
        Code.RESOURCE_EXHAUSTED,
        `${where}: ${group.members.length} members exceed the group size ${limit}`,
      );
    }
    if (old) for (const m of old.members) this.addRef(`m:${profile.id}:${m.memberId}`, -1);
    for (const m of group.members) this.addRef(`m:${profile.id}:${m.memberId}`, 1);
    const stored = clone(ActionProfileGroupSchema, group);
    for (const m of stored.members) {
      if (m.watchKind.case === "watchPort") m.watchKind.value = canonicalBytes(m.watchKind.value);
    }
    groups.set(group.groupId, stored);
  }

  // ------------------------------------------------------------ read

  /** Entities matching one read request; empty fields are wildcards. */
  read(request: Entity): Entity[] {
    const e = request.entity;
    const out: Entity[] = [];
    const push = (value: EntityInit["entity"]) => out.push(create(EntitySchema, { entity: value }));
    switch (e.case) {
      case "tableEntry": {
        const req = e.value;
        for (const table of this.selected(this.schema.tables, req.tableId, "table")) {
          if (req.isDefaultAction) {
            const d = this.defaults.get(table.id);
            push({
              case: "tableEntry",
              value: d ? clone(TableEntrySchema, d) : this.initialDefault(table),
            });
            continue;
          }
          for (const s of this.entriesFor(table, req))
            push({ case: "tableEntry", value: this.withRuntimeFields(s, req) });
        }
        break;
      }
      case "actionProfileMember":
        for (const p of this.selected(
          this.schema.actionProfiles,
          e.value.actionProfileId,
          "action profile",
        )) {
          for (const m of this.members.get(p.id)!.values()) {
            if (e.value.memberId === 0 || e.value.memberId === m.memberId)
              push({ case: e.case, value: m });
          }
        }
        break;
      case "actionProfileGroup":
        for (const p of this.selected(
          this.schema.actionProfiles,
          e.value.actionProfileId,
          "action profile",
        )) {
          for (const g of this.groups.get(p.id)!.values()) {
            if (e.value.groupId === 0 || e.value.groupId === g.groupId)
              push({ case: e.case, value: g });
          }
        }
        break;
      case "counterEntry":
        for (const c of this.selected(this.schema.counters, e.value.counterId, "counter")) {
          const cells = this.counters.get(c.id)!;
          for (const i of this.indexes(e.value.index, c)) {
            const data = cells.get(i) ?? { byteCount: 0n, packetCount: 0n };
            push({
              case: "counterEntry",
              value: { counterId: c.id, index: { index: BigInt(i) }, data },
            });
          }
        }
        break;
      case "meterEntry":
        for (const m of this.selected(this.schema.meters, e.value.meterId, "meter")) {
          const cells = this.meters.get(m.id)!;
          for (const i of this.indexes(e.value.index, m)) {
            push({
              case: "meterEntry",
              value: { meterId: m.id, index: { index: BigInt(i) }, config: cells.get(i) },
            });
          }
        }
        break;
      case "directCounterEntry":
      case "directMeterEntry": {
        const req = e.value.tableEntry;
        const tables =
          req === undefined || req.tableId === 0
            ? [...this.schema.tables].filter((t) => t.directResourceIds.length > 0)
            : this.selected(this.schema.tables, req.tableId, "table");
        for (const table of tables) {
          for (const s of this.entriesFor(table, req)) {
            const tableEntry = this.withRuntimeFields(s, undefined);
            if (e.case === "directCounterEntry")
              push({ case: e.case, value: { tableEntry, data: s.counter } });
            else push({ case: e.case, value: { tableEntry, config: s.meter } });
          }
        }
        break;
      }
      case "registerEntry":
        if (this.quirks.registersUnimplemented)
          fail(Code.UNIMPLEMENTED, "register reads are not supported by this target");
        for (const r of this.selected(this.schema.registers, e.value.registerId, "register")) {
          const cells = this.registers.get(r.id)!;
          for (const i of this.indexes(e.value.index, r)) {
            const data = cells.get(i) ?? {
              data: { case: "bitstring" as const, value: Uint8Array.of(0) },
            };
            push({
              case: "registerEntry",
              value: { registerId: r.id, index: { index: BigInt(i) }, data },
            });
          }
        }
        break;
      case "packetReplicationEngineEntry": {
        const t = e.value.type;
        if (t.case === "multicastGroupEntry") {
          for (const g of this.multicastGroups.values()) {
            if (t.value.multicastGroupId === 0 || t.value.multicastGroupId === g.multicastGroupId) {
              push({ case: e.case, value: { type: { case: t.case, value: g } } });
            }
          }
        } else if (t.case === "cloneSessionEntry") {
          for (const c of this.cloneSessions.values()) {
            if (t.value.sessionId === 0 || t.value.sessionId === c.sessionId) {
              push({ case: e.case, value: { type: { case: t.case, value: c } } });
            }
          }
        } else {
          fail(
            Code.INVALID_ARGUMENT,
            "packet replication engine read needs a multicast group or clone session entry",
          );
        }
        break;
      }
      case "digestEntry":
        for (const d of this.digestConfigs.values()) {
          if (e.value.digestId === 0 || e.value.digestId === d.digestId)
            push({ case: "digestEntry", value: d });
        }
        break;
      case "valueSetEntry":
        for (const vs of this.selected(this.schema.valueSets, e.value.valueSetId, "value set")) {
          push({
            case: "valueSetEntry",
            value: { valueSetId: vs.id, members: this.valueSets.get(vs.id) ?? [] },
          });
        }
        break;
      case "externEntry":
        fail(Code.UNIMPLEMENTED, `${e.case} reads are not supported by this target`);
        break;
      default:
        fail(Code.INVALID_ARGUMENT, "read request has an empty entity");
    }
    return out;
  }

  /** Entries of a table a request selects: one when it gives a match or priority, else all. */
  private entriesFor(table: P4Table, req: TableEntry | undefined): StoredEntry[] {
    const entries = this.tables.get(table.id)!;
    if (req === undefined || (req.match.length === 0 && req.priority === 0))
      return [...entries.values()];
    const key = this.keyForRead(table, req);
    const hit = key === undefined ? undefined : entries.get(key);
    return hit ? [hit] : [];
  }

  /** Every object of a kind for id 0 (a wildcard), else the one with that id. */
  private selected<T extends P4Object>(all: P4ObjectMap<T>, id: number, kind: string): T[] {
    return id === 0 ? [...all] : [this.lookup(() => all.get(id), kind, id)];
  }

  /** Every cell of an indexed array when no index is given, else that one. */
  private indexes(
    index: { index: bigint } | undefined,
    array: { size: number; name: string },
  ): number[] {
    return index ? [this.checkIndex(index.index, array.size, array.name)] : range(array.size);
  }

  /** Like read(), but returns the failure as a status instead of throwing. */
  readOrStatus(request: Entity): Entity[] | UpdateStatus {
    try {
      return this.read(request);
    } catch (err) {
      if (err instanceof DeviceError) return { code: err.code, message: err.message };
      throw err;
    }
  }

  private keyForRead(table: P4Table, req: TableEntry): string | undefined {
    try {
      return this.entryKey(table, req);
    } catch {
      return undefined;
    }
  }

  private initialDefault(table: P4Table): TableEntry {
    const call = this.schema.p4info.tables.find(
      (t) => t.preamble?.id === table.id,
    )?.initialDefaultAction;
    return create(TableEntrySchema, {
      tableId: table.id,
      isDefaultAction: true,
      action: call
        ? {
            type: {
              case: "action",
              value: {
                actionId: call.actionId,
                params: call.arguments.map((a) => ({ paramId: a.paramId, value: a.value })),
              },
            },
          }
        : undefined,
    });
  }

  private withRuntimeFields(s: StoredEntry, req: TableEntry | undefined): TableEntry {
    const entry = clone(TableEntrySchema, s.entry);
    if (req?.counterData !== undefined) entry.counterData = s.counter;
    if (req?.meterConfig !== undefined && s.meter) entry.meterConfig = s.meter;
    return entry;
  }

  // ------------------------------------------------------------ test hooks

  /** Sets an indirect counter cell (what traffic would have done). */
  setCounter(name: string, index: number, packets: bigint, bytes: bigint): void {
    const c = this.schema.counters.get(name);
    this.checkIndex(BigInt(index), c.size, `counter '${c.name}'`);
    this.counters
      .get(c.id)!
      .set(index, create(CounterDataSchema, { packetCount: packets, byteCount: bytes }));
  }

  /** Adds to an indirect counter cell. */
  addCounter(name: string, index: number, packets: bigint, bytes: bigint): void {
    const c = this.schema.counters.get(name);
    const cur = this.counters.get(c.id)!.get(index);
    this.setCounter(
      name,
      index,
      (cur?.packetCount ?? 0n) + packets,
      (cur?.byteCount ?? 0n) + bytes,
    );
  }

  /** The configured meter cell, if any. */
  meterConfig(name: string, index: number): MeterConfig | undefined {
    return this.meters.get(this.schema.meters.get(name).id)!.get(index);
  }

  digestConfigured(digestId: number): boolean {
    return this.digestConfigs.has(digestId);
  }

  /**
   * Keeps what still fits a new pipeline (RECONCILE_AND_COMMIT): entries of
   * tables, profiles, counters and meters whose ids the new P4Info still has.
   */
  carryOverTo(next: DeviceState): void {
    const updates: Update[] = [];
    const add = (entity: EntityInit["entity"], type = Update_Type.INSERT) =>
      updates.push(create(UpdateSchema, { type, entity: { entity } }));
    for (const byId of this.members.values())
      for (const m of byId.values()) add({ case: "actionProfileMember", value: m });
    for (const byId of this.groups.values())
      for (const g of byId.values()) add({ case: "actionProfileGroup", value: g });
    for (const entries of this.tables.values())
      for (const s of entries.values()) add({ case: "tableEntry", value: s.entry });
    for (const [id, cells] of this.meters)
      for (const [i, config] of cells)
        add(
          { case: "meterEntry", value: { meterId: id, index: { index: BigInt(i) }, config } },
          Update_Type.MODIFY,
        );
    for (const g of this.multicastGroups.values())
      add({
        case: "packetReplicationEngineEntry",
        value: { type: { case: "multicastGroupEntry", value: g } },
      });
    for (const s of this.cloneSessions.values())
      add({
        case: "packetReplicationEngineEntry",
        value: { type: { case: "cloneSessionEntry", value: s } },
      });
    for (const [id, members] of this.valueSets)
      add({ case: "valueSetEntry", value: { valueSetId: id, members } }, Update_Type.MODIFY);
    for (const u of updates) next.apply(u); // what no longer fits is dropped
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The entry as stored: canonical values, without the runtime fields a read adds. */
function storedEntry(entry: TableEntry): TableEntry {
  const copy = clone(TableEntrySchema, entry);
  copy.counterData = undefined;
  copy.meterConfig = undefined;
  copy.meterCounterData = undefined;
  copy.timeSinceLastHit = undefined;
  copy.match = copy.match.map(canonicalFieldMatch);
  const a = copy.action?.type;
  if (a?.case === "action") canonicalAction(a.value);
  else if (a?.case === "actionProfileActionSet") {
    for (const x of a.value.actionProfileActions) {
      if (x.action) canonicalAction(x.action);
      if (x.watchKind.case === "watchPort") x.watchKind.value = canonicalBytes(x.watchKind.value);
    }
  }
  return copy;
}

/**
 * The shortest form of a bitstring (spec §"Bytestrings": replies use it, whatever form
 * was written); zero is one 0x00 byte.
 */
function canonicalBytes(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return i === 0 ? bytes : bytes.slice(i);
}

function canonicalFieldMatch(m: FieldMatch): FieldMatch {
  const t = m.fieldMatchType;
  switch (t.case) {
    case "exact":
    case "optional":
      t.value.value = canonicalBytes(t.value.value);
      break;
    case "lpm":
      t.value.value = canonicalBytes(t.value.value);
      break;
    case "ternary":
      t.value.value = canonicalBytes(t.value.value);
      t.value.mask = canonicalBytes(t.value.mask);
      break;
    case "range":
      t.value.low = canonicalBytes(t.value.low);
      t.value.high = canonicalBytes(t.value.high);
      break;
    default:
      break;
  }
  return m;
}

function canonicalAction(action: Action): void {
  for (const p of action.params) p.value = canonicalBytes(p.value);
}

function canonicalReplicas(replicas: Replica[]): void {
  for (const r of replicas) {
    if (r.portKind.case === "port") r.portKind.value = canonicalBytes(r.portKind.value);
  }
}

function checkMeterConfig(config: MeterConfig): MeterConfig {
  const { cir, cburst, pir, pburst } = config;
  if (cir < 0n || cburst < 0n || pir < 0n || pburst < 0n)
    fail(Code.INVALID_ARGUMENT, "meter rates and bursts must not be negative");
  if (pir < cir) fail(Code.INVALID_ARGUMENT, `meter pir ${pir} is below cir ${cir}`);
  return clone(MeterConfigSchema, config);
}

function checkReplicas(replicas: Replica[]): Replica[] {
  const seen = new Set<string>();
  for (const r of replicas) {
    const port =
      r.portKind.case === "port"
        ? bytesToBigint(r.portKind.value).toString()
        : String(r.portKind.value ?? "");
    const key = `${port}/${r.instance}`;
    if (seen.has(key))
      fail(Code.INVALID_ARGUMENT, `replica (port ${port}, instance ${r.instance}) listed twice`);
    seen.add(key);
  }
  return replicas;
}
