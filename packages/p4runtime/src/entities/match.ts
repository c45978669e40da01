// Match fields, shared by table entries and parser value sets: user input → encoded
// match, protobuf FieldMatch → decoded value, FieldMatch → key text.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { FieldMatch, FieldMatchSchema } from "../proto/p4/v1/p4runtime_pb.js";
import type { P4MatchField } from "../p4info.js";
import {
  bytesToBigint,
  canonical,
  encodeExact,
  encodeLpm,
  encodeOptional,
  encodeRange,
  encodeTernary,
  fullMask,
  P4ValueError,
  type EncodedMatch,
  type P4Value,
} from "../values.js";
import type { DecodedMatch, MatchInput } from "./specs.js";

export function encodeMatch(
  field: P4MatchField,
  input: MatchInput | DecodedMatch,
  subject: string,
): EncodedMatch | undefined {
  if (field.unsupported) throw new P4ValueError(subject, `cannot encode: ${field.unsupported}`);
  const w = field.bitwidth;
  // A bare number, bigint or bytestring is an exact value whatever the match kind.
  const bare =
    typeof input !== "object" || input instanceof Uint8Array ? (input as P4Value) : undefined;
  const object = bare === undefined ? (input as Record<string, unknown>) : undefined;
  const need = (...keys: string[]) => {
    if (object !== undefined && !keys.every((k) => k in object)) {
      throw new P4ValueError(
        subject,
        `expected ${keys.join(" and ")} for a ${field.matchType} field`,
      );
    }
  };
  switch (field.matchType) {
    case "exact":
    case "optional":
      if (bare === undefined)
        throw new P4ValueError(subject, `expected a single value for a ${field.matchType} field`);
      return field.matchType === "exact"
        ? encodeExact(bare, w, subject)
        : encodeOptional(bare, w, subject);
    case "lpm":
      need("value", "prefixLen");
      return encodeLpm(
        typeof bare === "string"
          ? bare
          : bare !== undefined
            ? { value: bare, prefixLen: w }
            : (object as { value: P4Value; prefixLen: number }),
        w,
        subject,
      );
    case "ternary":
      need("value", "mask");
      return encodeTernary(
        typeof bare === "string"
          ? bare
          : bare !== undefined
            ? { value: bare, mask: fullMask(w) }
            : (object as { value: P4Value; mask: P4Value }),
        w,
        subject,
      );
    case "range":
      need("low", "high");
      return encodeRange(
        typeof bare === "string"
          ? bare
          : bare !== undefined
            ? { low: bare, high: bare }
            : (object as { low: P4Value; high: P4Value }),
        w,
        subject,
      );
    default:
      throw new P4ValueError(subject, `match kind '${field.matchType}' is not supported`);
  }
}

/**
 * A FieldMatch init whose inner message is the encoded match itself: each kind has
 * that message's fields under the same names (its `kind` is ignored by create() and
 * the wire writer), one object fewer per field on the write path.
 */
export function fieldMatchInit(
  fieldId: number,
  m: EncodedMatch,
): MessageInitShape<typeof FieldMatchSchema> {
  return {
    fieldId,
    fieldMatchType: { case: m.kind, value: m } as MessageInitShape<
      typeof FieldMatchSchema
    >["fieldMatchType"],
  };
}

// ---------------------------------------------------------------- decoding

export function decodeFieldMatch(
  field: P4MatchField,
  m: FieldMatch,
  subject: string,
): DecodedMatch | undefined {
  if (field.unsupported) throw new P4ValueError(subject, `cannot decode: ${field.unsupported}`);
  const w = field.bitwidth;
  const t = m.fieldMatchType;
  const value = (bytes: Uint8Array, what = "value") =>
    bytesToBigint(canonical(bytes, w, `${subject} ${what}`));
  const expect = (kind: string) => {
    if (field.matchType !== kind) {
      throw new P4ValueError(subject, `got a ${kind} match for a ${field.matchType} field`);
    }
  };
  switch (t.case) {
    case "exact":
      expect("exact");
      return value(t.value.value);
    case "optional":
      expect("optional");
      return value(t.value.value);
    case "lpm":
      expect("lpm");
      return { value: value(t.value.value), prefixLen: t.value.prefixLen };
    case "ternary":
      expect("ternary");
      return { value: value(t.value.value), mask: value(t.value.mask, "mask") };
    case "range":
      expect("range");
      return { low: value(t.value.low, "low"), high: value(t.value.high, "high") };
    default:
      throw new P4ValueError(subject, "unsupported or empty field match");
  }
}

function hexOf(bytes: Uint8Array): string {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return Buffer.from(bytes.subarray(i)).toString("hex");
}

/** One field match as text; padded and canonical values give the same text. */
export function fieldMatchKey(m: FieldMatch): string {
  const f = m.fieldMatchType;
  switch (f.case) {
    case "exact":
    case "optional":
      return `${m.fieldId}=${hexOf(f.value.value)}`;
    case "lpm":
      return `${m.fieldId}=${hexOf(f.value.value)}/${f.value.prefixLen}`;
    case "ternary":
      return `${m.fieldId}=${hexOf(f.value.value)}&${hexOf(f.value.mask)}`;
    case "range":
      return `${m.fieldId}=${hexOf(f.value.low)}-${hexOf(f.value.high)}`;
    default:
      return `${m.fieldId}=?`;
  }
}
