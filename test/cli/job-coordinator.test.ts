import { runCommand } from "../transport/helpers/cli.js";

describe("netapprox job-coordinator", () => {
  test("with no receivers it ends at its timeout and prints the groups, none complete", async () => {
    const r = await runCommand(
      "job-coordinator",
      "--bind",
      "127.0.0.1:0",
      "--job",
      "3",
      "--fraction",
      "0.9",
      "--group",
      "h1:10,h2:20",
      "--timeout",
      "100ms",
    );
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      command: "job-coordinator",
      outcome: "timeout",
      completed: false,
      jobId: 3,
      groups: [
        {
          group: 0,
          completedAtEpochMs: null,
          neededChunks: 27,
          totalChunks: 30,
          transfers: 2,
          receivers: 0,
          senders: [
            { sender: "h1", deliveredChunks: 0, totalChunks: 10, fraction: 0 },
            { sender: "h2", deliveredChunks: 0, totalChunks: 20, fraction: 0 },
          ],
        },
      ],
    });
  });

  test("a bad group is a usage error naming the flag", async () => {
    const r = await runCommand(
      "job-coordinator",
      "--bind",
      ":1",
      "--job",
      "3",
      "--fraction",
      "1",
      "--group",
      "h1",
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--group: 'h1' is not SENDER:CHUNKS/);
  });
});
