// The protobuf wire format of P4Runtime writes, written by hand.
//
// A bulk write used to spend most of its client time in protobuf-es: a message
// object per entity, then reflective serialisation with a chunk per nested
// message. The writers here take the same shapes (a generated message, or the init
// object `create()` accepts) and write bytes straight into one growing buffer:
// fields in field-number order, proto3 implicit presence (zero values are left
// out, oneof members never), unknown fields last, as `toBinary` does, so the
// output is byte-identical to it (test/p4runtime/wire.test.ts checks every entity
// kind). P4Data, which a controller rarely writes, goes through `toBinary`.
//
// Pure: no I/O.
//
// One file over 500 lines: the wire encoder's hot path, one writer per message kind, kept
// together for speed and byte-identity checking.
import {
  create,
  isMessage,
  toBinary,
  type DescMessage,
  type MessageInitShape,
} from "@bufbuild/protobuf";
import type { AnySchema } from "@bufbuild/protobuf/wkt";
import { P4DataSchema } from "./proto/p4/v1/p4data_pb.js";
import type {
  ActionProfileActionSchema,
  ActionProfileGroup_MemberSchema,
  ActionProfileGroupSchema,
  ActionProfileMemberSchema,
  ActionSchema,
  CounterDataSchema,
  EntitySchema,
  FieldMatchSchema,
  IndexSchema,
  MeterConfigSchema,
  MeterCounterDataSchema,
  ReplicaSchema,
  TableActionSchema,
  TableEntrySchema,
  Uint128Schema,
  UpdateSchema,
  WriteRequestSchema,
} from "./proto/p4/v1/p4runtime_pb.js";

type Init<S extends DescMessage> = MessageInitShape<S>;
export type EntityInit = Init<typeof EntitySchema>;

/** A meter config's int64 values, checked (entities.ts): safe integers or bigints. */
export interface MeterValues {
  cir: number | bigint;
  cburst: number | bigint;
  pir: number | bigint;
  pburst: number | bigint;
  eburst: number | bigint;
}
export type UpdateInit = Init<typeof UpdateSchema>;

const VARINT = 0;
const LENGTH_DELIMITED = 2;

interface UnknownField {
  no: number;
  wireType: number;
  data: Uint8Array;
}

const utf8 = new TextEncoder();

/** A growing byte buffer with the protobuf primitives. */
export class WireWriter {
  private buf: Uint8Array;
  /** Bytes written so far. */
  pos = 0;

