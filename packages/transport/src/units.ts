// Parsing of the quantities the host programs take on their command lines. Each
// parser throws a RangeError naming what it expected; the CLI turns that into a
// usage error. Rates are read as in configuration files (one grammar, one meaning).
import { readBitRate } from "@netapprox/model/config/units.js";

const SI: Record<string, number> = { "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 };
const BINARY: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/**
 * A rate in bits per second, always with its unit or a prefix: "500k", "100M", "1G",
 * "64000bps", "10Mbit/s". A bare number is refused (is "100" bit/s or Mbit/s?).
 */
export function parseRateBitsPerSec(text: string): number {
  const r = readBitRate(text);
  if (!("bits" in r)) {
    const problem = r.problem.startsWith("'")
      ? `'${text}' is not a rate (expected e.g. 100M, 500k, 1G or 64000bps)`
      : r.problem;
    throw new RangeError(problem);
  }
  if (!(r.bits > 0)) throw new RangeError(`rate '${text}' must be positive`);
  return r.bits;
}

/** A byte count: "1500", "64k", "10M", "1G" (powers of 1000) or "64Ki", "10Mi" (1024). */
export function parseBytes(text: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*(Ki|Mi|Gi|[kKMG])?B?\s*$/.exec(text);
  if (m === null) {
    throw new RangeError(`'${text}' is not a size (expected e.g. 1500, 64k, 10M or 10Mi bytes)`);
  }
  const unit = m[2] ?? "";
  const bytes = Math.round(Number(m[1]) * (BINARY[unit] ?? SI[unit]!));
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new RangeError(`size '${text}' must be at least one byte`);
  }
  return bytes;
}

/** A duration in milliseconds: "250ms", "2s", "1.5m"; a bare number means seconds. */
export function parseDurationMs(text: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(ms|s|m)?\s*$/.exec(text);
  if (m === null) throw new RangeError(`'${text}' is not a duration (expected e.g. 250ms, 2s, 10)`);
  const value = Number(m[1]);
  const factor = m[2] === "ms" ? 1 : m[2] === "m" ? 60_000 : 1000;
  return value * factor;
}

export interface HostPort {
  host: string;
  port: number;
}

/** "10.0.0.2:5000", "[::1]:5000", ":5000" (any address); `defaultHost` fills a missing host. */
export function parseHostPort(text: string, defaultHost = "0.0.0.0"): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):([0-9]+)$/.exec(text.trim());
  if (m === null) throw new RangeError(`'${text}' is not host:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new RangeError(`port ${port} in '${text}' is above 65535`);
  const host = m[1] ?? m[2] ?? "";
  return { host: host === "" ? defaultHost : host, port };
}

export function formatHostPort(a: HostPort): string {
  return a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
