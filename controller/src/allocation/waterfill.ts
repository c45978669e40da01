// Weighted max-min fair water-filling over all links at once, with per-job lower and upper
// bounds and fractional link use (a job split by ECMP puts a fraction of its rate on each
// link).
//
// A common level t rises from 0. A job j is "waiting" at its lower bound until
// w_j t reaches it, then "growing" at rate w_j t, and freezes when it reaches its upper
// bound or when a link it crosses fills up. Each link keeps the slope A (sum of w_j phi_jl
// over growing jobs) and the constant part B (everything else) of its load A t + B, so its
// fill level is (C - B) / A. Freezing a job only raises the fill levels of its other links
// and a job starting only lowers them; a tournament tree over the levels gives the next
// link to fill in O(log L) after each change, and each event touches only the links of the
// jobs it changes. Total work: O((incidences + events) log L).

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
  /** The link whose filling froze the job, or -1 (upper bound reached, or no links). */
  bottleneck: Int32Array;
}

const WAITING = 0;
const GROWING = 1;
const FROZEN = 2;

export function waterFill(p: FillProblem): FillResult {
  const J = p.jobCount;
  const L = p.linkCount;
  const rate = new Float64Array(J);
  const bottleneck = new Int32Array(J).fill(-1);
  const state = new Uint8Array(J);
  const slope = new Float64Array(L);
  const constant = new Float64Array(L);
  /** Growing jobs per link: lets the slope return to exactly 0. */
  const growing = new Int32Array(L);

  // Jobs per link, in job order (the order sums are taken in, hence deterministic).
  const linkStart = new Int32Array(L + 1);
  for (let i = 0; i < p.link.length; i++) linkStart[p.link[i]! + 1]!++;
  for (let l = 0; l < L; l++) linkStart[l + 1]! += linkStart[l]!;
  const linkJob = new Int32Array(p.link.length);
  const linkFraction = new Float64Array(p.link.length);
  {
    const fill = linkStart.slice(0, L);
    for (let j = 0; j < J; j++) {
      for (let i = p.jobStart[j]!; i < p.jobStart[j + 1]!; i++) {
        const at = fill[p.link[i]!]!++;
        linkJob[at] = j;
        linkFraction[at] = p.fraction[i]!;
      }
    }
  }

  const starts: number[] = [];
  const caps: number[] = [];
  for (let j = 0; j < J; j++) {
    const w = p.weight[j]!;
    const lo = p.lower[j]!;
    const hi = p.upper[j]!;
    const hasLinks = p.jobStart[j + 1]! > p.jobStart[j]!;
    if (hi <= lo || (!hasLinks && hi === Infinity)) {
      // Nothing to share: the job sits at its bound.
      state[j] = FROZEN;
      rate[j] = !hasLinks && hi !== Infinity ? hi : lo;
      for (let i = p.jobStart[j]!; i < p.jobStart[j + 1]!; i++) constant[p.link[i]!]! += rate[j]! * p.fraction[i]!;
      continue;
    }
    if (lo > 0) {
      state[j] = WAITING;
      for (let i = p.jobStart[j]!; i < p.jobStart[j + 1]!; i++) constant[p.link[i]!]! += lo * p.fraction[i]!;
      starts.push(j);
    } else {
      state[j] = GROWING;
      for (let i = p.jobStart[j]!; i < p.jobStart[j + 1]!; i++) {
        slope[p.link[i]!]! += w * p.fraction[i]!;
        growing[p.link[i]!]!++;
      }
    }
    if (hi !== Infinity) caps.push(j);
  }
  const startLevel = (j: number) => p.lower[j]! / p.weight[j]!;
  const capLevel = (j: number) => p.upper[j]! / p.weight[j]!;
  starts.sort((a, b) => startLevel(a) - startLevel(b) || a - b);
  caps.sort((a, b) => capLevel(a) - capLevel(b) || a - b);

  const tree = new MinTree(L);
  const levelOf = (l: number) =>
    growing[l] === 0 ? Infinity : (p.capacity[l]! - constant[l]!) / slope[l]!;
  for (let l = 0; l < L; l++) tree.set(l, levelOf(l));

  // Links whose slope or constant changed during the current event.
  const dirty = new Int32Array(L);
  const isDirty = new Uint8Array(L);
  let dirtyCount = 0;
  const touch = (l: number) => {
    if (isDirty[l] === 0) {
      isDirty[l] = 1;
      dirty[dirtyCount++] = l;
    }
  };
  const flush = () => {
    for (let i = 0; i < dirtyCount; i++) {
      const l = dirty[i]!;
      isDirty[l] = 0;
      tree.set(l, levelOf(l));
    }
    dirtyCount = 0;
  };
  const freeze = (j: number, value: number, by: number) => {
    const was = state[j];
    state[j] = FROZEN;
    rate[j] = value;
    bottleneck[j] = by;
    for (let i = p.jobStart[j]!; i < p.jobStart[j + 1]!; i++) {
      const l = p.link[i]!;
      if (was === GROWING) {
        slope[l]! -= p.weight[j]! * p.fraction[i]!;
        constant[l]! += value * p.fraction[i]!;
        if (--growing[l]! === 0) slope[l] = 0;
      }
      // A waiting job already counts at its lower bound, which is where it stays.
      touch(l);
    }
  };

  let nextStart = 0;
  let nextCap = 0;
  let level = 0;
  for (;;) {
    while (nextCap < caps.length && state[caps[nextCap]!] === FROZEN) nextCap++;
    while (nextStart < starts.length && state[starts[nextStart]!] !== WAITING) nextStart++;
    const tStart = nextStart < starts.length ? startLevel(starts[nextStart]!) : Infinity;
    const tCap = nextCap < caps.length ? capLevel(caps[nextCap]!) : Infinity;
    const tLink = tree.min();
    if (tStart === Infinity && tCap === Infinity && tLink === Infinity) break;
    if (tStart <= tCap && tStart <= tLink) {
      // Job begins to grow from its lower bound (its load is continuous at this level).
      const j = starts[nextStart++]!;
      level = Math.max(level, tStart);
      state[j] = GROWING;
      for (let i = p.jobStart[j]!; i < p.jobStart[j + 1]!; i++) {
        const l = p.link[i]!;
        slope[l]! += p.weight[j]! * p.fraction[i]!;
        constant[l]! -= p.lower[j]! * p.fraction[i]!;
        growing[l]!++;
        touch(l);
      }
    } else if (tCap <= tLink) {
      const j = caps[nextCap++]!;
      level = Math.max(level, tCap);
      // A waiting job never has its upper bound below its start; it is growing here.
      freeze(j, p.upper[j]!, -1);
    } else {
      const l = tree.argmin();
      level = Math.max(level, tLink);
      for (let i = linkStart[l]!; i < linkStart[l + 1]!; i++) {
        const j = linkJob[i]!;
        if (state[j] === GROWING) freeze(j, p.weight[j]! * level, l);
        else if (state[j] === WAITING) freeze(j, p.lower[j]!, l);
      }
      growing[l] = 0;
      slope[l] = 0;
      touch(l);
    }
    flush();
  }
  return { rate, bottleneck };
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
