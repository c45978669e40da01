// P4Runtime write throughput, in two modes.
//
// Test switch (always): 10,000 LPM and 10,000 ternary table entries, then 10,000
// meter config modifications, written in batches through the client library into a
// test switch running as a separate process (`netapprox test-switch`). Prints
// entries/s and per-batch latency p50/p99 for each.
//
// BMv2 (where simple_switch_grpc is on PATH; says why it skipped elsewhere): one
// simple_switch_grpc on loopback running the committed pipeline (p4/build). The same
// updates go to it two ways, in alternating rounds: through the library (all of them
// in one Switch.write from names: checked, encoded, sent in batches of the session's
// maxBatchSize) and as WriteRequests encoded beforehand with the generated protobuf
// code and sent raw with grpc-js. Prints the median rate of each and their ratio,
// for LPM (batches of 250 and 1000), exact and ternary+range table entries, action
// profile members and meter configs.
//
// The test-switch mode also runs that comparison for LPM entries, so a ratio is
// printed where BMv2 is not installed; there the test switch sets the pace.
import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { findExecutable } from "@netapprox/model/util/executables.js";
import { encodeEntity, UPDATE_TYPES, type UpdateSpec } from "@netapprox/p4runtime/entities.js";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";
import { Switch } from "@netapprox/p4runtime/switch.js";
import { toUint128 } from "@netapprox/p4runtime/values.js";
import { WriteRequestSchema } from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import { loadPipeline } from "@netapprox/controller/runtime/pipelines.js";
import { startLoopbackBmv2 } from "@netapprox/controller/targets/bmv2-process.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const N = 10_000;
const BATCH = 250;
/** Alternating rounds per comparison (each round: one library run, one pre-encoded run). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const ELECTION_ID = 1n;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A copy of the test fixture P4Info with tables and meters big enough for N entries. */
function benchP4Info(): string {
  const json = JSON.parse(
    readFileSync(join(root, "test/fixtures/p4info/basic.p4info.json"), "utf8"),
  );
  for (const t of json.tables) t.size = String(4 * N);
  for (const m of json.meters) m.size = String(4 * N);
  for (const p of json.actionProfiles ?? []) p.size = String(4 * N);
  const dir = mkdtempSync(join(tmpdir(), "netapprox-bench-"));
  const path = join(dir, "bench.p4info.json");
  writeFileSync(path, JSON.stringify(json));
  return path;
}

async function startTestSwitch(): Promise<{ address: string; stop: () => void }> {
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

/** New configs for cells 0..count-1 of job_meter (both P4Infos have it). */
function meterModifies(count: number): UpdateSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    type: "modify",
    entity: {
      kind: "meterEntry",
      meter: "job_meter",
      index: i,
      config: { cir: 125_000 + i, cburst: 15_000, pir: 250_000 + i, pburst: 30_000 },
    },
  }));
}

const as = (type: "insert" | "modify" | "delete", list: UpdateSpec[]) =>
  list.map((u) => ({ ...u, type }));

// ------------------------------------------------------------ library against pre-encoded

/** Sends WriteRequests that are bytes already, with grpc-js and nothing else. */
class RawWriter {
  private readonly client: grpc.Client;
  constructor(address: string) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure());
  }
  write(request: Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.makeUnaryRequest(
        "/p4.v1.P4Runtime/Write",
        (b: Buffer) => b,
        (b: Buffer) => b,
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + 30_000 },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }
  close(): void {
    this.client.close();
  }
}

/** The WriteRequests of `updates` in batches, made beforehand with the generated code. */
function preEncode(schema: P4Schema, updates: UpdateSpec[], batch: number): Buffer[] {
  const out: Buffer[] = [];
  for (let s = 0; s < updates.length; s += batch) {
    const request = create(WriteRequestSchema, {
      deviceId: 1n,
      electionId: toUint128(ELECTION_ID),
      updates: updates.slice(s, s + batch).map((u) => ({
        type: UPDATE_TYPES[u.type],
        entity: encodeEntity(schema, u.entity),
      })),
    });
    out.push(Buffer.from(toBinary(WriteRequestSchema, request)));
  }
  return out;
}

