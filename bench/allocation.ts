// Benchmark: routing + allocation + translation (into per-switch P4Runtime entity specs)
// on k-ary fat-trees, k = 4, 8, 16 (k = 16: 1,024 hosts,
// 320 switches, 10,000 approximate jobs and 100,000 exact flows; smaller k scale the job
// and flow counts with the host count). Each k runs in its own process so that peak memory
// (maxRSS) belongs to that k alone. Times: the first (cold) run and the median of warm runs.
// Target at k = 16: under 200 ms and 500 MB.
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { allocate } from "@netapprox/model/allocation/allocate.js";
import { makePolicy, type ApproximateJob, type ExactFlow } from "@netapprox/model/policy/types.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import { pipelineContract } from "@netapprox/model/pipeline/contract.js";
import { translateAll } from "@netapprox/model/pipeline/translate.js";
import { fatTree } from "@netapprox/model/topology/generate.js";
import type { Topology } from "@netapprox/model/topology/types.js";

const SIZES = [4, 8, 16];
const JOBS_AT_16 = 10_000;
const FLOWS_AT_16 = 100_000;
const WARM_RUNS = 9;

interface Result {
  k: number;
  switches: number;
  hosts: number;
  jobs: number;
  flows: number;
  routes: number;
  coldRouting: number;
  coldAllocation: number;
  warmRouting: number;
  warmAllocation: number;
  coldTranslation: number;
  warmTranslation: number;
  /** Median control-loop round (allocation + translation, routing kept), ms. */
  round: number;
  /** Entity specs produced for all switches. */
  entities: number;
  /** CPU time (user + system) of the median warm run: less sensitive to other processes. */
  warmCpu: number;
  /** Fastest warm run (routing + allocation): the closest to an idle machine. */
  bestTotal: number;
  heapMB: number;
  maxRssMB: number;
}

/** Deterministic pseudo-random numbers (mulberry32), so every run sees the same input. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function workload(topology: Topology, jobCount: number, flowCount: number) {
  const rnd = random(topology.switches.length);
  const hosts = topology.hosts.map((h) => h.name);
  const pick = () => hosts[Math.floor(rnd() * hosts.length)]!;
  const pair = (): [string, string] => {
    const a = pick();
    let b = pick();
    while (b === a) b = pick();
    return [a, b];
  };
  const jobs: ApproximateJob[] = [];
  for (let i = 0; i < jobCount; i++) {
    const [src, dst] = pair();
    // One job in ten gathers from four sources (a shuffle stage).
    const sources =
      i % 10 === 0 ? [...new Set([src, pick(), pick(), pick()])].filter((h) => h !== dst) : [src];
    jobs.push({
      name: `job${i + 1}`,
      id: i + 1,
      match: { src: sources, dst: [dst], protocol: 17, srcPort: null, dstPort: null },
      volume: Math.round(1e7 + rnd() * 1e9),
      fraction: 0.5 + rnd() / 2,
      weight: 1 + Math.floor(rnd() * 4),
      deadline: rnd() < 0.5 ? 10 + Math.floor(rnd() * 590) : null,
    });
  }
  const flows: ExactFlow[] = [];
  for (let i = 0; i < flowCount; i++) {
    const [src, dst] = pair();
    flows.push({ src, dst, rate: 1_000_000 + Math.floor(rnd() * 49_000_000) });
  }
  return { jobs, flows };
}

function measure(k: number): Result {
  const topology = fatTree(k, { capacity: 10e9, hostCapacity: 10e9 });
  const scale = topology.hosts.length / 1024;
  const { jobs, flows } = workload(
    topology,
    Math.round(JOBS_AT_16 * scale),
    Math.round(FLOWS_AT_16 * scale),
  );
  const policy = makePolicy({
    jobs,
    exact: { source: "declared", flows },
    knobs: { guaranteeFloor: 1e6 },
  });

  const contract = pipelineContract("v1model");
  const cpu = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  const once = () => {
    const c0 = cpu();
    const t0 = performance.now();
    const routing = computeRoutes(topology);
    const tables = routing.tables();
    const t1 = performance.now();
    const allocation = allocate(topology, routing, {}, policy);
    const t2 = performance.now();
    const states = translateAll(allocation, tables, () => contract);
    const t3 = performance.now();
    const c1 = cpu();
    if (allocation.jobs.length !== jobs.length) throw new Error("allocation lost jobs");
    return {
      routing: t1 - t0,
      allocation: t2 - t1,
      translation: t3 - t2,
      cpu: c1 - c0,
      routes: tables.reduce((n, t) => n + t.routes.length, 0),
      entities: states.reduce((n, s) => n + s.entities.length, 0),
    };
  };
  const cold = once();
  const warm = Array.from({ length: WARM_RUNS }, once);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  // A control-loop round: the routing lives as long as the topology, so a new round is
  // allocation + translation only.
  const routing = computeRoutes(topology);
  const tables = routing.tables();
  const rounds = Array.from({ length: WARM_RUNS }, () => {
    const t0 = performance.now();
    translateAll(allocate(topology, routing, {}, policy), tables, () => contract);
    return performance.now() - t0;
  });
  return {
    k,
    switches: topology.switches.length,
    hosts: topology.hosts.length,
    jobs: jobs.length,
    flows: flows.length,
    routes: cold.routes,
    coldRouting: cold.routing,
    coldAllocation: cold.allocation,
    warmRouting: median(warm.map((w) => w.routing)),
    warmAllocation: median(warm.map((w) => w.allocation)),
    coldTranslation: cold.translation,
    warmTranslation: median(warm.map((w) => w.translation)),
    entities: cold.entities,
    warmCpu: median(warm.map((w) => w.cpu)),
    bestTotal: Math.min(...warm.map((w) => w.routing + w.allocation + w.translation)),
    round: median(rounds),
    heapMB: process.memoryUsage().heapUsed / 2 ** 20,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

/** A fixed amount of plain arithmetic, to put the figures in proportion to the machine. */
function referenceLoop(): number {
  const data = Float64Array.from({ length: 1 << 20 }, (_, i) => i);
  let best = Infinity;
  let sum = 0;
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    for (let k = 0; k < 100; k++) for (let i = 0; i < data.length; i++) sum += data[i]!;
    best = Math.min(best, performance.now() - t0);
  }
  if (sum < 0) throw new Error("unreachable");
  return best;
}

