// Weighted max-min fair water-filling over all links at once, with per-job lower and upper
// bounds and fractional link use (a job split by ECMP puts a fraction of its rate on each
// link).
//
// A common level t rises from 0. A job j is "waiting" at its lower bound until
// w_j t reaches it, then "growing" at rate w_j t, and freezes when it reaches its upper
// bound or when a link it crosses fills up. Each link keeps the slope A (sum of w_j phi_jl
// over growing jobs) and the constant part B (everything else) of its load A t + B, so it
// fills at level (C - B) / A. Events are handled in level order: a job starting, a job
// reaching its upper bound, a link filling.
//
// Incremental bottleneck detection: a tournament tree holds each link's fill level. Freezing
// a job can only raise the fill levels of its links (its share stops growing), so those
// updates are left lazy: the tree keeps a lower bound, and only the link at the top is
// re-checked and re-inserted if it was stale. A job starting lowers its links' levels; those
// links are collected and handed to the tree in one go when one of them could be next. Each link
// fills once, so the jobs on a link are visited once. Work: O(incidences + (distinct
// lowered links per batch + stale pops) * log L).

export interface FillProblem {
  jobCount: number;
  linkCount: number;
  /** Per job, > 0. */
  weight: Float64Array;
  /** Per job, >= 0. */
  lower: Float64Array;
  /** Per job, >= lower; Infinity for none. */
  upper: Float64Array;
  /** Links of job j: link[jobStart[j] .. jobStart[j+1]), with the fraction of j's rate on each. */
  jobStart: Int32Array;
  link: Int32Array;
  fraction: Float64Array;
  /** Per link. */
  capacity: Float64Array;
}

export interface FillResult {
  rate: Float64Array;
  /** Final load of every link (sum of rate times fraction over its jobs). */
  load: Float64Array;
  /** The link whose filling froze the job, or -1 (upper bound reached, or no links). */
  bottleneck: Int32Array;
}

/** The jobs on each link: job[start[l] .. start[l+1]), in job order. */
export interface LinkJobs {
  start: Int32Array;
  job: Int32Array;
}

/** Builds the link -> jobs index of a problem's incidence (shareable between problems). */
export function linkJobs(
  p: Pick<FillProblem, "jobCount" | "linkCount" | "jobStart" | "link">,
): LinkJobs {
  const L = p.linkCount;
  const start = new Int32Array(L + 1);
  const link = p.link;
  for (let i = 0; i < link.length; i++) start[link[i]! + 1]!++;
  for (let l = 0; l < L; l++) start[l + 1]! += start[l]!;
  const job = new Int32Array(link.length);
  const fill = start.slice(0, L);
  const jobStart = p.jobStart;
  for (let j = 0; j < p.jobCount; j++) {
    for (let i = jobStart[j]!; i < jobStart[j + 1]!; i++) job[fill[link[i]!]!++] = j;
  }
  return { start, job };
}

const WAITING = 0;
const GROWING = 1;
const FROZEN = 2;

/**
 * `index` (the link -> jobs index) may be shared between problems with the same incidence;
 * it is only built (or asked for) once some link fills.
 */
