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

export const POSITIVE_BIT_RATE = {
  type: ["number", "string"],
  exclusiveMinimum: 0,
  pattern: BIT_RATE_PATTERN,
  description: "bit/s: a number, or a string with a unit such as 10Mbit, 1G",
  [EXPECTED]: 'a positive bit rate such as 10000000, "10Mbit" or "1G"',
};

/** The words for an enum in "expected" messages: "a", "b" or "c". */
export function oneOfWords(values: readonly string[]): string {
  return values
    .map((v) => `"${v}"`)
    .join(", ")
    .replace(/, ([^,]*)$/, " or $1");
}
