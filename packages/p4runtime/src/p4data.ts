// Typed decoding of P4Data (digest lists, and any other P4Runtime value of a P4 type)
// through the types a P4Info declares: bit<W> and int<W> become bigints (int<W> signed),
// bool a boolean, structs and headers records by member name, tuples and stacks arrays,
// enums and errors their member names, translated string types strings.
//
// Pure: needs the schema's type_info only.
import type { P4DataTypeSpec, P4TypeInfo } from "./proto/p4/config/v1/p4types_pb.js";
import type { P4Data, P4Header } from "./proto/p4/v1/p4data_pb.js";
import type { P4Schema } from "./p4info.js";
import { bitLength, bytesToBigint, P4ValueError } from "./values.js";

/** A decoded P4 value. Headers carry their validity as `$valid`. */
export type P4DecodedData =
  bigint | boolean | string | P4DecodedData[] | { [member: string]: P4DecodedData };

/** Decodes the data of one digest list entry by the digest's type in the P4Info. */
export function decodeDigestData(schema: P4Schema, digest: string, data: P4Data): P4DecodedData {
  const d = schema.digests.get(digest);
  return decodeP4Data(schema.typeInfo, d.typeSpec, data, `digest '${d.name}'`);
}

/**
 * Decodes `data` as a value of type `type`; without a type, by the data's own shape
 * (bitstrings as unsigned). Throws a P4ValueError naming the member path on a mismatch.
 */
export function decodeP4Data(
  typeInfo: P4TypeInfo | undefined,
  type: P4DataTypeSpec | undefined,
  data: P4Data,
  subject = "P4Data",
): P4DecodedData {
  const d = data.data;
  const mismatch = (expected: string): never => {
    throw new P4ValueError(subject, `expected ${expected}, got ${d.case ?? "no value"}`);
  };
  const t = type?.typeSpec;
  if (t === undefined || t.case === undefined) return untyped(typeInfo, data, subject);
  switch (t.case) {
    case "bitstring": {
      const bits = t.value.typeSpec;
      if (bits.case === "varbit") {
        if (d.case === "varbit") return bytesToBigint(d.value.bitstring);
        if (d.case === "bitstring") return bytesToBigint(d.value);
        return mismatch("a varbit");
      }
      if (d.case !== "bitstring") return mismatch("a bitstring");
      const width = bits.value?.bitwidth ?? 0;
      return bits.case === "int"
        ? signed(d.value, width, subject)
        : unsigned(d.value, width, subject);
    }
    case "bool":
      return d.case === "bool" ? d.value : mismatch("a bool");
    case "tuple": {
      if (d.case !== "tuple") return mismatch("a tuple");
      const types = t.value.members;
      if (d.value.members.length !== types.length)
        throw new P4ValueError(
          subject,
          `expected ${types.length} tuple members, got ${d.value.members.length}`,
        );
      return d.value.members.map((m, i) => decodeP4Data(typeInfo, types[i], m, `${subject}[${i}]`));
    }
    case "struct": {
      if (d.case !== "struct") return mismatch(`struct ${t.value.name}`);
      const members = named(typeInfo?.structs[t.value.name], t.value.name, subject).members;
      if (d.value.members.length !== members.length)
        throw new P4ValueError(
          subject,
          `struct ${t.value.name} has ${members.length} members, got ${d.value.members.length}`,
        );
      const out: Record<string, P4DecodedData> = {};
      members.forEach((m, i) => {
        out[m.name] = decodeP4Data(
          typeInfo,
          m.typeSpec,
          d.value.members[i]!,
          `${subject}.${m.name}`,
        );
      });
      return out;
    }
    case "header": {
      if (d.case !== "header") return mismatch(`header ${t.value.name}`);
      return header(typeInfo, t.value.name, d.value, subject);
    }
    case "headerStack": {
      if (d.case !== "headerStack") return mismatch("a header stack");
      const name = t.value.header?.name ?? "";
      return d.value.entries.map((h, i) => header(typeInfo, name, h, `${subject}[${i}]`));
    }
    case "headerUnion": {
      if (d.case !== "headerUnion") return mismatch(`header union ${t.value.name}`);
      const union = named(typeInfo?.headerUnions[t.value.name], t.value.name, subject);
      const chosen = d.value.validHeaderName;
      if (chosen === "") return {};
      const member = union.members.find((m) => m.name === chosen);
      if (member === undefined || d.value.validHeader === undefined)
        throw new P4ValueError(subject, `header union ${t.value.name} has no member '${chosen}'`);
      return {
        [chosen]: header(typeInfo, member.header?.name ?? "", d.value.validHeader, subject),
      };
    }
    case "enum":
      return d.case === "enum" ? d.value : mismatch(`enum ${t.value.name}`);
    case "error":
      return d.case === "error" ? d.value : mismatch("an error");
    case "serializableEnum": {
      const spec = named(typeInfo?.serializableEnums[t.value.name], t.value.name, subject);
      const bytes = d.case === "enumValue" || d.case === "bitstring" ? d.value : undefined;
      if (bytes === undefined) return mismatch(`serializable enum ${t.value.name}`);
      const value = bytesToBigint(bytes);
      const member = spec.members.find((m) => bytesToBigint(m.value) === value);
      return member?.name ?? value;
    }
    case "newType": {
      const repr = named(typeInfo?.newTypes[t.value.name], t.value.name, subject).representation;
      if (repr.case === "originalType") return decodeP4Data(typeInfo, repr.value, data, subject);
      if (d.case !== "bitstring") return mismatch(`a value of type ${t.value.name}`);
      if (repr.case === "translatedType" && repr.value.sdnType.case === "sdnString")
        return new TextDecoder().decode(d.value);
      return bytesToBigint(d.value);
    }
    default:
      throw new P4ValueError(
        subject,
        `values of P4 type '${t.case}' are not decoded by this library`,
      );
  }
}

