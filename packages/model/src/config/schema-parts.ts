// JSON Schema pieces that policy, topology and scenario files share, so that a name, a
// path, a duration or a bit rate is checked and worded the same way in all of them.
import { EXPECTED } from "./schema.js";
import { BIT_RATE_PATTERN, DURATION_PATTERN } from "./units.js";

export const NAME = {
  type: "string",
  pattern: "^[A-Za-z][A-Za-z0-9_.-]*$",
  [EXPECTED]: "a name made of letters, digits, '_', '.', '-', starting with a letter",
};

export const PATH = { type: "string", minLength: 1, [EXPECTED]: "a file path" };

const DURATION_DESCRIPTION = "seconds, or a string with a unit: 500ms, 2s, 1min";

/** A duration that may be zero. */
export const DURATION = {
  type: ["number", "string"],
  minimum: 0,
  pattern: DURATION_PATTERN,
  description: DURATION_DESCRIPTION,
  [EXPECTED]: 'a duration such as "500ms", "2s" or 1.5 (seconds)',
};

export const POSITIVE_DURATION = {
  type: ["number", "string"],
  exclusiveMinimum: 0,
  pattern: DURATION_PATTERN,
  description: DURATION_DESCRIPTION,
  [EXPECTED]: 'a positive duration such as "500ms", "2s" or 1.5 (seconds)',
};

const RATE_DESCRIPTION =
  "bit/s, always with its unit or a prefix: 10Mbit, 1.5Gbit/s, 500k, 64000bps (at most 10 Tbit/s)";

/** A bit rate that may be zero; a bare number other than 0 is refused (10 bit/s or 10 Mbit/s?). */
export const BIT_RATE = {
  type: ["string", "number"],
  pattern: BIT_RATE_PATTERN,
  minimum: 0,
  maximum: 0,
  description: RATE_DESCRIPTION,
  [EXPECTED]:
    'a bit rate with its unit such as "2Mbit", "500k" or "1G" (a bare number has no unit)',
};

/** A positive bit rate: a string with its unit (0 is checked by the loaders, as "0Mbit" is). */
export const POSITIVE_BIT_RATE = {
  type: "string",
  pattern: BIT_RATE_PATTERN,
  description: RATE_DESCRIPTION,
  [EXPECTED]:
    'a positive bit rate with its unit such as "10Mbit", "500k" or "1G" (a bare number has no unit)',
};

/** The words for an enum in "expected" messages: "a", "b" or "c". */
export function oneOfWords(values: readonly string[]): string {
  return values
    .map((v) => `"${v}"`)
    .join(", ")
    .replace(/, ([^,]*)$/, " or $1");
}
