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

/**
 * Which links each job crosses and the fraction of its rate on each. A job has its own links
 * (CSR: link[jobStart[j] .. jobStart[j+1])) and may also cross a list it shares with other
 * jobs (shared.link[shared.from[j] .. shared.to[j])): all jobs between the same two switches
 * split over the same ECMP paths, so they can point at one copy of those shares.
 */
export interface Incidence {
  jobCount: number;
  linkCount: number;
  jobStart: Int32Array;
  link: Int32Array;
  fraction: Float64Array;
  shared?: SharedLinks;
}

export interface SharedLinks {
  /** Per job; from = to when the job shares nothing. */
  from: Int32Array;
  to: Int32Array;
  link: Int32Array;
  fraction: Float64Array;
}

export interface FillProblem extends Incidence {
  /** Per job, > 0. */
  weight: Float64Array;
  /** Per job, >= 0. */
  lower: Float64Array;
  /** Per job, >= lower; Infinity for none. */
  upper: Float64Array;
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

/** The shared part of an incidence, or an empty one (every job sharing nothing). */
export function sharedOf(p: Incidence): SharedLinks {
  return (
    p.shared ?? {
      from: new Int32Array(p.jobCount),
      to: new Int32Array(p.jobCount),
      link: new Int32Array(0),
      fraction: new Float64Array(0),
    }
  );
}

/** Calls visit(link, fraction) for every link of job j. */
export function forEachLinkOf(
  p: Incidence,
  j: number,
  visit: (link: number, fraction: number) => void,
): void {
  for (let i = p.jobStart[j]!; i < p.jobStart[j + 1]!; i++) visit(p.link[i]!, p.fraction[i]!);
  const s = p.shared;
  if (s !== undefined)
    for (let i = s.from[j]!; i < s.to[j]!; i++) visit(s.link[i]!, s.fraction[i]!);
}

/** The jobs on each link: job[start[l] .. start[l+1]), in job order. */
export interface LinkJobs {
  start: Int32Array;
  job: Int32Array;
}

/** Builds the link -> jobs index of an incidence (shareable between problems). */
export function linkJobs(p: Incidence): LinkJobs {
  const L = p.linkCount;
  const J = p.jobCount;
  const { jobStart, link } = p;
  const { from, to, link: sharedLink } = sharedOf(p);
  const start = new Int32Array(L + 1);
  for (let i = 0; i < link.length; i++) start[link[i]! + 1]!++;
  for (let j = 0; j < J; j++) {
    for (let i = from[j]!; i < to[j]!; i++) start[sharedLink[i]! + 1]!++;
  }
  for (let l = 0; l < L; l++) start[l + 1]! += start[l]!;
  const job = new Int32Array(start[L]!);
  const fill = start.slice(0, L);
  for (let j = 0; j < J; j++) {
    for (let i = jobStart[j]!; i < jobStart[j + 1]!; i++) job[fill[link[i]!]!++] = j;
    for (let i = from[j]!; i < to[j]!; i++) job[fill[sharedLink[i]!]!++] = j;
  }
  return { start, job };
}

const WAITING = 0;
const GROWING = 1;
const FROZEN = 2;

/**
 * Links whose level fell (a job started) since the tree last heard of them, and the lowest
 * level any of them reached: starts between two link events touch the same links over and
 * over, so the tree is told once, when one of them may be next.
 */
class FallenLinks {
  readonly list: Int32Array;
  readonly marked: Uint8Array;
  count = 0;
  min = Infinity;

