// Watching the live policy file, and deciding when an edit may be applied.
//
// The watch is on the file's folder, not the file: editors and tools save by writing a
// new file and renaming it over the old one (vim, VS Code, `sed -i`, Kubernetes
// ConfigMaps swap a symlinked folder), which ends a watch on the file itself. Every
// event waits for a short quiet spell, then the file is read and compared with what was
// last seen: only new content is loaded.
//
// An edit that would remove most of the running jobs (a file emptied by `>`, an editor
// mid-save, a truncated copy) is not applied at once: it is logged loudly and applied
// only if the file still says the same after a settle period.
import { readFileSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import type { Policy } from "@netapprox/model/policy/types.js";

/** How much of the running policy an edit removes. */
export interface PolicyCut {
  /** Jobs of the current policy (by id) the new one no longer has. */
  removedJobs: number;
  currentJobs: number;
  /** More than half of the current jobs go: wait for the file to settle. */
  drastic: boolean;
}

/** Pure: compares the running policy with an edit of it. */
export function policyCut(current: Policy, next: Policy): PolicyCut {
  const kept = new Set(next.jobs.map((j) => j.id));
  const removedJobs = current.jobs.filter((j) => !kept.has(j.id)).length;
  const currentJobs = current.jobs.length;
  return { removedJobs, currentJobs, drastic: currentJobs > 0 && 2 * removedJobs > currentJobs };
}

export interface PolicyWatchOptions {
  file: string;
  /** Quiet time after a file event before reading (default 200 ms). */
  debounceMs?: number;
  /** How long a drastic edit must stay unchanged before it is applied (default 2 s). */
  settleMs?: number;
  current: () => Policy;
  /** Loads and validates the file (throws a user-facing error when it is invalid). */
  load: (file: string) => Policy;
  /** Applies a valid policy (may throw: then it is rejected); `settled` after a hold. */
  apply: (policy: Policy, settled: boolean) => void;
  reject: (error: string) => void;
  hold: (cut: PolicyCut, settleMs: number) => void;
  /** The watch could not be set up (edits then need a restart). */
  unwatchable: (error: string) => void;
}

export class PolicyWatcher {
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  /** Content last read (applied, rejected or held). */
  private lastSeen: Buffer | undefined;
  /** A drastic edit waiting to settle, and one that has settled. */
  private held: Buffer | undefined;
  private settled: Buffer | undefined;

  constructor(private readonly options: PolicyWatchOptions) {}

  /** Starts watching; the content in force now is taken as seen. */
  start(): void {
    try {
      this.lastSeen = readFileSync(this.options.file);
    } catch {
      this.lastSeen = undefined;
    }
    const name = basename(this.options.file);
    try {
      this.watcher = watch(dirname(this.options.file), (_event, changed) => {
        // The file itself, or a Kubernetes ConfigMap's ..data folder swap.
        if (changed !== null && changed !== name && !changed.startsWith("..")) return;
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.check(), this.options.debounceMs ?? 200);
      });
    } catch (err) {
      this.options.unwatchable((err as Error).message);
    }
  }

  stop(): void {
    this.watcher?.close();
    clearTimeout(this.debounce);
    clearTimeout(this.settleTimer);
  }

  /** Reads the file; loads, holds or applies it when it says something new. */
  check(): void {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.options.file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      this.options.reject(`${this.options.file}: cannot read the file: ${code}`);
      return;
    }
    if (this.lastSeen?.equals(bytes) && !this.settled?.equals(bytes)) return;
    this.lastSeen = bytes;
    let next: Policy;
    try {
      next = this.options.load(this.options.file);
    } catch (err) {
      this.dropHold();
      this.options.reject((err as Error).message);
      return;
    }
    const cut = policyCut(this.options.current(), next);
    const settled = this.settled?.equals(bytes) ?? false;
    if (cut.drastic && !settled) {
      if (!this.held?.equals(bytes)) {
        this.dropHold();
        this.held = bytes;
        const settleMs = this.options.settleMs ?? 2_000;
        this.options.hold(cut, settleMs);
        this.settleTimer = setTimeout(() => {
          this.settled = this.held;
          this.held = undefined;
          this.check();
        }, settleMs);
      }
      return;
    }
    this.dropHold();
    this.settled = undefined;
    try {
      this.options.apply(next, settled);
    } catch (err) {
      this.options.reject((err as Error).message);
    }
  }

  private dropHold(): void {
    clearTimeout(this.settleTimer);
    this.held = undefined;
  }
}
