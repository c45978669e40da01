import { ewma, movedBeyond } from "@netapprox/model/allocation/smoothing.js";

describe("smoothing", () => {
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
