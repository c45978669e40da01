import net from "node:net";
import { runExactGenerator, startExactSink } from "@netapprox/transport/exact-traffic.js";
import { FixedSize, WEB_SEARCH } from "@netapprox/transport/size-distributions.js";

const LOOPBACK = "127.0.0.1";

describe("exact traffic generator and sink", () => {
  test("every planned flow completes and both ends agree on the sizes", async () => {
    const sink = await startExactSink({ bind: { host: LOOPBACK, port: 0 }, flows: 25 });
    const gen = await runExactGenerator({
      destinations: [sink.address],
      distribution: WEB_SEARCH.scaled(0.02), // mean about 33 kB
      load: 0.5,
      capacityBitsPerSec: 200e6,
      flows: 25,
      seed: 11,
      timeoutMs: 5000,
    });
    const s = await sink.result;
    expect(gen.flowsPlanned).toBe(25);
    expect(gen.flowsCompleted).toBe(25);
    expect(gen.flowsFailed).toBe(0);
    expect(gen.fctMs.count).toBe(25);
    expect(gen.fctMs.p99!).toBeGreaterThanOrEqual(gen.fctMs.p50!);
    expect(
      gen.fctMsBySize.small.count + gen.fctMsBySize.medium.count + gen.fctMsBySize.large.count,
    ).toBe(25);
    expect(s.outcome).toBe("flows");
    expect(s.flowsCompleted).toBe(25);
    const sent = new Map(gen.flows.map((f) => [f.id, f.sizeBytes]));
    for (const f of s.flows) expect(f.sizeBytes).toBe(sent.get(f.id));
    expect(s.bytesReceived).toBe(gen.bytesCompleted);
    // Flows start on their Poisson schedule, not all at once.
    const starts = gen.flows.map((f) => f.startMs!);
    expect(starts[24]! - starts[0]!).toBeGreaterThan(
      0.3 * (gen.flows[24]!.plannedStartMs - gen.flows[0]!.plannedStartMs),
    );
  });

  test("flows spread over several sinks", async () => {
    const sinks = await Promise.all(
      [0, 1].map(() => startExactSink({ bind: { host: LOOPBACK, port: 0 }, idleTimeoutMs: 300 })),
    );
    const gen = await runExactGenerator({
      destinations: sinks.map((s) => s.address),
      distribution: new FixedSize(5000),
      load: 0.2,
      capacityBitsPerSec: 100e6,
      flows: 20,
      seed: 2,
    });
    const results = await Promise.all(sinks.map((s) => s.result));
    expect(gen.flowsCompleted).toBe(20);
    expect(results[0]!.flowsCompleted + results[1]!.flowsCompleted).toBe(20);
    expect(results[0]!.flowsCompleted).toBeGreaterThan(0);
    expect(results[1]!.flowsCompleted).toBeGreaterThan(0);
    expect(results.every((r) => r.outcome === "idle")).toBe(true);
  });

  test("an unreachable sink gives failed flows with the reason, not a hang", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, LOOPBACK, () => resolve()));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const gen = await runExactGenerator({
      destinations: [{ host: LOOPBACK, port }],
      distribution: new FixedSize(1000),
      load: 0.5,
      capacityBitsPerSec: 10e6,
      flows: 3,
      seed: 1,
      timeoutMs: 2000,
    });
    expect(gen.flowsFailed).toBe(3);
    expect(gen.flows[0]!.error).toMatch(/ECONNREFUSED/);
    expect(gen.fctMs.count).toBe(0);
  });

  test("the sink counts connections that are not flows", async () => {
    const sink = await startExactSink({ bind: { host: LOOPBACK, port: 0 } });
    const c = net.connect(sink.address.port, LOOPBACK);
    await new Promise<void>((resolve) => c.on("connect", () => resolve()));
    c.write("this is not a flow hello at all");
    await new Promise<void>((resolve) => c.on("close", () => resolve()));
    sink.stop();
    const s = await sink.result;
    expect(s.foreign).toBe(1);
    expect(s.flowsCompleted).toBe(0);
    expect(s.outcome).toBe("stopped");
  });
});
