// A parsed YAML document that remembers where every value came from, so that any later
// check (schema or semantic) can report the file, the path, the line and the column.
import { readFileSync } from "node:fs";
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document } from "yaml";
import { ConfigError, type ConfigIssue, type ConfigPath } from "./errors.js";
import type { ConfigSource, Position } from "./source.js";
import { decodeUtf8, describeUtf8Problem } from "@netapprox/p4runtime/utf8.js";

export class YamlSource implements ConfigSource {
  private constructor(
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    /** The document as plain data (mappings, lists, strings, numbers, booleans, null). */
    readonly data: unknown,
  ) {}

  /** Parses YAML text; syntax errors become a ConfigError naming the file and positions. */
  static parse(text: string, file: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const source = new YamlSource(file, doc, lines, null);
    const first = doc.errors[0];
    if (first !== undefined) {
      // Only the first: after a syntax error the parser's recovery makes the rest noise.
      const pos = lines.linePos(first.pos[0]);
      throw new ConfigError([
        {
          file,
          // A duplicate key has a well-defined place; other errors may not.
          path: first.code === "DUPLICATE_KEY" ? source.pathAt(first.pos[0]) : null,
          line: pos.line,
          column: pos.col,
          message: `invalid YAML: ${syntaxMessage(first.code, first.message)}`,
        },
      ]);
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      // An alias bomb ("billion laughs"): refused by the YAML library, named here.
      throw new ConfigError([
        {
          file,
          path: null,
          message: `invalid YAML: ${(err as Error).message} (too many aliases: a file expanding to more than 1000 is refused)`,
        },
      ]);
    }
    return new YamlSource(file, doc, lines, data);
  }

  /** True when the document holds nothing (an empty file, or only comments). */
  get isEmpty(): boolean {
    return this.data === null || this.data === undefined;
  }

  /** A ConfigError for an empty document, saying what the file should hold. */
  emptyError(expected: string): ConfigError {
    return new ConfigError([
      { file: this.file, path: null, line: 1, message: `the file is empty; ${expected}` },
    ]);
  }

  /** Reads and parses a file; an unreadable file is a ConfigError too. */
  static read(path: string): YamlSource {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason =
        code === "ENOENT"
          ? "no such file"
          : code === "EISDIR"
            ? "is a directory, expected a YAML file"
            : code === "EACCES"
              ? "permission denied"
              : (err as Error).message;
      throw new ConfigError([{ file: path, path: null, message: `cannot read file: ${reason}` }]);
    }
    const decoded = decodeUtf8(bytes);
    if ("problem" in decoded) {
      const p = decoded.problem;
      throw new ConfigError([
        { file: path, path: null, line: p.line, column: p.column, message: describeUtf8Problem(p) },
      ]);
    }
    return YamlSource.parse(decoded.text, path);
  }

  /** An issue located at `path`; `at: "key"` points at the mapping key rather than its value. */
  issue(path: ConfigPath, message: string, at: "value" | "key" = "value"): ConfigIssue {
    const pos = this.position(path, at);
    return { file: this.file, path, line: pos.line, column: pos.column, message };
  }

  /**
   * The position of the value at `path`, or of the deepest part of the path that exists
   * (a missing property is reported at the mapping that should hold it).
   */
  position(path: ConfigPath, at: "value" | "key" = "value"): Position {
    let node: unknown = this.doc.contents;
    let best: [number, number, number] | undefined = rangeOf(node);
    for (let i = 0; i < path.length; i++) {
      const part = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isScalar(p.key) && String(p.key.value) === String(part),
        );
        if (pair === undefined) break;
        const keyRange = rangeOf(pair.key);
        const valueRange = rangeOf(pair.value);
        // An empty value (`capacity:`) has a zero-width range; point at its key instead.
        const valueEmpty =
          valueRange === undefined || (isScalar(pair.value) && pair.value.value === null);
        if ((last && at === "key") || valueEmpty) {
          best = keyRange ?? best;
          if (valueEmpty) break;
        } else best = valueRange ?? best;
        node = pair.value;
      } else if (isSeq(node) && typeof part === "number") {
        const item = node.items[part];
        if (item === undefined) break;
        best = rangeOf(item) ?? best;
        node = item;
      } else break;
    }
    const offset = best?.[0] ?? 0;
    const pos = this.lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  /** The path of the deepest node containing `offset` (for syntax errors). */
  private pathAt(offset: number): (string | number)[] {
    const path: (string | number)[] = [];
    let node: unknown = this.doc.contents;
    for (;;) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && contains(p.key, p.value, offset));
        if (pair === undefined || !isScalar(pair.key)) break;
        path.push(String(pair.key.value));
        if (!contains(pair.value, undefined, offset)) break;
        node = pair.value;
      } else if (isSeq(node)) {
        const index = node.items.findIndex((item) => contains(item, undefined, offset));
        if (index < 0) break;
        path.push(index);
        node = node.items[index];
      } else break;
    }
    return path;
  }
}

function rangeOf(node: unknown): [number, number, number] | undefined {
  if (node !== null && typeof node === "object" && "range" in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    return range ?? undefined;
  }
  return undefined;
}

function contains(a: unknown, b: unknown, offset: number): boolean {
  const start = rangeOf(a)?.[0];
  const end = rangeOf(b ?? a)?.[2];
  return start !== undefined && end !== undefined && offset >= start && offset < end;
}

function syntaxMessage(code: string, message: string): string {
  if (code === "DUPLICATE_KEY") return "a key appears twice in the same mapping";
  return message.replace(/\s+/g, " ").trim();
}
