// Summary statistics for completion times.

/** Quantile q in [0, 1] of values sorted ascending, interpolating between ranks. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface Summary {
  count: number;
  mean: number | null;
  min: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** count, mean and quantiles; null fields when there are no values (JSON-friendly). */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) {
    return { count: 0, mean: null, min: null, p50: null, p90: null, p99: null, max: null };
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return {
    count: sorted.length,
    mean,
    min: sorted[0]!,
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
  };
}
