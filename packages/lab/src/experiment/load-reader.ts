// What every section of a scenario file is read with: a way to report a problem at a path,
// and unit conversions for values the schema has already checked the form of.
import type { ConfigPath } from "@netapprox/model/config/errors.js";
import { parseBytes, parseDuration, readBitRate } from "@netapprox/model/config/units.js";

export type Quantity = number | string;
export type Report = (path: ConfigPath, message: string) => void;

export interface SectionReader {
  report: Report;
  /** Seconds of a duration (`fallback` when absent). */
  seconds(v: Quantity | undefined, fallback: number): number;
  bytes(v: Quantity): number;
  /** bit/s of a rate; a rate that is not positive is reported at `path`. */
  bits(v: Quantity, path: ConfigPath): number;
}

export function sectionReader(report: Report): SectionReader {
  return {
    report,
    // The schema has checked every quantity's form; these only convert.
    seconds: (v, fallback) => (v === undefined ? fallback : parseDuration(v)!),
    bytes: (v) => parseBytes(v)!,
    // Rates have the right form; whether they are positive and within any link is checked here.
    bits: (v, path) => {
      const r = readBitRate(v);
      if ("bits" in r && r.bits > 0) return r.bits;
      report(
        path,
        "problem" in r
          ? `expected a positive bit rate with its unit: ${r.problem}`
          : `expected a positive bit rate such as "10Mbit", got ${JSON.stringify(v)}`,
      );
      return 1;
    },
  };
}