export function waterFill(p: FillProblem, index?: LinkJobs | (() => LinkJobs)): FillResult {
  const J = p.jobCount;
  const L = p.linkCount;
  const { weight, lower, upper, jobStart, link, fraction, capacity } = p;
  const rate = new Float64Array(J);
  const bottleneck = new Int32Array(J).fill(-1);
  const state = new Uint8Array(J);
  const slope = new Float64Array(L);
  const constant = new Float64Array(L);

  const starts: number[] = [];
  const caps: number[] = [];
  for (let j = 0; j < J; j++) {
    const w = weight[j]!;
    const lo = lower[j]!;
    const hi = upper[j]!;
    const from = jobStart[j]!;
    const to = jobStart[j + 1]!;
    if (hi <= lo || (from === to && hi === Infinity)) {
      // Nothing to share: the job sits at its bound.
      state[j] = FROZEN;
      const r = from === to && hi !== Infinity ? hi : lo;
      rate[j] = r;
      for (let i = from; i < to; i++) constant[link[i]!]! += r * fraction[i]!;
      continue;
    }
    if (lo > 0) {
      state[j] = WAITING;
      for (let i = from; i < to; i++) constant[link[i]!]! += lo * fraction[i]!;
      starts.push(j);
    } else {
      state[j] = GROWING;
      for (let i = from; i < to; i++) slope[link[i]!]! += w * fraction[i]!;
    }
    if (hi !== Infinity) caps.push(j);
  }
  const startLevel = Float64Array.from(starts, (j) => lower[j]! / weight[j]!);
  const startOrder = Int32Array.from(starts.keys()).sort(
    (a, b) => startLevel[a]! - startLevel[b]! || starts[a]! - starts[b]!,
  );
  const capLevel = Float64Array.from(caps, (j) => upper[j]! / weight[j]!);
  const capOrder = Int32Array.from(caps.keys()).sort(
    (a, b) => capLevel[a]! - capLevel[b]! || caps[a]! - caps[b]!,
  );

  let jobsOnLink: LinkJobs | undefined;
  const jobsOf = (): LinkJobs =>
    (jobsOnLink ??=
      index === undefined ? linkJobs(p) : typeof index === "function" ? index() : index);

  // Without growing jobs the slope is 0 (or a rounding residue of the order of 1e-16 of
  // what it was): such a link can only "fill" at a level where it freezes nobody.
  const levelOf = (l: number) =>
    slope[l]! > 0 ? (capacity[l]! - constant[l]!) / slope[l]! : Infinity;
  const tree = new MinTree(L);
  for (let l = 0; l < L; l++) tree.init(l, levelOf(l));
  tree.build();
  // Links whose level fell (a job started) since the tree last heard of them, and the lowest
  // level among them: starts between two link events touch the same links over and over,
  // so the tree is told once, when one of them may be next.
  const dirty = new Int32Array(L);
  const isDirty = new Uint8Array(L);
  let dirtyCount = 0;
  let dirtyMin = Infinity;
  const flush = () => {
    for (let i = 0; i < dirtyCount; i++) {
      const l = dirty[i]!;
      isDirty[l] = 0;
      tree.set(l, levelOf(l));
    }
    dirtyCount = 0;
    dirtyMin = Infinity;
  };

  const freeze = (j: number, value: number, by: number) => {
    const was = state[j];
    state[j] = FROZEN;
    rate[j] = value;
    bottleneck[j] = by;
    if (was !== GROWING) return; // a waiting job already counts at its lower bound
    const w = weight[j]!;
    for (let i = jobStart[j]!; i < jobStart[j + 1]!; i++) {
      const l = link[i]!;
      const f = fraction[i]!;
      slope[l]! -= w * f;
      constant[l]! += value * f;
      // The link's level rose: the tree keeps the old value as a lower bound.
    }
  };

  let nextStart = 0;
  let nextCap = 0;
  let level = 0;
  for (;;) {
    while (nextCap < capOrder.length && state[caps[capOrder[nextCap]!]!] === FROZEN) nextCap++;
    while (nextStart < startOrder.length && state[starts[startOrder[nextStart]!]!] !== WAITING)
      nextStart++;
    const tStart = nextStart < startOrder.length ? startLevel[startOrder[nextStart]!]! : Infinity;
    const tCap = nextCap < capOrder.length ? capLevel[capOrder[nextCap]!]! : Infinity;
    if (dirtyMin <= tStart && dirtyMin <= tCap && dirtyMin <= tree.min()) flush();
    // Settle the top of the tree: re-insert stale (too low) levels until the top is exact.
    let tLink = tree.min();
    while (tLink !== Infinity) {
      const l = tree.argmin();
      const actual = levelOf(l);
      if (actual <= tLink) break;
      tree.set(l, actual);
      tLink = tree.min();
    }
    if (tStart === Infinity && tCap === Infinity && tLink === Infinity && dirtyCount === 0) break;
    if (tStart <= tCap && tStart <= tLink && tStart < dirtyMin) {
      // The job begins to grow from its lower bound (its load is continuous at this level).
      const j = starts[startOrder[nextStart++]!]!;
      level = Math.max(level, tStart);
      state[j] = GROWING;
      const w = weight[j]!;
      const lo = lower[j]!;
      for (let i = jobStart[j]!; i < jobStart[j + 1]!; i++) {
        const l = link[i]!;
        const f = fraction[i]!;
        slope[l]! += w * f;
        constant[l]! -= lo * f;
        // The level fell: the tree must hear of it before it could be next.
        const fell = (capacity[l]! - constant[l]!) / slope[l]!;
        if (fell < dirtyMin) dirtyMin = fell;
        if (isDirty[l] === 0) {
          isDirty[l] = 1;
          dirty[dirtyCount++] = l;
        }
      }
    } else if (dirtyCount > 0 && dirtyMin <= tCap && dirtyMin <= tLink) {
      // A link that a start lowered may fill next: tell the tree, then look again.
      flush();
    } else if (tCap <= tLink) {
      const j = caps[capOrder[nextCap++]!]!;
      level = Math.max(level, tCap);
      // A waiting job never has its upper bound below its start: it is growing here.
      freeze(j, upper[j]!, -1);
    } else {
      const l = tree.argmin();
      level = Math.max(level, tLink);
      const on = jobsOf();
      for (let i = on.start[l]!; i < on.start[l + 1]!; i++) {
        const j = on.job[i]!;
        if (state[j] === GROWING) freeze(j, weight[j]! * level, l);
        else if (state[j] === WAITING) freeze(j, lower[j]!, l);
      }
      slope[l] = 0;
      tree.set(l, Infinity);
    }
  }
  // Every job is frozen now, so each link's constant part is its whole load.
  return { rate, bottleneck, load: constant };
}

/** Minimum of L values with point updates: a complete binary tree in typed arrays. */
class MinTree {
  private readonly size: number;
  private readonly value: Float64Array;
  private readonly index: Int32Array;

  constructor(n: number) {
    let size = 1;
    while (size < Math.max(1, n)) size *= 2;
    this.size = size;
    this.value = new Float64Array(2 * size).fill(Infinity);
    this.index = new Int32Array(2 * size).fill(-1);
    for (let i = 0; i < n; i++) this.index[size + i] = i;
  }

  /** Sets a leaf without updating the inner nodes; call build() after the last one. */
  init(i: number, v: number): void {
    this.value[this.size + i] = v;
  }

  build(): void {
    for (let node = this.size - 1; node >= 1; node--) {
      const a = 2 * node;
      const pick = this.value[a + 1]! < this.value[a]! ? a + 1 : a;
      this.value[node] = this.value[pick]!;
      this.index[node] = this.index[pick]!;
    }
  }

  set(i: number, v: number): void {
    let node = this.size + i;
    this.value[node] = v;
    node >>= 1;
    while (node >= 1) {
      const a = 2 * node;
      const b = a + 1;
      // Ties go to the lower index, so the order of events is fixed.
      const pick = this.value[b]! < this.value[a]! ? b : a;
      if (this.value[node] === this.value[pick] && this.index[node] === this.index[pick]) break;
      this.value[node] = this.value[pick]!;
      this.index[node] = this.index[pick]!;
      node >>= 1;
    }
  }

  min(): number {
    return this.value[1]!;
  }

  argmin(): number {
    return this.index[1]!;
  }
}