  constructor(initialBytes = 1024) {
    this.buf = new Uint8Array(initialBytes);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** The bytes written (a view: valid until the next write). */
  view(start = 0, end = this.pos): Uint8Array {
    return this.buf.subarray(start, end);
  }

  /** An unsigned varint below 2^32. */
  uint32(v: number): void {
    this.room(5);
    const buf = this.buf;
    let pos = this.pos;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** A 64-bit varint from its two unsigned 32-bit halves. */
  private varint64(lo: number, hi: number): void {
    this.room(10);
    const buf = this.buf;
    let pos = this.pos;
    while (hi > 0 || lo > 0x7f) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  /** An int32 varint: negative values take ten bytes (sign-extended to 64 bits). */
  int32(v: number): void {
    if (v >= 0) this.uint32(v);
    else this.varint64(v >>> 0, 0xffffffff);
  }

  /** An int64 or uint64 varint (negative values in two's complement). */
  int64(v: bigint): void {
    if (v >= 0n && v <= 0xffffffffn) {
      this.uint32(Number(v));
      return;
    }
    const u = BigInt.asUintN(64, v);
    this.varint64(Number(u & 0xffffffffn), Number(u >> 32n));
  }

  /** An int64 given as a safe integer (the meter values of specs). */
  int64Number(v: number): void {
    if (v >= 0 && v <= 0xffffffff) this.uint32(v);
    else this.int64(BigInt(v));
  }

  tag(field: number, wireType: number): void {
    const v = (field << 3) | wireType;
    if (v < 0x80) {
      this.room(1);
      this.buf[this.pos++] = v;
    } else {
      this.uint32(v);
    }
  }

  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.room(n);
    if (n <= 32) {
      // Element copies beat TypedArray.set for the few bytes of P4 values.
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < n; i++) buf[pos++] = bytes[i]!;
      this.pos = pos;
    } else {
      this.buf.set(bytes, this.pos);
      this.pos += n;
    }
  }

  /** A length-delimited field. */
  bytes(field: number, bytes: Uint8Array): void {
    this.tag(field, LENGTH_DELIMITED);
    this.uint32(bytes.length);
    this.raw(bytes);
  }

  /**
   * Starts a nested message: writes the tag and keeps one byte for its length.
   * Returns the mark `join` needs.
   */
  fork(field: number): number {
    this.tag(field, LENGTH_DELIMITED);
    this.room(1);
    return this.pos++;
  }

  /** Ends a nested message: writes its length, moving the content if it needs more than a byte. */
  join(mark: number): void {
    const length = this.pos - mark - 1;
    if (length < 0x80) {
      this.buf[mark] = length;
      return;
    }
    let size = 1;
    for (let v = length >>> 7; v > 0; v >>>= 7) size++;
    this.room(size - 1);
    this.buf.copyWithin(mark + size, mark + 1, this.pos);
    this.pos += size - 1;
    let v = length;
    let p = mark;
    while (v > 0x7f) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
  }
}

// ------------------------------------------------------------ scalar fields (implicit presence)

function u32(w: WireWriter, field: number, v: number | undefined): void {
  if (v) {
    w.tag(field, VARINT);
    w.uint32(v);
  }
}

function i32(w: WireWriter, field: number, v: number | undefined): void {
  if (v) {
    w.tag(field, VARINT);
    w.int32(v);
  }
}

function i64(w: WireWriter, field: number, v: bigint | number | undefined): void {
  if (v) {
    w.tag(field, VARINT);
    if (typeof v === "number") w.int64Number(v);
    else w.int64(v);
  }
}

function bool(w: WireWriter, field: number, v: boolean | undefined): void {
  if (v) {
    w.tag(field, VARINT);
    w.uint32(1);
  }
}

function bytes(w: WireWriter, field: number, v: Uint8Array | undefined): void {
  if (v !== undefined && v.length > 0) w.bytes(field, v);
}

function string(w: WireWriter, field: number, v: string | undefined): void {
  if (v) w.bytes(field, utf8.encode(v));
}

/** Unknown fields a decoded message carried, written back last (as toBinary does). */
function unknown(w: WireWriter, m: object): void {
  const list = (m as { $unknown?: UnknownField[] }).$unknown;
  if (list === undefined) return;
  for (const u of list) {
    w.tag(u.no, u.wireType);
    w.raw(u.data);
  }
}

// ------------------------------------------------------------ messages

function any(w: WireWriter, a: Init<typeof AnySchema>): void {
  string(w, 1, a.typeUrl);
  bytes(w, 2, a.value);
  unknown(w, a);
}

function fieldMatch(w: WireWriter, m: Init<typeof FieldMatchSchema>): void {
  u32(w, 1, m.fieldId);
  const t = m.fieldMatchType;
  if (t !== undefined && t.case !== undefined) {
    let mark: number;
    switch (t.case) {
      case "exact":
        mark = w.fork(2);
        bytes(w, 1, t.value.value);
        break;
      case "ternary":
        mark = w.fork(3);
        bytes(w, 1, t.value.value);
        bytes(w, 2, t.value.mask);
        break;
      case "lpm":
        mark = w.fork(4);
        bytes(w, 1, t.value.value);
        i32(w, 2, t.value.prefixLen);
        break;
      case "range":
        mark = w.fork(6);
        bytes(w, 1, t.value.low);
        bytes(w, 2, t.value.high);
        break;
      case "optional":
        mark = w.fork(7);
        bytes(w, 1, t.value.value);
        break;
      case "other":
        mark = w.fork(100);
        any(w, t.value);
        w.join(mark);
        unknown(w, m);
        return;
    }
    unknown(w, t.value);
    w.join(mark);
  }
  unknown(w, m);
}

function action(w: WireWriter, a: Init<typeof ActionSchema>): void {
  u32(w, 1, a.actionId);
  const params = a.params;
  if (params !== undefined) {
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      const mark = w.fork(4);
      u32(w, 2, p.paramId);
      bytes(w, 3, p.value);
      unknown(w, p);
      w.join(mark);
    }
  }
  unknown(w, a);
}

