// Loss-based rate control of the approximate sender (our design; docs/transport.md, "One
// job, step by step"). The sender starts at the rate it is allowed and, on each measurement
// sample from receiver feedback, sets its rate from the delivered rate with a small probe
// margin, so that it never keeps pushing what the network drops.
//
// Approximate packets ride the lowest queue, which exact traffic stops for the length of
// its bursts. The loss such a pause causes says nothing about the rate the path carries:
// sending less loses the same share, and answering every lossy sample with "the delivered
// rate" would ratchet the rate down burst after burst. So the law reads the samples
// robustly:
//   - a *clean* sample (loss within the tolerance) shows a rate the path carries; the best
//     clean rate is remembered for `memoryMs` (longer than an exact burst);
//   - a *lossy* sample: the rate becomes the best delivered rate of the last few samples
//     (a max filter over `deliveryWindow`) plus the probe margin, but not below the
//     remembered clean rate (a burst is not a limit), never above the current rate (loss
//     is no reason to push harder), and at most `maxDecrease` lower than before. A real
//     limit (a meter, a full bottleneck) shows in every sample and leaves no clean samples,
//     so the memory runs out and the rate follows the delivered rate;
//   - a *pause* (at least `pauseLoss` lost: the queue is stopped) backs off by
//     `maxDecrease` per sample, down to `pauseFloor` of the remembered rate, so that little
//     is pushed into a stopped queue, and the first sample after the pause returns to the
//     rate delivered before it (fast recovery);
//   - a clean sample while the sender had data to send probes upwards by the margin, from
//     at least the remembered clean rate; while the delivered rate keeps up with the
//     sending rate (the path really carries more, as opposed to a queue filling up), each
//     further clean sample doubles the step up to `maxProbeStep`, so freed capacity is
//     found in a few samples;
//   - a clean sample while application-limited keeps the rate (nothing was learned).
// Silence (no feedback at all) halves the rate, so a sender never keeps pushing into a
// path that has stopped answering; feedback showing delivered data again restores the rate
// from before the silence. The rate stays within [floor, maximum]; both may be
// moved while the job runs (a rate hint from the controller's allocation: the job's share
// of its meters' peak and committed rates). Pure: measurements go in, rates come out; time
// is the receiver's, as the sum of the samples' intervals.

export interface RateControlConfig {
  /** Bytes per second the sender starts at: line rate or a rate hint. */
  initialRate: number;
  /** Bytes per second it never exceeds (line rate, or the allocation). */
  maxRate: number;
  /** Floor in bytes per second, so a starved sender keeps probing. */
  minRate: number;
  /**
   * The floor is at least this share of the maximum: a sender on a fast link that fell
   * to a floor made for slow ones would need seconds to gather one sample.
   */
  minShare: number;
  /** Headroom above the delivered rate, e.g. 0.05. */
  probeMargin: number;
  /** Loss below this fraction is measurement noise, not congestion. */
  lossTolerance: number;
  /** Factor applied on each feedback silence, e.g. 0.5. */
  silenceFactor: number;
  /** Largest increase in one sample while probing, e.g. 0.4 (+40%). */
  maxProbeStep: number;
  /** Largest decrease in one sample, e.g. 0.5 (-50%). */
  maxDecrease: number;
  /** Samples over which a lossy sample's delivered rate is the best one (>= 1). */
  deliveryWindow: number;
  /** How long the best clean rate is remembered (receiver time): longer than exact bursts. */
  memoryMs: number;
  /** A sample losing at least this share counts as a pause of the path, e.g. 0.9. */
  pauseLoss: number;
  /** During a pause the rate stays at least this share of the remembered rate. */
  pauseFloor: number;
}

