// The simulator's own seeded generator: sfc32 (Chris Doty-Humphrey's small fast
// counting generator, 128 bits of state), seeded by stretching one 32-bit seed. It is
// used for randomness inside a simulation (test traffic sources); workloads come from
// the experiment module so that the Mininet runner draws the same ones.

export class SimRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // Discard the first outputs: they still show the seed's structure.
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of precision. */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Exponentially distributed with mean 1 / rate. */
  exponential(rate: number): number {
    return -Math.log(1 - this.next()) / rate;
  }
}

/** A 32-bit avalanche mix (murmur3's finaliser): hashes flow identifiers for ECMP. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