/** The watch_kind oneof of action profile actions and group members (fields 3 and 4). */
function watchKind(
  w: WireWriter,
  k: { case: "watch"; value: number } | { case: "watchPort"; value: Uint8Array } | undefined,
): void {
  if (k?.case === "watch") {
    w.tag(3, VARINT);
    w.int32(k.value);
  } else if (k?.case === "watchPort") {
    w.bytes(4, k.value);
  }
}

function profileAction(w: WireWriter, a: Init<typeof ActionProfileActionSchema>): void {
  if (a.action !== undefined) {
    const mark = w.fork(1);
    action(w, a.action);
    w.join(mark);
  }
  i32(w, 2, a.weight);
  watchKind(w, a.watchKind as Parameters<typeof watchKind>[1]);
  unknown(w, a);
}

function tableAction(w: WireWriter, a: Init<typeof TableActionSchema>): void {
  const t = a.type;
  if (t !== undefined) {
    switch (t.case) {
      case "action": {
        const mark = w.fork(1);
        action(w, t.value);
        w.join(mark);
        break;
      }
      case "actionProfileMemberId":
        w.tag(2, VARINT);
        w.uint32(t.value);
        break;
      case "actionProfileGroupId":
        w.tag(3, VARINT);
        w.uint32(t.value);
        break;
      case "actionProfileActionSet": {
        const mark = w.fork(4);
        const set = t.value;
        const list = set.actionProfileActions;
        if (list !== undefined) {
          for (let i = 0; i < list.length; i++) {
            const m = w.fork(1);
            profileAction(w, list[i]!);
            w.join(m);
          }
        }
        i32(w, 2, set.actionSelectionMode);
        i32(w, 3, set.sizeSemantics);
        unknown(w, set);
        w.join(mark);
        break;
      }
      default:
        break;
    }
  }
  unknown(w, a);
}

function meterConfig(w: WireWriter, c: Init<typeof MeterConfigSchema>): void {
  i64(w, 1, c.cir);
  i64(w, 2, c.cburst);
  i64(w, 3, c.pir);
  i64(w, 4, c.pburst);
  i64(w, 5, c.eburst);
  unknown(w, c);
}

function counterData(w: WireWriter, d: Init<typeof CounterDataSchema>): void {
  i64(w, 1, d.byteCount);
  i64(w, 2, d.packetCount);
  unknown(w, d);
}

function meterCounterData(w: WireWriter, d: Init<typeof MeterCounterDataSchema>): void {
  const colours = [d.green, d.yellow, d.red];
  for (let i = 0; i < 3; i++) {
    const c = colours[i];
    if (c === undefined) continue;
    const mark = w.fork(i + 1);
    counterData(w, c);
    w.join(mark);
  }
  unknown(w, d);
}

function index(w: WireWriter, field: number, x: Init<typeof IndexSchema> | undefined): void {
  if (x === undefined) return;
  const mark = w.fork(field);
  i64(w, 1, x.index);
  unknown(w, x);
  w.join(mark);
}

