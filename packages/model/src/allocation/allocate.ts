// The netapprox bandwidth allocation (our design, see docs/allocation.md) and the baselines
// it is compared with, from one entry point:
//
//   allocate(topology, routing, demands, policy) -> Allocation
//
// netapprox:
//  1. exact traffic has first claim: E_l from declared flows routed over ECMP (or measured);
//  2. guarantees g_j = f_j V_j / D_j (deadline) or the floor, water-filled by weight into
//     min(beta C_l, C_l - E_l) on every link, so that they are all met when they fit;
//  3. the residual R_l = max(0, C_l - E_l) is shared by weighted max-min water-filling over
//     all links at once with a_j >= g_j;
//  4. meters CIR = g_j, PIR = a_j (1 + h) at each ingress switch (by the share of the job's
//     traffic entering there), LE thresholds, queue rates that sum to each port's capacity.
// C_l is the link's data capacity: its capacity minus the share kept for the control class.
// A job split by ECMP puts a fraction of its rate on every link of its paths (even split per
// hop); a job with several source or destination hosts spreads evenly over its host pairs.
//
// Over 500 lines because allocate() and the incidence and scratch structures it builds share
// typed arrays in one pass (bench/ measures it); the water-filling is in waterfill.ts.
import { ConfigError, type ConfigIssue, type ConfigPath } from "../config/errors.js";
import { policyReporter, resolveFlows, resolveJobs, type ResolvedJob } from "../policy/resolve.js";
import type { ExactFlow, Policy } from "../policy/types.js";
import type { Routing } from "../routing/routing.js";
import { HOST_SIDE, type Network } from "../topology/network.js";
import type { Topology } from "../topology/types.js";
import { ExactLoad } from "./demand.js";
import { buildClassPlan, featuresOf, portPlan } from "./ports.js";
import type {
  Allocation,
  Classifier,
  JobAllocation,
  LinkSummary,
  MeterSettings,
  SwitchPlan,
} from "./types.js";
import {
  forEachLinkOf,
  linkJobs,
  sharedOf,
  waterFill,
  type Incidence,
  type LinkJobs,
} from "./waterfill.js";

export interface AllocationDemands {
  /** Exact flows in addition to those the policy declares (host names or addresses). */
  exactFlows?: readonly ExactFlow[];
  /** Measured exact load per egress port, "switch:port" -> bit/s (replaces the declared load). */
  measured?: ReadonlyMap<string, number>;
  /**
   * Upper bounds on approximate jobs' allocations from measured demand, job id -> bit/s
   * (see estimateJobCaps): a job that sends less than its share leaves the rest to the
   * others. Jobs without an entry are not capped. A cap never undercuts the guarantee.
   */
  jobCaps?: ReadonlyMap<number, number>;
}

