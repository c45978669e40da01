import fc from "fast-check";
import { waterFill, type FillProblem } from "@netapprox/model/allocation/waterfill.js";
import { fairnessViolations } from "./fairness.js";

interface Job {
  weight: number;
  lower?: number;
  upper?: number;
  links: [number, number][];
}

function problem(capacity: number[], jobs: Job[]): FillProblem {
  const jobStart = new Int32Array(jobs.length + 1);
  const link: number[] = [];
  const fraction: number[] = [];
  jobs.forEach((j, i) => {
    for (const [l, f] of j.links) {
      link.push(l);
      fraction.push(f);
    }
    jobStart[i + 1] = link.length;
  });
  return {
    jobCount: jobs.length,
    linkCount: capacity.length,
    weight: Float64Array.from(jobs, (j) => j.weight),
    lower: Float64Array.from(jobs, (j) => j.lower ?? 0),
    upper: Float64Array.from(jobs, (j) => j.upper ?? Infinity),
    jobStart,
    link: Int32Array.from(link),
    fraction: Float64Array.from(fraction),
    capacity: Float64Array.from(capacity),
  };
}

const rates = (p: FillProblem) => [...waterFill(p).rate];

describe("waterFill: worked examples", () => {
  it("splits one link by weight", () => {
    expect(
      rates(
        problem(
          [9],
          [
            { weight: 1, links: [[0, 1]] },
            { weight: 2, links: [[0, 1]] },
          ],
        ),
      ),
    ).toEqual([3, 6]);
  });

  it("fills all links at once: the classic three-link line", () => {
    // Links 0 and 1 have capacity 10 and 4; job 0 crosses both, job 1 only link 0, job 2
    // only link 1. Link 1 fills first at 2 each; job 1 then takes the rest of link 0.
    const result = waterFill(
      problem(
        [10, 4],
        [
          {
            weight: 1,
            links: [
              [0, 1],
              [1, 1],
            ],
          },
          { weight: 1, links: [[0, 1]] },
          { weight: 1, links: [[1, 1]] },
        ],
      ),
    );
    expect([...result.rate]).toEqual([2, 8, 2]);
    expect([...result.bottleneck]).toEqual([1, 0, 1]);
  });

  it("keeps a lower bound above the fair share and shares the rest", () => {
    // Capacity 10: job 0 must have 7; job 1 and 2 share the remaining 3.
    expect(
      rates(
        problem(
          [10],
          [
            { weight: 1, lower: 7, links: [[0, 1]] },
            { weight: 1, links: [[0, 1]] },
            { weight: 1, links: [[0, 1]] },
          ],
        ),
      ),
    ).toEqual([7, 1.5, 1.5]);
  });

  it("lets a job grow from its lower bound once the level reaches it", () => {
    // Level t: job 0 = max(2, t), job 1 = t. 2t = 10 -> 5 each.
    expect(
      rates(
        problem(
          [10],
          [
            { weight: 1, lower: 2, links: [[0, 1]] },
            { weight: 1, links: [[0, 1]] },
          ],
        ),
      ),
    ).toEqual([5, 5]);
  });

  it("hands what a capped job does not need to the others", () => {
    expect(
      rates(
        problem(
          [10],
          [
            { weight: 1, upper: 1, links: [[0, 1]] },
            { weight: 1, links: [[0, 1]] },
          ],
        ),
      ),
    ).toEqual([1, 9]);
  });

  it("counts a job by the fraction of it on each link (ECMP)", () => {
    // Job 0 is split evenly over links 0 and 1; job 1 uses link 0 only. On link 0 the
    // load is x0/2 + x1 = 6 with x0 = x1 -> 4 each; link 1 then carries 2 of its 100.
    expect(
      rates(
        problem(
          [6, 100],
          [
            {
              weight: 1,
              links: [
                [0, 0.5],
                [1, 0.5],
              ],
            },
            { weight: 1, links: [[0, 1]] },
          ],
        ),
      ),
    ).toEqual([4, 4]);
  });

  it("gives a saturated link's waiting jobs exactly their lower bound", () => {
    // Link 0 is full of lower bounds: nobody grows.
    expect(
      rates(
        problem(
          [4],
          [
            { weight: 1, lower: 3, links: [[0, 1]] },
            { weight: 5, lower: 1, links: [[0, 1]] },
          ],
        ),
      ),
    ).toEqual([3, 1]);
  });

  it("handles no jobs, and jobs with no links", () => {
    expect(rates(problem([5], []))).toEqual([]);
    expect(
      rates(
        problem(
          [5],
          [
            { weight: 1, lower: 2, links: [] },
            { weight: 1, upper: 3, links: [] },
          ],
        ),
      ),
    ).toEqual([2, 3]);
  });
});

