// A scenario's workload made concrete for one seed: every approximate job with its hosts,
// start time and transfers (grouped into phases: a shuffle's single wave, a stream's
// batches, an all-to-all's rounds), and every exact flow with its size, hosts and start.
// Pure and deterministic: the simulator and the Mininet runner expand the same scenario
// and seed into the same workload. Exact flows come from the host transport's own flow
// planner (packages/transport/src/arrivals.ts) with one seed per source host, so a Mininet host
// running `netapprox exact-gen` with the plan's parameters produces the same flows.
import { parseBytes } from "@netapprox/model/config/units.js";
import type { ApproximateJob, ExactFlow } from "@netapprox/model/policy/types.js";
import type { Topology } from "@netapprox/model/topology/types.js";
import { planFlows } from "@netapprox/transport/arrivals.js";
import { Rng } from "@netapprox/transport/random.js";
import {
  distributionByName,
  type SizeDistribution,
} from "@netapprox/transport/size-distributions.js";
import type { ExactSpec, JobGenerator, JobKind, JobShape, Scenario } from "./scenario.js";

export interface TransferPlan {
  src: string;
  dst: string;
  bytes: number;
  /** The receiver's data port on Mininet (its control port is the next one). */
  port: number;
}

export interface PhasePlan {
  /** Seconds from the run's start; null: when the job's previous phase is complete. */
  start: number | null;
  transfers: TransferPlan[];
}

export interface JobPlan {
  /** From 1: the job's meter index. */
  id: number;
  name: string;
  kind: JobKind;
  start: number;
  volume: number;
  fraction: number;
  /** With job-level completion: each sender's own floor (0: none). */
  minSenderFraction: number;
  weight: number;
  deadline: number | null;
  /** Hosts that send and that receive (both the workers for all-to-all), sorted. */
  src: string[];
  dst: string[];
  phases: PhasePlan[];
}

/** One source host of one exact traffic spec: what `netapprox exact-gen` would be given. */
export interface ExactSourcePlan {
  spec: string;
  src: string;
  dsts: string[];
  distribution: string;
  scale: number;
  maxSize: number | null;
  load: number;
  /** bit/s the load refers to for this source. */
  capacity: number;
  seed: number;
  start: number;
  stop: number;
  /** Mean offered rate, bit/s (load * capacity). */
  rate: number;
  /** Exact demand declared to the allocation, bit/s (declared load * capacity). */
  declaredRate: number;
}

export interface ExactFlowPlan {
  /** From 0, in order of start. */
  id: number;
  spec: string;
  src: string;
  dst: string;
  size: number;
  start: number;
}

export interface WorkloadPlan {
  seed: number;
  jobs: JobPlan[];
  exactSources: ExactSourcePlan[];
  exactFlows: ExactFlowPlan[];
}

