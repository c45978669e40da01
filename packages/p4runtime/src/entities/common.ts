// Checks and data shapes shared by several entity codecs: ids and indexes, counter
// data, meter configs, error-message subjects.
import type { MeterConfig } from "../proto/p4/v1/p4runtime_pb.js";
import type { P4Meter } from "../p4info.js";
import { P4ValueError } from "../values.js";
import type { MeterValues } from "../wire.js";
import type { CounterDataSpec, MeterConfigSpec, MeterCounterDataSpec } from "./specs.js";

export function checkU32(value: number, subject: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new P4ValueError(subject, `${value} is not an unsigned 32-bit integer`);
  }
  return value;
}

export function indexInit(index: number | undefined, size: number, subject: string) {
  return index === undefined ? undefined : { index: BigInt(checkIndex(index, size, subject)) };
}

export function checkIndex(index: number, size: number, subject: string): number {
  if (!Number.isInteger(index) || index < 0 || (size > 0 && index >= size)) {
    throw new P4ValueError(subject, `index ${index} is outside 0..${size - 1}`);
  }
  return index;
}

/** The `index` of a decoded indexed entity, left out when the message has none. */
export function decodeIndex(index: { index: bigint } | undefined): { index?: number } {
  return index ? { index: Number(index.index) } : {};
}

/** The key part of an index; `*` for every index. */
export function indexKey(index: { index: bigint } | undefined): string {
  return `${index?.index ?? "*"}`;
}

export function requireField<T>(value: T | undefined, what: string, field: string): T {
  if (value === undefined) throw new P4ValueError(what, `${field} is missing`);
  return value;
}

const subjects = new WeakMap<object, string>();

/**
 * The name of a P4 object in error messages ("table 'x'", "table 'x' field 'y'"),
 * made once per object: entries are encoded by the thousand and rarely fail. The
 * makers are module functions, so that a lookup allocates nothing.
 */
export function subjectOf<T extends object, C>(
  object: T,
  context: C,
  make: (o: T, c: C) => string,
) {
  let text = subjects.get(object);
  if (text === undefined) {
    text = make(object, context);
    subjects.set(object, text);
  }
  return text;
}

export const meterSubject = (m: P4Meter) => `meter '${m.name}'`;

// ---------------------------------------------------------------- counter and meter data

export function counterDataInit(d: CounterDataSpec) {
  return { byteCount: d.byteCount, packetCount: d.packetCount };
}

export function meterCounterDataInit(d: MeterCounterDataSpec) {
  return {
    green: counterDataInit(d.green),
    yellow: counterDataInit(d.yellow),
    red: counterDataInit(d.red),
  };
}

export function meterConfigInit(c: MeterConfigSpec, subject: string) {
  const v = readMeterConfig(c, subject, { cir: 0, cburst: 0, pir: 0, pburst: 0, eburst: 0 });
  return {
    cir: BigInt(v.cir),
    cburst: BigInt(v.cburst),
    pir: BigInt(v.pir),
    pburst: BigInt(v.pburst),
    eburst: BigInt(v.eburst),
  };
}

/**
 * Checks a meter config and puts its values, as P4Runtime carries them (whole
 * units, not negative, pir >= cir), into `into`: numbers stay numbers (no bigint
 * per value on the write path), bigints stay bigints.
 */
export function readMeterConfig(
  c: MeterConfigSpec,
  subject: string,
  into: MeterValues,
): MeterValues {
  into.cir = meterValue(c.cir, "cir", subject);
  into.cburst = meterValue(c.cburst, "cburst", subject);
  into.pir = meterValue(c.pir, "pir", subject);
  into.pburst = meterValue(c.pburst, "pburst", subject);
  into.eburst = meterValue(c.eburst, "eburst", subject);
  if (into.pir < into.cir)
    throw new P4ValueError(subject, `pir ${into.pir} is below cir ${into.cir}`);
  return into;
}

/** A meter rate or burst: numbers are rounded to whole units. */
function meterValue(v: bigint | number | undefined, what: string, subject: string) {
  if (v === undefined) return 0;
  if (typeof v === "number") {
    v = Math.round(v);
    if (!Number.isSafeInteger(v))
      throw new P4ValueError(subject, `${what} ${v} is not a whole number below 2^53`);
  }
  if (v < 0) throw new P4ValueError(subject, `${what} ${v} is negative`);
  return v;
}

export function decodeCounterData(d: { byteCount: bigint; packetCount: bigint }): CounterDataSpec {
  return { byteCount: d.byteCount, packetCount: d.packetCount };
}

export function decodeMeterCounterData(d: {
  green?: { byteCount: bigint; packetCount: bigint };
  yellow?: { byteCount: bigint; packetCount: bigint };
  red?: { byteCount: bigint; packetCount: bigint };
}): MeterCounterDataSpec {
  const zero = { byteCount: 0n, packetCount: 0n };
  return {
    green: decodeCounterData(d.green ?? zero),
    yellow: decodeCounterData(d.yellow ?? zero),
    red: decodeCounterData(d.red ?? zero),
  };
}

export function decodeMeterConfig(c: MeterConfig): MeterConfigSpec {
  return {
    cir: c.cir,
    cburst: c.cburst,
    pir: c.pir,
    pburst: c.pburst,
    ...(c.eburst ? { eburst: c.eburst } : {}),
  };
}
