import { freeUdpPort, runCommand, runCommands } from "../transport/helpers/cli.js";

describe("netapprox approx-send / approx-recv", () => {
  test("a job runs between the two commands and both print one JSON result", async () => {
    const [data, control] = [await freeUdpPort(), await freeUdpPort()];
    const [recv, send] = await runCommands([
      [
        "approx-recv",
        "--bind",
        `127.0.0.1:${data}`,
        "--control-port",
        String(control),
        "--job",
        "3",
        "--timeout",
        "10s",
      ],
      [
        "approx-send",
        "--to",
        `127.0.0.1:${data}`,
        "--control-port",
        String(control),
        "--job",
        "3",
        "--chunks",
        "300",
        "--chunk-size",
        "1000",
        "--fraction",
        "0.8",
        "--rate",
        "50M",
      ],
    ]);
    expect(send!.code).toBe(0);
    expect(recv!.code).toBe(0);
    expect(send!.json).toMatchObject({
      command: "approx-send",
      outcome: "done",
      completed: true,
      jobId: 3,
      totalChunks: 300,
      neededChunks: 240,
      totalBytes: 300_000,
    });
    expect(typeof send!.json!.jctMs).toBe("number");
    expect(send!.json!.rate).toMatchObject({ initialMbps: 50 });
    expect(recv!.json).toMatchObject({
      command: "approx-recv",
      outcome: "done",
      jobId: 3,
      totalChunks: 300,
    });
    expect(recv!.json!.uniqueChunks as number).toBeGreaterThanOrEqual(240);
  });

  test("bad flags are usage errors that name the flag", async () => {
    const job = ["--job", "1", "--chunks", "10"];
    const send = (...flags: string[]) => runCommand("approx-send", "--to", "h:1", ...job, ...flags);
    const missing = await runCommand("approx-send", ...job, "--fraction", "0.5");
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--to is required/);
    const both = await send("--bytes", "5k", "--fraction", "1");
    expect(both.err).toMatch(/exactly one of --bytes and --chunks/);
    const fraction = await send("--fraction", "1.5");
    expect(fraction.err).toMatch(/--fraction: 1.5 is outside \(0, 1\]/);
    const rate = await send("--fraction", "1", "--rate", "warp");
    expect(rate.err).toMatch(/--rate: 'warp' is not a rate/);
    expect(rate.json).toBeNull();
  });
});
