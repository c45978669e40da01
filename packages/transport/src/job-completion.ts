// Job-level completion. An aggregator that needs a fraction f of a job's data does not care
// which senders it came from: a job (or one completion group of it: a round, a batch) is
// complete once the distinct chunks held across all its transfers reach ceil(f N), N the
// chunks of all of them, and, when the job asks for it, every sender has delivered at least
// `minSenderFraction` of its own. Senders on uncongested paths then deliver more than those
// behind hot spots. Three pure parts, without sockets or timers:
//  - JobCompletion: the arithmetic (counts in; complete or not, per-sender shares out);
//  - CountReporter: a receiver's side: when to report its count, when to acknowledge JOB-DONE;
//  - JobCoordinatorCore: the coordinator: counts in, JOB-DONE out to every receiver of the
//    group, repeated until each acknowledges (a later count with the flag) or attempts run out.
// A receiver told JOB-DONE stops its sender with the transport's own DONE handshake; a
// sender that hears nothing stops at its own deadline.
import { neededChunks } from "./chunks.js";
import { CountFlag, type CountMessage, type JobDoneMessage } from "./wire.js";

export interface CompletionTransfer {
  /** Who sends it (a host name): the per-sender floor and shares are per sender. */
  sender: string;
  totalChunks: number;
}

export interface SenderShare {
  sender: string;
  deliveredChunks: number;
  totalChunks: number;
  /** deliveredChunks / totalChunks. */
  fraction: number;
}

export class JobCompletion {
  readonly totalChunks: number;
  readonly neededChunks: number;
  private readonly held: Float64Array;
  private readonly senderOf: Int32Array;
  private readonly senderNames: string[] = [];
  private readonly senderTotal: number[] = [];
  private readonly senderHeld: number[] = [];
  private readonly senderNeeded: number[] = [];
  private sendersBelowFloor = 0;
  private delivered = 0;

  constructor(
    readonly transfers: readonly CompletionTransfer[],
    readonly fraction: number,
    readonly minSenderFraction = 0,
  ) {
    if (transfers.length === 0) throw new RangeError("a job needs at least one transfer");
    if (!(minSenderFraction >= 0 && minSenderFraction <= 1)) {
      throw new RangeError(`min sender fraction must be in [0, 1], got ${minSenderFraction}`);
    }
    this.held = new Float64Array(transfers.length);
    this.senderOf = new Int32Array(transfers.length);
    const index = new Map<string, number>();
    let total = 0;
    transfers.forEach((t, i) => {
      if (!Number.isInteger(t.totalChunks) || t.totalChunks < 1) {
        throw new RangeError(`transfer ${i} has ${t.totalChunks} chunks`);
      }
      let s = index.get(t.sender);
      if (s === undefined) {
        s = this.senderNames.length;
        index.set(t.sender, s);
        this.senderNames.push(t.sender);
        this.senderTotal.push(0);
        this.senderHeld.push(0);
      }
      this.senderOf[i] = s;
      this.senderTotal[s]! += t.totalChunks;
      total += t.totalChunks;
    });
    this.totalChunks = total;
    this.neededChunks = neededChunks(total, fraction);
    for (const t of this.senderTotal) {
      const need = minSenderFraction > 0 ? neededChunks(t, minSenderFraction) : 0;
      this.senderNeeded.push(need);
      if (need > 0) this.sendersBelowFloor++;
    }
  }

  /** Distinct chunks held across the transfers. */
  get deliveredChunks(): number {
    return this.delivered;
  }

  get complete(): boolean {
    return this.delivered >= this.neededChunks && this.sendersBelowFloor === 0;
  }

  /** A transfer's receiver holds `unique` distinct chunks (counts only grow; lower ones are stale). */
  update(transfer: number, unique: number): boolean {
    const before = this.held[transfer];
    if (before === undefined) throw new RangeError(`no transfer ${transfer}`);
    const total = this.transfers[transfer]!.totalChunks;
    const now = Math.min(total, Math.max(0, Math.floor(unique)));
    if (now > before) {
      this.held[transfer] = now;
      this.delivered += now - before;
      const s = this.senderOf[transfer]!;
      const was = this.senderHeld[s]!;
      this.senderHeld[s] = was + now - before;
      const need = this.senderNeeded[s]!;
      if (was < need && this.senderHeld[s]! >= need) this.sendersBelowFloor--;
    }
    return this.complete;
  }

