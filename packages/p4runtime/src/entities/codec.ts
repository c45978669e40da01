// What one entity kind's codec does: spec → checked init shape (what create() and the
// wire writer take), protobuf → spec, protobuf → identity key. Adding a kind is one
// module implementing EntityCodec plus one line in registry.ts.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Entity, EntitySchema } from "../proto/p4/v1/p4runtime_pb.js";
import type { P4Schema } from "../p4info.js";
import type { EntityKind, EntitySpec } from "./specs.js";

export type EntityInit = MessageInitShape<typeof EntitySchema>;

/** The protobuf oneof cases of an Entity. */
export type EntityCase = NonNullable<Entity["entity"]["case"]>;

/** The message held under one oneof case. */
export type EntityValue<C extends EntityCase> = Extract<Entity["entity"], { case: C }>["value"];

/** The tagged spec of one kind. */
export type SpecOf<K extends EntityKind> = Extract<EntitySpec, { kind: K }>;

/** The codec of kind K, whose messages travel under the Entity oneof case C. */
export type CodecOf<K extends EntityKind, C extends EntityCase> = EntityCodec<K, EntityValue<C>> & {
  readonly protoCase: C;
};

export interface EntityCodec<K extends EntityKind, V = EntityValue<EntityCase>> {
  readonly kind: K;
  /** The Entity oneof case this kind travels under. */
  readonly protoCase: EntityCase;
  /**
   * Whether a message under `protoCase` is of this kind, for cases that carry more
   * than one kind (the packet replication engine's); absent: always.
   */
  holds?(value: V): boolean;
  /** Checks a spec against the schema and gives its canonical init shape. */
  encode(schema: P4Schema, spec: SpecOf<K>): EntityInit;
  /** Names from the schema, canonical values. */
  decode(schema: P4Schema, value: V): SpecOf<K>;
  /** The identity of the switch object addressed; padded values give the same key. */
  key(value: V): string;
}
