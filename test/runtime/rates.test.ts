import { rateBetween, ratesBetween } from "@netapprox/controller/runtime/rates.js";

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
});