export const DEFAULT_RATE_CONTROL: Omit<RateControlConfig, "initialRate" | "maxRate"> = {
  minRate: 12_500, // 100 kbit/s
  minShare: 1 / 256,
  probeMargin: 0.05,
  lossTolerance: 0.02,
  silenceFactor: 0.5,
  maxProbeStep: 0.4,
  maxDecrease: 0.5,
  deliveryWindow: 4,
  // Sized for the host programs' megabit links, like their other timers: exact flows of
  // a few hundred kilobytes hold a 10 Mbit/s queue for a few hundred milliseconds.
  memoryMs: 1000,
  pauseLoss: 0.9,
  pauseFloor: 0.125,
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
  if (!(c.maxDecrease > 0 && c.maxDecrease < 1)) {
    throw new RangeError(`maxDecrease must be in (0, 1), got ${c.maxDecrease}`);
  }
  if (!(Number.isInteger(c.deliveryWindow) && c.deliveryWindow >= 1)) {
    throw new RangeError(`deliveryWindow must be a whole number >= 1, got ${c.deliveryWindow}`);
  }
  if (!(c.memoryMs >= 0) || !Number.isFinite(c.memoryMs)) {
    throw new RangeError(`memoryMs must be a finite number >= 0, got ${c.memoryMs}`);
  }
  if (!(c.pauseLoss > c.lossTolerance && c.pauseLoss <= 1)) {
    throw new RangeError(`pauseLoss must be in (lossTolerance, 1], got ${c.pauseLoss}`);
  }
  for (const [name, v] of [
    ["minShare", c.minShare],
    ["pauseFloor", c.pauseFloor],
  ] as const) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${v}`);
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
  /** "pause": (almost) nothing arrived; the rate backed off, the memory is kept. */
  action: "decrease" | "increase" | "hold" | "pause";
}

export class LossRateController {
  private current: number;
  private ceiling: number;
  private floor: number;
  /** Consecutive clean samples in which the path carried the full sending rate. */
  private streak = 0;
  /** Rates carried by the last samples that delivered something (bytes/s). */
  private readonly recent: number[] = [];
  /**
   * Clean samples within the memory that no later clean sample carried more than (bytes/s,
   * and when each ended, receiver time): rates fall from the first to the last, so the
   * first is the best one remembered. A sample with a later, higher one can never be the
   * best again, so it is not kept; the window is one comparison per sample, not a scan.
   */
  private readonly clean: number[] = [];
  private readonly cleanAt: number[] = [];
  /** Receiver time: the sum of the samples' intervals. */
  private clockMs = 0;
  /** The delivered rate when the current run of pauses began (0: not paused), and when. */
  private recall = 0;
  private recallAt = 0;
  /** The rate before the current run of silences (0: none). */
  private silenceRecall = 0;

  constructor(readonly config: RateControlConfig) {
    validateRateControl(config);
    this.ceiling = config.maxRate;
    this.floor = this.floorFor(config.maxRate, config.minRate);
    this.current = Math.max(this.floor, config.initialRate);
  }

  private floorFor(maxRate: number, minRate: number): number {
    return Math.min(maxRate, Math.max(minRate, this.config.minShare * maxRate));
  }

  /** Current sending rate in bytes per second. */
  get rate(): number {
    return this.current;
  }

  /** The rate it never exceeds now (bytes/s). */
  get maxRate(): number {
    return this.ceiling;
  }

  /** The rate it never goes below now (bytes/s). */
  get minRate(): number {
    return this.floor;
  }

  /** The best rate a clean sample carried within the memory (bytes/s); 0 if none. */
  get rememberedRate(): number {
    return this.clean.length > 0 ? this.clean[0]! : 0;
  }

  /**
   * Moves the bounds while the job runs (a rate hint: e.g. the job's share of its meters'
   * PIR as the maximum and of their CIR as the floor), within the configured
   * [minRate, maxRate]. A higher maximum raises the rate in proportion (a sender at its
   * old maximum moves to the new one; one held lower by loss keeps its distance), as a job
   * starts at the rate it is allowed; a lower one caps it.
   */
  setBounds(maxRate: number, minRate = 0): void {
    if (!(maxRate > 0) || !(minRate >= 0)) {
      throw new RangeError(`rate bounds must be positive, got [${minRate}, ${maxRate}]`);
    }
    const before = this.ceiling;
    this.ceiling = Math.min(this.config.maxRate, Math.max(this.config.minRate, maxRate));
    if (this.ceiling > before) this.current *= this.ceiling / before;
    this.floor = Math.min(
      this.ceiling,
      Math.max(this.floorFor(this.ceiling, this.config.minRate), minRate),
    );
    this.current = this.bounded(this.current);
  }

  private bounded(rate: number): number {
    return Math.min(this.ceiling, Math.max(this.floor, rate));
  }

  update(s: RateSample): RateDecision {
    if (!(s.sentPackets > 0) || !(s.intervalMs > 0)) {
      throw new RangeError("a rate sample needs packets sent and a positive interval");
    }
    const c = this.config;
    const loss = Math.max(0, 1 - s.deliveredPackets / s.sentPackets);
    const deliveredRate = (s.deliveredBytes * 1000) / s.intervalMs;
    const sendingRate = s.sendingRate ?? this.current;
    this.clockMs += s.intervalMs;
    while (this.cleanAt.length > 0 && this.cleanAt[0]! < this.clockMs - c.memoryMs) {
      this.clean.shift();
      this.cleanAt.shift();
    }
    const lowest = this.current * (1 - c.maxDecrease);
    if (loss >= c.pauseLoss) {
      // The queue is stopped: back off, but keep what the path carried before, to return
      // to it when the pause is over.
      const remembered = Math.max(this.rememberedRate, this.bestRecent());
      if (this.recall === 0) {
        this.recall = Math.min(this.current, remembered * (1 + c.probeMargin));
        this.recallAt = this.clockMs;
      }
      this.current = this.bounded(
        Math.min(this.current, Math.max(lowest, remembered * c.pauseFloor)),
      );
      this.streak = 0;
      return { rate: this.current, loss, deliveredRate, action: "pause" };
    }
    // The first sample after a pause: back to the rate delivered before it (once).
    const recall = this.recallAt >= this.clockMs - c.memoryMs ? this.recall : 0;
    this.recall = 0;
    // An application-limited interval under-reports what the path can carry, so it
    // counts as the own rate scaled by the delivery ratio. A queue draining a burst can
    // make the delivered rate read above the sending rate: that proves no more than what
    // was sent.
    const carried = Math.min(
      s.appLimited ? this.current * (1 - loss) : deliveredRate,
      Math.max(sendingRate, this.current),
    );
    this.recent.push(carried);
    if (this.recent.length > c.deliveryWindow) this.recent.shift();
    // A step that grows with time, the same for every sender sharing a path: on their own
    // the multiplicative rules keep the ratio between senders (a loss sample cuts each in
    // proportion to its rate), so one that fell behind would never catch up; an additive
    // increase is what makes the shares converge (as in AIMD).
    const additive = (this.ceiling * c.maxProbeStep * s.intervalMs) / Math.max(1, c.memoryMs);
    let action: RateDecision["action"];
    if (loss > c.lossTolerance) {
      const delivered = Math.min(this.current, this.bestRecent() * (1 + c.probeMargin));
      this.current = Math.max(lowest, this.rememberedRate, recall, delivered + additive);
      this.streak = 0;
      action = "decrease";
    } else {
      while (this.clean.length > 0 && this.clean[this.clean.length - 1]! <= carried) {
        this.clean.pop();
        this.cleanAt.pop();
      }
      this.clean.push(carried);
      this.cleanAt.push(this.clockMs);
      if (!s.appLimited) {
        const keptUp = deliveredRate * (1 + c.probeMargin) >= sendingRate;
        this.streak = keptUp ? this.streak + 1 : 0;
        const step = Math.min(c.maxProbeStep, c.probeMargin * 2 ** Math.max(0, this.streak - 1));
        this.current = Math.max(this.current, this.rememberedRate, recall) * (1 + step) + additive;
        action = "increase";
      } else {
        action = "hold";
      }
    }
    this.current = this.bounded(this.current);
    return { rate: this.current, loss, deliveredRate, action };
  }

  private bestRecent(): number {
    let best = 0;
    for (const r of this.recent) best = Math.max(best, r);
    return best;
  }

  /** No feedback for a silence period: back off (the first time, remember the rate). */
  onSilence(): number {
    if (this.silenceRecall === 0) this.silenceRecall = this.current;
    this.current = Math.max(this.floor, this.current * this.config.silenceFactor);
    return this.current;
  }

  /**
   * Feedback after a silence shows new data delivered: the path works again (its lowest
   * queue was stopped, typically, before the first datagram got through), so return to the
   * rate before the silence at once instead of climbing back from the floor sample by
   * sample. Samples then correct it as usual.
   */
  onResume(): number {
    if (this.silenceRecall > 0)
      this.current = this.bounded(Math.max(this.current, this.silenceRecall));
    this.silenceRecall = 0;
    return this.current;
  }

  /** Whether the rate is lowered by silences not yet ended by delivered data. */
  get silenced(): boolean {
    return this.silenceRecall > 0;
  }
}
