// A small seeded random number generator (xoshiro128**, seeded through splitmix32),
// so that workloads are reproducible from a seed on every platform.

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    const next = splitmix32(seed);
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 53 bits of precision. */
  next(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`n must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Exponentially distributed with the given rate (mean 1 / rate). */
  exponential(rate: number): number {
    if (!(rate > 0)) throw new RangeError(`rate must be positive, got ${rate}`);
    return -Math.log(1 - this.next()) / rate;
  }

  /** `k` distinct integers from [0, n), in ascending order (Floyd's algorithm). */
  sampleWithoutReplacement(n: number, k: number): number[] {
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new RangeError(`cannot pick ${k} distinct values out of ${n}`);
    }
    const picked = new Set<number>();
    for (let j = n - k; j < n; j++) {
      const t = this.int(j + 1);
      picked.add(picked.has(t) ? j : t);
    }
    return [...picked].sort((a, b) => a - b);
  }
}
