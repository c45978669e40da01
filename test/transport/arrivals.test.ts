import { planFlows, sizeClass } from "@netapprox/transport/arrivals.js";
import { FixedSize, WEB_SEARCH } from "@netapprox/transport/size-distributions.js";

describe("exact flow plans", () => {
  test("the arrival rate offers the target load of the capacity", () => {
    const plan = planFlows({
      distribution: new FixedSize(125_000), // 1 Mbit per flow
      load: 0.6,
      capacityBitsPerSec: 100e6,
      flows: 20_000,
      destinations: 1,
      seed: 1,
    });
    expect(plan.arrivalsPerSec).toBeCloseTo(60); // 60 Mbit/s of 1 Mbit flows
    const last = plan.flows[plan.flows.length - 1]!;
    const offered = (plan.flows.length * 125_000 * 8) / (last.startMs / 1000) / 100e6;
    expect(Math.abs(offered - 0.6)).toBeLessThan(0.02);
  });

  test("gaps are exponential: mean 1/rate and coefficient of variation 1", () => {
    const plan = planFlows({
      distribution: WEB_SEARCH,
      load: 0.5,
      capacityBitsPerSec: 1e9,
      flows: 20_000,
      destinations: 1,
      seed: 77,
    });
    const gaps = plan.flows.map((f, i) => f.startMs - (i === 0 ? 0 : plan.flows[i - 1]!.startMs));
    const m = gaps.reduce((s, g) => s + g, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((s, g) => s + (g - m) ** 2, 0) / gaps.length);
    expect(Math.abs(m / (1000 / plan.arrivalsPerSec) - 1)).toBeLessThan(0.03);
    expect(Math.abs(sd / m - 1)).toBeLessThan(0.05);
  });

  test("a plan is reproducible from its seed; destinations do not change sizes or times", () => {
    const req = {
      distribution: WEB_SEARCH,
      load: 0.3,
      capacityBitsPerSec: 10e6,
      flows: 50,
      seed: 5,
    };
    const a = planFlows({ ...req, destinations: 1 });
    const b = planFlows({ ...req, destinations: 1 });
    const c = planFlows({ ...req, destinations: 4 });
    expect(b).toEqual(a);
    expect(c.flows.map((f) => [f.startMs, f.sizeBytes])).toEqual(
      a.flows.map((f) => [f.startMs, f.sizeBytes]),
    );
    const used = new Set(c.flows.map((f) => f.destination));
    expect(used.size).toBe(4);
    expect(planFlows({ ...req, destinations: 1, seed: 6 }).flows).not.toEqual(a.flows);
  });

  test("a duration ends the plan at the first arrival beyond it; ids start at firstId", () => {
    const plan = planFlows({
      distribution: new FixedSize(1000),
      load: 0.8,
      capacityBitsPerSec: 8e6, // 800 flows per second
      durationMs: 500,
      destinations: 1,
      seed: 3,
      firstId: 1000,
    });
    expect(plan.flows.length).toBeGreaterThan(340);
    expect(plan.flows.length).toBeLessThan(460);
    expect(plan.flows.every((f) => f.startMs < 500)).toBe(true);
    expect(plan.flows[0]!.id).toBe(1000);
  });

  test("bad requests are refused", () => {
    const base = {
      distribution: WEB_SEARCH,
      load: 0.5,
      capacityBitsPerSec: 1e6,
      destinations: 1,
      seed: 1,
    };
    expect(() => planFlows(base)).toThrow(/number of flows or a duration/);
    expect(() => planFlows({ ...base, flows: 1, load: 0 })).toThrow(/load/);
    expect(() => planFlows({ ...base, flows: 1, destinations: 0 })).toThrow(/destination/);
  });

  test("size classes follow the usual FCT breakdown", () => {
    expect(sizeClass(99_999)).toBe("small");
    expect(sizeClass(100_000)).toBe("medium");
    expect(sizeClass(10_000_000)).toBe("large");
  });
});