/** A 32-bit seed from a base seed and a few integers (a murmur3-style mix). */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x9747b28c) >>> 0;
  for (const part of parts) {
    let k = Math.imul(part >>> 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = ((h << 13) | (h >>> 19)) >>> 0;
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function expandWorkload(scenario: Scenario, seed: number): WorkloadPlan {
  const ports = new PortCounter(scenario.mininet.basePort);
  const jobs: JobPlan[] = [];
  for (const spec of scenario.jobs) {
    jobs.push(
      makeJob(
        jobs.length + 1,
        spec.name,
        spec,
        spec.start,
        spec.src,
        spec.kind === "all-to-all" ? spec.src : spec.dst,
        ports,
      ),
    );
  }
  const allHosts = scenario.topology.hosts.map((h) => h.name).sort();
  scenario.generators.forEach((g, gi) => {
    const rng = new Rng(deriveSeed(seed, 1, gi));
    const starts = arrivals(g, rng);
    const pool = g.hosts.length > 0 ? [...g.hosts].sort() : allHosts;
    for (let n = 0; n < g.count; n++) {
      const picked = shuffle(
        rng.sampleWithoutReplacement(pool.length, g.senders + g.receivers).map((i) => pool[i]!),
        rng,
      );
      const src = picked.slice(0, g.senders);
      const dst = g.kind === "all-to-all" ? src : picked.slice(g.senders);
      jobs.push(makeJob(jobs.length + 1, `${g.prefix}-${n + 1}`, g, starts[n]!, src, dst, ports));
    }
  });

  const receivers = [...new Set(jobs.flatMap((j) => j.dst))].sort();
  const sources = scenario.exact.flatMap((spec, si) =>
    exactSourcesOf(scenario, spec, si, seed, receivers),
  );
  return { seed, jobs, exactSources: sources, exactFlows: planExactFlows(sources) };
}

/** Receiver ports on each host: two per transfer (data, control), from the base port. */
class PortCounter {
  private readonly next = new Map<string, number>();
  constructor(private readonly base: number) {}
  take(host: string): number {
    const port = this.next.get(host) ?? this.base;
    this.next.set(host, port + 2);
    return port;
  }
}

function makeJob(
  id: number,
  name: string,
  shape: JobShape,
  start: number,
  src: readonly string[],
  dst: readonly string[],
  ports: PortCounter,
): JobPlan {
  const phases: PhasePlan[] = [];
  const transfer = (s: string, d: string, bytes: number): TransferPlan => ({
    src: s,
    dst: d,
    bytes: Math.max(1, Math.round(bytes)),
    port: ports.take(d),
  });
  if (shape.kind === "all-to-all") {
    const perTransfer = shape.volume / (shape.rounds * src.length * (src.length - 1));
    for (let r = 0; r < shape.rounds; r++) {
      const transfers: TransferPlan[] = [];
      for (const s of src)
        for (const d of src) if (s !== d) transfers.push(transfer(s, d, perTransfer));
      phases.push({ start: r === 0 ? start : null, transfers });
    }
  } else if (shape.kind === "stream") {
    // Producer i's batch b goes to consumer (i + b) mod |dst|, skipping itself: partitions
    // rotate over the consumers.
    const perTransfer = shape.volume / (shape.batches * src.length);
    for (let b = 0; b < shape.batches; b++) {
      const transfers: TransferPlan[] = [];
      src.forEach((s, i) => {
        let d = dst[(i + b) % dst.length]!;
        if (d === s) d = dst[(i + b + 1) % dst.length]!;
        if (d !== s) transfers.push(transfer(s, d, perTransfer));
      });
      phases.push({ start: start + b * shape.interval, transfers });
    }
  } else {
    // transfer, shuffle: one wave; aggregation: a wave per round, each after the last.
    const d = new Set(dst);
    const count = src.length * dst.length - src.filter((h) => d.has(h)).length;
    const rounds = shape.kind === "aggregation" ? shape.rounds : 1;
    for (let r = 0; r < rounds; r++) {
      const transfers: TransferPlan[] = [];
      for (const s of src) {
        for (const t of dst)
          if (s !== t) transfers.push(transfer(s, t, shape.volume / (count * rounds)));
      }
      phases.push({ start: r === 0 ? start : null, transfers });
    }
  }
  return {
    id,
    name,
    kind: shape.kind,
    start,
    volume: shape.volume,
    fraction: shape.fraction,
    minSenderFraction: shape.minSenderFraction,
    weight: shape.weight,
    deadline: shape.deadline,
    src: [...new Set(src)].sort(),
    dst: [...new Set(dst)].sort(),
    phases,
  };
}

function arrivals(g: JobGenerator, rng: Rng): number[] {
  const a = g.arrival;
  const out: number[] = [];
  let t = a.kind === "poisson" ? a.from : 0;
  for (let n = 0; n < g.count; n++) {
    if (a.kind === "at") out.push(a.time);
    else if (a.kind === "uniform") out.push(a.from + rng.next() * (a.to - a.from));
    else {
      t += rng.exponential(a.rate);
      out.push(t);
    }
  }
  return out;
}

/** Fisher-Yates with the given generator. */
function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** A host's access link capacity, bit/s. */
function accessCapacity(topology: Topology, host: string): number {
  const link = topology.links.find((l) =>
    l.endpoints.some((e) => e.kind === "host" && e.name === host),
  );
  if (link === undefined) throw new Error(`host ${host} has no link`);
  return link.capacity;
}

export function sizeDistribution(
  spec: Pick<ExactSpec, "distribution" | "scale" | "maxSize">,
): SizeDistribution {
  return distributionByName(spec.distribution, {
    scale: spec.scale,
    ...(spec.maxSize !== null ? { maxBytes: spec.maxSize } : {}),
    parseBytes: (text) => {
      const bytes = parseBytes(text);
      if (bytes === undefined) throw new RangeError(`'${text}' is not a size`);
      return bytes;
    },
  });
}

function exactSourcesOf(
  scenario: Scenario,
  spec: ExactSpec,
  specIndex: number,
  seed: number,
  jobReceivers: readonly string[],
): ExactSourcePlan[] {
  const all = scenario.topology.hosts.map((h) => h.name).sort();
  const srcs = spec.src.length > 0 ? spec.src : all;
  const dstPool = spec.intoJobReceivers ? jobReceivers : spec.dst.length > 0 ? spec.dst : all;
  const stop = spec.stop ?? scenario.duration;
  const plans: ExactSourcePlan[] = [];
  srcs.forEach((src, i) => {
    const dsts = dstPool.filter((d) => d !== src);
    if (dsts.length === 0) return;
    const capacity =
      spec.capacity !== null ? spec.capacity / srcs.length : accessCapacity(scenario.topology, src);
    plans.push({
      spec: spec.name,
      src,
      dsts,
      distribution: spec.distribution,
      scale: spec.scale,
      maxSize: spec.maxSize,
      load: spec.load,
      capacity,
      seed: deriveSeed(seed, 2, specIndex, i),
      start: spec.start,
      stop,
      rate: spec.load * capacity,
      declaredRate: spec.declaredLoad * capacity,
    });
  });
  return plans;
}

function planExactFlows(sources: readonly ExactSourcePlan[]): ExactFlowPlan[] {
  const flows: Omit<ExactFlowPlan, "id">[] = [];
  for (const s of sources) {
    if (s.stop <= s.start) continue;
    const plan = planFlows({
      distribution: sizeDistribution(s),
      load: s.load,
      capacityBitsPerSec: s.capacity,
      durationMs: (s.stop - s.start) * 1000,
      destinations: s.dsts.length,
      seed: s.seed,
    });
    for (const f of plan.flows) {
      flows.push({
        spec: s.spec,
        src: s.src,
        dst: s.dsts[f.destination]!,
        size: f.sizeBytes,
        start: s.start + f.startMs / 1000,
      });
    }
  }
  // Stable: equal start times keep the order of the sources.
  flows.sort((a, b) => a.start - b.start);
  return flows.map((f, id) => ({ id, ...f }));
}

/** The jobs as the policy declares them to the allocation. */
export function policyJobs(jobs: readonly JobPlan[]): ApproximateJob[] {
  return jobs.map((j) => ({
    name: j.name,
    id: j.id,
    match: { src: j.src, dst: j.dst, protocol: 17, srcPort: null, dstPort: null },
    volume: j.volume,
    fraction: j.fraction,
    weight: j.weight,
    deadline: j.deadline,
  }));
}

/**
 * The exact load the allocation is told about: each source's declared rate (its mean rate
 * unless the scenario declares more, to provision BMv2's paced exact queue for peaks) over
 * its destinations; `which: "offered"`: its mean rate, for switches with strict priority,
 * where approximate traffic only ever takes what exact traffic leaves.
 */
export function declaredExactFlows(
  sources: readonly ExactSourcePlan[],
  which: "declared" | "offered" = "declared",
): ExactFlow[] {
  const flows: ExactFlow[] = [];
  for (const s of sources) {
    const total = which === "declared" ? s.declaredRate : s.rate;
    const rate = total / s.dsts.length;
    for (const dst of s.dsts) flows.push({ src: s.src, dst, rate });
  }
  return flows;
}
