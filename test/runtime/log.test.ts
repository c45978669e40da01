import { createLogger } from "@netapprox/controller/runtime/log.js";

describe("structured logs", () => {
  const now = () => new Date("2026-01-02T03:04:05.000Z");

  it("writes one JSON object per line with inherited fields, bigints as strings", () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), now }).child({ switch: "s1" });
    log.info("pipeline pushed", { cookie: 5n, entries: 3 });
    expect(JSON.parse(lines[0]!)).toEqual({
      time: "2026-01-02T03:04:05.000Z",
      level: "info",
      msg: "pipeline pushed",
      switch: "s1",
      cookie: "5",
      entries: 3,
    });
  });

  it("filters by level and can write text", () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), now, level: "warn", format: "text" });
    log.info("hidden");
    log.warn("write failed", { switch: "s2", error: new Error("boom") });
    expect(lines).toEqual(['2026-01-02T03:04:05.000Z WARN  write failed switch=s2 error="boom"']);
  });
});
