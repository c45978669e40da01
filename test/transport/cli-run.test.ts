import { jest } from "@jest/globals";
import {
  buildOrUsage,
  runToCompletion,
  runUntilDone,
  withoutFlows,
} from "@netapprox/transport/cli-run.js";

class Usage extends Error {}
class Runtime extends Error {}
const errors = { usage: (m: string) => new Usage(m), runtime: (m: string) => new Runtime(m) };

async function captured(fn: () => Promise<number>): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const log = jest
    .spyOn(console, "log")
    .mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  try {
    return { code: await fn(), lines };
  } finally {
    log.mockRestore();
  }
}

describe("running host programs", () => {
  test("a RangeError while building options becomes a usage error; others pass through", () => {
    expect(() =>
      buildOrUsage(() => {
        throw new RangeError("--x: bad");
      }, errors),
    ).toThrow(Usage);
    expect(() =>
      buildOrUsage(() => {
        throw new TypeError("bug");
      }, errors),
    ).toThrow(TypeError);
    expect(buildOrUsage(() => 5, errors)).toBe(5);
  });

  test("a finished run prints one JSON line; socket errors become run-time errors", async () => {
    const ok = await captured(() => runToCompletion("demo", {}, async () => ({ n: 1 }), errors));
    expect(ok).toEqual({ code: 0, lines: ['{"command":"demo","n":1}'] });
    const inUse = Object.assign(new Error("bind EADDRINUSE"), { code: "EADDRINUSE" });
    await expect(runToCompletion("demo", {}, () => Promise.reject(inUse), errors)).rejects.toThrow(
      Runtime,
    );
    await expect(
      runToCompletion("demo", {}, () => Promise.reject(new RangeError("r")), errors),
    ).rejects.toThrow(Usage);
  });

  test("a server stops on SIGINT and still prints its result", async () => {
    const listenersBefore = process.listenerCount("SIGINT");
    let stop!: () => void;
    const result = new Promise<{ stopped: boolean }>(
      (resolve) => (stop = () => resolve({ stopped: true })),
    );
    const running = captured(() => runUntilDone("srv", {}, async () => ({ result, stop }), errors));
    await new Promise((r) => setTimeout(r, 10));
    process.emit("SIGINT");
    const { code, lines } = await running;
    expect(code).toBe(0);
    expect(lines).toEqual(['{"command":"srv","stopped":true}']);
    expect(process.listenerCount("SIGINT")).toBe(listenersBefore);
  });

  test("--summary-only drops the per-flow list", () => {
    expect(withoutFlows({ a: 1, flows: [1, 2] })).toEqual({ a: 1 });
  });
});
