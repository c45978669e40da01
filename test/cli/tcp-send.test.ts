import net from "node:net";
import { runCommand, runCommands } from "../transport/helpers/cli.js";

async function freeTcpPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", () => resolve()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe("netapprox tcp-send / tcp-recv", () => {
  for (const mode of ["sender-sampling", "receiver-drop"]) {
    test(`${mode}: both ends report the job`, async () => {
      const port = await freeTcpPort();
      const [recv, send] = await runCommands([
        ["tcp-recv", "--bind", `127.0.0.1:${port}`, "--job", "5", "--timeout", "10s"],
        [
          "tcp-send",
          "--to",
          `127.0.0.1:${port}`,
          "--job",
          "5",
          "--chunks",
          "200",
          "--chunk-size",
          "500",
          "--fraction",
          "0.5",
          "--mode",
          mode,
        ],
      ]);
      expect(send!.json).toMatchObject({
        command: "tcp-send",
        mode,
        outcome: "done",
        deliveredChunks: 100,
      });
      expect(send!.json!.chunksToSend).toBe(mode === "sender-sampling" ? 100 : 200);
      expect(recv!.json).toMatchObject({
        command: "tcp-recv",
        mode,
        outcome: "done",
        uniqueChunks: 100,
      });
    });
  }

  test("the mode is required and checked", async () => {
    const r = await runCommand(
      "tcp-send",
      "--to",
      "h:1",
      "--job",
      "1",
      "--chunks",
      "5",
      "--fraction",
      "1",
      "--mode",
      "udp",
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--mode: 'udp' is not one of sender-sampling, receiver-drop/);
  });
});
