// Indexed counter cells and the direct counter of a table entry.
import type { CodecOf } from "./codec.js";
import {
  counterDataInit,
  decodeCounterData,
  decodeIndex,
  indexInit,
  indexKey,
  requireField,
} from "./common.js";
import { decodeTableEntry, tableEntryInit, tableKey } from "./table-entry.js";

export const counterEntryCodec: CodecOf<"counterEntry", "counterEntry"> = {
  kind: "counterEntry",
  protoCase: "counterEntry",
  encode(schema, spec) {
    const counter = schema.counters.get(spec.counter);
    return {
      entity: {
        case: "counterEntry",
        value: {
          counterId: counter.id,
          index: indexInit(spec.index, counter.size, `counter '${counter.name}'`),
          data: spec.data && counterDataInit(spec.data),
        },
      },
    };
  },
  decode: (schema, value) => ({
    kind: "counterEntry",
    counter: schema.counters.get(value.counterId).name,
    ...decodeIndex(value.index),
    ...(value.data ? { data: decodeCounterData(value.data) } : {}),
  }),
  key: (value) => `c:${value.counterId}:${indexKey(value.index)}`,
};

export const directCounterEntryCodec: CodecOf<"directCounterEntry", "directCounterEntry"> = {
  kind: "directCounterEntry",
  protoCase: "directCounterEntry",
  encode: (schema, spec) => ({
    entity: {
      case: "directCounterEntry",
      value: {
        tableEntry: tableEntryInit(schema, spec.tableEntry),
        data: spec.data && counterDataInit(spec.data),
      },
    },
  }),
  decode: (schema, value) => ({
    kind: "directCounterEntry",
    tableEntry: decodeTableEntry(
      schema,
      requireField(value.tableEntry, "direct counter entry", "table_entry"),
    ),
    ...(value.data ? { data: decodeCounterData(value.data) } : {}),
  }),
  key: (value) => `dc:${tableKey(value.tableEntry)}`,
};
