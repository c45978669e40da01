// Indexed meter cells and the direct meter of a table entry. The write path for meter
// cells (what a control loop writes every round) bypasses encode: see
// encodeUpdateSpecs in ../entities.ts.
import type { CodecOf } from "./codec.js";
import {
  decodeIndex,
  decodeMeterConfig,
  decodeMeterCounterData,
  indexInit,
  indexKey,
  meterConfigInit,
  meterCounterDataInit,
  meterSubject,
  requireField,
  subjectOf,
} from "./common.js";
import { decodeTableEntry, tableEntryInit, tableKey } from "./table-entry.js";

export const meterEntryCodec: CodecOf<"meterEntry", "meterEntry"> = {
  kind: "meterEntry",
  protoCase: "meterEntry",
  encode(schema, spec) {
    const meter = schema.meters.get(spec.meter);
    const subject = subjectOf(meter, undefined, meterSubject);
    return {
      entity: {
        case: "meterEntry",
        value: {
          meterId: meter.id,
          index: indexInit(spec.index, meter.size, subject),
          config: spec.config && meterConfigInit(spec.config, subject),
          counterData: spec.counterData && meterCounterDataInit(spec.counterData),
        },
      },
    };
  },
  decode: (schema, value) => ({
    kind: "meterEntry",
    meter: schema.meters.get(value.meterId).name,
    ...decodeIndex(value.index),
    ...(value.config ? { config: decodeMeterConfig(value.config) } : {}),
    ...(value.counterData ? { counterData: decodeMeterCounterData(value.counterData) } : {}),
  }),
  key: (value) => `m:${value.meterId}:${indexKey(value.index)}`,
};

export const directMeterEntryCodec: CodecOf<"directMeterEntry", "directMeterEntry"> = {
  kind: "directMeterEntry",
  protoCase: "directMeterEntry",
  encode: (schema, spec) => ({
    entity: {
      case: "directMeterEntry",
      value: {
        tableEntry: tableEntryInit(schema, spec.tableEntry),
        config:
          spec.config && meterConfigInit(spec.config, `direct meter of '${spec.tableEntry.table}'`),
        counterData: spec.counterData && meterCounterDataInit(spec.counterData),
      },
    },
  }),
  decode: (schema, value) => ({
    kind: "directMeterEntry",
    tableEntry: decodeTableEntry(
      schema,
      requireField(value.tableEntry, "direct meter entry", "table_entry"),
    ),
    ...(value.config ? { config: decodeMeterConfig(value.config) } : {}),
    ...(value.counterData ? { counterData: decodeMeterCounterData(value.counterData) } : {}),
  }),
  key: (value) => `dm:${tableKey(value.tableEntry)}`,
};
