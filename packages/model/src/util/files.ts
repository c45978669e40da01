// Writing output files and folders with errors a user can act on: which path, what
// went wrong, never a stack trace, never a hang, and never an existing file replaced
// unless asked for.
//
// Node's own `mkdir -p` (mkdirSync recursive) loops forever under /proc, where mkdir
// answers ENOENT for a folder whose parent exists; `makeDirectory` creates one level at
// a time instead.
import { mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, parse, resolve, sep } from "node:path";

/** A file or folder that could not be written; the message names it and the reason. */
export class OutputError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = "OutputError";
  }
}

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "it is a folder",
  ENOENT: "the file system does not let it be created there",
  EEXIST: "it already exists",
  ENAMETOOLONG: "the name is too long",
  EINVAL: "the file system does not accept it",
  EIO: "input/output error",
};

/** Why a file operation failed, in words ("permission denied (EACCES)"). */
export function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === undefined) return (err as Error).message;
  return `${REASONS[code] ?? (err as Error).message} (${code})`;
}

function kindAt(path: string): "dir" | "other" | "none" {
  try {
    return statSync(path).isDirectory() ? "dir" : "other";
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "none";
    if (code === "ENOTDIR") return "other";
    throw new OutputError(`cannot use ${path}: ${reasonOf(err)}`);
  }
}

/** Creates `dir` and any missing parents, one level at a time; `what` names it in errors. */
export function makeDirectory(dir: string, what = "folder"): void {
  const full = resolve(dir);
  const root = parse(full).root;
  let path = root;
  for (const part of full
    .slice(root.length)
    .split(sep)
    .filter((p) => p !== "")) {
    path = path === root ? root + part : path + sep + part;
    const kind = kindAt(path);
    if (kind === "dir") continue;
    if (kind === "other")
      throw new OutputError(`cannot create the ${what} ${dir}: ${path} is a file, not a folder`);
    try {
      mkdirSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST" && kindAt(path) === "dir") continue;
      throw new OutputError(`cannot create the ${what} ${dir}: ${reasonOf(err)}`);
    }
  }
}

export interface WriteOptions {
  /** Replace an existing file (default: refuse, naming the flag that allows it). */
  overwrite?: boolean;
  /** The flag that allows overwriting, for the message (e.g. "--force"). */
  overwriteFlag?: string;
  /** What the file is, for messages ("topology file"). */
  what?: string;
}

/** Writes a file the user asked for, refusing to replace one unless told to. */
export function writeOutputFile(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): void {
  const what = options.what ?? "file";
  const kind = kindAt(path);
  if (kind === "dir") throw new OutputError(`cannot write the ${what} ${path}: it is a folder`);
  if (kind === "other" && !options.overwrite) {
    throw new OutputError(
      `${path} already exists; not replacing it` +
        (options.overwriteFlag ? ` (${options.overwriteFlag} replaces it)` : ""),
    );
  }
  try {
    writeFileSync(path, data);
  } catch (err) {
    throw new OutputError(`cannot write the ${what} ${path}: ${reasonOf(err)}`);
  }
}

/**
 * Replaces `path` with `data` in one step (a new file renamed over the old), so a reader
 * never sees it half written.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, what = "file"): void {
  makeDirectory(dirname(path), `folder of the ${what}`);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was left behind
    }
    throw new OutputError(`cannot write the ${what} ${path}: ${reasonOf(err)}`);
  }
}
