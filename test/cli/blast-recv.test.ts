import { runCommand } from "../transport/helpers/cli.js";

describe("netapprox blast-recv", () => {
  test("requires a bind address and a job", async () => {
    const r = await runCommand("blast-recv", "--job", "1");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--bind is required/);
    const s = await runCommand("blast-recv", "--bind", "nohostport", "--job", "1");
    expect(s.err).toMatch(/--bind: 'nohostport' is not host:port/);
  });
});
