// Flow size distributions for exact (loss-intolerant) background traffic. The two
// empirical ones are the shapes commonly used in the data center transport
// literature (DCTCP, pFabric and their successors): a web search workload measured
// in the DCTCP study and a data mining workload measured in the VL2 study, both given
// as CDF points in 1460-byte packets and interpolated linearly between points.
import type { Rng } from "./random.js";

/** Bytes in one "packet" of the published CDFs (one TCP MSS on Ethernet). */
export const CDF_PACKET_BYTES = 1460;

/** [size in packets, cumulative probability] */
const WEB_SEARCH_POINTS: ReadonlyArray<readonly [number, number]> = [
  [6, 0],
  [6, 0.15],
  [13, 0.2],
  [19, 0.3],
  [33, 0.4],
  [53, 0.53],
  [133, 0.6],
  [667, 0.7],
  [1333, 0.8],
  [3333, 0.9],
  [6667, 0.97],
  [20000, 1],
];

const DATA_MINING_POINTS: ReadonlyArray<readonly [number, number]> = [
  [1, 0],
  [1, 0.5],
  [2, 0.6],
  [3, 0.7],
  [7, 0.8],
  [267, 0.9],
  [2107, 0.95],
  [66667, 0.99],
  [666667, 1],
];

export interface SizeDistribution {
  readonly name: string;
  /** Expected flow size in bytes (exact for the distribution as sampled). */
  mean(): number;
  /** Size in bytes at cumulative probability p, before rounding to whole bytes. */
  quantile(p: number): number;
  /** One flow size: a whole number of bytes, at least 1. */
  sample(rng: Rng): number;
}

export interface CdfPoint {
  sizeBytes: number;
  cumulative: number;
}

/**
 * A piecewise-linear CDF: between two points the size is uniform. `scale` multiplies
 * every size (to shrink a workload to an emulated network's speed); `maxBytes` clips
 * sizes above it (and the mean accounts for the clipping).
 */
export class EmpiricalDistribution implements SizeDistribution {
  private readonly points: CdfPoint[];

  constructor(
    readonly name: string,
    points: readonly CdfPoint[],
    private readonly maxBytes = Infinity,
  ) {
    if (points.length < 2) throw new RangeError(`${name}: a CDF needs at least two points`);
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      if (!(p.sizeBytes > 0) || !(p.cumulative >= 0 && p.cumulative <= 1)) {
        throw new RangeError(`${name}: point ${i} (${p.sizeBytes}, ${p.cumulative}) is invalid`);
      }
      const prev = points[i - 1];
      if (prev !== undefined && (p.sizeBytes < prev.sizeBytes || p.cumulative < prev.cumulative)) {
        throw new RangeError(`${name}: point ${i} decreases`);
      }
    }
    if (points[0]!.cumulative !== 0 || points[points.length - 1]!.cumulative !== 1) {
      throw new RangeError(`${name}: the CDF must start at 0 and end at 1`);
    }
    if (!(maxBytes >= 1)) throw new RangeError(`${name}: the size cap must be at least 1 byte`);
    this.points = points.map((p) => ({ ...p }));
  }

  quantile(p: number): number {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`probability must be in [0, 1], got ${p}`);
    const pts = this.points;
    let i = 1;
    while (i < pts.length - 1 && pts[i]!.cumulative < p) i++;
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const span = b.cumulative - a.cumulative;
    const size =
      span === 0
        ? b.sizeBytes
        : a.sizeBytes + ((p - a.cumulative) / span) * (b.sizeBytes - a.sizeBytes);
    return Math.min(size, this.maxBytes);
  }

  mean(): number {
    let total = 0;
    for (let i = 1; i < this.points.length; i++) {
      const a = this.points[i - 1]!;
      const b = this.points[i]!;
      total +=
        (b.cumulative - a.cumulative) * clippedUniformMean(a.sizeBytes, b.sizeBytes, this.maxBytes);
    }
    return total;
  }

  sample(rng: Rng): number {
    return Math.max(1, Math.round(this.quantile(rng.next())));
  }

  /** The same shape with every size multiplied by `factor` and clipped at `maxBytes`. */
  scaled(factor: number, maxBytes = this.maxBytes): EmpiricalDistribution {
    if (!(factor > 0)) throw new RangeError(`scale factor must be positive, got ${factor}`);
    return new EmpiricalDistribution(
      this.name,
      this.points.map((p) => ({ sizeBytes: p.sizeBytes * factor, cumulative: p.cumulative })),
      maxBytes,
    );
  }
}

/** Mean of min(X, cap) for X uniform on [a, b]. */
function clippedUniformMean(a: number, b: number, cap: number): number {
  if (b <= cap) return (a + b) / 2;
  if (a >= cap) return cap;
  const below = (cap - a) / (b - a);
  return below * ((a + cap) / 2) + (1 - below) * cap;
}

export class FixedSize implements SizeDistribution {
  readonly name: string;

  constructor(readonly sizeBytes: number) {
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 1) {
      throw new RangeError(`a fixed flow size must be a positive integer, got ${sizeBytes}`);
    }
    this.name = `fixed:${sizeBytes}`;
  }

  mean(): number {
    return this.sizeBytes;
  }

  quantile(): number {
    return this.sizeBytes;
  }

  sample(): number {
    return this.sizeBytes;
  }
}

function fromPackets(
  name: string,
  pts: ReadonlyArray<readonly [number, number]>,
): EmpiricalDistribution {
  return new EmpiricalDistribution(
    name,
    pts.map(([packets, cumulative]) => ({ sizeBytes: packets * CDF_PACKET_BYTES, cumulative })),
  );
}

/** Web search (DCTCP study): mean about 1.67 MB, 53% of flows under 78 KB. */
export const WEB_SEARCH = fromPackets("websearch", WEB_SEARCH_POINTS);
/** Data mining (VL2 study): half the flows are one packet, 1% exceed 97 MB; mean about 7.5 MB. */
export const DATA_MINING = fromPackets("datamining", DATA_MINING_POINTS);

/**
 * "websearch", "datamining" or "fixed:<bytes>" (bytes as parseBytes reads them,
 * passed in to keep this module free of CLI concerns).
 */
export function distributionByName(
  spec: string,
  options: { scale?: number; maxBytes?: number; parseBytes: (s: string) => number },
): SizeDistribution {
  const scale = options.scale ?? 1;
  const maxBytes = options.maxBytes ?? Infinity;
  if (spec === "websearch") return WEB_SEARCH.scaled(scale, maxBytes);
  if (spec === "datamining") return DATA_MINING.scaled(scale, maxBytes);
  if (spec.startsWith("fixed:")) {
    return new FixedSize(
      Math.min(maxBytes, Math.max(1, Math.round(options.parseBytes(spec.slice(6)) * scale))),
    );
  }
  throw new RangeError(
    `unknown size distribution '${spec}' (expected websearch, datamining or fixed:<bytes>)`,
  );
}
