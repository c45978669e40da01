import {
  DEFAULT_RATE_CONTROL,
  LossRateController,
  validateRateControl,
  type RateControlConfig,
} from "../../transport/src/rate-control.js";

const MB = 1_000_000; // bytes per second
const config: RateControlConfig = {
  ...DEFAULT_RATE_CONTROL,
  initialRate: 10 * MB,
  maxRate: 10 * MB,
};

/** A sample of 10 ms in which `sent` datagrams of 1000 bytes went out and `got` arrived. */
const sample = (sent: number, got: number, appLimited = false) => ({
  sentPackets: sent,
  deliveredPackets: got,
  deliveredBytes: got * 1000,
  intervalMs: 10,
  appLimited,
});

describe("loss-based rate control", () => {
  test("starts at the allowed rate", () => {
    expect(new LossRateController(config).rate).toBe(10 * MB);
  });

  test("under loss the rate becomes the delivered rate plus the probe margin", () => {
    const c = new LossRateController(config);
    // 100 sent, 40 arrived in 10 ms: the path carries 4 MB/s.
    const d = c.update(sample(100, 40));
    expect(d.action).toBe("decrease");
    expect(d.loss).toBeCloseTo(0.6);
    expect(d.deliveredRate).toBeCloseTo(4 * MB);
    expect(c.rate).toBeCloseTo(4 * MB * 1.05);
  });

  test("a lower delivered rate gives a lower sending rate", () => {
    const rates = [80, 60, 40, 20].map((got) => {
      const c = new LossRateController(config);
      c.update(sample(100, got));
      return c.rate;
    });
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThan(rates[i - 1]!);
  });

  test("loss never raises the rate, even if the delivered rate reads high", () => {
    const c = new LossRateController({ ...config, initialRate: 2 * MB });
    // A burst drained at once: 30% loss, yet 7 MB/s measured over the interval.
    c.update({
      sentPackets: 100,
      deliveredPackets: 70,
      deliveredBytes: 70_000,
      intervalMs: 10,
      appLimited: false,
    });
    expect(c.rate).toBe(2 * MB);
  });

  test("without loss it probes upwards by the margin, up to the maximum", () => {
    const c = new LossRateController({ ...config, initialRate: 1 * MB });
    const seen: number[] = [];
    for (let i = 0; i < 60; i++) {
      // The path carries all of 10 ms at the current rate.
      c.update({
        sentPackets: 100,
        deliveredPackets: 100,
        deliveredBytes: c.rate / 100,
        intervalMs: 10,
        appLimited: false,
      });
      seen.push(c.rate);
    }
    // +5%, then twice the step per further sample, at most +40% per sample.
    expect(seen[0]).toBeCloseTo(1.05 * MB);
    expect(seen[1]! / seen[0]!).toBeCloseTo(1.1);
    expect(seen[2]! / seen[1]!).toBeCloseTo(1.2);
    expect(seen[4]! / seen[3]!).toBeCloseTo(1.4);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen[seen.length - 1]).toBe(10 * MB);
  });

  test("loss ends the accelerated probing: the next probe starts small again", () => {
    const c = new LossRateController({ ...config, initialRate: 1 * MB });
    const full = () => ({
      sentPackets: 100,
      deliveredPackets: 100,
      deliveredBytes: c.rate / 100,
      intervalMs: 10,
      appLimited: false,
    });
    for (let i = 0; i < 3; i++) c.update(full());
    c.update(sample(100, 50));
    const before = c.rate;
    c.update(full());
    expect(c.rate / before).toBeCloseTo(1.05);
  });

  test("no acceleration while a queue absorbs the probe: loss-free but not carried", () => {
    const c = new LossRateController({ ...config, initialRate: 2 * MB });
    // No loss, yet only 1.9 MB/s gets through of the 2 MB/s sent: a queue is filling.
    for (let i = 0; i < 4; i++) {
      const before = c.rate;
      c.update({
        sentPackets: 100,
        deliveredPackets: 100,
        deliveredBytes: 19_000,
        intervalMs: 10,
        appLimited: false,
      });
      expect(c.rate / before).toBeCloseTo(1.05);
    }
  });

  test("noise below the tolerance counts as no loss", () => {
    const c = new LossRateController({ ...config, initialRate: 1 * MB });
    expect(c.update(sample(100, 99)).action).toBe("increase");
  });

  test("an application-limited interval without loss holds the rate", () => {
    const c = new LossRateController({ ...config, initialRate: 5 * MB });
    const d = c.update(sample(10, 10, true));
    expect(d.action).toBe("hold");
    expect(c.rate).toBe(5 * MB);
  });

  test("an application-limited interval with loss scales the own rate by the delivery ratio", () => {
    const c = new LossRateController({ ...config, initialRate: 5 * MB });
    // Few packets sent, half lost: the delivered rate would undershoot badly.
    c.update(sample(20, 10, true));
    expect(c.rate).toBeCloseTo(5 * MB * 0.5 * 1.05);
  });

  test("silence halves the rate down to the floor", () => {
    const c = new LossRateController({ ...config, minRate: 3 * MB });
    expect(c.onSilence()).toBe(5 * MB);
    expect(c.onSilence()).toBe(3 * MB);
    expect(c.onSilence()).toBe(3 * MB);
  });

  test("the rate never drops below the floor under heavy loss", () => {
    const c = new LossRateController({ ...config, minRate: 0.5 * MB });
    c.update(sample(100, 1));
    expect(c.rate).toBe(0.5 * MB);
  });

  test("configurations that cannot work are refused with the reason", () => {
    expect(() => validateRateControl({ ...config, maxRate: 0 })).toThrow(
      /maxRate must be positive/,
    );
    expect(() => validateRateControl({ ...config, initialRate: 20 * MB })).toThrow(/initialRate/);
    expect(() => validateRateControl({ ...config, probeMargin: 0 })).toThrow(/probeMargin/);
    expect(() => validateRateControl({ ...config, maxProbeStep: 0.01 })).toThrow(/maxProbeStep/);
    // A tolerance at or above the probe's own steady loss would read the probe as no loss.
    expect(() => validateRateControl({ ...config, lossTolerance: 0.05 })).toThrow(/lossTolerance/);
    expect(() => new LossRateController(config).update(sample(0, 0))).toThrow(/packets sent/);
  });
});
