// What the configuration checks read: a document's data and where each of its values was
// written. A YAML file is one (YamlSource); data merged from several documents (a policy
// under a scenario's overrides) is another, each path located in the document it came from.
import { ConfigError, type ConfigIssue, type ConfigPath } from "./errors.js";

export interface Position {
  line: number;
  column: number;
}

export interface ConfigSource {
  /** The file as the user named it, or a label. */
  readonly file: string;
  /** The document as plain data. */
  readonly data: unknown;
  readonly isEmpty: boolean;
  emptyError(expected: string): ConfigError;
  /** An issue located at `path`; `at: "key"` points at the mapping key rather than its value. */
  issue(path: ConfigPath, message: string, at?: "value" | "key"): ConfigIssue;
  position(path: ConfigPath, at?: "value" | "key"): Position;
}

/** Where a path of merged data was written: the file, the path in it, the position. */
export interface Located {
  file: string;
  path: ConfigPath;
  position: Position;
}

/** Data merged in code from documents; `locate` says where each path came from. */
export class MergedSource implements ConfigSource {
  constructor(
    readonly file: string,
    readonly data: unknown,
    private readonly locate: (path: ConfigPath) => Located,
  ) {}

  get isEmpty(): boolean {
    return this.data === null || this.data === undefined;
  }

  emptyError(expected: string): ConfigError {
    return new ConfigError([
      { file: this.file, path: null, message: `nothing given; ${expected}` },
    ]);
  }

  issue(path: ConfigPath, message: string): ConfigIssue {
    const where = this.locate(path);
    return { file: where.file, path: where.path, ...where.position, message };
  }

  position(path: ConfigPath): Position {
    return this.locate(path).position;
  }
}