interface Comparison {
  label: string;
  /** The measured writes; `undo` (unmeasured, pre-encoded) makes them repeatable. */
  writes: UpdateSpec[];
  undo?: UpdateSpec[];
  batch: number;
  /** Times the writes are repeated per run, so that a run lasts long enough to time. */
  repeat: number;
}

/**
 * Alternating rounds of library and pre-encoded runs. The library gets all the
 * writes in one Switch.write (as the controller writes a phase), its client
 * batching them at the switch's maxBatchSize, which must be `c.batch`. Prints the
 * median rates, the median of the per-round ratios (each library run against the
 * pre-encoded run next to it, which cancels the drift of a shared machine's load)
 * and the spread.
 */
async function compare(sw: Switch, raw: RawWriter, schema: P4Schema, c: Comparison) {
  if (sw.client.maxBatchSize !== c.batch)
    throw new Error(`compare: the switch batches by ${sw.client.maxBatchSize}, not ${c.batch}`);
  const pre = preEncode(schema, c.writes, c.batch);
  const undo = c.undo ? preEncode(schema, c.undo, 1000) : [];
  const rates = { library: [] as number[], preEncoded: [] as number[] };
  const run = async (mode: "library" | "preEncoded") => {
    let ms = 0;
    for (let k = 0; k < c.repeat; k++) {
      const t = performance.now();
      if (mode === "library") await sw.write(c.writes);
      else for (const b of pre) await raw.write(b);
      ms += performance.now() - t;
      for (const b of undo) await raw.write(b);
    }
    rates[mode].push((c.writes.length * c.repeat) / (ms / 1000));
  };
  await run("library"); // warm-up of both paths, not counted
  await run("preEncoded");
  rates.library.length = 0;
  rates.preEncoded.length = 0;
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first, so neither always follows the other's garbage.
    if (r % 2 === 0) {
      await run("library");
      await run("preEncoded");
    } else {
      await run("preEncoded");
      await run("library");
    }
  }
  const lib = median(rates.library);
  const preRate = median(rates.preEncoded);
  const paired = median(rates.library.map((l, i) => l / rates.preEncoded[i]!));
  const k = (v: number) => `${(v / 1000).toFixed(1)}k/s`;
  const range = (v: number[]) => `${k(Math.min(...v))}-${k(Math.max(...v))}`;
  console.log(
    `${c.label.padEnd(36)} batch ${String(c.batch).padStart(4)}  library ${k(lib).padStart(9)}  pre-encoded ${k(preRate).padStart(9)}  ratio ${paired.toFixed(2)} (of medians ${(lib / preRate).toFixed(2)}; ranges ${range(rates.library)} / ${range(rates.preEncoded)})`,
  );
}

function loadNote(): string {
  const [one, five] = (readFileSync("/proc/loadavg", "utf8").split(" ") as string[]).map(Number);
  return `load average ${one!.toFixed(2)} (1 min), ${five!.toFixed(2)} (5 min)`;
}

// ------------------------------------------------------------ test switch mode

async function testSwitchMode(): Promise<void> {
  const server = await startTestSwitch();
  const schema = P4Schema.fromFile(benchP4Info());
  const sw = new Switch({
    name: "bench",
    address: server.address,
    deviceId: 1,
    electionId: ELECTION_ID,
    pipeline: { schema, deviceConfig: new Uint8Array() },
    maxBatchSize: BATCH,
  });
  sw.start();
  const raw = new RawWriter(server.address);
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
    const meters = meterModifies(N);
    console.log(
      `P4Runtime writes into a test switch in another process (${server.address}), batches of ${BATCH}; ${loadNote()}:`,
    );
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
    await sw.write(as("delete", lpm), { inFlight: 2 });
    await sw.write(as("delete", ternary), { inFlight: 2 });

    console.log(
      `\nthe same 4,000 LPM entries through the library and pre-encoded, ${ROUNDS} alternating rounds:`,
    );
    const four = lpm.slice(0, 4_000);
    await compare(sw, raw, schema, {
      label: "LPM entries (test switch)",
      writes: four,
      undo: as("delete", four),
      batch: BATCH,
      repeat: 1,
    });
  } finally {
    raw.close();
    await sw.stop();
    server.stop();
  }
}

// ------------------------------------------------------------ BMv2 mode