function message<T>(
  w: WireWriter,
  field: number,
  v: T | undefined,
  body: (w: WireWriter, v: T) => void,
) {
  if (v === undefined) return;
  const mark = w.fork(field);
  body(w, v);
  w.join(mark);
}

function tableEntry(w: WireWriter, t: Init<typeof TableEntrySchema>): void {
  u32(w, 1, t.tableId);
  const match = t.match;
  if (match !== undefined) {
    for (let i = 0; i < match.length; i++) {
      const mark = w.fork(2);
      fieldMatch(w, match[i]!);
      w.join(mark);
    }
  }
  if (t.action !== undefined) {
    const mark = w.fork(3);
    tableAction(w, t.action);
    w.join(mark);
  }
  i32(w, 4, t.priority);
  i64(w, 5, t.controllerMetadata);
  message(w, 6, t.meterConfig, meterConfig);
  message(w, 7, t.counterData, counterData);
  bool(w, 8, t.isDefaultAction);
  i64(w, 9, t.idleTimeoutNs);
  if (t.timeSinceLastHit !== undefined) {
    const mark = w.fork(10);
    i64(w, 1, t.timeSinceLastHit.elapsedNs);
    unknown(w, t.timeSinceLastHit);
    w.join(mark);
  }
  bytes(w, 11, t.metadata);
  message(w, 12, t.meterCounterData, meterCounterData);
  bool(w, 13, t.isConst);
  unknown(w, t);
}

function profileMember(w: WireWriter, m: Init<typeof ActionProfileMemberSchema>): void {
  u32(w, 1, m.actionProfileId);
  u32(w, 2, m.memberId);
  message(w, 3, m.action, action);
  unknown(w, m);
}

function groupMember(w: WireWriter, m: Init<typeof ActionProfileGroup_MemberSchema>): void {
  u32(w, 1, m.memberId);
  i32(w, 2, m.weight);
  watchKind(w, m.watchKind as Parameters<typeof watchKind>[1]);
  unknown(w, m);
}

function profileGroup(w: WireWriter, g: Init<typeof ActionProfileGroupSchema>): void {
  u32(w, 1, g.actionProfileId);
  u32(w, 2, g.groupId);
  const members = g.members;
  if (members !== undefined) {
    for (let i = 0; i < members.length; i++) message(w, 3, members[i], groupMember);
  }
  i32(w, 4, g.maxSize);
  unknown(w, g);
}

function replica(w: WireWriter, r: Init<typeof ReplicaSchema>): void {
  const k = r.portKind;
  if (k?.case === "egressPort") {
    w.tag(1, VARINT);
    w.uint32(k.value);
  }
  u32(w, 2, r.instance);
  if (k?.case === "port") w.bytes(3, k.value);
  const backups = r.backupReplicas;
  if (backups !== undefined) {
    for (let i = 0; i < backups.length; i++) {
      message(w, 4, backups[i], (w, b) => {
        bytes(w, 1, b.port);
        u32(w, 2, b.instance);
        unknown(w, b);
      });
    }
  }
  unknown(w, r);
}

function replicas(w: WireWriter, field: number, list: Init<typeof ReplicaSchema>[] | undefined) {
  if (list === undefined) return;
  for (let i = 0; i < list.length; i++) message(w, field, list[i], replica);
}

/** A message this file does not spell out, serialised by protobuf-es. */
function generic<S extends DescMessage>(w: WireWriter, schema: S, v: Init<S>): void {
  w.raw(toBinary(schema, isMessage(v, schema) ? v : create(schema, v)));
}

