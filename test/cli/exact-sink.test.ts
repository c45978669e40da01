import { runCommand } from "../transport/helpers/cli.js";

describe("netapprox exact-sink", () => {
  test("an idle sink ends and reports no flows", async () => {
    const r = await runCommand(
      "exact-sink",
      "--bind",
      "127.0.0.1:0",
      "--idle-timeout",
      "100ms",
      "--summary-only",
    );
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ command: "exact-sink", outcome: "idle", flowsCompleted: 0 });
    expect(r.json!.flows).toBeUndefined();
  });

  test("--flows must be positive", async () => {
    const r = await runCommand("exact-sink", "--bind", ":1", "--flows", "0");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--flows: 0 is outside \[1, 1000000\]/);
  });
});
