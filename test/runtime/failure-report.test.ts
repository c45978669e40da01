import { FailureReport } from "@netapprox/controller/runtime/failure-report.js";
import { createLogger } from "@netapprox/controller/runtime/log.js";

function setup() {
  const lines: string[] = [];
  let now = 0;
  const log = createLogger({ format: "text", write: (l) => lines.push(l), level: "info" });
  const report = new FailureReport(
    log,
    "queue settings",
    { switch: "s1" },
    {
      intervalMs: 30_000,
      firstRetryMs: 500,
      now: () => now,
    },
  );
  return { lines, report, advance: (ms: number) => (now += ms) };
}

describe("FailureReport", () => {
  it("reports a recurring failure once, then at most once per interval, and its end", () => {
    const { lines, report, advance } = setup();
    for (let i = 0; i < 120; i++) {
      report.failed("cannot reach the Thrift server at 127.0.0.1:9090: ECONNREFUSED");
      advance(500);
    }
    // 60 s of failures every half second: the first report and one per 30 s.
    expect(lines.filter((l) => l.includes("queue settings failed"))).toHaveLength(1);
    expect(lines.filter((l) => l.includes("still failing"))).toHaveLength(1);
    expect(lines.find((l) => l.includes("still failing"))).toContain("failuresSinceLastReport=");
    report.succeeded();
    expect(lines[lines.length - 1]).toContain("queue settings works again");
    report.succeeded();
    expect(lines.filter((l) => l.includes("works again"))).toHaveLength(1);
  });

  it("spaces attempts out while failing, doubling up to the interval", () => {
    const { report, advance } = setup();
    expect(report.shouldAttempt()).toBe(true);
    report.failed("x");
    expect(report.shouldAttempt()).toBe(false);
    advance(500);
    expect(report.shouldAttempt()).toBe(true);
    report.failed("x");
    advance(500);
    expect(report.shouldAttempt()).toBe(false);
    advance(500);
    expect(report.shouldAttempt()).toBe(true);
    for (let i = 0; i < 20; i++) report.failed("x");
    advance(29_999);
    expect(report.shouldAttempt()).toBe(false);
    advance(1);
    expect(report.shouldAttempt()).toBe(true);
    report.succeeded();
    expect(report.shouldAttempt()).toBe(true);
    expect(report.failing).toBe(false);
  });
});