const randomProblem = fc
  .record({
    links: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }),
    jobs: fc.array(
      fc.record({
        weight: fc.constantFrom(0.5, 1, 2, 3),
        lowerPick: fc.nat(4),
        upperPick: fc.nat(4),
        path: fc.array(fc.tuple(fc.nat(5), fc.constantFrom(1, 0.5, 0.25)), {
          minLength: 1,
          maxLength: 4,
        }),
      }),
      { minLength: 1, maxLength: 8 },
    ),
  })
  .map(({ links, jobs }) => {
    const L = links.length;
    const list: Job[] = jobs.map((j) => {
      const seen = new Map<number, number>();
      for (const [l, f] of j.path) seen.set(l % L, f);
      const lower = [0, 0, 0.5, 1, 2][j.lowerPick]!;
      const upper = [Infinity, Infinity, 3, 5, 8][j.upperPick]!;
      return { weight: j.weight, lower, upper: Math.max(lower, upper), links: [...seen] };
    });
    // Lower bounds must fit (as the allocator guarantees): scale capacity up if needed.
    const capacity = links.map((c, l) => {
      const need = list.reduce(
        (s, j) => s + (j.lower ?? 0) * (j.links.find(([m]) => m === l)?.[1] ?? 0),
        0,
      );
      return Math.max(c, need);
    });
    return { capacity, jobs: list };
  });