/** Writes the fields of a p4.v1.Entity (message or init shape). */
export function writeEntity(w: WireWriter, e: EntityInit): void {
  const o = e.entity;
  if (o !== undefined && o.case !== undefined) {
    switch (o.case) {
      case "externEntry":
        message(w, 1, o.value, (w, x) => {
          u32(w, 1, x.externTypeId);
          u32(w, 2, x.externId);
          message(w, 3, x.entry, any);
          unknown(w, x);
        });
        break;
      case "tableEntry": {
        const mark = w.fork(2);
        tableEntry(w, o.value);
        w.join(mark);
        break;
      }
      case "actionProfileMember": {
        const mark = w.fork(3);
        profileMember(w, o.value);
        w.join(mark);
        break;
      }
      case "actionProfileGroup":
        message(w, 4, o.value, profileGroup);
        break;
      case "meterEntry": {
        const mark = w.fork(5);
        const m = o.value;
        u32(w, 1, m.meterId);
        index(w, 2, m.index);
        message(w, 3, m.config, meterConfig);
        message(w, 4, m.counterData, meterCounterData);
        unknown(w, m);
        w.join(mark);
        break;
      }
      case "directMeterEntry":
        message(w, 6, o.value, (w, m) => {
          message(w, 1, m.tableEntry, tableEntry);
          message(w, 2, m.config, meterConfig);
          message(w, 3, m.counterData, meterCounterData);
          unknown(w, m);
        });
        break;
      case "counterEntry":
        message(w, 7, o.value, (w, c) => {
          u32(w, 1, c.counterId);
          index(w, 2, c.index);
          message(w, 3, c.data, counterData);
          unknown(w, c);
        });
        break;
      case "directCounterEntry":
        message(w, 8, o.value, (w, c) => {
          message(w, 1, c.tableEntry, tableEntry);
          message(w, 2, c.data, counterData);
          unknown(w, c);
        });
        break;
      case "packetReplicationEngineEntry":
        message(w, 9, o.value, (w, p) => {
          const t = p.type;
          if (t?.case === "multicastGroupEntry") {
            message(w, 1, t.value, (w, g) => {
              u32(w, 1, g.multicastGroupId);
              replicas(w, 2, g.replicas);
              bytes(w, 3, g.metadata);
              unknown(w, g);
            });
          } else if (t?.case === "cloneSessionEntry") {
            message(w, 2, t.value, (w, s) => {
              u32(w, 1, s.sessionId);
              replicas(w, 2, s.replicas);
              u32(w, 3, s.classOfService);
              i32(w, 4, s.packetLengthBytes);
              unknown(w, s);
            });
          }
          unknown(w, p);
        });
        break;
      case "valueSetEntry":
        message(w, 10, o.value, (w, v) => {
          u32(w, 1, v.valueSetId);
          const members = v.members ?? [];
          for (const m of members) {
            message(w, 2, m, (w, m) => {
              for (const f of m.match ?? []) message(w, 1, f, fieldMatch);
              unknown(w, m);
            });
          }
          unknown(w, v);
        });
        break;
      case "registerEntry":
        message(w, 11, o.value, (w, r) => {
          u32(w, 1, r.registerId);
          index(w, 2, r.index);
          message(w, 3, r.data, (w, d) => generic(w, P4DataSchema, d));
          unknown(w, r);
        });
        break;
      case "digestEntry":
        message(w, 12, o.value, (w, d) => {
          u32(w, 1, d.digestId);
          message(w, 2, d.config, (w, c) => {
            i64(w, 1, c.maxTimeoutNs);
            i32(w, 2, c.maxListSize);
            i64(w, 3, c.ackTimeoutNs);
            unknown(w, c);
          });
          unknown(w, d);
        });
        break;
    }
  }
  unknown(w, e);
}

/** Writes the fields of a p4.v1.Update. */
export function writeUpdate(w: WireWriter, u: UpdateInit): void {
  i32(w, 1, u.type);
  message(w, 2, u.entity, writeEntity);
  unknown(w, u);
}

/** An Entity's bytes, as `toBinary(EntitySchema, ...)` gives them. */
export function entityToBinary(e: EntityInit): Uint8Array {
  const w = new WireWriter(128);
  writeEntity(w, e);
  return w.view().slice();
}

