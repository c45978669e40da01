// P4Runtime write throughput: 10,000 LPM and 10,000 ternary table entries, then
// 10,000 meter config modifications, written in batches through the client library
// into a test switch running as a separate process (`netapprox test-switch`).
// Prints entries/s and per-batch latency p50/p99 for each.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { UpdateSpec } from "../controller/src/p4runtime/entities.js";
import { P4Schema } from "../controller/src/p4runtime/p4info.js";
import { Switch } from "../controller/src/p4runtime/switch.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const N = 10_000;
const BATCH = 250;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A copy of the test fixture P4Info with tables and meters big enough for N entries. */
function benchP4Info(): string {
  const json = JSON.parse(
    readFileSync(join(root, "test/fixtures/p4info/basic.p4info.json"), "utf8"),
  );
  for (const t of json.tables) t.size = String(4 * N);
  for (const m of json.meters) m.size = String(4 * N);
  const dir = mkdtempSync(join(tmpdir(), "netapprox-bench-"));
  const path = join(dir, "bench.p4info.json");
  writeFileSync(path, JSON.stringify(json));
  return path;
}

async function startServer(): Promise<{ address: string; stop: () => void }> {
  const child = spawn(process.execPath, [join(root, "bin/netapprox.js"), "test-switch"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`test switch exited with ${code}`)));
  });
  return {
    address: (JSON.parse(first) as { address: string }).address,
    stop: () => child.kill("SIGTERM"),
  };
}

/** Writes `updates` in batches of BATCH, `inFlight` batches at a time, timing each batch. */
async function measure(
  sw: Switch,
  label: string,
  updates: UpdateSpec[],
  inFlight = 1,
): Promise<void> {
  const latencies: number[] = [];
  const t0 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < updates.length) {
      const start = next;
      next += BATCH;
      const t = performance.now();
      await sw.write(updates.slice(start, start + BATCH));
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(34)} ${String(updates.length).padStart(6)} updates  ${Math.round(
      updates.length / seconds,
    )
      .toString()
      .padStart(
        7,
      )} /s  batch of ${BATCH}: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
}

const server = await startServer();
const schema = P4Schema.fromFile(benchP4Info());
const sw = new Switch({
  name: "bench",
  address: server.address,
  deviceId: 1,
  electionId: 1n,
  pipeline: { schema, deviceConfig: new Uint8Array() },
});
sw.start();
try {
  await sw.whenReady({ primary: true, timeoutMs: 10_000 });
  const lpm: UpdateSpec[] = Array.from({ length: N }, (_, i) => ({
    type: "insert",
    entity: {
      kind: "tableEntry",
      table: "ipv4_lpm",
      match: { "hdr.ipv4.dst_addr": { value: (10 << 24) + (i << 8), prefixLen: 24 } },
      action: {
        name: "set_next_hop",
        params: { port: i % 64, smac: 0x0a0000000001 + i, dmac: 0x0b0000000001 + i },
      },
    },
  }));
  const ternary: UpdateSpec[] = Array.from({ length: N }, (_, i) => ({
    type: "insert",
    entity: {
      kind: "tableEntry",
      table: "acl",
      match: {
        "hdr.ipv4.src_addr": { value: (10 << 24) + (i << 8), mask: 0xffffff00 },
        "hdr.udp.dst_port": { low: 1000 + (i % 1000), high: 2000 + (i % 1000) },
      },
      action: { name: "classify", params: { job_id: i % 1024 } },
      priority: 1 + (i % 1000),
    },
  }));
  const meters: UpdateSpec[] = Array.from({ length: N }, (_, i) => ({
    type: "modify",
    entity: {
      kind: "meterEntry",
      meter: "job_meter",
      index: i,
      config: { cir: 125_000 + i, cburst: 15_000, pir: 250_000 + i, pburst: 30_000 },
    },
  }));
  console.log(
    `P4Runtime writes into a test switch in another process (${server.address}), batches of ${BATCH}:`,
  );
  const as = (type: "insert" | "delete", list: UpdateSpec[]) => list.map((u) => ({ ...u, type }));
  // Warm-up (JIT) on a throw-away slice, then the measured runs.
  await measure(sw, "warm-up", lpm.slice(0, 2_000));
  await sw.write(as("delete", lpm.slice(0, 2_000)));
  await measure(sw, "LPM entries, 1 batch in flight", lpm);
  await measure(sw, "ternary+range entries, 1 in flight", ternary);
  await measure(sw, "meter configs (modify), 1 in flight", meters);
  await sw.write(as("delete", lpm), { inFlight: 2 });
  await sw.write(as("delete", ternary), { inFlight: 2 });
  await measure(sw, "LPM entries, 2 batches in flight", lpm, 2);
  await measure(sw, "ternary+range entries, 2 in flight", ternary, 2);
  await measure(sw, "meter configs (modify), 2 in flight", meters, 2);
} finally {
  await sw.stop();
  server.stop();
}
