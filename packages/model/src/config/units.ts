// Quantities with units as written in configuration files and on command lines: bit
// rates ("10Mbit", "1G"), byte counts ("2GB", "512MiB") and durations ("10ms", "2s").
// Prefixes are decimal (SI) except the binary ones (KiB, MiB, ...).
//
// A rate always carries its unit (or at least a prefix: "10M" is 10 Mbit/s), in files and
// on command lines alike: a bare 10 could mean 10 bit/s or 10 Mbit/s, and read the wrong
// way it silently starves or floods every job. Rates are bounded by the fastest a link
// can be. Bare numbers remain bytes and seconds.

/** String patterns for the JSON Schemas (anchored). */
export const BIT_RATE_PATTERN =
  "^[0-9]+(\\.[0-9]+)?\\s*([kKMGT](bit/s|bit|bps|b/s)?|bit/s|bit|bps|b/s)$";

/** The fastest rate accepted anywhere: 10 Tbit/s, beyond any link that exists. */
export const MAX_BIT_RATE = 10e12;
export const BYTES_PATTERN = "^[0-9]+(\\.[0-9]+)?\\s*(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$";
export const DURATION_PATTERN = "^[0-9]+(\\.[0-9]+)?\\s*(us|ms|s|min|h)$";

const SI: Record<string, number> = { "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
const BYTE_UNITS: Record<string, number> = {
  "": 1,
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};
const SECONDS: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, min: 60, h: 3600 };

/**
 * Bit/s from a rate with its unit ("10Mbit", "1.5Gbit/s", "500k", "64000bps"), or what is
 * wrong with it: no unit, not a rate, or faster than any link.
 */
export function readBitRate(value: number | string): { bits: number } | { problem: string } {
  const text = String(value).trim();
  if (value === 0) return { bits: 0 }; // zero is zero in every unit
  if (typeof value === "number" || /^[0-9]+(\.[0-9]+)?$/.test(text)) {
    return {
      problem: `${text} has no unit: write ${text}Mbit for Mbit/s or ${text}bit for bit/s`,
    };
  }
  const m = new RegExp(BIT_RATE_PATTERN).exec(text);
  if (m === null) return { problem: `'${text}' is not a bit rate such as 10Mbit, 500k or 1G` };
  const prefix = /^[kKMGT]/.exec(m[2] ?? "")?.[0] ?? "";
  const bits = Number(leadingNumber(text)) * SI[prefix]!;
  if (!(bits <= MAX_BIT_RATE)) {
    return { problem: `${text} is above ${formatBitRate(MAX_BIT_RATE)}, faster than any link` };
  }
  return { bits };
}

/** Bit/s of a rate with its unit (see readBitRate); undefined when it is not one. */
export function parseBitRate(value: number | string): number | undefined {
  const r = readBitRate(value);
  return "bits" in r ? r.bits : undefined;
}

/** Bytes from a number or a string such as "2GB" or "512MiB"; undefined when malformed. */
export function parseBytes(value: number | string): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  const m = new RegExp(BYTES_PATTERN).exec(value.trim());
  if (m === null) return undefined;
  return Number(leadingNumber(value)) * (BYTE_UNITS[m[2] ?? ""] ?? 1);
}

/** Seconds from a number or a string such as "10ms"; undefined when malformed. */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  const m = new RegExp(DURATION_PATTERN).exec(value.trim());
  if (m === null) return undefined;
  return Number(leadingNumber(value)) * (SECONDS[m[2] ?? "s"] ?? 1);
}

function leadingNumber(text: string): string {
  return /^[0-9]+(\.[0-9]+)?/.exec(text.trim())?.[0] ?? "NaN";
}

/** A rate as files write it: the shortest exact form with a unit ("10Mbit", "2500001bit"). */
export function bitRateText(bits: number): string {
  for (const [factor, prefix] of [
    [1e12, "T"],
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ] as const) {
    if (bits !== 0 && bits % factor === 0) return `${bits / factor}${prefix}bit`;
  }
  return `${bits}bit`;
}

/** "12.5 Mbit/s", "800 kbit/s", "0 bit/s" (three significant digits). */
export function formatBitRate(bitsPerSecond: number): string {
  return withPrefix(bitsPerSecond, "bit/s");
}

/** "1.5 MB", "640 B" (decimal prefixes). */
export function formatBytes(bytes: number): string {
  return withPrefix(bytes, "B");
}

const PREFIXES = ["", "k", "M", "G", "T"];

function withPrefix(value: number, unit: string): string {
  if (!Number.isFinite(value)) return `${value} ${unit}`;
  let i = 0;
  let rounded = Number(value.toPrecision(3));
  while (Math.abs(rounded) >= 1000 && i < PREFIXES.length - 1) {
    i++;
    rounded = Number((value / 1000 ** i).toPrecision(3));
  }
  return `${rounded} ${PREFIXES[i]}${unit}`;
}