/** An Update's bytes, as `toBinary(UpdateSchema, ...)` gives them. */
export function updateToBinary(u: UpdateInit): Uint8Array {
  const w = new WireWriter(128);
  writeUpdate(w, u);
  return w.view().slice();
}

// ------------------------------------------------------------ write requests

/**
 * Updates encoded back to back as `WriteRequest.updates` fields (tag, length,
 * Update), so that any run of them is the middle of a WriteRequest.
 */
export class EncodedUpdates {
  private readonly w: WireWriter;
  /** ends[i] is the offset just past update i. */
  private ends: Uint32Array;
  length = 0;

  constructor(expected = 16) {
    this.w = new WireWriter(Math.max(64, expected * 48));
    this.ends = new Uint32Array(Math.max(4, expected));
  }

  private pushEnd(): void {
    if (this.length === this.ends.length) {
      const next = new Uint32Array(this.ends.length * 2);
      next.set(this.ends);
      this.ends = next;
    }
    this.ends[this.length++] = this.w.pos;
  }

  /** Appends an update given as its type and entity (message or init shape). */
  add(type: number, entity: EntityInit): void {
    const w = this.w;
    const mark = w.fork(4);
    i32(w, 1, type);
    const e = w.fork(2);
    writeEntity(w, entity);
    w.join(e);
    w.join(mark);
    this.pushEnd();
  }

  /**
   * Appends an update of one meter cell, written field by field from checked values
   * (as MeterEntry with an optional index and config, no counter data).
   */
  addMeterEntry(
    type: number,
    meterId: number,
    index: number | undefined,
    config: MeterValues | undefined,
  ): void {
    const w = this.w;
    const mark = w.fork(4);
    i32(w, 1, type);
    const entity = w.fork(2);
    const entry = w.fork(5);
    u32(w, 1, meterId);
    if (index !== undefined) {
      const m = w.fork(2);
      i64(w, 1, index);
      w.join(m);
    }
    if (config !== undefined) {
      const m = w.fork(3);
      i64(w, 1, config.cir);
      i64(w, 2, config.cburst);
      i64(w, 3, config.pir);
      i64(w, 4, config.pburst);
      i64(w, 5, config.eburst);
      w.join(m);
    }
    w.join(entry);
    w.join(entity);
    w.join(mark);
    this.pushEnd();
  }

  /** Appends an Update (message or init shape). */
  addUpdate(u: UpdateInit): void {
    const mark = this.w.fork(4);
    writeUpdate(this.w, u);
    this.w.join(mark);
    this.pushEnd();
  }

  /** Updates [start, end) as WriteRequest fields (a view). */
  range(start: number, end: number): Uint8Array {
    return this.w.view(start === 0 ? 0 : this.ends[start - 1]!, this.ends[end - 1]!);
  }
}

export type WriteRequestHead = Omit<Init<typeof WriteRequestSchema>, "updates">;

/**
 * Serialises a WriteRequest around updates already encoded: the fields before
 * `updates` (device id, role id, election id), the updates, then atomicity and role.
 */
export function writeRequestBytes(
  head: WriteRequestHead,
  updates: EncodedUpdates,
  start: number,
  end: number,
): Buffer {
  const before = new WireWriter(32);
  i64(before, 1, head.deviceId);
  i64(before, 2, head.roleId);
  message(before, 3, head.electionId, (w, id: Init<typeof Uint128Schema>) => {
    i64(w, 1, id.high);
    i64(w, 2, id.low);
    unknown(w, id);
  });
  const after = new WireWriter(32);
  i32(after, 5, head.atomicity);
  string(after, 6, head.role);
  unknown(after, head);
  const middle = updates.range(start, end);
  const out = Buffer.allocUnsafe(before.pos + middle.length + after.pos);
  out.set(before.view(), 0);
  out.set(middle, before.pos);
  out.set(after.view(), before.pos + middle.length);
  return out;
}