export function allocate(
  topology: Topology,
  routing: Routing,
  demands: AllocationDemands,
  policy: Policy,
): Allocation {
  const net = routing.network;
  if (net.topology !== topology) {
    throw new Error("allocate: the routing was computed for a different topology");
  }
  const { issues, report } = policyReporter(policy);
  const jobs = resolveJobs(policy, net, report);
  const exactLoad = new ExactLoad(routing);
  const addFlow = (src: number, dst: number, rate: number) => exactLoad.add(src, dst, rate);
  resolveFlows(policy.exact.flows, net, report, ["exact", "flows"], addFlow);
  if (issues.length > 0) throw new ConfigError(issues);
  const extraIssues: ConfigIssue[] = [];
  resolveFlows(
    demands.exactFlows ?? [],
    net,
    (path: ConfigPath, message: string) => extraIssues.push({ file: "demands", path, message }),
    ["exactFlows"],
    addFlow,
  );
  if (extraIssues.length > 0) throw new ConfigError(extraIssues);
  const exact = exactLoad.linkLoad(demands.measured);

  const k = policy.knobs;
  const L = net.linkCount;
  const dataCapacity = new Float64Array(L);
  const residual = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    dataCapacity[l] = net.linkCapacity[l]! * (1 - k.controlShare);
    residual[l] = Math.max(0, dataCapacity[l]! - exact[l]!);
  }

  // The water-filling's variables are the jobs' parts: one per sending host of a job with
  // several (its share of the job's traffic), so that senders on uncongested paths may get
  // more than those behind a hot spot: a job completes on its total, not on each sender.
  const split = senderParts(jobs);
  const parts = split.parts;
  const incidence = jobIncidence(routing, parts);
  const J = jobs.length;
  const P = parts.length;
  const requestedOfJob = new Float64Array(J);
  for (let j = 0; j < J; j++) {
    const job = jobs[j]!.job;
    requestedOfJob[j] =
      job.deadline !== null
        ? (8 * job.fraction * job.volume) / job.deadline
        : Math.max(k.guaranteeFloor, k.guaranteePerSender * jobs[j]!.srcHosts.length);
  }
  const requested = new Float64Array(P);
  for (let p = 0; p < P; p++) requested[p] = requestedOfJob[split.job[p]!]! * split.share[p]!;
  const features = featuresOf(policy.allocator);

  let guaranteed: Float64Array | null = null;
  let allocated: Float64Array | null = null;
  let bottleneck: Int32Array | null = null;
  let index: LinkJobs | null = null;
  let guaranteedLoad: Float64Array | null = null;
  let allocatedLoad: Float64Array | null = null;
  if (policy.allocator === "netapprox") {
    const jobWeight = jobWeights(jobs, k.jobWeights);
    const weight = new Float64Array(P);
    for (let p = 0; p < P; p++) weight[p] = jobWeight[split.job[p]!]! * split.share[p]!;
    const guaranteeCap = new Float64Array(L);
    for (let l = 0; l < L; l++) guaranteeCap[l] = Math.min(k.beta * dataCapacity[l]!, residual[l]!);
    const shareIndex = () => (index ??= linkJobs(incidence));
    // When every guarantee fits, the water-filling would grant them all as asked: skip it.
    const requestedLoad = loadOf(incidence, requested);
    if (requestedLoad.every((load, l) => load <= guaranteeCap[l]!)) {
      guaranteed = requested;
      guaranteedLoad = requestedLoad;
    } else {
      const granted = waterFill(
        {
          ...incidence,
          weight,
          lower: new Float64Array(P),
          upper: requested,
          capacity: guaranteeCap,
        },
        shareIndex,
      );
      guaranteed = granted.rate;
      guaranteedLoad = granted.load;
    }
    const shared = waterFill(
      {
        ...incidence,
        weight,
        lower: guaranteed,
        upper: upperOf(jobs, split, guaranteed, demands.jobCaps),
        capacity: residual,
      },
      shareIndex,
      guaranteedLoad,
    );
    allocated = shared.rate;
    allocatedLoad = shared.load;
    bottleneck = shared.bottleneck;
  }

  // Per-link sums of guarantees and allocations: the water-fillings' final loads.
  const zero = new Float64Array(L);
  const linkGuaranteed = guaranteedLoad ?? zero;
  const linkAllocated = allocatedLoad ?? zero;
  const linkJobCount = new Int32Array(L);
  {
    // Jobs, not parts: a job's parts are consecutive, so a link counts it once.
    const lastJob = new Int32Array(L).fill(-1);
    for (let p = 0; p < P; p++) {
      const j = split.job[p]!;
      forEachLinkOf(incidence, p, (l) => {
        if (lastJob[l] !== j) {
          lastJob[l] = j;
          linkJobCount[l]!++;
        }
      });
    }
  }

  const meterOf = (index: number, cirBits: number, pirBits: number): MeterSettings => {
    const cir = Math.floor(cirBits / 8);
    const pir = Math.floor(pirBits / 8);
    return {
      index,
      cir,
      pir,
      cbs: Math.max(k.mtu, Math.ceil(cir * k.meterBurst)),
      pbs: Math.max(k.mtu, Math.ceil(pir * k.meterBurst)),
    };
  };

  const classifiers: Classifier[][] = net.switches.map(() => []);
  const linkNames = new Array<string | undefined>(L);
  const linkName = (l: number) => (linkNames[l] ??= net.linkName(l));
  const jobAllocations: JobAllocation[] = jobs.map((r, j) => {
    const from = split.first[j]!;
    const to = split.first[j + 1]!;
    let g: number | null = null;
    let a: number | null = null;
    if (guaranteed !== null && allocated !== null) {
      g = 0;
      a = 0;
      for (let p = from; p < to; p++) {
        g += guaranteed[p]!;
        a += allocated[p]!;
      }
    }
    // Per ingress switch: its parts' traffic share (by allocation when there is one), and
    // a meter for what they were given.
    const atSwitch = new Map<number, { share: number; g: number; a: number }>();
    for (let p = from; p < to; p++) {
      for (const { switch: sw, share } of incidence.ingress[p]!) {
        const e = atSwitch.get(sw) ?? { share: 0, g: 0, a: 0 };
        e.share += share * split.share[p]!;
        e.g += (guaranteed?.[p] ?? 0) * share;
        e.a += (allocated?.[p] ?? 0) * share;
        atSwitch.set(sw, e);
      }
    }
    const ingress = [...atSwitch.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([s, e]) => {
        const meter =
          features.meters && g !== null && a !== null
            ? meterOf(r.job.id, e.g, e.a * (1 + k.headroom))
            : null;
        if (features.classify !== "none") {
          classifiers[s]!.push({ jobId: r.job.id, action: features.classify, meter });
        }
        const share = a !== null && a > 0 ? e.a / a : e.share;
        return { switch: net.switches[s]!.name, share, meter };
      });
    // The job's bottleneck: that of its most constrained part.
    let b = -1;
    if (bottleneck !== null && allocated !== null) {
      let least = Infinity;
      for (let p = from; p < to; p++) {
        const normalised = allocated[p]! / split.share[p]!;
        if (normalised < least) {
          least = normalised;
          b = bottleneck[p]!;
        }
      }
    }
    return {
      id: r.job.id,
      name: r.job.name,
      weight: r.job.weight,
      match: {
        src: r.srcPrefixes,
        dst: r.dstPrefixes,
        protocol: r.job.match.protocol,
        srcPort: r.job.match.srcPort,
        dstPort: r.job.match.dstPort,
      },
      requestedGuarantee: requestedOfJob[j]!,
      guaranteed: g,
      allocated: a,
      normalisedShare: a === null ? null : a / r.job.weight,
      bottleneck: b >= 0 ? linkName(b) : null,
      ingress,
      senders: parts.slice(from, to).map((part, i) => ({
        host: net.hosts[part.srcHosts[0]!]!.name,
        share: split.share[from + i]!,
        guaranteed: guaranteed?.[from + i] ?? null,
        allocated: allocated?.[from + i] ?? null,
      })),
    };
  });

  const allocates = guaranteed !== null;
  const links: LinkSummary[] = [];
  for (let l = 0; l < L; l++) {
    const fromPort = net.linkFromPort[l]!;
    const toPort = net.linkToPort[l]!;
    const approx = allocates ? linkAllocated[l]! : 0;
    links.push({
      name: linkName(l),
      from: net.nodeName(net.linkFrom[l]!),
      fromPort: fromPort === HOST_SIDE ? null : fromPort,
      to: net.nodeName(net.linkTo[l]!),
      toPort: toPort === HOST_SIDE ? null : toPort,
      capacity: net.linkCapacity[l]!,
      dataCapacity: dataCapacity[l]!,
      exactLoad: exact[l]!,
      guaranteed: allocates ? linkGuaranteed[l]! : null,
      allocated: allocates ? linkAllocated[l]! : null,
      utilisation: (exact[l]! + approx) / net.linkCapacity[l]!,
      jobs: linkJobCount[l]!,
    });
  }

  const classes = buildClassPlan(policy);
  const switches: SwitchPlan[] = net.switches.map((sw, s) => ({
    name: sw.name,
    deviceId: sw.deviceId,
    target: sw.target,
    hostPorts: net.switchHosts[s]!.map((h) => {
      const host = net.hosts[h]!;
      return { port: host.port, host: host.name, ipv4: host.ipv4, mac: host.mac };
    }),
    classifiers: classifiers[s]!.sort((x, y) => x.jobId - y.jobId),
    ports: [...net.portLink[s]!.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([port, l]) =>
        portPlan({
          network: net,
          link: l,
          port,
          target: sw.target,
          policy,
          exactLoad: exact[l]!,
          residual: residual[l]!,
          guaranteed: linkGuaranteed[l]!,
          bestEffort: Math.max(0, linkAllocated[l]! - linkGuaranteed[l]!),
          approximateJobs: linkJobCount[l]!,
        }),
      ),
  }));

  return {
    allocator: policy.allocator,
    features,
    classes,
    knobs: policy.knobs,
    jobs: jobAllocations,
    links,
    switches,
  };
}

