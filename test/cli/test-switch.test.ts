// `netapprox test-switch`: device ids that match the shipped topologies.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/events.js";

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Runs test-switch until its switches listen (it then waits for SIGINT), then stops it. */
async function serve(...args: string[]): Promise<{ lines: unknown[]; code: number; err: string }> {
  const before = process.listenerCount("SIGINT");
  let finished = false;
  const running = cli("test-switch", ...args).finally(() => (finished = true));
  await eventually(
    () => finished || process.listenerCount("SIGINT") > before,
    10_000,
    "test switches listening",
  );
  if (!finished) process.emit("SIGINT");
  const o = await running;
  const lines = o.out
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);
  return { lines, code: o.code, err: o.err };
}

describe("netapprox test-switch", () => {
  it("gives each of --count switches its own device id, counting up from --device-id", async () => {
    const { lines, code } = await serve("--count", "3");
    expect(code).toBe(0);
    expect(lines.map((l) => (l as { deviceId: number }).deviceId)).toEqual([1, 2, 3]);
  });

  it("serves a topology's switches at their addresses with their device ids", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netapprox-ts-"));
    const file = join(dir, "dumbbell.yaml");
    // The shipped dumbbell with free ports instead of 50001 and 50002.
    const [p1, p2] = [await freePort(), await freePort()];
    writeFileSync(
      file,
      readFileSync("topologies/dumbbell.yaml", "utf8")
        .replace("127.0.0.1:50001", `127.0.0.1:${p1}`)
        .replace("127.0.0.1:50002", `127.0.0.1:${p2}`),
    );
    const { lines, code, err } = await serve("--topology", file);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(lines).toEqual([
      expect.objectContaining({ switch: 0, name: "s1", deviceId: 1 }),
      expect.objectContaining({ switch: 1, name: "s2", deviceId: 2 }),
    ]);
  });

  it("refuses --count with --topology", async () => {
    const r = await cli("test-switch", "--topology", "topologies/dumbbell.yaml", "--count", "2");
    expect(r.err).toBe(
      "netapprox test-switch: --topology and --count exclude each other (the topology says how many)",
    );
  });
});