  /** What each sender delivered, in order of first appearance. */
  senders(): SenderShare[] {
    return this.senderNames.map((sender, s) => ({
      sender,
      deliveredChunks: this.senderHeld[s]!,
      totalChunks: this.senderTotal[s]!,
      fraction: this.senderHeld[s]! / this.senderTotal[s]!,
    }));
  }
}

export interface CountReporterConfig {
  jobId: number;
  group: number;
  transfer: number;
  /** Reports at most this often while the count grows... */
  intervalMs: number;
  /** ...and at least this often (the coordinator learns the receiver's address early). */
  keepaliveMs: number;
}

/** A receiver's reports to its coordinator. */
export class CountReporter {
  private lastAt = -Infinity;
  private lastCount = -1;
  private seq = 0;
  private jobDoneSeen = false;
  private ackDue = false;

  constructor(readonly config: CountReporterConfig) {}

  /** The coordinator said the group is complete. */
  get stopped(): boolean {
    return this.jobDoneSeen;
  }

  /** A JOB-DONE for this receiver's group: acknowledge it (each one: the last ack may be lost). */
  onJobDone(m: JobDoneMessage): boolean {
    if (m.jobId !== this.config.jobId || m.group !== this.config.group) return false;
    const first = !this.jobDoneSeen;
    this.jobDoneSeen = true;
    this.ackDue = true;
    return first;
  }

  /** The report to send now, if any; `total` is 0 while the receiver does not know it. */
  poll(unique: number, total: number, nowMs: number): CountMessage | null {
    const due = this.ackDue
      ? true
      : this.jobDoneSeen
        ? false
        : nowMs >= this.lastAt + this.config.keepaliveMs ||
          (unique !== this.lastCount && nowMs >= this.lastAt + this.config.intervalMs);
    if (!due) return null;
    this.ackDue = false;
    this.lastAt = nowMs;
    this.lastCount = unique;
    return {
      type: "count",
      jobId: this.config.jobId,
      flags: this.jobDoneSeen ? CountFlag.jobDoneSeen : 0,
      group: this.config.group,
      transfer: this.config.transfer,
      uniqueChunks: unique,
      totalChunks: total,
      seq: this.seq++,
    };
  }

  /**
   * The receiver is ending: its last count whatever the interval, so the coordinator has it
   * (null once the group is done and acknowledged: nothing is owed).
   */
  finalReport(unique: number, total: number, nowMs: number): CountMessage | null {
    this.lastAt = -Infinity;
    return this.poll(unique, total, nowMs);
  }

  /** When poll may have something next (null once the group is done and acknowledged). */
  nextWakeMs(unique: number, nowMs: number): number | null {
    if (this.ackDue) return nowMs;
    if (this.jobDoneSeen) return null;
    const next =
      unique !== this.lastCount
        ? this.lastAt + this.config.intervalMs
        : this.lastAt + this.config.keepaliveMs;
    return Math.max(nowMs, next);
  }
}

export interface CoordinatorConfig {
  jobId: number;
  fraction: number;
  minSenderFraction: number;
  /** The transfers of each completion group (group g is index g). */
  groups: readonly (readonly CompletionTransfer[])[];
  /** JOB-DONE is repeated this often to a receiver that has not acknowledged it... */
  retryMs: number;
  /** ...at most this many times in all. */
  attempts: number;
}

export interface CoordinatorOutgoing<A> {
  to: A;
  message: JobDoneMessage;
}

export interface GroupOutcome {
  group: number;
  /** When the group became complete (coordinator's clock); null while open. */
  completedAtMs: number | null;
  deliveredChunks: number;
  neededChunks: number;
  totalChunks: number;
  senders: SenderShare[];
  /** Receivers that acknowledged JOB-DONE, of those known. */
  acknowledged: number;
  receivers: number;
}

interface ReceiverState<A> {
  address: A;
  lastSeq: number;
  acked: boolean;
  sent: number;
  lastSentAt: number;
}

