// Quantities with units as written in configuration files: bit rates ("10Mbit", "1G"),
// byte counts ("2GB", "512MiB") and durations ("10ms", "2s"). Prefixes are decimal (SI)
// except the binary ones (KiB, MiB, ...). Bare numbers are bit/s, bytes and seconds.

/** String patterns for the JSON Schemas (anchored). */
export const BIT_RATE_PATTERN = "^[0-9]+(\\.[0-9]+)?\\s*([kKMGT])?(bit/s|bit|bps|b/s)?$";
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

/** Bit/s from a number or a string such as "10Mbit"; undefined when malformed. */
export function parseBitRate(value: number | string): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  const m = new RegExp(BIT_RATE_PATTERN).exec(value.trim());
  if (m === null) return undefined;
  return Number(leadingNumber(value)) * (SI[m[2] ?? ""] ?? 1);
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
