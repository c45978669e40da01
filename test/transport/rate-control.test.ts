import {
  DEFAULT_RATE_CONTROL,
  LossRateController,
  validateRateControl,
  type RateControlConfig,
  type RateDecision,
} from "@netapprox/transport/rate-control.js";

const MB = 1_000_000; // bytes per second
const PACKET = 1000; // bytes per datagram in these samples
const INTERVAL = 10; // ms per sample
const config: RateControlConfig = {
  ...DEFAULT_RATE_CONTROL,
  initialRate: 10 * MB,
  maxRate: 10 * MB,
};
/** The additive step of one sample of INTERVAL ms at the maximum `max`. */
const additiveFor = (c: RateControlConfig, max = c.maxRate): number =>
  (max * c.maxProbeStep * INTERVAL) / c.memoryMs;
const additive = additiveFor(config);

/** A sample of 10 ms in which `sent` datagrams went out and `got` arrived. */
const sample = (sent: number, got: number, appLimited = false) => ({
  sentPackets: sent,
  deliveredPackets: got,
  deliveredBytes: got * PACKET,
  intervalMs: INTERVAL,
  appLimited,
});

/** One sample of INTERVAL ms at the controller's rate, of which `loss` is lost. */
function atLoss(c: LossRateController, loss: number, appLimited = false): RateDecision {
  const sent = (c.rate * INTERVAL) / 1000 / PACKET;
  const got = sent * (1 - loss);
  return c.update({
    sentPackets: sent,
    deliveredPackets: got,
    deliveredBytes: got * PACKET,
    intervalMs: INTERVAL,
    appLimited,
  });
}

/** One sample over a path that carries `limit` bytes/s and drops the rest. */
const overPath = (c: LossRateController, limit: number): RateDecision =>
  atLoss(c, Math.max(0, 1 - limit / c.rate));