/** The job's coordinator: receivers' counts in, JOB-DONE out. `A` is an address type. */
export class JobCoordinatorCore<A> {
  private readonly completion: JobCompletion[];
  private readonly completedAt: (number | null)[];
  private readonly receivers: Map<number, ReceiverState<A>>[];
  malformed = 0;

  constructor(readonly config: CoordinatorConfig) {
    this.completion = config.groups.map(
      (g) => new JobCompletion(g, config.fraction, config.minSenderFraction),
    );
    this.completedAt = config.groups.map(() => null);
    this.receivers = config.groups.map(() => new Map());
  }

  /** One count report from `from`; returns JOB-DONE messages to send now. */
  onCount(m: CountMessage, from: A, nowMs: number): CoordinatorOutgoing<A>[] {
    const g = m.group;
    const completion = this.completion[g];
    const transfer = completion?.transfers[m.transfer];
    if (
      m.jobId !== this.config.jobId ||
      completion === undefined ||
      transfer === undefined ||
      (m.totalChunks !== 0 && m.totalChunks !== transfer.totalChunks)
    ) {
      this.malformed++;
      return [];
    }
    let r = this.receivers[g]!.get(m.transfer);
    if (r === undefined) {
      r = { address: from, lastSeq: -1, acked: false, sent: 0, lastSentAt: -Infinity };
      this.receivers[g]!.set(m.transfer, r);
    }
    r.address = from;
    if (m.seq <= r.lastSeq) return [];
    r.lastSeq = m.seq;
    if ((m.flags & CountFlag.jobDoneSeen) !== 0) r.acked = true;
    const out: CoordinatorOutgoing<A>[] = [];
    if (this.completedAt[g] === null && completion.update(m.transfer, m.uniqueChunks)) {
      this.completedAt[g] = nowMs;
      for (const other of this.receivers[g]!.values()) this.send(g, other, nowMs, out);
    } else if (
      this.completedAt[g] !== null &&
      !r.acked &&
      nowMs >= r.lastSentAt + this.config.retryMs
    ) {
      // A receiver that reports after completion missed JOB-DONE (or joined late).
      this.send(g, r, nowMs, out);
    }
    return out;
  }

  /** Repeats JOB-DONE to receivers that have not acknowledged it. */
  tick(nowMs: number): CoordinatorOutgoing<A>[] {
    const out: CoordinatorOutgoing<A>[] = [];
    this.receivers.forEach((byTransfer, g) => {
      if (this.completedAt[g] === null) return;
      for (const r of byTransfer.values()) {
        if (
          !r.acked &&
          r.sent < this.config.attempts &&
          nowMs >= r.lastSentAt + this.config.retryMs
        )
          this.send(g, r, nowMs, out);
      }
    });
    return out;
  }

  nextWakeMs(nowMs: number): number | null {
    let next = Infinity;
    this.receivers.forEach((byTransfer, g) => {
      if (this.completedAt[g] === null) return;
      for (const r of byTransfer.values()) {
        if (!r.acked && r.sent < this.config.attempts)
          next = Math.min(next, r.lastSentAt + this.config.retryMs);
      }
    });
    return next === Infinity ? null : Math.max(nowMs, next);
  }

  /** Whether group g is complete, and when. */
  completedAtMs(group: number): number | null {
    return this.completedAt[group] ?? null;
  }

  outcome(group: number): GroupOutcome {
    const c = this.completion[group];
    if (c === undefined) throw new RangeError(`no group ${group}`);
    const receivers = [...this.receivers[group]!.values()];
    return {
      group,
      completedAtMs: this.completedAt[group]!,
      deliveredChunks: c.deliveredChunks,
      neededChunks: c.neededChunks,
      totalChunks: c.totalChunks,
      senders: c.senders(),
      acknowledged: receivers.filter((r) => r.acked).length,
      receivers: receivers.length,
    };
  }

  private send(g: number, r: ReceiverState<A>, nowMs: number, out: CoordinatorOutgoing<A>[]): void {
    const c = this.completion[g]!;
    r.sent++;
    r.lastSentAt = nowMs;
    out.push({
      to: r.address,
      message: {
        type: "jobDone",
        jobId: this.config.jobId,
        group: g,
        deliveredChunks: c.deliveredChunks,
        neededChunks: c.neededChunks,
      },
    });
  }
}
