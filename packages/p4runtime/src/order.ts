// The order entities depend on each other in: members before the groups that use them,
// groups before the table entries that point at them, multicast groups and clone
// sessions before the entries that send packets to them. Writes go in INSERT_ORDER,
// deletions the other way round, one kind per Write (P4Runtime does not promise to
// apply the updates of one batch in order). Pure.
import { create } from "@bufbuild/protobuf";
import { UpdateSchema, Update_Type, type Entity, type Update } from "./proto/p4/v1/p4runtime_pb.js";
import { entityKindOf, type EntityKind } from "./entities.js";

export const INSERT_ORDER: readonly EntityKind[] = [
  "multicastGroupEntry",
  "cloneSessionEntry",
  "digestEntry",
  "valueSetEntry",
  "actionProfileMember",
  "actionProfileGroup",
  "tableEntry",
  "directMeterEntry",
  "meterEntry",
];

/** Kinds that can be deleted, in the order to delete them. */
export const DELETE_ORDER: readonly EntityKind[] = [
  "tableEntry",
  "actionProfileGroup",
  "actionProfileMember",
  "digestEntry",
  "cloneSessionEntry",
  "multicastGroupEntry",
];

/**
 * DELETE updates for every deletable entity of `installed`, one phase per kind in
 * DELETE_ORDER. Default entries and entries of const tables cannot be deleted and are
 * left out, as are kinds that are modified rather than deleted (meters, counters ...).
 */
export function deletionPhases(installed: readonly Entity[]): Update[][] {
  const byKind = new Map<EntityKind, Update[]>();
  for (const entity of installed) {
    const kind = entityKindOf(entity);
    if (kind === undefined || !DELETE_ORDER.includes(kind)) continue;
    if (entity.entity.case === "tableEntry") {
      const t = entity.entity.value;
      if (t.isDefaultAction || t.isConst) continue;
    }
    const list = byKind.get(kind) ?? [];
    list.push(create(UpdateSchema, { type: Update_Type.DELETE, entity }));
    byKind.set(kind, list);
  }
  return DELETE_ORDER.flatMap((kind) => (byKind.has(kind) ? [byKind.get(kind)!] : []));
}
