// Errors about configuration input (topology, policy files): each problem names the file,
// the path inside it, the line and column when known, and what was expected.

/** A path inside a configuration document: mapping keys and list indexes. */
export type ConfigPath = readonly (string | number)[];

export interface ConfigIssue {
  /** The file as the user named it, or a label such as "<generated fat-tree k=4>". */
  file: string;
  /** null for problems that have no place in the document's structure (YAML syntax). */
  path: ConfigPath | null;
  /** 1-based; absent for documents built in code. */
  line?: number;
  column?: number;
  message: string;
}

/** `links[3].capacity`; the document root is `(top level)`. */
export function formatPath(path: ConfigPath): string {
  if (path.length === 0) return "(top level)";
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? part : `.${part}`;
  }
  return text;
}

/** `file:line:column: path: message` (the position is left out when unknown). */
export function formatIssue(issue: ConfigIssue): string {
  const where =
    issue.line === undefined
      ? issue.file
      : `${issue.file}:${issue.line}${issue.column === undefined ? "" : `:${issue.column}`}`;
  return issue.path === null
    ? `${where}: ${issue.message}`
    : `${where}: ${formatPath(issue.path)}: ${issue.message}`;
}

/** Orders issues by position so that the report reads top to bottom. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      (a.path === null ? "" : formatPath(a.path)).localeCompare(
        b.path === null ? "" : formatPath(b.path),
      ) ||
      a.message.localeCompare(b.message),
  );
}

/**
 * One or more problems in configuration input. `userFacing` lets the CLI print the
 * message without a stack trace.
 */
export class ConfigError extends Error {
  readonly userFacing = true;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const sorted = sortIssues(issues);
    super(sorted.map(formatIssue).join("\n"));
    this.name = "ConfigError";
    this.issues = sorted;
  }
}

/** Describes a value for "got ..." in messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value))
    return value.length === 1 ? "a list of 1 item" : `a list of ${value.length} items`;
  return "a mapping";
}
