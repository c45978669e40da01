// P4Runtime values: canonical bytestrings and the match encodings built on them.
//
// P4Runtime carries every bit<W> value as a bytestring. The canonical form (spec
// §"Bytestrings") is the shortest big-endian string, with zero as one 0x00 byte;
// servers must accept padded forms, so values read back are normalised with
// `canonical()` before they are compared with what was written.
//
// Pure: no I/O, no P4Info. Widths come from the caller.
//
// One file over 500 lines: every value form (numbers, text, addresses, prefixes, masks,
// ranges) goes through the same width checks and canonical bytestrings.

/** A value a user may give for a bit<W> field. */
export type P4Value = number | bigint | string | Uint8Array;

/** Raised when a value cannot be encoded for a field; `subject` names the field. */
export class P4ValueError extends Error {
  readonly userFacing = true;
  constructor(
    readonly subject: string,
    message: string,
  ) {
    super(`${subject}: ${message}`);
    this.name = "P4ValueError";
  }
}

const HEX = /^0x[0-9a-f]+$/i;
const DECIMAL = /^[0-9]+$/;
const MAC = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Shortest big-endian bytes of a non-negative safe integer; 0 is [0x00]. */
function numberToBytes(value: number): Uint8Array {
  if (value < 0x100) {
    const out = new Uint8Array(1);
    out[0] = value;
    return out;
  }
  if (value <= 0xffffffff) {
    const length = value < 0x10000 ? 2 : value < 0x1000000 ? 3 : 4;
    const out = new Uint8Array(length);
    for (let i = length - 1, v = value; i >= 0; i--, v >>>= 8) out[i] = v & 0xff;
    return out;
  }
  let length = 0;
  for (let v = value; v > 0; v = Math.floor(v / 256)) length++;
  const out = new Uint8Array(length);
  for (let i = length - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  return out;
}

/**
 * The common value texts (decimal below 2^53, dotted-quad IPv4, MAC) in
 * text[start, end) as a number, read in one pass without regular expressions,
 * slices or bigints; undefined for anything else or anything odd, which the general
 * path (toBigint) then reads or rejects.
 */
function smallTextValue(text: string, start = 0, end = text.length): number | undefined {
  let separator = 0; // 46 '.' (IPv4) or 58 ':' (MAC), once seen
  let groups = 0;
  let value = 0;
  let decimal = 0;
  let hex = 0;
  let digits = 0;
  let letters = false;
  for (let i = start; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : -1;
    if (c === 46 || c === 58 || c === -1) {
      if (c === -1 && separator === 0) return digits > 0 && !letters ? decimal : undefined;
      if (c !== -1) {
        if (separator === 0) separator = c;
        else if (c !== separator) return undefined;
      }
      // An IPv4 octet has 1-3 decimal digits, a MAC group 1-2 hex digits.
      const part =
        separator === 46 ? (letters || digits > 3 ? -1 : decimal) : digits > 2 ? -1 : hex;
      if (digits === 0 || part < 0 || part > 255) return undefined;
      value = value * 256 + part;
      groups++;
      decimal = 0;
      hex = 0;
      digits = 0;
      letters = false;
      continue;
    }
    if (c >= 48 && c <= 57) {
      decimal = decimal * 10 + (c - 48);
      hex = hex * 16 + (c - 48);
    } else {
      const lower = c | 32;
      if (lower < 97 || lower > 102) return undefined;
      letters = true;
      hex = hex * 16 + (lower - 87);
    }
    if (++digits > 15) return undefined;
  }
  return groups === (separator === 46 ? 4 : 6) ? value : undefined;
}

/** 2^w for w = 0..53 (a lookup: Math.pow showed in profiles of bulk encoding). */
const POW2 = Array.from({ length: 54 }, (_, w) => 2 ** w);

/** A non-negative safe integer that fits in `bitwidth` bits. */
function fitsNumber(n: number | undefined, bitwidth: number): n is number {
  return (
    n !== undefined && Number.isSafeInteger(n) && n >= 0 && (bitwidth >= 53 || n < POW2[bitwidth]!)
  );
}

/** Decimal digits text[start, end) as a number below 1000, or -1. */
function smallDecimal(text: string, start: number, end: number): number {
  if (start >= end || end - start > 3) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** LPM of a value given as a number: its bits past the prefix cleared, as canonical bytes. */
function lpmOfNumber(n: number, prefixLen: number, bitwidth: number): Uint8Array {
  const low = POW2[bitwidth - prefixLen]!;
  return numberToBytes(Math.floor(n / low) * low);
}

/** Shortest big-endian bytes of a non-negative bigint; 0 is [0x00]. */
export function bigintToBytes(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError(`negative value ${value}`);
  if (value <= BigInt(Number.MAX_SAFE_INTEGER)) return numberToBytes(Number(value));
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = "0" + hex;
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

/** Unsigned big-endian value of any bytestring (padded or not). */
export function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt("0x" + Buffer.from(bytes).toString("hex"));
}

/** Number of significant bits of an unsigned big-endian bytestring. */
export function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/** The value as the canonical bytestring, checked to fit `bitwidth` bits. */
export function canonical(bytes: Uint8Array, bitwidth: number, subject = "value"): Uint8Array {
  if (bytes.length === 0)
    throw new P4ValueError(subject, "empty bytestring (P4Runtime rejects it)");
  const bits = bitLength(bytes);
  if (bits > bitwidth) {
    throw new P4ValueError(
      subject,
      `value 0x${hex(bytes)} needs ${bits} bits, field is ${bitwidth} bits wide`,
    );
  }
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return i === 0 ? bytes : bytes.subarray(i);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** Parses a MAC address "aa:bb:cc:dd:ee:ff" to a 48-bit bigint. */
export function macToBigint(mac: string): bigint {
  if (!MAC.test(mac))
    throw new P4ValueError("MAC address", `'${mac}' is not of the form aa:bb:cc:dd:ee:ff`);
  return BigInt(
    "0x" +
      mac
        .split(":")
        .map((p) => p.padStart(2, "0"))
        .join(""),
  );
}

export function bigintToMac(value: bigint): string {
  const h = value.toString(16).padStart(12, "0");
  return h.match(/../g)!.join(":");
}

/** Parses dotted-quad IPv4 to a 32-bit bigint. */
export function ipv4ToBigint(ip: string): bigint {
  if (!IPV4.test(ip))
    throw new P4ValueError("IPv4 address", `'${ip}' is not a dotted-quad address`);
  const parts = ip.split(".").map(Number);
  if (parts.some((p) => p > 255))
    throw new P4ValueError("IPv4 address", `'${ip}' has an octet above 255`);
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

export function bigintToIpv4(value: bigint): string {
  const n = Number(value & 0xffffffffn);
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Parses an IPv6 address (with :: compression, optional embedded IPv4) to a 128-bit bigint. */
export function ipv6ToBigint(ip: string): bigint {
  const bad = () => new P4ValueError("IPv6 address", `'${ip}' is not a valid IPv6 address`);
  let text = ip;
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two hex groups.
  const v4Tail = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4Tail) {
    const v4 = ipv4ToBigint(v4Tail[2]!);
    text = `${v4Tail[1]}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) throw bad();
  const groupsOf = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if ([...head, ...tail].some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) throw bad();
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) throw bad();
  const words = [...head, ...Array<string>(8 - count).fill("0"), ...tail];
  return words.reduce((acc, w) => (acc << 16n) | BigInt(parseInt(w, 16)), 0n);
}

export function bigintToIpv6(value: bigint): string {
  const words: number[] = [];
  for (let i = 7; i >= 0; i--) words.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // Compress the longest run of zero words (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const text = words.map((w) => w.toString(16));
  if (best < 0) return text.join(":");
  return `${text.slice(0, best).join(":")}::${text.slice(best + bestLen).join(":")}`;
}

/**
 * Converts a user value to a bigint. Strings may be decimal, 0x-hex, a MAC
 * address, an IPv4 or an IPv6 address; the width picks nothing, the syntax does.
 */
export function toBigint(value: P4Value, subject = "value"): bigint {
  if (typeof value === "bigint") {
    if (value < 0n) throw new P4ValueError(subject, `negative value ${value}`);
    return value;
  }
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new P4ValueError(subject, `${value} is not a non-negative safe integer`);
    }
    return BigInt(value);
  }
  if (value instanceof Uint8Array) return bytesToBigint(value);
  const text = value.trim();
  if (DECIMAL.test(text)) return BigInt(text);
  if (HEX.test(text)) return BigInt(text);
  if (MAC.test(text)) return macToBigint(text);
  if (IPV4.test(text)) return ipv4ToBigint(text);
  if (text.includes(":")) {
    try {
      return ipv6ToBigint(text);
    } catch {
      // fall through to the generic message
    }
  }
  throw new P4ValueError(
    subject,
    `cannot read '${value}' as a number, 0x-hex, MAC, IPv4 or IPv6 value`,
  );
}

/** Encodes a user value as the canonical bytestring of a bit<bitwidth> field. */
export function encodeValue(value: P4Value, bitwidth: number, subject = "value"): Uint8Array {
  if (value instanceof Uint8Array) return canonical(value, bitwidth, subject);
  // Fast paths for the common cases: a small non-negative integer, or its usual texts.
  const small =
    typeof value === "number"
      ? value
      : typeof value === "string"
        ? smallTextValue(value.trim())
        : undefined;
  if (fitsNumber(small, bitwidth)) return numberToBytes(small);
  const n = toBigint(value, subject);
  if (n >> BigInt(bitwidth) !== 0n) {
    throw new P4ValueError(
      subject,
      `value ${value} needs ${n.toString(2).length} bits, field is ${bitwidth} bits wide`,
    );
  }
  return bigintToBytes(n);
}

/** A 128-bit unsigned value (election ids) as the protobuf Uint128 halves. */
export function toUint128(value: bigint): { high: bigint; low: bigint } {
  if (value < 0n || value >> 128n !== 0n)
    throw new RangeError(`${value} is not an unsigned 128-bit value`);
  return { high: value >> 64n, low: value & 0xffffffffffffffffn };
}

export function fromUint128(value: { high: bigint; low: bigint }): bigint {
  return (value.high << 64n) | value.low;
}

/** Mask with the top `prefixLen` of `bitwidth` bits set. */
export function prefixMask(prefixLen: number, bitwidth: number): bigint {
  return ((1n << BigInt(prefixLen)) - 1n) << BigInt(bitwidth - prefixLen);
}

export function fullMask(bitwidth: number): bigint {
  return (1n << BigInt(bitwidth)) - 1n;
}

// ---------------------------------------------------------------- matches

export interface ExactMatch {
  kind: "exact";
  value: Uint8Array;
}
export interface LpmMatch {
  kind: "lpm";
  value: Uint8Array;
  prefixLen: number;
}
export interface TernaryMatch {
  kind: "ternary";
  value: Uint8Array;
  mask: Uint8Array;
}
export interface RangeMatch {
  kind: "range";
  low: Uint8Array;
  high: Uint8Array;
}
export interface OptionalMatch {
  kind: "optional";
  value: Uint8Array;
}
/** An encoded field match; `undefined` from an encoder means "don't care" (omit the field). */
export type EncodedMatch = ExactMatch | LpmMatch | TernaryMatch | RangeMatch | OptionalMatch;

/** LPM input: "10.0.0.0/8", "2001:db8::/32", or an object. */
export type LpmInput = string | { value: P4Value; prefixLen: number };
/** Ternary input: "value&&&mask" or an object. */
export type TernaryInput = string | { value: P4Value; mask: P4Value };
/** Range input: "low..high" or an object. */
export type RangeInput = string | { low: P4Value; high: P4Value };

export function encodeExact(value: P4Value, bitwidth: number, subject: string): ExactMatch {
  return { kind: "exact", value: encodeValue(value, bitwidth, subject) };
}

// Masks and comparisons work on the canonical bytes themselves: no bigints on the
// path every table entry takes.

/** Canonical form of a big-endian bytestring: leading zero bytes dropped, zero is [0x00]. */
function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return i === 0 ? bytes : bytes.subarray(i);
}

/** The value with its lowest `count` bits cleared (the bytes themselves when they are clear). */
function clearLowBits(bytes: Uint8Array, count: number): Uint8Array {
  const length = bytes.length;
  const whole = Math.min(length, count >>> 3);
  const partial = length - whole - 1; // the byte holding the remaining bits, if any
  const lowMask = (1 << (count & 7)) - 1;
  let clear = partial < 0 || (bytes[partial]! & lowMask) === 0;
  for (let i = length - whole; clear && i < length; i++) clear = bytes[i] === 0;
  if (clear) return bytes;
  const out = bytes.slice();
  out.fill(0, length - whole);
  if (partial >= 0) out[partial] = out[partial]! & ~lowMask;
  return stripLeadingZeros(out);
}

/** Bitwise AND of two canonical values. */
function andBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const n = Math.min(a.length, b.length);
  const out = new Uint8Array(n);
  for (let i = 1; i <= n; i++) out[n - i] = a[a.length - i]! & b[b.length - i]!;
  return stripLeadingZeros(out);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Order of two canonical values: negative, zero or positive. */
function compareCanonical(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function isZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** True when a canonical value has all `bitwidth` bits set. */
function isFullMask(bytes: Uint8Array, bitwidth: number): boolean {
  if (bytes.length !== Math.ceil(bitwidth / 8)) return false;
  if (bytes[0] !== (1 << (bitwidth - 8 * (bytes.length - 1))) - 1) return false;
  for (let i = 1; i < bytes.length; i++) if (bytes[i] !== 0xff) return false;
  return true;
}

/**
 * Encodes an LPM match. Bits past the prefix are cleared (P4Runtime requires
 * them to be zero); a zero-length prefix is a wildcard and yields undefined.
 */
export function encodeLpm(
  input: LpmInput,
  bitwidth: number,
  subject: string,
): LpmMatch | undefined {
  let value: P4Value;
  let prefixLen: number;
  if (typeof input === "string") {
    const slash = input.lastIndexOf("/");
    // Fast path: "10.1.0.0/16" and the like, read in place.
    if (slash > 0 && bitwidth <= 53) {
      const len = smallDecimal(input, slash + 1, input.length);
      const n = len > 0 && len <= bitwidth ? smallTextValue(input, 0, slash) : undefined;
      if (fitsNumber(n, bitwidth))
        return { kind: "lpm", value: lpmOfNumber(n, len, bitwidth), prefixLen: len };
    }
    if (slash < 0) {
      value = input;
      prefixLen = bitwidth;
    } else {
      value = input.slice(0, slash);
      const len = input.slice(slash + 1);
      if (!DECIMAL.test(len)) throw new P4ValueError(subject, `bad prefix length in '${input}'`);
      prefixLen = Number(len);
    }
  } else {
    ({ value, prefixLen } = input);
  }
  if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > bitwidth) {
    throw new P4ValueError(subject, `prefix length ${prefixLen} is outside 0..${bitwidth}`);
  }
  if (prefixLen === 0) return undefined;
  if (typeof value === "number" && bitwidth <= 53 && fitsNumber(value, bitwidth))
    return { kind: "lpm", value: lpmOfNumber(value, prefixLen, bitwidth), prefixLen };
  const bytes = clearLowBits(encodeValue(value, bitwidth, subject), bitwidth - prefixLen);
  return { kind: "lpm", value: bytes, prefixLen };
}

/** Encodes a ternary match; value bits outside the mask are cleared; mask 0 is a wildcard. */
export function encodeTernary(
  input: TernaryInput,
  bitwidth: number,
  subject: string,
): TernaryMatch | undefined {
  let value: P4Value;
  let mask: P4Value;
  if (typeof input === "string") {
    const at = input.indexOf("&&&");
    if (at < 0) {
      value = input;
      mask = fullMask(bitwidth);
    } else if (input.indexOf("&&&", at + 3) < 0) {
      value = input.slice(0, at).trim();
      mask = input.slice(at + 3).trim();
    } else {
      throw new P4ValueError(subject, `'${input}' is not of the form value&&&mask`);
    }
  } else {
    ({ value, mask } = input);
  }
  const m = encodeValue(mask, bitwidth, `${subject} mask`);
  if (isZero(m)) return undefined;
  const v = encodeValue(value, bitwidth, subject);
  const masked = andBytes(v, m);
  return { kind: "ternary", value: sameBytes(masked, v) ? v : masked, mask: m };
}

/** Encodes a range match; the full range is a wildcard; low > high is an error. */
export function encodeRange(
  input: RangeInput,
  bitwidth: number,
  subject: string,
): RangeMatch | undefined {
  let low: P4Value;
  let high: P4Value;
  if (typeof input === "string") {
    const parts = input.split("..");
    if (parts.length !== 2)
      throw new P4ValueError(subject, `'${input}' is not of the form low..high`);
    [low, high] = [parts[0]!.trim(), parts[1]!.trim()];
  } else {
    ({ low, high } = input);
  }
  const lo = encodeValue(low, bitwidth, `${subject} low`);
  const hi = encodeValue(high, bitwidth, `${subject} high`);
  if (compareCanonical(lo, hi) > 0) {
    throw new P4ValueError(
      subject,
      `range low ${bytesToBigint(lo)} is above high ${bytesToBigint(hi)}`,
    );
  }
  if (isZero(lo) && isFullMask(hi, bitwidth)) return undefined;
  return { kind: "range", low: lo, high: hi };
}

export function encodeOptional(value: P4Value, bitwidth: number, subject: string): OptionalMatch {
  return { kind: "optional", value: encodeValue(value, bitwidth, subject) };
}

/** Formats an encoded value for people: MAC for 48 bits, IPv4 for 32, IPv6 for 128, else decimal. */
export function formatValue(bytes: Uint8Array, bitwidth: number): string {
  const n = bytesToBigint(bytes);
  if (bitwidth === 48) return bigintToMac(n);
  if (bitwidth === 32) return bigintToIpv4(n);
  if (bitwidth === 128) return bigintToIpv6(n);
  return n.toString();
}
