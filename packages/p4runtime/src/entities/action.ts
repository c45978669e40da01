// Actions with their parameters, shared by table entries and action profile members.
import type { Action as ActionMsg } from "../proto/p4/v1/p4runtime_pb.js";
import type { P4Action, P4Param, P4Schema, P4Table } from "../p4info.js";
import { bytesToBigint, canonical, encodeValue, P4ValueError } from "../values.js";
import { subjectOf } from "./common.js";
import type { ActionSpec } from "./specs.js";

const paramSubject = (p: P4Param, a: P4Action) => `action '${a.name}' parameter '${p.name}'`;

export function actionInit(schema: P4Schema, spec: ActionSpec, table: P4Table | undefined) {
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

export function decodeAction(
  schema: P4Schema,
  msg: ActionMsg | undefined,
  subject: string,
): ActionSpec {
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
