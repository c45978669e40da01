// Reconciliation: the writes that turn what a switch has into what it should have.
// Counters are read-only state and never reconciled.
//
// Pure. Inputs are the desired entities (encoded through the schema) and the
// entities read back from the switch; both are normalised, matched by identity
// (entityKey) and compared. The output is a list of phases: each phase is one or
// more Write batches that must complete before the next starts, because P4Runtime
// does not promise to apply the updates of one batch in order. The phases follow
// dependencies: members before the groups that use them, groups before the table
// entries that point at them; deletions run the other way round.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  EntitySchema,
  UpdateSchema,
  Update_Type,
  type Entity,
  type Update,
} from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import {
  entityKey,
  entityKindOf,
  normalizeEntity,
  sameEntity,
  type EntityKind,
} from "@netapprox/p4runtime/entities.js";
import { DELETE_ORDER, INSERT_ORDER } from "@netapprox/p4runtime/order.js";
import type { P4Schema } from "@netapprox/p4runtime/p4info.js";

export interface ReconcilePlan {
  /** Updates in dependency order; each inner list may be sent as one batch (or split). */
  phases: Update[][];
  inserts: number;
  modifies: number;
  deletes: number;
  /** Installed entities this plan could not decode (unknown ids); they are deleted as read. */
  foreign: number;
}

/** Kinds whose cells always exist: they are modified, never inserted or deleted. */
const CELL_KINDS = new Set<EntityKind>([
  "meterEntry",
  "directMeterEntry",
  "counterEntry",
  "directCounterEntry",
  "registerEntry",
  "valueSetEntry",
]);

function isDefaultEntry(e: Entity): boolean {
  return e.entity.case === "tableEntry" && e.entity.value.isDefaultAction;
}

function isConstEntry(e: Entity): boolean {
  return e.entity.case === "tableEntry" && e.entity.value.isConst;
}

/** A meter cell with no config: what "nothing configured" reads back as. */
function isUnconfiguredCell(e: Entity): boolean {
  return (
    (e.entity.case === "meterEntry" || e.entity.case === "directMeterEntry") &&
    e.entity.value.config === undefined
  );
}

function update(type: Update_Type, entity: Entity): Update {
  return create(UpdateSchema, { type, entity });
}

/** Drops what a read adds but a write never sets (counter data on table entries etc.). */
function comparable(schema: P4Schema, e: Entity): Entity {
  const n = normalizeEntity(schema, e);
  if (n.entity.case === "tableEntry") {
    n.entity.value.counterData = undefined;
    n.entity.value.meterCounterData = undefined;
    n.entity.value.timeSinceLastHit = undefined;
  } else if (n.entity.case === "meterEntry" || n.entity.case === "directMeterEntry") {
    n.entity.value.counterData = undefined;
  }
  return n;
}

/**
 * Plans the writes from `installed` to `desired`. Desired entities must already be
 * canonical (built with encodeEntity). Installed table entries of const tables are
 * left alone; installed default entries are only modified, never deleted; meter
 * cells configured on the switch but not desired are reset (MODIFY without config).
 */
export function planReconciliation(
  schema: P4Schema,
  desired: readonly Entity[],
  installed: readonly Entity[],
): ReconcilePlan {
  const have = new Map<string, Entity>();
  let foreign = 0;
  const raw = new Map<string, Entity>();
  for (const e of installed) {
    if (isConstEntry(e)) continue;
    const key = entityKey(e);
    try {
      have.set(key, comparable(schema, e));
    } catch {
      foreign++;
      raw.set(key, e); // unknown to our P4Info: delete as it was read
    }
  }
  const byKind = new Map<EntityKind, { type: Update_Type; entity: Entity }[]>();
  const add = (kind: EntityKind, type: Update_Type, entity: Entity) => {
    const list = byKind.get(kind) ?? [];
    list.push({ type, entity });
    byKind.set(kind, list);
  };
  let inserts = 0;
  let modifies = 0;
  let deletes = 0;
  const wanted = new Set<string>();
  for (const d of desired) {
    const key = entityKey(d);
    wanted.add(key);
    const kind = entityKindOf(d);
    if (kind === undefined) continue;
    const current = have.get(key);
    if (current !== undefined && sameEntity(current, d)) continue;
    if (current === undefined && CELL_KINDS.has(kind) && isUnconfiguredCell(d)) continue;
    if (current === undefined && !CELL_KINDS.has(kind) && !isDefaultEntry(d)) {
      add(kind, Update_Type.INSERT, d);
      inserts++;
    } else {
      add(kind, Update_Type.MODIFY, d);
      modifies++;
    }
  }
  const deletions = new Map<EntityKind, Entity[]>();
  const remove = (key: string, e: Entity) => {
    if (wanted.has(key)) return;
    const kind = entityKindOf(e);
    if (kind === undefined) return;
    if (CELL_KINDS.has(kind)) {
      // Cells cannot be deleted; reset a configured meter cell to "unconfigured".
      if ((kind === "meterEntry" || kind === "directMeterEntry") && !isUnconfiguredCell(e)) {
        const reset = normalizeEntity(schema, e);
        if (reset.entity.case === "meterEntry" || reset.entity.case === "directMeterEntry")
          reset.entity.value.config = undefined;
        add(kind, Update_Type.MODIFY, reset);
        modifies++;
      }
      return;
    }
    if (isDefaultEntry(e)) return;
    const list = deletions.get(kind) ?? [];
    list.push(e);
    deletions.set(kind, list);
    deletes++;
  };
  for (const [key, e] of have) remove(key, e);
  for (const [key, e] of raw) remove(key, e);

  const phases: Update[][] = [];
  for (const kind of INSERT_ORDER) {
    const list = byKind.get(kind);
    if (list?.length) phases.push(list.map((u) => update(u.type, u.entity)));
  }
  for (const kind of DELETE_ORDER) {
    const list = deletions.get(kind);
    if (list?.length) phases.push(list.map((e) => update(Update_Type.DELETE, e)));
  }
  return { phases, inserts, modifies, deletes, foreign };
}

/** The wildcard reads that fetch everything a reconciliation compares. */
export function reconciliationReads(schema: P4Schema): Entity[] {
  const reads: Entity[] = [];
  const entity = (value: MessageInitShape<typeof EntitySchema>) =>
    reads.push(create(EntitySchema, value));
  entity({ entity: { case: "tableEntry", value: {} } });
  for (const t of schema.tables)
    if (!t.isConst)
      entity({ entity: { case: "tableEntry", value: { tableId: t.id, isDefaultAction: true } } });
  if (schema.actionProfiles.size > 0) {
    entity({ entity: { case: "actionProfileMember", value: {} } });
    if ([...schema.actionProfiles].some((p) => p.withSelector))
      entity({ entity: { case: "actionProfileGroup", value: {} } });
  }
  for (const m of schema.meters)
    entity({ entity: { case: "meterEntry", value: { meterId: m.id } } });
  return reads;
}
