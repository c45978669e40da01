// The life of one approximate job in a simulated run: its completion groups (a shuffle's
// single wave, an aggregation's or all-to-all's rounds, a stream's batches), the transfers
// of each, when a group ends and whether it completed, and what each sender delivered.
// No simulation mechanics here: the run passes the time in and starts the transfers.
//
// How a group completes depends on what the job's hosts run (see `completionMode`):
//  - coordinated: the job's coordinator declares it once the distinct chunks across its
//    transfers reach the fraction (and each sender its floor), then the senders are
//    stopped; the group fails only if all its transfers end without that;
//  - at-end: nothing coordinates (UDP blast): when its last transfer ends, the group is
//    complete if the chunks held across its transfers reach the fraction;
//  - transfer: every transfer must reach the fraction on its own (TCP with sender-side
//    sampling, which fixes each sender's sample; or a scenario's `completion: transfer`).
import type { SenderDelivery } from "../experiment/results.js";
import type { ApproxTransport, Completion } from "../experiment/scenario.js";
import type { JobPlan } from "../experiment/workload.js";
import { JobCompletion } from "@netapprox/transport/job-completion.js";

export type CompletionMode = "coordinated" | "at-end" | "transfer";

export function completionMode(completion: Completion, transport: ApproxTransport): CompletionMode {
  if (completion === "transfer" || transport === "tcp-sender-sampling") return "transfer";
  return transport === "udp-blast" ? "at-end" : "coordinated";
}

export interface TransferRecord {
  sender: string;
  totalChunks: number;
  /** Distinct chunks its receiver holds now. */
  held: () => number;
  ended: boolean;
  /** The transport reported it complete (its fraction, or stopped because the job was). */
  completed: boolean;
}

interface Group {
  open: number;
  ended: boolean;
  completed: boolean;
  start: number | null;
  end: number | null;
}

export class JobRun {
  active = false;
  /** When the job ended (all groups), null while open. */
  endTime: number | null = null;
  readonly transfers: TransferRecord[][];
  private readonly groups: Group[];
  private groupsEnded = 0;

  constructor(
    readonly plan: JobPlan,
    readonly mode: CompletionMode,
    /** Chunks of a transfer of `bytes`. */
    chunksOf: (bytes: number) => number,
    /** Called when a group ends: start the next round, or end the job. */
    private readonly onGroupEnd: (group: number, now: number) => void,
  ) {
    this.transfers = plan.phases.map((ph) =>
      ph.transfers.map((t) => ({
        sender: t.src,
        totalChunks: chunksOf(t.bytes),
        held: () => 0,
        ended: false,
        completed: false,
      })),
    );
    this.groups = plan.phases.map((ph) => ({
      open: ph.transfers.length,
      ended: false,
      completed: false,
      start: null,
      end: null,
    }));
  }

  get done(): boolean {
    return this.groupsEnded === this.groups.length;
  }

  get completed(): boolean {
    return this.done && this.groups.every((g) => g.completed);
  }

  groupStarted(group: number, now: number): void {
    this.groups[group]!.start = now;
    if (this.groups[group]!.open === 0) this.endGroup(group, true, now);
  }

  /** A group's transfers as its coordinator sees them. */
  completionTransfers(group: number): { sender: string; totalChunks: number }[] {
    return this.transfers[group]!.map((t) => ({ sender: t.sender, totalChunks: t.totalChunks }));
  }

  /** The coordinator declared the group complete. */
  groupCompleted(group: number, now: number): void {
    if (!this.groups[group]!.ended) this.endGroup(group, true, now);
  }

  transferEnded(group: number, index: number, completed: boolean, now: number): void {
    const t = this.transfers[group]![index]!;
    if (t.ended) return;
    t.ended = true;
    t.completed = completed;
    const g = this.groups[group]!;
    if (--g.open > 0 || g.ended) return;
    const records = this.transfers[group]!;
    if (this.mode === "transfer") {
      this.endGroup(
        group,
        records.every((r) => r.completed),
        now,
      );
      return;
    }
    const reached = this.reached(group);
    // Coordinated: when the chunks are there, the coordinator's report is on its way and
    // it will declare the group; otherwise the group has failed for good.
    if (this.mode === "at-end" || !reached) this.endGroup(group, reached, now);
  }

  /** Whether the chunks held across a group's transfers meet the job's fraction and floor. */
  private reached(group: number): boolean {
    const records = this.transfers[group]!;
    const c = new JobCompletion(
      records.map((r) => ({ sender: r.sender, totalChunks: r.totalChunks })),
      this.plan.fraction,
      this.plan.minSenderFraction,
    );
    records.forEach((r, i) => c.update(i, r.held()));
    return c.complete;
  }

  private endGroup(group: number, completed: boolean, now: number): void {
    const g = this.groups[group]!;
    g.ended = true;
    g.completed = completed;
    g.end = now;
    this.groupsEnded++;
    if (this.done) this.endTime = now;
    this.onGroupEnd(group, now);
  }

  /**
   * Seconds between the job's start and end in which no group was open: a stream's wait for
   * its batch timers, which its completion time does not count.
   */
  timerWait(): number {
    if (this.endTime === null) return 0;
    const spans = this.groups
      .filter((g) => g.start !== null)
      .map((g) => [g.start!, g.end ?? this.endTime!] as const)
      .sort((a, b) => a[0] - b[0]);
    let busy = 0;
    let reach = this.plan.start;
    for (const [from, to] of spans) {
      const a = Math.max(from, reach);
      if (to > a) {
        busy += to - a;
        reach = to;
      }
    }
    return Math.max(0, this.endTime - this.plan.start - busy);
  }

  /** What each sending host delivered of its own data, over all groups. */
  senders(): SenderDelivery[] {
    const bySender = new Map<string, SenderDelivery>();
    for (const t of this.transfers.flat()) {
      const d = bySender.get(t.sender) ?? { host: t.sender, deliveredChunks: 0, totalChunks: 0 };
      d.deliveredChunks += Math.min(t.totalChunks, t.held());
      d.totalChunks += t.totalChunks;
      bySender.set(t.sender, d);
    }
    return [...bySender.values()];
  }

  get transferCount(): number {
    return this.transfers.reduce((n, g) => n + g.length, 0);
  }

  get transfersCompleted(): number {
    return this.transfers.reduce((n, g) => n + g.filter((t) => t.completed).length, 0);
  }
}
