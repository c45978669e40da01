// A token bucket that spaces datagrams at a rate. Tokens may go negative by one
// datagram, so any size can be sent as soon as the bucket is not in debt. Pure: the
// caller passes the time in.

/** Rounding slack: a debt this small counts as paid (else time could stop advancing). */
const EPSILON_BYTES = 1e-6;

export class Pacer {
  private tokens = 0;
  private last: number;

  /**
   * @param rate bytes per second
   * @param burstMs how much sending time may be saved up while idle
   * @param minBurstBytes the bucket always holds at least this much (two datagrams)
   */
  constructor(
    private currentRate: number,
    nowMs: number,
    private readonly burstMs = 2,
    private readonly minBurstBytes = 3000,
  ) {
    if (!(currentRate > 0)) throw new RangeError(`rate must be positive, got ${currentRate}`);
    this.last = nowMs;
  }

  get rate(): number {
    return this.currentRate;
  }

  private capacity(): number {
    return Math.max(this.minBurstBytes, (this.currentRate * this.burstMs) / 1000);
  }

  private refill(nowMs: number): void {
    if (nowMs > this.last) {
      this.tokens = Math.min(
        this.capacity(),
        this.tokens + ((nowMs - this.last) * this.currentRate) / 1000,
      );
      this.last = nowMs;
    }
  }

  setRate(rate: number, nowMs: number): void {
    if (!(rate > 0)) throw new RangeError(`rate must be positive, got ${rate}`);
    this.refill(nowMs);
    this.currentRate = rate;
    this.tokens = Math.min(this.tokens, this.capacity());
  }

  canSend(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= -EPSILON_BYTES;
  }

  consume(bytes: number, nowMs: number): void {
    this.refill(nowMs);
    this.tokens -= bytes;
  }

  /** Earliest time at which canSend will be true. */
  nextSendMs(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= -EPSILON_BYTES ? nowMs : nowMs + (-this.tokens * 1000) / this.currentRate;
  }
}
