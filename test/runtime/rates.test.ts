import {
  ewma,
  movedBeyond,
  rateBetween,
  ratesBetween,
} from "../../controller/src/runtime/rates.js";

describe("rates", () => {
  it("divides counter deltas by the interval, in bit/s and packets/s", () => {
    expect(
      rateBetween({ packets: 100n, bytes: 10_000n }, { packets: 300n, bytes: 60_000n }, 2),
    ).toEqual({ pps: 100, bps: 200_000 });
  });

  it("counts from zero after a counter reset and knows nothing without a previous sample", () => {
    expect(
      rateBetween({ packets: 1000n, bytes: 1_000_000n }, { packets: 10n, bytes: 1_000n }, 1),
    ).toEqual({ pps: 10, bps: 8_000 });
    expect(rateBetween(undefined, { packets: 10n, bytes: 1_000n }, 1)).toEqual({ pps: 0, bps: 0 });
    const m = ratesBetween(
      new Map([["a", { packets: 0n, bytes: 0n }]]),
      new Map([
        ["a", { packets: 5n, bytes: 500n }],
        ["b", { packets: 1n, bytes: 1n }],
      ]),
      0.5,
    );
    expect(m.get("a")).toEqual({ pps: 10, bps: 8_000 });
    expect(m.get("b")).toEqual({ pps: 0, bps: 0 });
  });

  it("smooths with an EWMA and lets silent keys decay", () => {
    const first = ewma(new Map(), new Map([["j", 100]]), 0.5);
    expect(first.get("j")).toBe(100);
    const second = ewma(
      first,
      new Map([
        ["j", 0],
        ["k", 10],
      ]),
      0.5,
    );
    expect(second.get("j")).toBe(50);
    expect(ewma(second, new Map(), 0.5).get("k")).toBe(5);
    expect(() => ewma(first, first, 0)).toThrow("EWMA alpha must be in (0, 1]");
  });

  it("applies a relative hysteresis margin", () => {
    expect(movedBeyond(100, 104, 0.05)).toBe(false);
    expect(movedBeyond(100, 106, 0.05)).toBe(true);
    expect(movedBeyond(100, 94, 0.05)).toBe(true);
    expect(movedBeyond(0, 1, 0.5)).toBe(true);
    expect(movedBeyond(7, 7, 0)).toBe(false);
  });
});
