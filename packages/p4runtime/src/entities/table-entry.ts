// Table entries: match fields, priority, a direct action or an action profile's
// member, group or action set, and the direct resources an entry carries. Also used
// by direct counter and direct meter entries, which address a table entry.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type {
  FieldMatchSchema,
  TableEntry as TableEntryMsg,
  TableEntrySchema,
} from "../proto/p4/v1/p4runtime_pb.js";
import type { P4MatchField, P4Schema, P4Table } from "../p4info.js";
import { P4ValueError } from "../values.js";
import { actionInit, decodeAction } from "./action.js";
import type { CodecOf } from "./codec.js";
import {
  checkU32,
  counterDataInit,
  decodeCounterData,
  decodeMeterConfig,
  decodeMeterCounterData,
  meterConfigInit,
  meterCounterDataInit,
  subjectOf,
} from "./common.js";
import { decodeFieldMatch, encodeMatch, fieldMatchInit, fieldMatchKey } from "./match.js";
import type { TableEntrySpec } from "./specs.js";

export const tableEntryCodec: CodecOf<"tableEntry", "tableEntry"> = {
  kind: "tableEntry",
  protoCase: "tableEntry",
  encode: (schema, spec) => ({
    entity: { case: "tableEntry", value: tableEntryInit(schema, spec) },
  }),
  decode: (schema, value) => ({ kind: "tableEntry", ...decodeTableEntry(schema, value) }),
  key: tableKey,
};

const tableSubject = (t: P4Table) => `table '${t.name}'`;
const matchFieldSubject = (f: P4MatchField, table: string) => `${table} field '${f.name}'`;

export function tableEntryInit(
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

export function tableKey(t: TableEntryMsg | undefined): string {
  if (t === undefined) return "t:?";
  if (t.isDefaultAction) return `t:${t.tableId}:default`;
  const parts = [...t.match].sort((a, b) => a.fieldId - b.fieldId).map(fieldMatchKey);
  return `t:${t.tableId}:${t.priority}:${parts.join(",")}`;
}
