// Whether the committed P4 compiler outputs are up to date with the P4 sources.
//
// scripts/p4-build.sh writes, next to each target's outputs, a SOURCES.sha256 file
// in `sha256sum` format listing the sources that target was compiled from. A
// source whose hash differs, a new source and a deleted source all mean the
// outputs are stale. `sha256sum -c p4/build/SOURCES.sha256` checks the same by hand.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PipelineTarget } from "./contract.js";
import { CONTRACTS } from "./contract.js";

export interface SourceHash {
  /** Repository-relative path with forward slashes. */
  readonly path: string;
  readonly sha256: string;
}

export class SourcesManifestError extends Error {
  readonly userFacing = true;
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file}${line > 0 ? `:${line}` : ""}: ${detail}`);
    this.name = "SourcesManifestError";
  }
}

const LINE = /^([0-9a-f]{64}) [ *](.+)$/;

/** Parses `sha256sum` output; `file` names the manifest in errors. */
export function parseSourcesManifest(text: string, file: string): SourceHash[] {
  const out: SourceHash[] = [];
  const seen = new Set<string>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    const m = LINE.exec(line);
    if (m === null) {
      throw new SourcesManifestError(
        file,
        i + 1,
        `expected '<64 hex digits>  <path>' (sha256sum format), got '${line}'`,
      );
    }
    const path = m[2]!;
    if (seen.has(path)) throw new SourcesManifestError(file, i + 1, `'${path}' is listed twice`);
    seen.add(path);
    out.push({ path, sha256: m[1]! });
  });
  if (out.length === 0) throw new SourcesManifestError(file, 0, "lists no source files");
  return out;
}

export interface Staleness {
  /** Sources whose content changed since the build. */
  readonly changed: readonly string[];
  /** Sources that exist now but were not part of the build. */
  readonly added: readonly string[];
  /** Sources the build used that no longer exist. */
  readonly removed: readonly string[];
}

export function isStale(s: Staleness): boolean {
  return s.changed.length + s.added.length + s.removed.length > 0;
}

/** Compares the recorded hashes with the current ones (path -> sha256). */
export function compareSources(
  recorded: readonly SourceHash[],
  current: ReadonlyMap<string, string>,
): Staleness {
  const before = new Map(recorded.map((s) => [s.path, s.sha256]));
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [path, hash] of before) {
    const now = current.get(path);
    if (now === undefined) removed.push(path);
    else if (now !== hash) changed.push(path);
  }
  const added = [...current.keys()].filter((p) => !before.has(p));
  return { changed: changed.sort(), added: added.sort(), removed: removed.sort() };
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The source folders one target is compiled from (as scripts/p4-build.sh lists them). */
export function sourceDirsOf(target: PipelineTarget): string[] {
  return ["p4/include", `p4/${target}`];
}

function listP4Files(root: string, dir: string): string[] {
  const entries = readdirSync(join(root, dir), { withFileTypes: true });
  return entries.flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return listP4Files(root, rel);
    return e.isFile() && e.name.endsWith(".p4") ? [rel] : [];
  });
}

/** Current hashes of a target's P4 sources under the repository root. */
export function currentSources(root: string, target: PipelineTarget): Map<string, string> {
  const files = sourceDirsOf(target).flatMap((d) => listP4Files(root, d));
  return new Map(files.sort().map((f) => [f, sha256Hex(readFileSync(join(root, f)))]));
}

/** Reads a target's manifest and reports what changed since its outputs were built. */
export function checkP4Build(root: string, target: PipelineTarget): Staleness {
  const manifest = CONTRACTS[target].artifacts.sourcesManifest;
  let text: string;
  try {
    text = readFileSync(join(root, manifest), "utf8");
  } catch (err) {
    throw new SourcesManifestError(
      manifest,
      0,
      `cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)}): run npm run p4:build`,
    );
  }
  return compareSources(parseSourcesManifest(text, manifest), currentSources(root, target));
}

/** One line per stale source, for messages. */
export function describeStaleness(target: PipelineTarget, s: Staleness): string {
  const parts = [
    ...s.changed.map((p) => `changed: ${p}`),
    ...s.added.map((p) => `new: ${p}`),
    ...s.removed.map((p) => `deleted: ${p}`),
  ];
  return `${target} outputs are older than their P4 sources (${parts.join("; ")}); run npm run p4:build`;
}
