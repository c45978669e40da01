// Every entity kind's codec, keyed by kind. Adding a kind: its spec in specs.ts, a
// module implementing EntityCodec, and one line here.
import type { Entity } from "../proto/p4/v1/p4runtime_pb.js";
import { actionProfileGroupCodec, actionProfileMemberCodec } from "./action-profile.js";
import type { EntityCase, EntityCodec, EntityValue } from "./codec.js";
import { counterEntryCodec, directCounterEntryCodec } from "./counter.js";
import { digestEntryCodec } from "./digest.js";
import { directMeterEntryCodec, meterEntryCodec } from "./meter.js";
import { registerEntryCodec } from "./register.js";
import { cloneSessionEntryCodec, multicastGroupEntryCodec } from "./replication.js";
import type { EntityKind } from "./specs.js";
import { tableEntryCodec } from "./table-entry.js";
import { valueSetEntryCodec } from "./value-set.js";

/** A codec of any kind, as the dispatchers below hold them. */
export type AnyEntityCodec = EntityCodec<EntityKind>;

const byKind = {
  tableEntry: tableEntryCodec,
  actionProfileMember: actionProfileMemberCodec,
  actionProfileGroup: actionProfileGroupCodec,
  counterEntry: counterEntryCodec,
  directCounterEntry: directCounterEntryCodec,
  meterEntry: meterEntryCodec,
  directMeterEntry: directMeterEntryCodec,
  registerEntry: registerEntryCodec,
  multicastGroupEntry: multicastGroupEntryCodec,
  cloneSessionEntry: cloneSessionEntryCodec,
  digestEntry: digestEntryCodec,
  valueSetEntry: valueSetEntryCodec,
} satisfies { [K in EntityKind]: EntityCodec<K, never> };

export const entityCodecs: Readonly<Record<EntityKind, AnyEntityCodec>> = byKind;

/** Codecs by protobuf case; those with holds() first, so that one without takes the rest. */
const byCase = new Map<EntityCase, AnyEntityCodec[]>();
for (const codec of Object.values(entityCodecs)) {
  const list = byCase.get(codec.protoCase) ?? [];
  list.push(codec);
  list.sort((a, b) => (a.holds ? 0 : 1) - (b.holds ? 0 : 1));
  byCase.set(codec.protoCase, list);
}

/** The codec of a protobuf Entity's kind; undefined for kinds this library does not speak. */
export function codecOf(entity: Entity): AnyEntityCodec | undefined {
  const e = entity.entity;
  if (e.case === undefined) return undefined;
  const list = byCase.get(e.case);
  if (list === undefined) return undefined;
  for (const codec of list) {
    if (codec.holds === undefined || codec.holds(e.value)) return codec;
  }
  return undefined;
}

/** The message under an Entity's oneof case (callers have found its codec). */
export function entityValue(entity: Entity): EntityValue<EntityCase> {
  return entity.entity.value as EntityValue<EntityCase>;
}
