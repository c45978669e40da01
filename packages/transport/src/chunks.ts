// Chunk bookkeeping, free of sockets and timers so the discrete-event simulator can
// reuse it: the receiver's set of held chunks (with the rotating bitmap windows its
// feedback carries) and the sender's picture of what the receiver holds.

import type { FeedbackMessage } from "./wire.js";

/** Chunks the receiver must hold: ceil(f * total), at least 1, at most total. */
export function neededChunks(totalChunks: number, fraction: number): number {
  if (!Number.isInteger(totalChunks) || totalChunks < 1) {
    throw new RangeError(`total chunks must be a positive integer, got ${totalChunks}`);
  }
  if (!(fraction > 0 && fraction <= 1)) {
    throw new RangeError(`fraction must be in (0, 1], got ${fraction}`);
  }
  // The epsilon keeps 0.9 * 10 at 9 despite floating point.
  return Math.min(totalChunks, Math.max(1, Math.ceil(totalChunks * fraction - 1e-9)));
}

/** How a job of `totalBytes` splits into chunks of `chunkSize` (the last may be short). */
export function chunkLayout(
  totalBytes: number,
  chunkSize: number,
): { totalChunks: number; payloadLength: (chunk: number) => number } {
  if (!Number.isSafeInteger(totalBytes) || totalBytes < 1) {
    throw new RangeError(`job size must be a positive integer of bytes, got ${totalBytes}`);
  }
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunk size must be a positive integer, got ${chunkSize}`);
  }
  const totalChunks = Math.ceil(totalBytes / chunkSize);
  const lastLength = totalBytes - (totalChunks - 1) * chunkSize;
  return {
    totalChunks,
    payloadLength: (chunk) => (chunk === totalChunks - 1 ? lastLength : chunkSize),
  };
}

/** A fixed-size set of bits with range operations on whole bytes where possible. */
export class Bitset {
  readonly bytes: Uint8Array;
  private ones = 0;

  constructor(readonly size: number) {
    this.bytes = new Uint8Array(Math.ceil(size / 8));
  }

  get count(): number {
    return this.ones;
  }

  has(i: number): boolean {
    // A bit outside the set reads as clear.
    return ((this.bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0;
  }

  /** Sets bit i; returns true when it was not set before. */
  set(i: number): boolean {
    if (i < 0 || i >= this.size) throw new RangeError(`bit ${i} outside [0, ${this.size})`);
    const mask = 0x80 >> (i & 7);
    const byte = this.bytes[i >> 3]!; // i is in range, checked above
    if ((byte & mask) !== 0) return false;
    this.bytes[i >> 3] = byte | mask;
    this.ones++;
    return true;
  }

  /** Sets every bit in [from, to). */
  setRange(from: number, to: number): void {
    const end = Math.min(to, this.size);
    let i = Math.max(0, from);
    while (i < end && (i & 7) !== 0) this.set(i++);
    while (i + 8 <= end) {
      const b = this.bytes[i >> 3]!; // i + 8 <= size
      if (b !== 0xff) {
        this.ones += 8 - popcount8(b);
        this.bytes[i >> 3] = 0xff;
      }
      i += 8;
    }
    while (i < end) this.set(i++);
  }

  /** First clear bit at or after `from`, or -1. */
  nextClear(from: number): number {
    let i = Math.max(0, from);
    while (i < this.size && (i & 7) !== 0) {
      if (!this.has(i)) return i;
      i++;
    }
    while (i < this.size) {
      if (this.bytes[i >> 3] !== 0xff) {
        const stop = Math.min(this.size, i + 8);
        for (let j = i; j < stop; j++) if (!this.has(j)) return j;
      }
      i += 8;
    }
    return -1;
  }
}

function popcount8(b: number): number {
  let n = 0;
  for (let v = b; v !== 0; v &= v - 1) n++;
  return n;
}

/** What one feedback tells about the receiver's chunks. */
export type ChunkWindow = Pick<
  FeedbackMessage,
  "firstMissing" | "seenUpTo" | "windowFrom" | "windowBase" | "windowBits" | "bitmap"
>;

/**
 * The receiver's chunks. Its feedback describes them in windows: each window says
 * "[from, base) all received" plus a bitmap starting at the next missing chunk; the
 * cursor moves on each time, so consecutive feedbacks sweep over every hole even when
 * one bitmap cannot hold them all.
 */
export class ChunkSet {
  private readonly held: Bitset;
  private firstMissingIndex = 0;
  private seen = 0;
  private cursor = 0;
  private sweepsCompleted = 0;

  constructor(readonly totalChunks: number) {
    this.held = new Bitset(totalChunks);
  }

  get unique(): number {
    return this.held.count;
  }

  get firstMissing(): number {
    return this.firstMissingIndex;
  }

  /** One past the highest chunk index held. */
  get seenUpTo(): number {
    return this.seen;
  }

  /** How many times the windows have swept over every hole. */
  get sweeps(): number {
    return this.sweepsCompleted;
  }

  has(chunk: number): boolean {
    return this.held.has(chunk);
  }

  /** Records a chunk; returns true when it is new. */
  add(chunk: number): boolean {
    if (!this.held.set(chunk)) return false;
    if (chunk + 1 > this.seen) this.seen = chunk + 1;
    if (chunk === this.firstMissingIndex) {
      const next = this.held.nextClear(chunk);
      this.firstMissingIndex = next === -1 ? this.totalChunks : next;
    }
    return true;
  }

  /** The next window of at most `maxBits` bits, advancing the sweep cursor. */
  nextWindow(maxBits: number): ChunkWindow {
    const from = Math.max(this.cursor, this.firstMissingIndex);
    let base = from < this.seen ? this.held.nextClear(from) : -1;
    // No hole between the cursor and the highest chunk seen: the window only says
    // "[from, seenUpTo) all held" and the sweep is over.
    if (base === -1 || base >= this.seen) base = this.seen;
    const bits = Math.max(0, Math.min(maxBits, this.seen - base));
    const bitmap = new Uint8Array(Math.ceil(bits / 8));
    for (let i = 0; i < bits; i++) {
      if (this.held.has(base + i)) bitmap[i >> 3]! |= 0x80 >> (i & 7); // i < bits: in the bitmap
    }
    if (base + bits >= this.seen) {
      this.sweepsCompleted++;
      this.cursor = 0;
    } else {
      this.cursor = base + bits;
    }
    return {
      firstMissing: this.firstMissingIndex,
      seenUpTo: this.seen,
      windowFrom: from,
      windowBase: base,
      windowBits: bits,
      bitmap,
    };
  }
}

/**
 * The sender's picture of the receiver's chunks, built from feedback windows. Knowledge
 * only grows (a received chunk is never lost again). `startCoverage` begins tracking
 * which chunks later feedback has described, so the sender can tell when its picture
 * is complete after a pass.
 */
export class ReceiverPicture {
  private readonly known: Bitset;
  private knownPrefix = 0;
  private coverage: Bitset | null = null;
  private coveragePrefix = 0;
  private coverageFirstGap = 0;
  private latestSeenUpTo = 0;

  constructor(readonly totalChunks: number) {
    this.known = new Bitset(totalChunks);
  }

  /** Chunks known to be held by the receiver. */
  get knownCount(): number {
    return this.known.count;
  }

  isKnownReceived(chunk: number): boolean {
    return this.known.has(chunk);
  }

  apply(w: ChunkWindow): void {
    if (w.firstMissing > this.knownPrefix) {
      this.known.setRange(this.knownPrefix, w.firstMissing);
      this.knownPrefix = w.firstMissing;
    }
    this.known.setRange(w.windowFrom, w.windowBase);
    for (let i = 0; i < w.windowBits; i++) {
      // decodeMessage checks that the bitmap holds windowBits bits.
      if ((w.bitmap[i >> 3]! & (0x80 >> (i & 7))) !== 0) this.known.set(w.windowBase + i);
    }
    this.latestSeenUpTo = Math.max(this.latestSeenUpTo, w.seenUpTo);
    if (this.coverage !== null) {
      if (w.firstMissing > this.coveragePrefix) {
        this.coverage.setRange(this.coveragePrefix, w.firstMissing);
        this.coveragePrefix = w.firstMissing;
      }
      this.coverage.setRange(w.windowFrom, w.windowBase + w.windowBits);
    }
  }

  /** Starts (or restarts) tracking which chunks feedback describes from now on. */
  startCoverage(): void {
    this.coverage = new Bitset(this.totalChunks);
    this.coveragePrefix = 0;
    this.coverageFirstGap = 0;
  }

  /**
   * True when feedback since startCoverage has described every chunk up to the highest
   * one the receiver has seen (chunks above it were not received).
   */
  coverageComplete(): boolean {
    if (this.coverage === null) return false;
    const gap = this.coverage.nextClear(this.coverageFirstGap);
    this.coverageFirstGap = gap === -1 ? this.totalChunks : gap;
    return this.coverageFirstGap >= this.latestSeenUpTo;
  }

  /** Chunks not known to be received, in order. */
  missing(): number[] {
    const out: number[] = [];
    for (let i = this.known.nextClear(0); i !== -1; i = this.known.nextClear(i + 1)) out.push(i);
    return out;
  }
}
