// Typed P4Runtime entities. Each kind is built from a plain spec that uses P4Info
// names and user values, encodes to a protobuf `p4.v1.Entity` through a P4Schema,
// and decodes back to the same spec shape with canonical values. Encoding is where
// names, widths, match kinds and priorities are checked, so a wrong name or an
// oversized value fails here, before anything is sent.
//
// Each kind has its codec under entities/ (registry.ts lists them); this module is
// the public face: dispatch by kind, the batched write path, comparing, wildcards.
//
// Pure: depends on the schema and the generated messages only.
import { create, equals } from "@bufbuild/protobuf";
import { EntitySchema, Update_Type, type Entity } from "./proto/p4/v1/p4runtime_pb.js";
import { EncodedUpdates, type MeterValues } from "./wire.js";
import type { P4Meter, P4Schema } from "./p4info.js";
import { P4ValueError } from "./values.js";
import type { EntityInit } from "./entities/codec.js";
import { checkIndex, meterSubject, readMeterConfig, subjectOf } from "./entities/common.js";
import { codecOf, entityCodecs, entityValue } from "./entities/registry.js";
import type { EntityKind, EntitySpec, UpdateSpec, UpdateType } from "./entities/specs.js";

export type * from "./entities/specs.js";
export { fieldMatchKey } from "./entities/match.js";
export { decodeTableEntry } from "./entities/table-entry.js";

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
  return entityCodecs[spec.kind].encode(schema, spec);
}

// ---------------------------------------------------------------- decoding

/**
 * Decodes a protobuf Entity (e.g. read back from a switch) into its spec form,
 * with names from the schema and canonical values. Throws a P4LookupError for ids
 * the schema does not know and a P4ValueError for values wider than their field.
 */
export function decodeEntity(schema: P4Schema, entity: Entity): EntitySpec {
  const codec = codecOf(entity);
  if (codec === undefined) {
    throw new P4ValueError(
      "entity",
      `kind '${entity.entity.case ?? "empty"}' is not supported by this library`,
    );
  }
  return codec.decode(schema, entityValue(entity));
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

/**
 * The identity of an entity: two entities with the same key address the same
 * switch object (same table entry, same meter cell, ...). Padded values give the
 * same key as canonical ones.
 */
export function entityKey(entity: Entity): string {
  const codec = codecOf(entity);
  if (codec !== undefined) return codec.key(entityValue(entity));
  const e = entity.entity;
  return e.case === "externEntry" ? `x:${e.value.externTypeId}:${e.value.externId}` : "?";
}

/** The entity kind of a protobuf Entity in this library's naming. */
export function entityKindOf(entity: Entity): EntityKind | undefined {
  return codecOf(entity)?.kind;
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
