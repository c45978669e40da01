// The UDP edges' small helpers: the start-at wait never ends before its instant.
import { epochMs, nowMs, waitUntil } from "@netapprox/transport/udp-socket.js";

describe("waitUntil", () => {
  test("returns at once for no instant or one already past", async () => {
    const before = nowMs();
    await waitUntil(undefined);
    await waitUntil(epochMs(nowMs()) - 1000);
    expect(nowMs() - before).toBeLessThan(50);
  });

  test("never returns before the instant, including fractional ones", async () => {
    // Timers fire by the event loop's cached clock in whole milliseconds; fractional
    // instants a few ms ahead are where a single setTimeout came back early.
    for (let i = 0; i < 40; i += 1) {
      const at = epochMs(nowMs()) + 1 + (i % 7) + 0.37 * (i % 3);
      await waitUntil(at);
      expect(epochMs(nowMs())).toBeGreaterThanOrEqual(at);
    }
  });
});