describe("loss-based rate control", () => {
  test("starts at the allowed rate", () => {
    expect(new LossRateController(config).rate).toBe(10 * MB);
  });

  test("over a fixed path limit it converges to the limit plus the margin and the additive step", () => {
    for (const limit of [0.5, 2, 3, 8].map((m) => m * MB)) {
      const c = new LossRateController(config);
      for (let i = 0; i < 100; i++) {
        const before = c.rate;
        const d = overPath(c, limit);
        // Bounded decrease, and never below what the path carries.
        expect(c.rate).toBeGreaterThanOrEqual(before * (1 - config.maxDecrease) - 1e-6);
        expect(c.rate).toBeGreaterThanOrEqual(limit);
        if (d.action === "decrease") expect(c.rate).toBeLessThanOrEqual(before + additive + 1e-6);
      }
      expect(c.rate).toBeGreaterThanOrEqual(limit);
      expect(c.rate).toBeLessThanOrEqual(limit * (1 + config.probeMargin) + additive + 1e-6);
    }
  });

  test("a lower path limit gives a lower converged rate", () => {
    const converged = [8, 5, 3, 2].map((m) => {
      const c = new LossRateController(config);
      for (let i = 0; i < 100; i++) overPath(c, m * MB);
      return c.rate;
    });
    for (let i = 1; i < converged.length; i++) {
      expect(converged[i]).toBeLessThan(converged[i - 1]!);
    }
  });

  test("the best clean rate is remembered for memoryMs, then a real limit takes over", () => {
    const c = new LossRateController({ ...config, initialRate: 4 * MB });
    // The path carried 4 MB/s cleanly; the rate probes above it.
    overPath(c, 100 * MB);
    expect(c.rememberedRate).toBeCloseTo(4 * MB);
    // Now it carries 2 MB/s only (50% loss at 4 MB/s, below the pause threshold).
    const limit = 2 * MB;
    let elapsed = 0;
    while (elapsed + INTERVAL <= config.memoryMs) {
      const before = c.rate;
      const d = overPath(c, limit);
      elapsed += INTERVAL;
      expect(d.action).toBe("decrease");
      // Within the memory, a lossy sample is no reason to go below the clean rate.
      expect(c.rate).toBeGreaterThanOrEqual(4 * MB);
      expect(c.rate).toBeLessThanOrEqual(before + additive + 1e-6);
    }
    // The memory runs out: the rate follows the path, at most halving per sample.
    const trace: number[] = [c.rate];
    for (let i = 0; i < 30; i++) {
      overPath(c, limit);
      trace.push(c.rate);
    }
    expect(c.rememberedRate).toBe(0);
    for (let i = 1; i < trace.length; i++) {
      expect(trace[i]).toBeGreaterThanOrEqual(trace[i - 1]! * (1 - config.maxDecrease) - 1e-6);
    }
    expect(c.rate).toBeGreaterThanOrEqual(limit);
    expect(c.rate).toBeLessThanOrEqual(limit * (1 + config.probeMargin) + additive + 1e-6);
  });

  test("a burst of 50% loss after a clean sample keeps the remembered clean rate", () => {
    const c = new LossRateController({ ...config, initialRate: 4 * MB });
    atLoss(c, 0);
    const remembered = c.rememberedRate;
    expect(remembered).toBeCloseTo(4 * MB);
    for (let i = 0; i < 20; i++) {
      const d = atLoss(c, 0.5);
      expect(d.action).toBe("decrease");
      expect(c.rate).toBeGreaterThanOrEqual(remembered);
    }
  });

  test("the max filter: a dip shorter than deliveryWindow samples does not lower the rate", () => {
    const c = new LossRateController(config);
    for (let i = 0; i < 50; i++) overPath(c, 4 * MB);
    const steady = c.rate;
    // No clean sample ever happened: only the filter holds the rate up.
    expect(c.rememberedRate).toBe(0);
    for (let i = 0; i < config.deliveryWindow - 1; i++) {
      overPath(c, 1.5 * MB);
      expect(c.rate).toBeCloseTo(steady);
    }
    overPath(c, 1.5 * MB);
    expect(c.rate).toBeCloseTo(steady * (1 - config.maxDecrease));
  });

  test("loss never raises the rate by more than the additive step, even if the delivered rate reads high", () => {
    const c = new LossRateController({ ...config, initialRate: 2 * MB });
    // A burst drained at once: 30% loss, yet 7 MB/s measured over the interval.
    const d = c.update({
      sentPackets: 100,
      deliveredPackets: 70,
      deliveredBytes: 70_000,
      intervalMs: INTERVAL,
      appLimited: false,
    });
    expect(d.action).toBe("decrease");
    expect(d.deliveredRate).toBeCloseTo(7 * MB);
    expect(c.rate).toBeCloseTo(2 * MB + additive);
  });

  test("without loss it probes upwards, accelerating up to maxProbeStep, up to the maximum", () => {
    const c = new LossRateController({ ...config, initialRate: 1 * MB });
    const seen: number[] = [c.rate];
    for (let i = 0; i < 60; i++) {
      expect(atLoss(c, 0).action).toBe("increase");
      seen.push(c.rate);
    }
    // +5%, then twice the step per further sample, at most maxProbeStep, each plus the
    // additive step.
    let step = config.probeMargin;
    for (let i = 1; i < seen.length && seen[i]! < config.maxRate; i++) {
      expect((seen[i]! - additive) / seen[i - 1]!).toBeCloseTo(1 + step, 6);
      step = Math.min(config.maxProbeStep, 2 * step);
    }
    expect(step).toBe(config.maxProbeStep);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen[seen.length - 1]).toBe(config.maxRate);
  });

  test("loss ends the accelerated probing: the next probe starts small again", () => {
    const c = new LossRateController({ ...config, initialRate: 1 * MB });
    for (let i = 0; i < 3; i++) atLoss(c, 0);
    atLoss(c, 0.5);
    const before = c.rate;
    atLoss(c, 0);
    expect((c.rate - additive) / before).toBeCloseTo(1 + config.probeMargin, 6);
  });

  test("no acceleration while a queue absorbs the probe: loss-free but not carried", () => {
    const c = new LossRateController({ ...config, initialRate: 2 * MB });
    // No loss, yet only 1.9 MB/s gets through of the 2 MB/s and more sent: a queue fills.
    for (let i = 0; i < 4; i++) {
      const before = c.rate;
      c.update({
        sentPackets: 100,
        deliveredPackets: 100,
        deliveredBytes: 19_000,
        intervalMs: INTERVAL,
        appLimited: false,
      });
      expect((c.rate - additive) / before).toBeCloseTo(1 + config.probeMargin, 6);
    }
  });

  test("noise below the tolerance counts as no loss", () => {
    const c = new LossRateController({ ...config, initialRate: 1 * MB });
    expect(c.update(sample(100, 99)).action).toBe("increase");
  });

  test("a sample losing pauseLoss or more is a pause", () => {
    expect(new LossRateController(config).update(sample(100, 10)).action).toBe("pause");
    expect(new LossRateController(config).update(sample(100, 11)).action).toBe("decrease");
  });

  test("a pause backs off, and the first sample after it returns to the rate before", () => {
    const c = new LossRateController({ ...config, initialRate: 4 * MB });
    atLoss(c, 0);
    const remembered = c.rememberedRate;
    const before = c.rate;
    const trace: number[] = [];
    for (let i = 0; i < 10; i++) {
      const prev = c.rate;
      const d = atLoss(c, 0.95);
      expect(d.action).toBe("pause");
      expect(c.rate).toBeLessThan(before);
      expect(c.rate).toBeGreaterThanOrEqual(prev * (1 - config.maxDecrease) - 1e-6);
      trace.push(c.rate);
    }
    // Little goes into a stopped queue: down to pauseFloor of the remembered rate.
    expect(trace[trace.length - 1]).toBeCloseTo(remembered * config.pauseFloor);
    // The path works again: back to the rate before the pause at once (the probe
    // margin above the remembered rate at most), and probing on from there.
    const recall = Math.min(before, remembered * (1 + config.probeMargin));
    expect(atLoss(c, 0).action).toBe("increase");
    expect(c.rate).toBeCloseTo(recall * (1 + config.probeMargin) + additive);
  });

  test("after a pause a lossy first sample also returns to the rate before it", () => {
    const c = new LossRateController({ ...config, initialRate: 4 * MB });
    atLoss(c, 0);
    const recall = Math.min(c.rate, c.rememberedRate * (1 + config.probeMargin));
    for (let i = 0; i < 5; i++) atLoss(c, 0.95);
    expect(c.rate).toBeLessThan(recall / 2);
    expect(atLoss(c, 0.3).action).toBe("decrease");
    expect(c.rate).toBeCloseTo(recall);
  });

  test("a pause longer than the memory is not recalled: the rate climbs from where it is", () => {
    const c = new LossRateController({ ...config, initialRate: 4 * MB });
    atLoss(c, 0);
    for (let t = 0; t <= config.memoryMs + INTERVAL; t += INTERVAL) atLoss(c, 1);
    expect(c.rememberedRate).toBe(0);
    const low = c.rate;
    atLoss(c, 0);
    expect(c.rate).toBeCloseTo(low * (1 + config.probeMargin) + additive);
  });

  test("an application-limited interval without loss holds the rate", () => {
    const c = new LossRateController({ ...config, initialRate: 5 * MB });
    const d = c.update(sample(10, 10, true));
    expect(d.action).toBe("hold");
    expect(c.rate).toBe(5 * MB);
  });

  test("an application-limited interval with loss scales the own rate by the delivery ratio", () => {
    const c = new LossRateController({ ...config, initialRate: 5 * MB });
    // Few packets sent, 30% lost: the delivered rate would undershoot badly.
    c.update(sample(20, 14, true));
    expect(c.rate).toBeCloseTo(5 * MB * 0.7 * (1 + config.probeMargin) + additive);
    // 80% lost: the same rule would cut by more than maxDecrease, which bounds it.
    const d = new LossRateController({ ...config, initialRate: 5 * MB });
    d.update(sample(20, 4, true));
    expect(d.rate).toBeCloseTo(5 * MB * (1 - config.maxDecrease));
  });

  test("the rate never drops below the floor under heavy loss", () => {
    const c = new LossRateController({ ...config, minRate: 0.5 * MB });
    for (let i = 0; i < 20; i++) {
      atLoss(c, 0.85);
      expect(c.rate).toBeGreaterThanOrEqual(0.5 * MB);
    }
    expect(c.rate).toBe(0.5 * MB);
  });

  test("the floor is at least minShare of the maximum", () => {
    const c = new LossRateController({ ...config, minRate: 1000 });
    const floor = config.minShare * config.maxRate;
    expect(floor).toBeGreaterThan(1000);
    expect(c.minRate).toBe(floor);
    // Pauses from the start: nothing remembered, so it halves down to the floor.
    for (let i = 0; i < 40; i++) atLoss(c, 0.95);
    expect(c.rate).toBe(floor);
  });

  test("silence halves the rate down to the floor; feedback after it restores the rate", () => {
    const c = new LossRateController({ ...config, minRate: 3 * MB });
    expect(c.silenced).toBe(false);
    expect(c.onSilence()).toBe(10 * MB * config.silenceFactor);
    expect(c.onSilence()).toBe(3 * MB);
    expect(c.onSilence()).toBe(3 * MB);
    expect(c.silenced).toBe(true);
    expect(c.onResume()).toBe(10 * MB);
    expect(c.silenced).toBe(false);
    // Without a silence, resuming changes nothing.
    atLoss(c, 0.3);
    const now = c.rate;
    expect(c.onResume()).toBe(now);
  });

  test("rate bounds: a lower maximum caps, a higher one raises in proportion, a floor holds", () => {
    const c = new LossRateController(config);
    c.setBounds(5 * MB);
    expect(c.maxRate).toBe(5 * MB);
    expect(c.rate).toBe(5 * MB);
    // A sender at its maximum moves to the new one.
    c.setBounds(8 * MB);
    expect(c.rate).toBeCloseTo(8 * MB);
    // One held lower by loss keeps its distance: from 2 of 8 to 2.5 of 10.
    for (let i = 0; i < 100; i++) overPath(c, 1.5 * MB);
    const held = c.rate;
    c.setBounds(10 * MB);
    expect(c.rate).toBeCloseTo((held * 10) / 8);
    // Never above the configured maximum.
    c.setBounds(20 * MB);
    expect(c.maxRate).toBe(config.maxRate);
    // A floor from the hint holds under heavy loss, and never exceeds the maximum.
    c.setBounds(8 * MB, 3 * MB);
    expect(c.minRate).toBe(3 * MB);
    for (let i = 0; i < 20; i++) atLoss(c, 0.85);
    expect(c.rate).toBe(3 * MB);
    c.setBounds(2 * MB, 3 * MB);
    expect(c.minRate).toBe(2 * MB);
    expect(c.rate).toBe(2 * MB);
    expect(() => c.setBounds(0)).toThrow(/rate bounds must be positive/);
    expect(() => c.setBounds(1 * MB, -1)).toThrow(/rate bounds must be positive/);
  });

  test("the additive step is the same for senders sharing a path, so their shares converge", () => {
    // Two senders alone on a path of 4 MB/s, sharing its loss; one starts far behind.
    const limit = 4 * MB;
    const a = new LossRateController(config);
    const b = new LossRateController({ ...config, initialRate: 0.2 * MB });
    const gap = () => Math.abs(a.rate - b.rate) / (a.rate + b.rate);
    const start = gap();
    for (let i = 0; i < 600; i++) {
      const loss = Math.max(0, 1 - limit / (a.rate + b.rate));
      atLoss(a, loss);
      atLoss(b, loss);
    }
    expect(gap()).toBeLessThan(start / 4);
  });

  test("configurations that cannot work are refused with the reason", () => {
    const refused = (patch: Partial<RateControlConfig>, reason: RegExp) =>
      expect(() => validateRateControl({ ...config, ...patch })).toThrow(reason);
    refused({ maxRate: 0 }, /maxRate must be positive/);
    refused({ initialRate: 20 * MB }, /initialRate/);
    refused({ probeMargin: 0 }, /probeMargin/);
    refused({ maxProbeStep: 0.01 }, /maxProbeStep/);
    // A tolerance at or above the probe's own steady loss would read the probe as no loss.
    refused({ lossTolerance: 0.05 }, /lossTolerance/);
    refused({ maxDecrease: 0 }, /maxDecrease must be in \(0, 1\)/);
    refused({ maxDecrease: 1 }, /maxDecrease must be in \(0, 1\)/);
    refused({ deliveryWindow: 0 }, /deliveryWindow must be a whole number >= 1/);
    refused({ deliveryWindow: 2.5 }, /deliveryWindow must be a whole number >= 1/);
    refused({ memoryMs: -1 }, /memoryMs must be a finite number >= 0/);
    refused({ memoryMs: Infinity }, /memoryMs must be a finite number >= 0/);
    refused({ pauseLoss: config.lossTolerance }, /pauseLoss must be in \(lossTolerance, 1\]/);
    refused({ pauseLoss: 1.5 }, /pauseLoss must be in \(lossTolerance, 1\]/);
    refused({ minShare: 1.5 }, /minShare must be in \[0, 1\]/);
    refused({ pauseFloor: -0.1 }, /pauseFloor must be in \[0, 1\]/);
    refused({ silenceFactor: 1 }, /silenceFactor/);
    expect(() => validateRateControl(config)).not.toThrow();
    expect(() => new LossRateController(config).update(sample(0, 0))).toThrow(/packets sent/);
  });
});
