import { runCommand } from "../transport/helpers/cli.js";

describe("netapprox tcp-recv", () => {
  test("with no sender it ends at its timeout and says so", async () => {
    const r = await runCommand("tcp-recv", "--bind", "127.0.0.1:0", "--timeout", "100ms");
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      command: "tcp-recv",
      outcome: "timeout",
      completed: false,
      connections: 0,
    });
  });
});