function named<T>(value: T | undefined, name: string, subject: string): T {
  if (value === undefined)
    throw new P4ValueError(subject, `the P4Info's type_info has no type named '${name}'`);
  return value;
}

function unsigned(bytes: Uint8Array, width: number, subject: string): bigint {
  if (width > 0 && bitLength(bytes) > width)
    throw new P4ValueError(
      subject,
      `value needs ${bitLength(bytes)} bits, bit<${width}> holds ${width}`,
    );
  return bytesToBigint(bytes);
}

/** int<W>: two's complement, sign-extended to the bytestring's length (spec §"Bytestrings"). */
function signed(bytes: Uint8Array, width: number, subject: string): bigint {
  if (bytes.length === 0) throw new P4ValueError(subject, "empty bytestring");
  const raw = bytesToBigint(bytes);
  const bits = BigInt(bytes.length * 8);
  const value = (bytes[0]! & 0x80) !== 0 ? raw - (1n << bits) : raw;
  const limit = width > 0 ? 1n << BigInt(width - 1) : undefined;
  if (limit !== undefined && (value < -limit || value >= limit))
    throw new P4ValueError(subject, `value ${value} does not fit int<${width}>`);
  return value;
}

function header(
  typeInfo: P4TypeInfo | undefined,
  name: string,
  h: P4Header,
  subject: string,
): P4DecodedData {
  const members = named(typeInfo?.headers[name], name, subject).members;
  const out: Record<string, P4DecodedData> = { $valid: h.isValid };
  if (!h.isValid) return out;
  if (h.bitstrings.length !== members.length)
    throw new P4ValueError(
      subject,
      `header ${name} has ${members.length} fields, got ${h.bitstrings.length}`,
    );
  members.forEach((m, i) => {
    const bits = m.typeSpec?.typeSpec;
    const width = bits?.case === "bit" || bits?.case === "int" ? bits.value.bitwidth : 0;
    out[m.name] =
      bits?.case === "int"
        ? signed(h.bitstrings[i]!, width, `${subject}.${m.name}`)
        : unsigned(h.bitstrings[i]!, width, `${subject}.${m.name}`);
  });
  return out;
}

function untyped(typeInfo: P4TypeInfo | undefined, data: P4Data, subject: string): P4DecodedData {
  const d = data.data;
  switch (d.case) {
    case "bitstring":
    case "enumValue":
      return bytesToBigint(d.value);
    case "varbit":
      return bytesToBigint(d.value.bitstring);
    case "bool":
      return d.value;
    case "enum":
    case "error":
      return d.value;
    case "tuple":
    case "struct":
      return d.value.members.map((m, i) => untyped(typeInfo, m, `${subject}[${i}]`));
    case "header":
      return d.value.bitstrings.map(bytesToBigint);
    default:
      throw new P4ValueError(
        subject,
        `cannot decode ${d.case ?? "an empty value"} without its type`,
      );
  }
}