/** Per part, its guarantee raised to its share of its job's measured-demand cap, or Infinity. */
function upperOf(
  jobs: readonly ResolvedJob[],
  split: SenderParts,
  guaranteed: Float64Array,
  jobCaps: ReadonlyMap<number, number> | undefined,
): Float64Array {
  const upper = new Float64Array(split.parts.length);
  for (let p = 0; p < upper.length; p++) {
    const cap = jobCaps?.get(jobs[split.job[p]!]!.job.id);
    upper[p] = Math.max(guaranteed[p]!, cap === undefined ? Infinity : cap * split.share[p]!);
  }
  return upper;
}

interface SenderParts {
  /** A job with one sending host as it is; one with several, once per sending host. */
  parts: ResolvedJob[];
  /** Per part: its job's index, and its share of the job's traffic. */
  job: Int32Array;
  share: Float64Array;
  /** The parts of job j are first[j] .. first[j + 1] - 1. */
  first: Int32Array;
}

/**
 * Splits jobs with several sending hosts into one part per sender, each with its share of
 * the job's (source, destination) host pairs: the traffic the job spreads evenly over them.
 */
function senderParts(jobs: readonly ResolvedJob[]): SenderParts {
  const parts: ResolvedJob[] = [];
  const job: number[] = [];
  const share: number[] = [];
  const first = new Int32Array(jobs.length + 1);
  jobs.forEach((r, j) => {
    first[j] = parts.length;
    if (r.srcHosts.length === 1) {
      parts.push(r);
      job.push(j);
      share.push(1);
      return;
    }
    const dst = new Set(r.dstHosts);
    let pairs = 0;
    for (const a of r.srcHosts) pairs += r.dstHosts.length - (dst.has(a) ? 1 : 0);
    for (const a of r.srcHosts) {
      const partners = r.dstHosts.length - (dst.has(a) ? 1 : 0);
      if (partners === 0) continue;
      parts.push({ ...r, srcHosts: [a] });
      job.push(j);
      share.push(partners / pairs);
    }
  });
  first[jobs.length] = parts.length;
  return {
    parts,
    job: Int32Array.from(job),
    share: Float64Array.from(share),
    first,
  };
}