  constructor(linkCount: number) {
    this.list = new Int32Array(linkCount);
    this.marked = new Uint8Array(linkCount);
  }
}

/** The level at which link l fills, from its load slope * level + constant. */
function fillLevel(
  l: number,
  slope: Float64Array,
  constant: Float64Array,
  capacity: Float64Array,
): number {
  // Without growing jobs the slope is 0 (or a rounding residue of the order of 1e-16 of
  // what it was): such a link can only "fill" at a level where it freezes nobody.
  return slope[l]! > 0 ? (capacity[l]! - constant[l]!) / slope[l]! : Infinity;
}

/**
 * A job starts to grow from its lower bound `lo` on the links ls[from .. to): each link's
 * load gains slope and loses the constant part, so its level falls.
 */
function startOn(
  ls: Int32Array,
  fs: Float64Array,
  from: number,
  to: number,
  w: number,
  lo: number,
  slope: Float64Array,
  constant: Float64Array,
  capacity: Float64Array,
  fallen: FallenLinks,
): void {
  const { list, marked } = fallen;
  let count = fallen.count;
  let min = fallen.min;
  for (let i = from; i < to; i++) {
    const l = ls[i]!;
    const f = fs[i]!;
    slope[l]! += w * f;
    constant[l]! -= lo * f;
    const fell = (capacity[l]! - constant[l]!) / slope[l]!;
    if (fell < min) min = fell;
    if (marked[l] === 0) {
      marked[l] = 1;
      list[count++] = l;
    }
  }
  fallen.count = count;
  fallen.min = min;
}

/**
 * A growing job stops at `value` on the links ls[from .. to): its slope becomes constant load.
 * The links' levels rise; the tree keeps the old values as lower bounds.
 */
function stopOn(
  ls: Int32Array,
  fs: Float64Array,
  from: number,
  to: number,
  w: number,
  value: number,
  slope: Float64Array,
  constant: Float64Array,
): void {
  for (let i = from; i < to; i++) {
    const l = ls[i]!;
    const f = fs[i]!;
    slope[l]! -= w * f;
    constant[l]! += value * f;
  }
}

/** Adds amount * fraction to every link of ls[from .. to). */
function addOn(
  ls: Int32Array,
  fs: Float64Array,
  from: number,
  to: number,
  amount: number,
  into: Float64Array,
): void {
  for (let i = from; i < to; i++) into[ls[i]!]! += amount * fs[i]!;
}

/**
 * The positions of `keys` in increasing order, equal keys by position: the order of
 * sorting 0 .. n-1 by (keys[i], i), with a native numeric sort instead of a comparator.
 */
function orderByKey(keys: Float64Array): Int32Array {
  const n = keys.length;
  const sorted = keys.slice().sort();
  const taken = new Int32Array(n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    order[lo + taken[lo]!++] = i;
  }
  return order;
}

/**
 * `index` (the link -> jobs index) may be shared between problems with the same incidence;
 * it is only built (or asked for) once some link fills. `lowerLoad`, when the caller has it,
 * is every link's load at the jobs' lower bounds (sum of lower times fraction): it saves a
 * pass over the incidence.
 */
export function waterFill(
  p: FillProblem,
  index?: LinkJobs | (() => LinkJobs),
  lowerLoad?: Float64Array,
): FillResult {
  const J = p.jobCount;
  const L = p.linkCount;
  const { weight, lower, upper, jobStart, link, fraction, capacity } = p;
  // Each job's links come in two parts, its own and the shared ones; loops run over both.
  const {
    from: sharedFrom,
    to: sharedTo,
    link: sharedLink,
    fraction: sharedFraction,
  } = sharedOf(p);
  const rate = new Float64Array(J);
  const bottleneck = new Int32Array(J).fill(-1);
  const state = new Uint8Array(J);
  const slope = new Float64Array(L);
  const constant = lowerLoad === undefined ? new Float64Array(L) : Float64Array.from(lowerLoad);
  const countLower = lowerLoad === undefined;

  const starts = new Int32Array(J);
  let startCount = 0;
  const caps = new Int32Array(J);
  let capCount = 0;
  for (let j = 0; j < J; j++) {
    const w = weight[j]!;
    const lo = lower[j]!;
    const hi = upper[j]!;
    const crosses = jobStart[j + 1]! > jobStart[j]! || sharedTo[j]! > sharedFrom[j]!;
    if (hi <= lo || (!crosses && hi === Infinity)) {
      // Nothing to share: the job sits at its bound.
      state[j] = FROZEN;
      const r = !crosses && hi !== Infinity ? hi : lo;
      rate[j] = r;
      // (A job without links adds nothing; one at its lower bound is in lowerLoad already.)
      if (countLower) {
        addOn(link, fraction, jobStart[j]!, jobStart[j + 1]!, r, constant);
        addOn(sharedLink, sharedFraction, sharedFrom[j]!, sharedTo[j]!, r, constant);
      }
      continue;
    }
    state[j] = lo > 0 ? WAITING : GROWING;
    if (lo > 0) {
      if (countLower) {
        addOn(link, fraction, jobStart[j]!, jobStart[j + 1]!, lo, constant);
        addOn(sharedLink, sharedFraction, sharedFrom[j]!, sharedTo[j]!, lo, constant);
      }
    } else if (lo === 0 || countLower) {
      addOn(link, fraction, jobStart[j]!, jobStart[j + 1]!, w, slope);
      addOn(sharedLink, sharedFraction, sharedFrom[j]!, sharedTo[j]!, w, slope);
    }
    if (lo > 0) starts[startCount++] = j;
    if (hi !== Infinity) caps[capCount++] = j;
  }
  const startLevel = new Float64Array(startCount);
  for (let i = 0; i < startCount; i++) startLevel[i] = lower[starts[i]!]! / weight[starts[i]!]!;
  const startOrder = orderByKey(startLevel);
  const capLevel = new Float64Array(capCount);
  for (let i = 0; i < capCount; i++) capLevel[i] = upper[caps[i]!]! / weight[caps[i]!]!;
  const capOrder = orderByKey(capLevel);

  let jobsOnLink: LinkJobs | undefined;
  const jobsOf = (): LinkJobs =>
    (jobsOnLink ??=
      index === undefined ? linkJobs(p) : typeof index === "function" ? index() : index);

  const tree = new MinTree(L);
  for (let l = 0; l < L; l++) tree.init(l, fillLevel(l, slope, constant, capacity));
  tree.build();
  const fallen = new FallenLinks(L);
  const flush = () => {
    const { list, marked } = fallen;
    for (let i = 0; i < fallen.count; i++) {
      const l = list[i]!;
      marked[l] = 0;
      tree.set(l, fillLevel(l, slope, constant, capacity));
    }
    fallen.count = 0;
    fallen.min = Infinity;
  };

  const freeze = (j: number, value: number, by: number) => {
    const was = state[j];
    state[j] = FROZEN;
    rate[j] = value;
    bottleneck[j] = by;
    if (was !== GROWING) return; // a waiting job already counts at its lower bound
    const w = weight[j]!;
    stopOn(link, fraction, jobStart[j]!, jobStart[j + 1]!, w, value, slope, constant);
    stopOn(sharedLink, sharedFraction, sharedFrom[j]!, sharedTo[j]!, w, value, slope, constant);
  };

  let nextStart = 0;
  let nextCap = 0;
  let level = 0;
  for (;;) {
    while (nextCap < capCount && state[caps[capOrder[nextCap]!]!] === FROZEN) nextCap++;
    while (nextStart < startCount && state[starts[startOrder[nextStart]!]!] !== WAITING)
      nextStart++;
    const tStart = nextStart < startCount ? startLevel[startOrder[nextStart]!]! : Infinity;
    const tCap = nextCap < capCount ? capLevel[capOrder[nextCap]!]! : Infinity;
    if (fallen.min <= tStart && fallen.min <= tCap && fallen.min <= tree.min()) flush();
    // Settle the top of the tree: re-insert stale (too low) levels until the top is exact.
    let tLink = tree.min();
    while (tLink !== Infinity) {
      const l = tree.argmin();
      const actual = fillLevel(l, slope, constant, capacity);
      if (actual <= tLink) break;
      tree.set(l, actual);
      tLink = tree.min();
    }
    if (tStart === Infinity && tCap === Infinity && tLink === Infinity && fallen.count === 0) break;
    if (tStart <= tCap && tStart <= tLink && tStart < fallen.min) {
      // The job begins to grow from its lower bound (its load is continuous at this level).
      // Its links' levels fall: the tree must hear of them before one could be next.
      const j = starts[startOrder[nextStart++]!]!;
      level = Math.max(level, tStart);
      state[j] = GROWING;
      const w = weight[j]!;
      const lo = lower[j]!;
      startOn(
        link,
        fraction,
        jobStart[j]!,
        jobStart[j + 1]!,
        w,
        lo,
        slope,
        constant,
        capacity,
        fallen,
      );
      startOn(
        sharedLink,
        sharedFraction,
        sharedFrom[j]!,
        sharedTo[j]!,
        w,
        lo,
        slope,
        constant,
        capacity,
        fallen,
      );
    } else if (fallen.count > 0 && fallen.min <= tCap && fallen.min <= tLink) {
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
