import net from "node:net";
import { runCommand, runCommands } from "../transport/helpers/cli.js";

describe("netapprox exact-gen / exact-sink", () => {
  test("flows run between the commands; --summary-only drops the per-flow lists", async () => {
    const s = net.createServer();
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", () => resolve()));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    const [sink, gen] = await runCommands([
      ["exact-sink", "--bind", `127.0.0.1:${port}`, "--flows", "10"],
      [
        "exact-gen",
        "--to",
        `127.0.0.1:${port}`,
        "--dist",
        "datamining",
        "--scale",
        "0.001",
        "--load",
        "0.3",
        "--capacity",
        "100M",
        "--flows",
        "10",
        "--seed",
        "4",
        "--summary-only",
      ],
    ]);
    expect(gen!.code).toBe(0);
    expect(gen!.json).toMatchObject({
      command: "exact-gen",
      distribution: "datamining",
      flowsPlanned: 10,
      flowsCompleted: 10,
    });
    expect(gen!.json!.flows).toBeUndefined();
    expect((gen!.json!.fctMs as { count: number }).count).toBe(10);
    expect(sink!.json).toMatchObject({
      command: "exact-sink",
      outcome: "flows",
      flowsCompleted: 10,
    });
    expect(Array.isArray(sink!.json!.flows)).toBe(true);
  });

  test("a distribution must be known and a stop condition given", async () => {
    const base = ["exact-gen", "--to", "h:1", "--load", "0.5", "--capacity", "10M"];
    expect((await runCommand(...base, "--dist", "video", "--flows", "3")).err).toMatch(
      /--dist: unknown size distribution 'video'/,
    );
    expect((await runCommand(...base, "--dist", "websearch")).err).toMatch(
      /give --flows or --duration/,
    );
  });
});