/** Per link, the sum over jobs of rate times the fraction of the job on the link. */
function loadOf(incidence: Incidence, rate: Float64Array): Float64Array {
  const load = new Float64Array(incidence.linkCount);
  const shared = sharedOf(incidence);
  for (let j = 0; j < incidence.jobCount; j++) {
    const r = rate[j]!;
    for (let i = incidence.jobStart[j]!; i < incidence.jobStart[j + 1]!; i++) {
      load[incidence.link[i]!]! += r * incidence.fraction[i]!;
    }
    for (let i = shared.from[j]!; i < shared.to[j]!; i++)
      load[shared.link[i]!]! += r * shared.fraction[i]!;
  }
  return load;
}

interface JobIncidence extends Incidence {
  /** Per job: switches where its traffic enters, with the share entering at each. */
  ingress: { switch: number; share: number }[][];
}

/**
 * For every job, the links it crosses and the fraction of its rate on each: its traffic
 * spreads evenly over its (source host, destination host) pairs and, within a pair, evenly
 * at every ECMP hop. A job between two hosts owns its two access links and points at its
 * switch pair's shares in the routing's pool; a job with several hosts gets its own sum.
 */
function jobIncidence(routing: Routing, jobs: readonly ResolvedJob[]): JobIncidence {
  const net = routing.network;
  const J = jobs.length;
  const jobStart = new Int32Array(J + 1);
  const from = new Int32Array(J);
  const to = new Int32Array(J);
  const ingress: { switch: number; share: number }[][] = [];
  const acc = new SparseSum(net.linkCount);
  const scratch = new HostScratch(net);
  let own: Buffer = {
    link: new Int32Array(2 * J + 1024),
    fraction: new Float64Array(2 * J + 1024),
    size: 0,
  };
  const push = (l: number, f: number) => {
    if (own.size === own.link.length) own = grow(own, own.size + 1);
    own.link[own.size] = l;
    own.fraction[own.size++] = f;
  };
  for (let j = 0; j < J; j++) {
    const { srcHosts, dstHosts } = jobs[j]!;
    if (srcHosts.length === 1 && dstHosts.length === 1) {
      const a = srcHosts[0]!;
      const b = dstHosts[0]!;
      const s = net.hostSwitch[a]!;
      push(net.hostUplink[a]!, 1);
      push(net.hostDownlink[b]!, 1);
      const range = routing.fabricRange(s, net.hostSwitch[b]!);
      from[j] = range[0];
      to[j] = range[1];
      ingress.push([{ switch: s, share: 1 }]);
    } else {
      ingress.push(spreadJob(routing, net, srcHosts, dstHosts, acc, scratch));
      const touched = acc.touched;
      for (let i = 0; i < acc.touchedCount; i++) push(touched[i]!, acc.value[touched[i]!]!);
      acc.clear();
    }
    jobStart[j + 1] = own.size;
  }
  const pool = routing.fabricPool();
  return {
    jobCount: J,
    linkCount: net.linkCount,
    jobStart,
    link: own.link.subarray(0, own.size),
    fraction: own.fraction.subarray(0, own.size),
    shared: { from, to, link: pool.link, fraction: pool.fraction },
    ingress,
  };
}

