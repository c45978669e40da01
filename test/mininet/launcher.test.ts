import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  MininetNetwork,
  NetworkError,
  describeEvent,
  parseLauncherEvent,
  type LauncherEvent,
} from "@netapprox/lab/mininet/launcher.js";

const FAKE = join(import.meta.dirname, "fixtures", "fake-launcher.mjs");

describe("launcher events", () => {
  test("JSON lines with a known event are events; anything else is not", () => {
    expect(parseLauncherEvent('{"time": 1, "event": "down", "leftovers": []}')).toEqual({
      time: 1,
      event: "down",
      leftovers: [],
    });
    expect(parseLauncherEvent('{"event": "unheard-of"}')).toBeUndefined();
    expect(parseLauncherEvent("*** Creating network")).toBeUndefined();
    expect(parseLauncherEvent("{not json")).toBeUndefined();
    expect(parseLauncherEvent("[1]")).toBeUndefined();
  });

  test("failures are described with the switch's log tail", () => {
    const died: LauncherEvent = {
      event: "switch-died",
      switch: "s2",
      exitCode: 134,
      logTail: ["a", "b"],
    };
    expect(describeEvent(died)).toBe("switch s2 died (exit 134):\n  a\n  b");
    expect(describeEvent({ event: "down", leftovers: ["interface s1-eth1"] })).toMatch(
      /LEFT BEHIND: interface s1-eth1/,
    );
    expect(describeEvent({ event: "stopping", reason: "x" })).toBeUndefined();
  });
});

describe("the launcher process (a stand-in that prints the same events)", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "netapprox-launcher-test-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const start = (mode: string, readyTimeout = 10) => {
    const planFile = join(dir, "plan.json");
    writeFileSync(planFile, JSON.stringify({ mode }));
    const events: string[] = [];
    const started = MininetNetwork.start({
      python: process.execPath,
      script: FAKE,
      planFile,
      runDir: dir,
      readyTimeout,
      onEvent: (e) => events.push(e.event),
    });
    return { started, events };
  };

  test("ready: hosts are known; ending stdin tears down and reports what was left", async () => {
    const { started, events } = start("ready");
    const network = await started;
    expect(network.ready.hosts.h1!.pid).toBe(11);
    expect(() => network.spawnOnHost("h9", ["true"])).toThrow(/no host h9/);
    expect(await network.stop()).toBe(0);
    expect(network.leftovers).toEqual([]);
    expect(events).toEqual(["built", "ready", "stopping", "down"]);
    expect(readFileSync(join(dir, "launcher.txt"), "utf8")).toMatch(/fake launcher: starting/);
  });

  test("leftovers after teardown are reported", async () => {
    const network = await start("leak").started;
    expect(await network.stop()).toBe(1);
    expect(network.leftovers).toEqual(["interface s1-eth1"]);
  });

  test("a launcher that fails before ready rejects with its message", async () => {
    const { started } = start("fail");
    await expect(started).rejects.toThrow(NetworkError);
    await expect(start("fail").started).rejects.toThrow(/127\.0\.0\.1:50001 not listening/);
  });

  test("a launcher that never gets ready is stopped after the timeout", async () => {
    await expect(start("silent", 0.5).started).rejects.toThrow(/did not come up within 0.5 s/);
  });

  test("a switch that dies after ready is a failure listeners hear about", async () => {
    const network = await start("die").started;
    const message = await new Promise<string>((resolve) => network.onFailure(resolve));
    expect(message).toMatch(/switch s1 died \(exit 134\)/);
    expect(network.failure).toBe(message);
    await network.stop();
  });
});
