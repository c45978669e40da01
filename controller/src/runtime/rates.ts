// From counter snapshots to rates, and from rates to demand estimates. Pure.
//
// Counters are monotonic; a value below the previous one means the switch lost
// its counters (a restart), and the new value counts from zero.

export interface CounterSample {
  packets: bigint;
  bytes: bigint;
}

export interface Rate {
  /** packets per second */
  pps: number;
  /** bits per second */
  bps: number;
}

/** Rate between two samples taken `seconds` apart. */
export function rateBetween(
  before: CounterSample | undefined,
  after: CounterSample,
  seconds: number,
): Rate {
  if (seconds <= 0) return { pps: 0, bps: 0 };
  const reset =
    before === undefined || after.packets < before.packets || after.bytes < before.bytes;
  if (before === undefined) return { pps: 0, bps: 0 };
  const dp = reset ? after.packets : after.packets - before.packets;
  const db = reset ? after.bytes : after.bytes - before.bytes;
  return { pps: Number(dp) / seconds, bps: (Number(db) * 8) / seconds };
}

/** Rates of every key present in `after`. */
export function ratesBetween<K>(
  before: ReadonlyMap<K, CounterSample>,
  after: ReadonlyMap<K, CounterSample>,
  seconds: number,
): Map<K, Rate> {
  const out = new Map<K, Rate>();
  for (const [k, s] of after) out.set(k, rateBetween(before.get(k), s, seconds));
  return out;
}

/** Exponentially weighted moving average per key; alpha is the weight of the new sample. */
export function ewma<K>(
  previous: ReadonlyMap<K, number>,
  samples: ReadonlyMap<K, number>,
  alpha: number,
): Map<K, number> {
  if (!(alpha > 0 && alpha <= 1))
    throw new RangeError(`EWMA alpha must be in (0, 1], got ${alpha}`);
  const out = new Map<K, number>();
  for (const [k, x] of samples) {
    const prev = previous.get(k);
    out.set(k, prev === undefined ? x : alpha * x + (1 - alpha) * prev);
  }
  // Keys that stopped reporting decay towards zero rather than vanish at once.
  for (const [k, prev] of previous) if (!samples.has(k)) out.set(k, (1 - alpha) * prev);
  return out;
}

/**
 * True when `next` differs from `current` by more than the hysteresis margin
 * (relative, e.g. 0.05 = 5%); any change from or to zero counts.
 */
export function movedBeyond(current: number, next: number, margin: number): boolean {
  if (current === next) return false;
  if (current === 0 || next === 0) return true;
  return Math.abs(next - current) / Math.abs(current) > margin;
}