interface Buffer {
  link: Int32Array;
  fraction: Float64Array;
  size: number;
}

function grow(buffer: Buffer, needed: number): Buffer {
  let capacity = buffer.link.length * 2;
  while (capacity < needed) capacity *= 2;
  const link = new Int32Array(capacity);
  link.set(buffer.link.subarray(0, buffer.size));
  const fraction = new Float64Array(capacity);
  fraction.set(buffer.fraction.subarray(0, buffer.size));
  return { link, fraction, size: buffer.size };
}

/**
 * Per-host marks and per-switch counts for spreadJob, kept between jobs (and zeroed after
 * each): a thousand multi-host jobs would otherwise build five Sets and Maps each.
 */
class HostScratch {
  readonly isSrc: Uint8Array;
  readonly isDst: Uint8Array;
  readonly srcCount: Int32Array;
  readonly dstCount: Int32Array;
  readonly ingress: Float64Array;
  readonly srcSwitches: Int32Array;
  readonly dstSwitches: Int32Array;

  constructor(net: Network) {
    this.isSrc = new Uint8Array(net.hosts.length);
    this.isDst = new Uint8Array(net.hosts.length);
    this.srcCount = new Int32Array(net.switchCount);
    this.dstCount = new Int32Array(net.switchCount);
    this.ingress = new Float64Array(net.switchCount);
    this.srcSwitches = new Int32Array(net.switchCount);
    this.dstSwitches = new Int32Array(net.switchCount);
  }
}

