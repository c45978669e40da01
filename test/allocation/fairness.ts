// Independent checks of a weighted max-min fair allocation with bounds, used by the
// water-filling and allocation property tests.
//
// An allocation x with lo <= x <= hi is weighted max-min fair exactly when it is feasible
// and every job that is below its upper bound has a bottleneck: a saturated link it crosses
// on which no other job has a larger normalised share x/w, unless that job sits at its lower
// bound (and so cannot give anything up). Then raising the job would need some job on that
// link with an equal or smaller normalised share to shrink.

export interface Incidence {
  /** Per job: [link, fraction] pairs. */
  links: [number, number][][];
}

export interface FairnessInput extends Incidence {
  capacity: ArrayLike<number>;
  weight: ArrayLike<number>;
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  rate: ArrayLike<number>;
}

/** Relative tolerance for float comparisons. */
const EPS = 1e-7;

const close = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b)
    ? Math.abs(a - b) <= EPS * Math.max(1, Math.abs(a), Math.abs(b))
    : a === b;
const atMost = (a: number, b: number) =>
  !Number.isFinite(b) ? true : a <= b + EPS * Math.max(1, Math.abs(a), Math.abs(b));

export function linkLoads(
  input: Incidence & { rate: ArrayLike<number> },
  linkCount: number,
): number[] {
  const load = new Array<number>(linkCount).fill(0);
  input.links.forEach((ls, j) => ls.forEach(([l, f]) => (load[l]! += input.rate[j]! * f)));
  return load;
}

/** Returns a list of violations (empty when the allocation is max-min fair). */
export function fairnessViolations(input: FairnessInput): string[] {
  const problems: string[] = [];
  const L = input.capacity.length;
  const load = linkLoads(input, L);
  for (let l = 0; l < L; l++) {
    if (!atMost(load[l]!, Math.max(0, input.capacity[l]!) + lowerBoundExcess(input, l))) {
      problems.push(`link ${l} carries ${load[l]} > capacity ${input.capacity[l]}`);
    }
  }
  const share = (j: number) => input.rate[j]! / input.weight[j]!;
  const pinned = (j: number) => close(input.rate[j]!, input.lower[j]!);
  const onLink = new Map<number, number[]>();
  input.links.forEach((ls, j) =>
    ls.forEach(([l, f]) => {
      if (f > 0) onLink.set(l, [...(onLink.get(l) ?? []), j]);
    }),
  );
  input.links.forEach((ls, j) => {
    const x = input.rate[j]!;
    if (!atMost(input.lower[j]!, x)) problems.push(`job ${j} below its lower bound`);
    if (!atMost(x, input.upper[j]!)) problems.push(`job ${j} above its upper bound`);
    if (close(x, input.upper[j]!) || ls.length === 0) return;
    const hasBottleneck = ls.some(([l, f]) => {
      if (f <= 0 || !close(load[l]!, Math.max(input.capacity[l]!, 0))) return false;
      return onLink.get(l)!.every((k) => k === j || atMost(share(k), share(j)) || pinned(k));
    });
    if (!hasBottleneck) problems.push(`job ${j} (rate ${x}) could grow: it has no bottleneck link`);
  });
  return problems;
}

/** Lower bounds alone may exceed a link (then the link is "over" by that much, at most). */
function lowerBoundExcess(input: FairnessInput, l: number): number {
  let lowerLoad = 0;
  input.links.forEach((ls, j) =>
    ls.forEach(([m, f]) => (m === l ? (lowerLoad += input.lower[j]! * f) : 0)),
  );
  return Math.max(0, lowerLoad - input.capacity[l]!);
}
