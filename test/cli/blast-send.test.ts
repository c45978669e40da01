import { freeUdpPort, runCommands } from "../transport/helpers/cli.js";

describe("netapprox blast-send / blast-recv", () => {
  test("a blast job reports sending time plus drain, and the receiver the delivered fraction", async () => {
    const [data, control] = [await freeUdpPort(), await freeUdpPort()];
    const [recv, send] = await runCommands([
      [
        "blast-recv",
        "--bind",
        `127.0.0.1:${data}`,
        "--control-port",
        String(control),
        "--job",
        "4",
        "--drain",
        "100ms",
      ],
      [
        "blast-send",
        "--to",
        `127.0.0.1:${data}`,
        "--control-port",
        String(control),
        "--job",
        "4",
        "--bytes",
        "100k",
        "--chunk-size",
        "1000",
        "--fraction",
        "0.9",
        "--rate",
        "40M",
        "--drain",
        "100ms",
      ],
    ]);
    expect(send!.code).toBe(0);
    expect(send!.json).toMatchObject({
      command: "blast-send",
      jobId: 4,
      totalChunks: 100,
      datagramsSent: 100,
      drainMs: 100,
    });
    expect(send!.json!.jctMs as number).toBeCloseTo((send!.json!.sendDurationMs as number) + 100);
    expect(recv!.json).toMatchObject({
      command: "blast-recv",
      outcome: "ended",
      uniqueChunks: 100,
      deliveredFraction: 1,
    });
  });
});