async function bmv2Mode(): Promise<void> {
  const binary = findExecutable("simple_switch_grpc");
  if (binary === undefined) {
    console.log("\nBMv2 mode skipped: simple_switch_grpc is not on PATH");
    return;
  }
  const pipeline = loadPipeline(root, "v1model");
  const schema = pipeline.schema;
  const bmv2 = await startLoopbackBmv2(binary);
  const raw = new RawWriter(bmv2.grpcAddress);
  // One session per batch size: the library batches a write at its maxBatchSize.
  const session = async (maxBatchSize: number) => {
    const sw = new Switch({
      name: "bmv2",
      address: bmv2.grpcAddress,
      deviceId: 1,
      electionId: ELECTION_ID,
      pipeline,
      maxBatchSize,
      rpcTimeoutMs: 30_000,
    });
    sw.start();
    await sw.whenReady({ primary: true, timeoutMs: 20_000 });
    return sw;
  };
  let sw = await session(250);
  try {
    const member = (id: number, port: number): UpdateSpec => ({
      type: "insert",
      entity: {
        kind: "actionProfileMember",
        actionProfile: "ecmp_selector",
        memberId: id,
        action: {
          name: "set_next_hop",
          params: {
            port,
            smac: "00:00:00:00:01:02",
            dmac: `00:00:0a:00:01:${(port & 255).toString(16)}`,
          },
        },
      },
    });
    await sw.write([member(1, 1)]);
    const routes: UpdateSpec[] = Array.from({ length: 4_000 }, (_, i) => ({
      type: "insert",
      entity: {
        kind: "tableEntry",
        table: "routing_v4",
        match: { dst_addr: `10.${i >> 8}.${i & 255}.0/24` },
        member: 1,
      },
    }));
    const exact: UpdateSpec[] = Array.from({ length: 500 }, (_, i) => ({
      type: "insert",
      entity: {
        kind: "tableEntry",
        table: "port_thresholds",
        match: { egress_port: i },
        action: { name: "set_thresholds", params: { le_depth: 64 + i, ecn_depth: 32 + i } },
      },
    }));
    const classifier: UpdateSpec[] = Array.from({ length: 1_000 }, (_, i) => ({
      type: "insert",
      entity: {
        kind: "tableEntry",
        table: "classifier",
        match: {
          src_addr: `10.${i >> 8}.${i & 255}.0&&&255.255.255.0`,
          dst_addr: "10.1.0.0&&&255.255.0.0",
          protocol: "17&&&255",
          l4_dst_port: `${1000 + i}..${2000 + i}`,
        },
        action: { name: "classify_approx", params: { job_id: i } },
        priority: 1 + i,
      },
    }));
    const members = Array.from({ length: 1_000 }, (_, i) => member(2 + i, i % 511));
    console.log(
      `\nBMv2 (${binary}, one switch on ${bmv2.grpcAddress}, the committed v1model pipeline): the same updates through the library (all in one Switch.write, from names) and pre-encoded (WriteRequests made beforehand with the generated code, sent raw with grpc-js, one after another), ${ROUNDS} alternating rounds; ${loadNote()}:`,
    );
    const at250: Comparison[] = [
      { label: "LPM entries (routing_v4 -> member)", writes: routes, batch: 250, repeat: 2 },
      { label: "exact entries (port_thresholds)", writes: exact, batch: 250, repeat: 16 },
      { label: "ternary+range entries (classifier)", writes: classifier, batch: 250, repeat: 4 },
      { label: "action profile members", writes: members, batch: 250, repeat: 8 },
    ];
    for (const c of at250) await compare(sw, raw, schema, { ...c, undo: as("delete", c.writes) });
    await compare(sw, raw, schema, {
      label: "meter configs (modify)",
      writes: meterModifies(1_000),
      batch: 250,
      repeat: 16,
    });
    await sw.stop();
    sw = await session(1000);
    await compare(sw, raw, schema, {
      label: "LPM entries (routing_v4 -> member)",
      writes: routes,
      undo: as("delete", routes),
      batch: 1000,
      repeat: 2,
    });
    console.log(`(${loadNote()} at the end)`);
  } finally {
    raw.close();
    await sw.stop();
    await bmv2.stop();
  }
}

await testSwitchMode();
await bmv2Mode();