/** Accumulates a multi-host job's link fractions into `acc`; returns its ingress shares. */
function spreadJob(
  routing: Routing,
  net: Network,
  srcHosts: readonly number[],
  dstHosts: readonly number[],
  acc: SparseSum,
  scratch: HostScratch,
): { switch: number; share: number }[] {
  const { isSrc, isDst, srcCount, dstCount, ingress, srcSwitches, dstSwitches } = scratch;
  for (let i = 0; i < srcHosts.length; i++) isSrc[srcHosts[i]!] = 1;
  for (let i = 0; i < dstHosts.length; i++) isDst[dstHosts[i]!] = 1;
  let pairs = srcHosts.length * dstHosts.length;
  for (let i = 0; i < srcHosts.length; i++) pairs -= isDst[srcHosts[i]!]!;
  let srcSwitchCount = 0;
  let dstSwitchCount = 0;
  for (let i = 0; i < srcHosts.length; i++) {
    const a = srcHosts[i]!;
    const partners = dstHosts.length - isDst[a]!;
    if (partners === 0) continue;
    acc.add(net.hostUplink[a]!, partners / pairs);
    const s = net.hostSwitch[a]!;
    if (srcCount[s] === 0) srcSwitches[srcSwitchCount++] = s;
    srcCount[s]!++;
    ingress[s]! += partners / pairs;
  }
  for (let i = 0; i < dstHosts.length; i++) {
    const b = dstHosts[i]!;
    const partners = srcHosts.length - isSrc[b]!;
    if (partners === 0) continue;
    acc.add(net.hostDownlink[b]!, partners / pairs);
    const t = net.hostSwitch[b]!;
    if (dstCount[t] === 0) dstSwitches[dstSwitchCount++] = t;
    dstCount[t]!++;
  }
  const srcOrder = srcSwitches.subarray(0, srcSwitchCount).sort();
  const dstOrder = dstSwitches.subarray(0, dstSwitchCount).sort();
  // Hosts that are both source and destination pair with everyone but themselves; pairs
  // across two switches never involve the same host, so the switch counts multiply.
  for (let i = 0; i < srcSwitchCount; i++) {
    const s = srcOrder[i]!;
    for (let k = 0; k < dstSwitchCount; k++) {
      const t = dstOrder[k]!;
      if (s === t) continue;
      // Straight from the pool (taken after fabricRange, which may grow it): no callback,
      // so no boxed amounts; the same products in the same order as forEachFabricShare.
      const scale = (srcCount[s]! * dstCount[t]!) / pairs;
      const [from, to] = routing.fabricRange(s, t);
      const pool = routing.fabricPool();
      acc.addScaled(pool.link, pool.fraction, from, to, scale);
    }
  }
  const shares: { switch: number; share: number }[] = [];
  for (let i = 0; i < srcSwitchCount; i++) {
    const s = srcOrder[i]!;
    shares.push({ switch: s, share: ingress[s]! });
    srcCount[s] = 0;
    ingress[s] = 0;
  }
  for (let k = 0; k < dstSwitchCount; k++) dstCount[dstOrder[k]!] = 0;
  for (let i = 0; i < srcHosts.length; i++) isSrc[srcHosts[i]!] = 0;
  for (let i = 0; i < dstHosts.length; i++) isDst[dstHosts[i]!] = 0;
  return shares;
}

/** A sparse vector over links, remembering which entries were touched. */
class SparseSum {
  readonly value: Float64Array;
  /** The touched entries, in order of first addition: touched[0 .. touchedCount). */
  readonly touched: Int32Array;
  touchedCount = 0;
  private readonly marked: Uint8Array;

  constructor(size: number) {
    this.value = new Float64Array(size);
    this.touched = new Int32Array(size);
    this.marked = new Uint8Array(size);
  }

  add(i: number, v: number): void {
    if (this.marked[i] === 0) {
      this.marked[i] = 1;
      this.touched[this.touchedCount++] = i;
    }
    this.value[i]! += v;
  }

  /** add(links[i], fractions[i] * scale) for i in [from, to), in that order. */
  addScaled(
    links: Int32Array,
    fractions: Float64Array,
    from: number,
    to: number,
    scale: number,
  ): void {
    const { value, marked, touched } = this;
    let count = this.touchedCount;
    for (let i = from; i < to; i++) {
      const l = links[i]!;
      if (marked[l] === 0) {
        marked[l] = 1;
        touched[count++] = l;
      }
      value[l]! += fractions[i]! * scale;
    }
    this.touchedCount = count;
  }

  /** Zeroes the touched entries. (Their order, that of first addition, is deterministic.) */
  clear(): void {
    for (let k = 0; k < this.touchedCount; k++) {
      const i = this.touched[k]!;
      this.value[i] = 0;
      this.marked[i] = 0;
    }
    this.touchedCount = 0;
  }
}

/**
 * The water-filling's weight of each job: as declared, or (smaller-first) also scaled by the
 * mean volume over the job's, so that smaller jobs get larger shares.
 */
function jobWeights(
  jobs: readonly ResolvedJob[],
  mode: Policy["knobs"]["jobWeights"],
): Float64Array {
  const weight = new Float64Array(jobs.length);
  let mean = 0;
  for (const j of jobs) mean += j.job.volume / jobs.length;
  jobs.forEach((j, i) => {
    weight[i] =
      mode === "smaller-first" && j.job.volume > 0
        ? (j.job.weight * mean) / j.job.volume
        : j.job.weight;
  });
  return weight;
}
