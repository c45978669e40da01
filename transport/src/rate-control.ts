// Loss-based rate control of the approximate sender (our design; DESIGN.md "Host
// transport"). The sender starts at the rate it is allowed and, on each measurement
// sample from receiver feedback:
//   - loss above the tolerance: the network carries only what it delivered, so the
//     new rate is the delivered rate plus a small probe margin (never more than now);
//   - no loss while the sender had data to send: probe upwards by the margin; while
//     the delivered rate keeps up with the sending rate (the path really carries
//     more, rather than a queue filling up), each further sample doubles the step up
//     to a cap, so freed capacity is found in a few samples; never above the maximum;
//   - no loss while application-limited: keep the rate (nothing was learned).
// Silence (no feedback at all) halves the rate, so a sender never keeps pushing into
// a path that has stopped answering. Pure: time and measurements go in, rates come out.

export interface RateControlConfig {
  /** Bytes per second the sender starts at: line rate or a rate hint. */
  initialRate: number;
  /** Bytes per second it never exceeds (line rate, or the allocation). */
  maxRate: number;
  /** Floor in bytes per second, so a starved sender keeps probing. */
  minRate: number;
  /** Headroom above the delivered rate, e.g. 0.05. */
  probeMargin: number;
  /** Loss below this fraction is measurement noise, not congestion. */
  lossTolerance: number;
  /** Factor applied on each feedback silence, e.g. 0.5. */
  silenceFactor: number;
  /** Largest increase in one sample while probing, e.g. 0.4 (+40%). */
  maxProbeStep: number;
}

export const DEFAULT_RATE_CONTROL: Omit<RateControlConfig, "initialRate" | "maxRate"> = {
  minRate: 12_500, // 100 kbit/s
  probeMargin: 0.05,
  lossTolerance: 0.02,
  silenceFactor: 0.5,
  maxProbeStep: 0.4,
};

export function validateRateControl(c: RateControlConfig): void {
  const positive = { initialRate: c.initialRate, maxRate: c.maxRate, minRate: c.minRate };
  for (const [name, v] of Object.entries(positive)) {
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be positive, got ${v}`);
  }
  if (c.minRate > c.maxRate)
    throw new RangeError(`minRate ${c.minRate} exceeds maxRate ${c.maxRate}`);
  if (c.initialRate > c.maxRate || c.initialRate < c.minRate) {
    throw new RangeError(`initialRate ${c.initialRate} is outside [minRate, maxRate]`);
  }
  if (!(c.probeMargin > 0 && c.probeMargin < 1)) {
    throw new RangeError(`probeMargin must be in (0, 1), got ${c.probeMargin}`);
  }
  // At the steady state the sender loses probeMargin / (1 + probeMargin) of what it
  // sends; a tolerance above that would read its own probe as "no loss" and climb.
  const steadyLoss = c.probeMargin / (1 + c.probeMargin);
  if (!(c.lossTolerance >= 0 && c.lossTolerance < steadyLoss)) {
    throw new RangeError(
      `lossTolerance must be in [0, ${steadyLoss.toFixed(4)}) for probeMargin ${c.probeMargin}, got ${c.lossTolerance}`,
    );
  }
  if (!(c.maxProbeStep >= c.probeMargin && c.maxProbeStep <= 1)) {
    throw new RangeError(`maxProbeStep must be in [probeMargin, 1], got ${c.maxProbeStep}`);
  }
  if (!(c.silenceFactor > 0 && c.silenceFactor < 1)) {
    throw new RangeError(`silenceFactor must be in (0, 1), got ${c.silenceFactor}`);
  }
}

/** One measurement interval, delimited by two feedbacks. */
export interface RateSample {
  /** Datagrams sent in the interval (by transmission sequence numbers). */
  sentPackets: number;
  /** Datagrams the receiver got in the interval. */
  deliveredPackets: number;
  /** Bytes the receiver got in the interval. */
  deliveredBytes: number;
  /** Length of the interval on the receiver's clock. */
  intervalMs: number;
  /** The sender ran out of data during the interval. */
  appLimited: boolean;
  /**
   * The rate the sender was pacing at while it sent these datagrams (bytes/s);
   * default: the current rate. Tells "the path carried all of it" from "a queue
   * absorbed it".
   */
  sendingRate?: number;
}

export interface RateDecision {
  rate: number;
  loss: number;
  deliveredRate: number;
  action: "decrease" | "increase" | "hold";
}

export class LossRateController {
  private current: number;
  /** Consecutive loss-free samples in which the path carried the full sending rate. */
  private streak = 0;

  constructor(readonly config: RateControlConfig) {
    validateRateControl(config);
    this.current = config.initialRate;
  }

  /** Current sending rate in bytes per second. */
  get rate(): number {
    return this.current;
  }

  update(s: RateSample): RateDecision {
    if (!(s.sentPackets > 0) || !(s.intervalMs > 0)) {
      throw new RangeError("a rate sample needs packets sent and a positive interval");
    }
    const { probeMargin, lossTolerance, maxRate, minRate } = this.config;
    const loss = Math.max(0, 1 - s.deliveredPackets / s.sentPackets);
    const deliveredRate = (s.deliveredBytes * 1000) / s.intervalMs;
    let action: RateDecision["action"];
    if (loss > lossTolerance) {
      // An application-limited interval under-reports what the path can carry, so
      // scale the own rate by the delivery ratio instead of trusting the delivered rate.
      const carried = s.appLimited ? this.current * (1 - loss) : deliveredRate;
      this.current = Math.max(minRate, Math.min(this.current, carried * (1 + probeMargin)));
      this.streak = 0;
      action = "decrease";
    } else if (!s.appLimited) {
      const keptUp = deliveredRate * (1 + probeMargin / 2) >= (s.sendingRate ?? this.current);
      this.streak = keptUp ? this.streak + 1 : 0;
      const step = Math.min(
        this.config.maxProbeStep,
        probeMargin * 2 ** Math.max(0, this.streak - 1),
      );
      this.current = Math.min(maxRate, Math.max(this.current, deliveredRate) * (1 + step));
      action = "increase";
    } else {
      action = "hold";
    }
    return { rate: this.current, loss, deliveredRate, action };
  }

  /** No feedback for a silence period: back off. */
  onSilence(): number {
    this.current = Math.max(this.config.minRate, this.current * this.config.silenceFactor);
    return this.current;
  }
}
