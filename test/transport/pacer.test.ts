import { Pacer } from "@netapprox/transport/pacer.js";

/** Sends 1000-byte datagrams as fast as the pacer allows, polling every `stepMs`. */
function sendFor(p: Pacer, fromMs: number, toMs: number, stepMs: number): number {
  let bytes = 0;
  for (let t = fromMs; t < toMs; t += stepMs) {
    while (p.canSend(t)) {
      p.consume(1000, t);
      bytes += 1000;
    }
  }
  return bytes;
}

describe("pacer", () => {
  test("holds the rate whether polled often or rarely", () => {
    for (const step of [0.1, 1, 2]) {
      const p = new Pacer(1_000_000, 0, 2, 2000); // 1 MB/s
      const bytes = sendFor(p, 0, 1000, step);
      expect(bytes).toBeGreaterThan(0.99e6);
      expect(bytes).toBeLessThan(1.01e6 + 3000);
    }
  });

  test("does not save up more than its burst while idle", () => {
    const p = new Pacer(1_000_000, 0, 2, 2000);
    p.consume(1000, 0);
    // Idle for a second: at most the 2 ms burst (2000 bytes) plus one datagram of debt.
    expect(sendFor(p, 1000, 1000.001, 1)).toBeLessThanOrEqual(3000);
  });

  test("says when the next datagram may go", () => {
    const p = new Pacer(1_000_000, 0, 2, 2000);
    p.consume(3000, 0); // 3 ms of debt at 1 MB/s
    expect(p.canSend(1)).toBe(false);
    expect(p.nextSendMs(1)).toBeCloseTo(3);
    expect(p.canSend(3)).toBe(true);
  });

  test("a new rate applies from the moment it is set", () => {
    const p = new Pacer(1_000_000, 0, 2, 2000);
    const first = sendFor(p, 0, 500, 1);
    p.setRate(4_000_000, 500);
    const second = sendFor(p, 500, 1000, 1);
    expect(second / first).toBeGreaterThan(3.8);
    expect(second / first).toBeLessThan(4.2);
    expect(() => p.setRate(0, 1000)).toThrow(/positive/);
  });
});
