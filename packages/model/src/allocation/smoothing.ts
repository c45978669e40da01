// Smoothing of measured rates and the hysteresis that keeps small changes from moving
// settings: shared by the controller's control loop and the simulator's model of it. Pure.

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