const kArg = process.argv.indexOf("--k");
if (kArg >= 0) {
  // Child: one size, result as JSON on stdout.
  console.log(JSON.stringify(measure(Number(process.argv[kArg + 1]))));
} else {
  const self = fileURLToPath(import.meta.url);
  const rows: Result[] = [];
  for (const k of SIZES) {
    const child = spawnSync(process.execPath, [self, "--k", String(k)], { encoding: "utf8" });
    if (child.status !== 0) {
      process.stderr.write(child.stderr);
      throw new Error(`benchmark for k=${k} failed`);
    }
    rows.push(JSON.parse(child.stdout) as Result);
  }
  const ms = (v: number) => v.toFixed(1);
  const header = [
    "k",
    "switches",
    "hosts",
    "jobs",
    "exact flows",
    "routes",
    "routing ms",
    "allocation ms",
    "translation ms",
    "entities",
    "total ms (cold)",
    "total ms (warm)",
    "best warm ms",
    "round ms",
    "CPU ms (warm)",
    "heap MB",
    "peak RSS MB",
  ];
  const table = rows.map((r) => [
    String(r.k),
    String(r.switches),
    String(r.hosts),
    String(r.jobs),
    String(r.flows),
    String(r.routes),
    `${ms(r.coldRouting)} / ${ms(r.warmRouting)}`,
    `${ms(r.coldAllocation)} / ${ms(r.warmAllocation)}`,
    `${ms(r.coldTranslation)} / ${ms(r.warmTranslation)}`,
    String(r.entities),
    ms(r.coldRouting + r.coldAllocation + r.coldTranslation),
    ms(r.warmRouting + r.warmAllocation + r.warmTranslation),
    ms(r.bestTotal),
    ms(r.round),
    ms(r.warmCpu),
    r.heapMB.toFixed(0),
    r.maxRssMB.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  console.log("routing + allocation + translation on fat-trees (ms: cold / median of warm runs)");
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)} (wall times grow with the load; CPU time less so)`,
  );
  console.log(
    `machine speed: 100M typed-array additions take ${referenceLoop().toFixed(0)} ms here (to compare machines)`,
  );
  console.log(line(header));
  for (const row of table) console.log(line(row));
  const big = rows.find((r) => r.k === 16);
  if (big !== undefined) {
    const total = big.coldRouting + big.coldAllocation + big.coldTranslation;
    console.log(
      `k=16 target: < 200 ms and < 500 MB: cold ${ms(total)} ms, warm ${ms(big.warmRouting + big.warmAllocation + big.warmTranslation)} ms (best ${ms(big.bestTotal)} ms), peak RSS ${big.maxRssMB.toFixed(0)} MB; a control-loop round (routing kept) ${ms(big.round)} ms`,
    );
  }
}
