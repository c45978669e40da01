// A failure that recurs (an unreachable Thrift port, a register the switch will not
// serve) is logged once when it starts, then at most once per interval with how often it
// recurred, and once more when it ends: the log says what is wrong without a line every
// poll. It also spaces the attempts out (doubling up to the interval), so that a dead
// endpoint does not cost a connection attempt every round.
import type { LogFields, Logger } from "./log.js";

export interface FailureReportOptions {
  /** Longest silence while the failure lasts, and longest wait between attempts (ms). */
  intervalMs?: number;
  /** First wait between attempts after a failure (ms). */
  firstRetryMs?: number;
  now?: () => number;
}

export class FailureReport {
  private failingSince: number | undefined;
  private lastReport = 0;
  private failuresSinceReport = 0;
  private failures = 0;
  private nextAttempt = 0;
  private readonly intervalMs: number;
  private readonly firstRetryMs: number;
  private readonly now: () => number;
  /** The last error, while failing. */
  lastError: string | undefined;

  constructor(
    private readonly log: Logger,
    /** What fails, e.g. "queue settings over Thrift". */
    private readonly what: string,
    private readonly fields: LogFields = {},
    options: FailureReportOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 30_000;
    this.firstRetryMs = options.firstRetryMs ?? 500;
    this.now = options.now ?? Date.now;
  }

  /** False while waiting before the next attempt after a failure. */
  shouldAttempt(): boolean {
    return this.now() >= this.nextAttempt;
  }

  /** How long until the next attempt is due (0: now). */
  msUntilAttempt(): number {
    return Math.max(0, this.nextAttempt - this.now());
  }

  get failing(): boolean {
    return this.failingSince !== undefined;
  }

  failed(error: string, fields: LogFields = {}): void {
    const now = this.now();
    this.failures++;
    this.lastError = error;
    this.nextAttempt =
      now + Math.min(this.intervalMs, this.firstRetryMs * 2 ** Math.min(16, this.failures - 1));
    if (this.failingSince === undefined) {
      this.failingSince = now;
      this.lastReport = now;
      this.failuresSinceReport = 0;
      this.log.error(`${this.what} failed`, {
        ...this.fields,
        ...fields,
        error,
        next: `reported again at most every ${this.intervalMs / 1000} s while it lasts`,
      });
      return;
    }
    this.failuresSinceReport++;
    if (now - this.lastReport >= this.intervalMs) {
      this.log.error(`${this.what} still failing`, {
        ...this.fields,
        ...fields,
        error,
        failingForMs: now - this.failingSince,
        failuresSinceLastReport: this.failuresSinceReport,
      });
      this.lastReport = now;
      this.failuresSinceReport = 0;
    }
  }

  succeeded(): void {
    this.nextAttempt = 0;
    this.failures = 0;
    this.lastError = undefined;
    if (this.failingSince === undefined) return;
    this.log.info(`${this.what} works again`, {
      ...this.fields,
      failedForMs: this.now() - this.failingSince,
    });
    this.failingSince = undefined;
  }
}