describe("waterFill: properties", () => {
  it("is feasible, respects bounds and is weighted max-min fair", () => {
    fc.assert(
      fc.property(randomProblem, ({ capacity, jobs }) => {
        const p = problem(capacity, jobs);
        const { rate } = waterFill(p);
        expect(
          fairnessViolations({
            links: jobs.map((j) => j.links),
            capacity,
            weight: p.weight,
            lower: p.lower,
            upper: p.upper,
            rate,
          }),
        ).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("reports a bottleneck on which the job's share is the largest among jobs free to shrink", () => {
    fc.assert(
      fc.property(randomProblem, ({ capacity, jobs }) => {
        const p = problem(capacity, jobs);
        const { rate, bottleneck } = waterFill(p);
        const load = capacity.map(() => 0);
        jobs.forEach((j, i) => j.links.forEach(([l, f]) => (load[l]! += rate[i]! * f)));
        jobs.forEach((j, i) => {
          const b = bottleneck[i]!;
          if (b < 0) {
            // Only at the upper bound (or without links) is there no bottleneck.
            expect(j.links.length === 0 || Math.abs(rate[i]! - p.upper[i]!) < 1e-9).toBe(true);
            return;
          }
          expect(j.links.some(([l]) => l === b)).toBe(true);
          expect(load[b]!).toBeCloseTo(capacity[b]!, 6);
          jobs.forEach((k, m) => {
            if (!k.links.some(([l, f]) => l === b && f > 0)) return;
            const atLower = Math.abs(rate[m]! - p.lower[m]!) < 1e-9;
            expect(atLower || rate[m]! / p.weight[m]! <= rate[i]! / p.weight[i]! + 1e-9).toBe(true);
          });
        });
      }),
      { numRuns: 200 },
    );
  });

  it("returns each link's final load", () => {
    fc.assert(
      fc.property(randomProblem, ({ capacity, jobs }) => {
        const { rate, load } = waterFill(problem(capacity, jobs));
        const expected = capacity.map(() => 0);
        jobs.forEach((j, i) => j.links.forEach(([l, f]) => (expected[l]! += rate[i]! * f)));
        expected.forEach((v, l) => expect(load[l]).toBeCloseTo(v, 9));
      }),
      { numRuns: 100 },
    );
  });

  it("gives the same result when jobs point at shared link lists", () => {
    fc.assert(
      fc.property(randomProblem, fc.nat(3), ({ capacity, jobs }, keep) => {
        const plain = problem(capacity, jobs);
        // Keep the first `keep` links of each job as its own; put the rest in a pool, and
        // let consecutive jobs with equal remainders point at one copy.
        const own = problem(
          capacity,
          jobs.map((j) => ({ ...j, links: j.links.slice(0, keep) })),
        );
        const poolLink: number[] = [];
        const poolFraction: number[] = [];
        const from = new Int32Array(jobs.length);
        const to = new Int32Array(jobs.length);
        jobs.forEach((j, i) => {
          const rest = j.links.slice(keep);
          const previous = jobs[i - 1]?.links.slice(keep);
          if (i > 0 && JSON.stringify(previous) === JSON.stringify(rest)) {
            from[i] = from[i - 1]!;
            to[i] = to[i - 1]!;
            return;
          }
          from[i] = poolLink.length;
          for (const [l, f] of rest) {
            poolLink.push(l);
            poolFraction.push(f);
          }
          to[i] = poolLink.length;
        });
        const split = {
          ...own,
          shared: {
            from,
            to,
            link: Int32Array.from(poolLink),
            fraction: Float64Array.from(poolFraction),
          },
        };
        const a = waterFill(plain);
        const b = waterFill(split);
        expect([...b.rate]).toEqual([...a.rate]);
        expect([...b.bottleneck]).toEqual([...a.bottleneck]);
      }),
      { numRuns: 150 },
    );
  });

  it("gives the same result when told the load at the lower bounds", () => {
    fc.assert(
      fc.property(randomProblem, ({ capacity, jobs }) => {
        const p = problem(capacity, jobs);
        const lowerLoad = new Float64Array(capacity.length);
        jobs.forEach((j, i) => j.links.forEach(([l, f]) => (lowerLoad[l]! += p.lower[i]! * f)));
        const a = waterFill(p);
        const b = waterFill(p, undefined, lowerLoad);
        a.rate.forEach((r, i) => expect(b.rate[i]).toBeCloseTo(r, 9));
      }),
      { numRuns: 150 },
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(randomProblem, ({ capacity, jobs }) => {
        expect(rates(problem(capacity, jobs))).toEqual(rates(problem(capacity, jobs)));
      }),
      { numRuns: 50 },
    );
  });
});

describe("the fairness check itself", () => {
  const base = {
    links: [[[0, 1]], [[0, 1]]] as [number, number][][],
    capacity: [9],
    weight: [1, 2],
    lower: [0, 0],
    upper: [Infinity, Infinity],
  };

  it("accepts the fair split", () => {
    expect(fairnessViolations({ ...base, rate: [3, 6] })).toEqual([]);
  });

  it("rejects a split that ignores weights, an idle link, and an overloaded one", () => {
    expect(fairnessViolations({ ...base, rate: [4.5, 4.5] })).toEqual([
      "job 1 (rate 4.5) could grow: it has no bottleneck link",
    ]);
    expect(fairnessViolations({ ...base, rate: [2, 5] })).toHaveLength(2);
    expect(fairnessViolations({ ...base, rate: [5, 6] })[0]).toBe("link 0 carries 11 > capacity 9");
  });
});
