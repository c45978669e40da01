import { runCommand } from "../transport/helpers/cli.js";
import { freeUdpPort } from "../transport/helpers/cli.js";
import dgram from "node:dgram";

describe("netapprox approx-recv", () => {
  test("an address in use is a one-line error, not a stack trace", async () => {
    const busy = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => busy.bind(0, "127.0.0.1", () => resolve()));
    const port = busy.address().port;
    try {
      const r = await runCommand("approx-recv", "--bind", `127.0.0.1:${port}`, "--job", "1");
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/approx-recv: address already in use/);
      expect(r.err).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });

  test("with nothing arriving it ends at its timeout and reports an empty job", async () => {
    const r = await runCommand(
      "approx-recv",
      "--bind",
      `127.0.0.1:${await freeUdpPort()}`,
      "--control-port",
      String(await freeUdpPort()),
      "--job",
      "9",
      "--timeout",
      "150ms",
    );
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      command: "approx-recv",
      outcome: "timeout",
      completed: false,
      totalChunks: null,
    });
  });

  test("a job id must be a whole number", async () => {
    const r = await runCommand("approx-recv", "--bind", ":5000", "--job", "x");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--job: 'x' is not a whole number/);
  });
});
