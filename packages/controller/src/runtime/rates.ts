// From counter snapshots to rates. Pure.
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
