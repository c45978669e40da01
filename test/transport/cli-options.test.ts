import {
  approxRecvOptions,
  approxSendOptions,
  blastRecvOptions,
  blastSendOptions,
  exactGenOptions,
  exactSinkOptions,
  jobCoordinatorOptions,
  markingPorts,
  resultJson,
  socketErrorMessage,
  tcpRecvOptions,
  tcpSendOptions,
} from "@netapprox/transport/cli-options.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { senderConfig } from "@netapprox/transport/approx-sender.js";
import { DEFAULT_SENDER_TIMING } from "@netapprox/transport/approx-sender-core.js";
import { DEFAULT_RATE_CONTROL } from "@netapprox/transport/rate-control.js";

describe("host program flags", () => {
  test("approx-send: sizes, rates and timings become transport options", () => {
    const o = approxSendOptions({
      to: "10.0.0.2:5000",
      job: "7",
      chunks: "1000",
      "chunk-size": "1k",
      fraction: "0.9",
      rate: "10M",
      "min-rate": "500k",
      probe: "0.1",
      timeout: "30s",
      "control-port": "6000",
    });
    expect(o).toMatchObject({
      to: { host: "10.0.0.2", port: 5000 },
      jobId: 7,
      chunkSize: 1000,
      totalBytes: 1_000_000,
      fraction: 0.9,
      rateBitsPerSec: 10e6,
      minRateBitsPerSec: 500e3,
      probeMargin: 0.1,
      controlPort: 6000,
      timing: { timeoutMs: 30_000 },
    });
    // The loss tolerance follows the probe so the pair stays valid.
    expect(o.lossTolerance!).toBeLessThan(0.1 / 1.1);
    expect(approxSendOptions({ to: "h:1", job: "1", bytes: "10M", fraction: "1" })).toMatchObject({
      totalBytes: 10_000_000,
      chunkSize: 1200,
      rateBitsPerSec: 100e6,
    });
  });

  test("approx-send: --memory and --max-passes reach the rate control and the passes", () => {
    const base = { to: "h:1", job: "1", chunks: "10", fraction: "0.5" };
    const o = approxSendOptions({ ...base, memory: "2s", "max-passes": "4", timeout: "30s" });
    expect(o).toMatchObject({ memoryMs: 2000, timing: { timeoutMs: 30_000, maxPasses: 4 } });
    const config = senderConfig(o);
    expect(config.rate.memoryMs).toBe(2000);
    expect(config.maxPasses).toBe(4);
    expect(config.timeoutMs).toBe(30_000);
    // Either alone, and neither: the defaults stay.
    expect(approxSendOptions({ ...base, "max-passes": "1" }).timing).toEqual({ maxPasses: 1 });
    expect(approxSendOptions({ ...base, memory: "250ms" }).memoryMs).toBe(250);
    const plain = approxSendOptions(base);
    expect(plain.timing).toBeUndefined();
    expect(plain.memoryMs).toBeUndefined();
    expect(senderConfig(plain).maxPasses).toBe(DEFAULT_SENDER_TIMING.maxPasses);
    expect(senderConfig(plain).rate.memoryMs).toBe(DEFAULT_RATE_CONTROL.memoryMs);
  });

  test("receivers: feedback on for approx-recv, off for blast-recv", () => {
    expect(
      approxRecvOptions({
        bind: ":5000",
        job: "1",
        "feedback-interval": "2ms",
        "window-bits": "512",
      }),
    ).toEqual({
      bind: { host: "0.0.0.0", port: 5000 },
      jobId: 1,
      feedback: true,
      timing: { feedbackIntervalMs: 2, maxWindowBits: 512 },
    });
    expect(
      blastRecvOptions({ bind: ":5000", job: "1", drain: "1s", "control-port": "5555" }),
    ).toEqual({
      bind: { host: "0.0.0.0", port: 5000 },
      jobId: 1,
      controlPort: 5555,
      feedback: false,
      timing: { drainMs: 1000 },
    });
  });

  test("blast-send, tcp-send, tcp-recv", () => {
    expect(
      blastSendOptions({ to: "h:1", job: "2", chunks: "5", fraction: "0.5", drain: "50ms" }),
    ).toMatchObject({
      totalBytes: 6000,
      drainMs: 50,
      rateBitsPerSec: 100e6,
    });
    expect(
      tcpSendOptions({ to: "h:1", job: "2", chunks: "5", fraction: "0.5", mode: "receiver-drop" }),
    ).toMatchObject({
      mode: "receiver-drop",
      seed: 1,
    });
    expect(tcpRecvOptions({ bind: ":9", linger: "1s" })).toEqual({
      bind: { host: "0.0.0.0", port: 9 },
      lingerMs: 1000,
    });
  });

  test("exact-gen: several sinks, a scaled distribution and a load", () => {
    const o = exactGenOptions({
      to: ["10.0.0.3:7000,10.0.0.4:7000", "10.0.0.5:7000"],
      dist: "websearch",
      scale: "0.1",
      "max-size": "1M",
      load: "0.4",
      capacity: "10M",
      duration: "5s",
      seed: "3",
    });
    expect(o.destinations.map((d) => d.host)).toEqual(["10.0.0.3", "10.0.0.4", "10.0.0.5"]);
    expect(o.distribution.quantile(1)).toBe(1_000_000);
    expect(o).toMatchObject({
      load: 0.4,
      capacityBitsPerSec: 10e6,
      durationMs: 5000,
      seed: 3,
      firstId: 0,
    });
    expect(exactSinkOptions({ bind: ":7000", flows: "100" })).toEqual({
      bind: { host: "0.0.0.0", port: 7000 },
      flows: 100,
    });
  });

  test("marking ports: DATA or DATA/CONTROL, comma lists too", () => {
    expect(markingPorts({ port: ["5000,5002/6002"] })).toEqual([
      { dataPort: 5000, controlPort: 5001 },
      { dataPort: 5002, controlPort: 6002 },
    ]);
    expect(() => markingPorts({ port: ["1/2/3"] })).toThrow(/not DATA or DATA\/CONTROL/);
    expect(() => markingPorts({})).toThrow(/--port is required/);
  });

  test("every mistake names its flag", () => {
    const send = { to: "h:1", job: "1", chunks: "10", fraction: "0.5" };
    expect(() => approxSendOptions({ ...send, job: "-1" })).toThrow(
      /--job: '-1' is not a whole number/,
    );
    expect(() => approxSendOptions({ ...send, job: "4294967296" })).toThrow(
      /--job: 4294967296 is outside/,
    );
    expect(() => approxSendOptions({ ...send, fraction: "0" })).toThrow(
      /--fraction: 0 is outside \(0, 1\]/,
    );
    expect(() => approxSendOptions({ ...send, probe: "0.9" })).toThrow(/--probe/);
    expect(() => approxSendOptions({ ...send, "chunk-size": "big" })).toThrow(
      /--chunk-size: 'big' is not a size/,
    );
    expect(() => approxSendOptions({ ...send, timeout: "later" })).toThrow(/--timeout: 'later'/);
    expect(() => approxSendOptions({ ...send, memory: "soon" })).toThrow(
      /--memory: 'soon' is not a duration/,
    );
    expect(() => approxSendOptions({ ...send, "max-passes": "0" })).toThrow(
      /--max-passes: 0 is outside \[1, 1000\]/,
    );
    expect(() => approxSendOptions({ ...send, "max-passes": "two" })).toThrow(
      /--max-passes: 'two' is not a whole number/,
    );
    expect(() => approxSendOptions({ ...send, "control-port": "70000" })).toThrow(
      /--control-port: 70000/,
    );
    expect(() => approxSendOptions({ ...send, to: true })).toThrow(/--to takes a value/);
    expect(() =>
      exactGenOptions({ dist: "websearch", load: "1", capacity: "1M", flows: "1" }),
    ).toThrow(/--to is required/);
    expect(() =>
      exactGenOptions({ to: "h:1", dist: "websearch", load: "0", capacity: "1M", flows: "1" }),
    ).toThrow(/--load: 0 is outside/);
  });

  test("approx-send: --start-rate starts below --rate, which stays the maximum", () => {
    const send = { to: "h:1", job: "1", chunks: "10", fraction: "0.5", rate: "10M" };
    const c = senderConfig(approxSendOptions({ ...send, "start-rate": "1M" }));
    expect(c.rate.initialRate).toBe(125_000);
    expect(c.rate.maxRate).toBe(1_250_000);
    expect(senderConfig(approxSendOptions(send)).rate.initialRate).toBe(1_250_000);
    expect(senderConfig(approxSendOptions({ ...send, "start-rate": "20M" })).rate.initialRate).toBe(
      1_250_000,
    );
  });

  test("senders started ahead begin at --start-at (ms since the epoch)", () => {
    const send = { to: "h:1", job: "1", chunks: "10", fraction: "0.5" };
    expect(approxSendOptions({ ...send, "start-at": "1700000000123" }).startAtEpochMs).toBe(
      1700000000123,
    );
    expect(blastSendOptions({ ...send, "start-at": "5" }).startAtEpochMs).toBe(5);
    expect(tcpSendOptions({ ...send, mode: "receiver-drop", "start-at": "7" }).startAtEpochMs).toBe(
      7,
    );
    expect(approxSendOptions(send).startAtEpochMs).toBeUndefined();
    expect(() => approxSendOptions({ ...send, "start-at": "soon" })).toThrow(
      /--start-at: 'soon' is not a number/,
    );
  });

  test("receivers report to a coordinator with --coordinator, --group and --transfer", () => {
    const base = { bind: ":5000", job: "3" };
    expect(
      approxRecvOptions({
        ...base,
        coordinator: "10.0.2.1:21000",
        group: "2",
        transfer: "5",
        "report-interval": "10ms",
      }).report,
    ).toEqual({
      coordinator: { host: "10.0.2.1", port: 21000 },
      group: 2,
      transfer: 5,
      intervalMs: 10,
    });
    expect(approxRecvOptions(base).report).toBeUndefined();
    expect(
      tcpRecvOptions({ ...base, coordinator: "h9:1", group: "0", transfer: "0" }).report,
    ).toMatchObject({ coordinator: { host: "h9", port: 1 }, group: 0, transfer: 0 });
    expect(() => approxRecvOptions({ ...base, group: "1" })).toThrow(/--group needs --coordinator/);
    expect(() => approxRecvOptions({ ...base, coordinator: "h:1", transfer: "0" })).toThrow(
      /--group is required/,
    );
    expect(() =>
      approxRecvOptions({ ...base, coordinator: ":1", group: "0", transfer: "0" }),
    ).toThrow(/--coordinator: give the coordinator's address/);
    expect(() =>
      tcpRecvOptions({ bind: ":1", coordinator: "h:1", group: "0", transfer: "0" }),
    ).toThrow(/--coordinator needs --job/);
    expect(() =>
      approxRecvOptions({ ...base, coordinator: "h:1", group: "70000", transfer: "0" }),
    ).toThrow(/--group: 70000 is outside/);
  });

  test("job-coordinator: the job from flags or from a spec file, with clear errors", () => {
    const o = jobCoordinatorOptions({
      bind: ":21000",
      job: "4",
      fraction: "0.9",
      "min-sender-fraction": "0.2",
      group: ["h1:100,h2:50", "h1:10"],
      retry: "30ms",
      attempts: "7",
    });
    expect(o).toEqual({
      bind: { host: "0.0.0.0", port: 21000 },
      spec: {
        jobId: 4,
        fraction: 0.9,
        minSenderFraction: 0.2,
        groups: [
          [
            { sender: "h1", totalChunks: 100 },
            { sender: "h2", totalChunks: 50 },
          ],
          [{ sender: "h1", totalChunks: 10 }],
        ],
      },
      retryMs: 30,
      attempts: 7,
    });
    expect(() => jobCoordinatorOptions({ bind: ":1", job: "1", fraction: "1" })).toThrow(
      /--spec FILE or one --group/,
    );
    expect(() =>
      jobCoordinatorOptions({ bind: ":1", job: "1", fraction: "1", group: ["h1=3"] }),
    ).toThrow(/--group: 'h1=3' is not SENDER:CHUNKS/);
    expect(() =>
      jobCoordinatorOptions({ bind: ":1", job: "1", fraction: "1", group: ["h1:0"] }),
    ).toThrow(/groups\[0\]\[0\]\.totalChunks: expected a positive integer, got 0/);

    const dir = mkdtempSync(join(tmpdir(), "netapprox-spec-"));
    try {
      const file = join(dir, "job.json");
      writeFileSync(
        file,
        JSON.stringify({ jobId: 9, fraction: 0.5, groups: [[{ sender: "h3", totalChunks: 8 }]] }),
      );
      expect(jobCoordinatorOptions({ bind: ":1", spec: file }).spec).toEqual({
        jobId: 9,
        fraction: 0.5,
        minSenderFraction: 0,
        groups: [[{ sender: "h3", totalChunks: 8 }]],
      });
      expect(() => jobCoordinatorOptions({ bind: ":1", spec: file, job: "1" })).toThrow(
        /--job and --spec exclude each other/,
      );
      writeFileSync(file, JSON.stringify({ jobId: 9, fraction: 2, groups: [] }));
      expect(() => jobCoordinatorOptions({ bind: ":1", spec: file })).toThrow(
        new RegExp(`${file}: fraction: expected a number in \\(0, 1\\], got 2`),
      );
      writeFileSync(file, "{");
      expect(() => jobCoordinatorOptions({ bind: ":1", spec: file })).toThrow(/not JSON/);
      expect(() => jobCoordinatorOptions({ bind: ":1", spec: join(dir, "none.json") })).toThrow(
        /cannot read the job spec/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("results are one JSON line tagged with the command", () => {
    expect(resultJson("x", { a: 1 }, false)).toBe('{"command":"x","a":1}');
    expect(resultJson("x", { a: 1 }, true).split("\n").length).toBe(4);
  });

  test("socket errors a user can fix get a plain message", () => {
    const err = Object.assign(new Error("bind EADDRINUSE 0.0.0.0:5000"), { code: "EADDRINUSE" });
    expect(socketErrorMessage(err)).toBe("address already in use: bind EADDRINUSE 0.0.0.0:5000");
    expect(socketErrorMessage(new Error("boom"))).toBeNull();
  });
});
