// JSON Schema validation of YAML documents, with ajv's errors rewritten into messages that
// say what was expected at which path and line. Schemas carry an "x-expected" annotation
// (ignored by editors) with the human wording for each value.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { describeValue, type ConfigIssue } from "./errors.js";
import type { ConfigSource } from "./source.js";

/** The annotation keyword holding the phrase used in "expected ..." messages. */
export const EXPECTED = "x-expected";

export type JsonSchema = Record<string, unknown>;

let ajv: Ajv | undefined;

function instance(): Ajv {
  if (ajv === undefined) {
    ajv = new Ajv({
      allErrors: true,
      verbose: true,
      strict: true,
      strictTypes: false,
      allowUnionTypes: true,
    });
    ajv.addKeyword({ keyword: EXPECTED, schemaType: "string" });
  }
  return ajv;
}

const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/** Validates `source.data` against `schema`; returns the problems found (empty when valid). */
export function schemaIssues(source: ConfigSource, schema: JsonSchema): ConfigIssue[] {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = instance().compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(source.data)) return [];
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const err of validate.errors ?? []) {
    const issue = toIssue(source, err);
    if (issue === undefined) continue;
    // Several keywords can fail for one value (type and pattern): report the first.
    const key = `${(issue.path ?? []).join("\u0000")}\u0001${issue.line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function toIssue(source: ConfigSource, err: ErrorObject): ConfigIssue | undefined {
  const path = instancePath(source.data, err.instancePath);
  const parent = (err.parentSchema ?? {}) as JsonSchema;
  switch (err.keyword) {
    case "required": {
      const name = (err.params as { missingProperty: string }).missingProperty;
      const properties = (parent.properties ?? {}) as Record<string, JsonSchema>;
      const expected = expectedOf(properties[name] ?? {});
      return source.issue([...path, name], `missing; expected ${expected}`);
    }
    case "additionalProperties": {
      const name = (err.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((parent.properties ?? {}) as Record<string, unknown>).sort();
      const guess = closest(name, allowed);
      const hint =
        guess !== undefined ? `did you mean "${guess}"?` : `expected one of: ${allowed.join(", ")}`;
      return source.issue([...path, name], `unknown property; ${hint}`, "key");
    }
    case "if":
      // "if/then" failures are reported by the keyword inside "then".
      return undefined;
    default:
      return source.issue(
        path,
        `expected ${expectedOf(parent, err)}, got ${describeValue(err.data)}`,
      );
  }
}

/** Converts ajv's JSON pointer into path parts (numbers for list indexes). */
function instancePath(data: unknown, pointer: string): (string | number)[] {
  if (pointer === "") return [];
  const path: (string | number)[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split("/")) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) {
      const index = Number(part);
      path.push(index);
      node = node[index];
    } else {
      path.push(part);
      node =
        node !== null && typeof node === "object"
          ? (node as Record<string, unknown>)[part]
          : undefined;
    }
  }
  return path;
}

/** The schema's own wording, or one derived from the failing keyword. */
function expectedOf(schema: JsonSchema, err?: ErrorObject): string {
  const phrase = schema[EXPECTED];
  if (typeof phrase === "string") return phrase;
  if (err !== undefined) {
    const p = err.params as Record<string, unknown>;
    switch (err.keyword) {
      case "type":
        return typePhrase(p.type);
      case "enum":
        return `one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
      case "minimum":
        return `a number >= ${String(p.limit)}`;
      case "maximum":
        return `a number <= ${String(p.limit)}`;
      case "exclusiveMinimum":
        return `a number > ${String(p.limit)}`;
      case "exclusiveMaximum":
        return `a number < ${String(p.limit)}`;
      case "minItems":
        return `at least ${String(p.limit)} item(s)`;
      case "maxItems":
        return `at most ${String(p.limit)} item(s)`;
      case "minLength":
        return `a non-empty string`;
      case "pattern":
        return `a string matching ${String(p.pattern)}`;
    }
  }
  return typeof schema.type === "string" || Array.isArray(schema.type)
    ? typePhrase(schema.type)
    : "a valid value";
}

function typePhrase(type: unknown): string {
  const names: Record<string, string> = {
    object: "a mapping",
    array: "a list",
    string: "a string",
    number: "a number",
    integer: "an integer",
    boolean: "true or false",
    null: "nothing",
  };
  const list = (Array.isArray(type) ? type : String(type).split(",")) as string[];
  return list.map((t) => names[t] ?? t).join(" or ");
}

/** The allowed name within edit distance 2 of a misspelt one, if there is exactly one best. */
function closest(name: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
