// The simulator's pending events: a binary min-heap over preallocated typed arrays,
// ordered by time and, for equal times, by insertion (first scheduled, first run), so a
// run never depends on anything but its inputs. An event is a time and one 32-bit word
// (the caller packs an event kind and an argument into it); nothing is allocated per
// event.

export class EventQueue {
  private times: Float64Array;
  private seqs: Float64Array;
  private words: Int32Array;
  private count = 0;
  private nextSeq = 0;
  /** Time and word of the event the last pop() removed. */
  time = 0;
  word = 0;

  constructor(initialCapacity = 1024) {
    const n = Math.max(16, initialCapacity);
    this.times = new Float64Array(n);
    this.seqs = new Float64Array(n);
    this.words = new Int32Array(n);
  }

  get size(): number {
    return this.count;
  }

  /** Events scheduled so far (including those already run). */
  get scheduled(): number {
    return this.nextSeq;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.count > 0 ? this.times[0]! : Infinity;
  }

  push(time: number, word: number): void {
    if (!(time >= 0)) throw new RangeError(`event time must be a number >= 0, got ${time}`);
    if (this.count === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const words = this.words;
    const seq = this.nextSeq++;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < time || (pt === time && seqs[parent]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      words[i] = words[parent]!;
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    words[i] = word;
  }

  /** Removes the earliest event into `time` and `word`; false when empty. */
  pop(): boolean {
    const n = this.count;
    if (n === 0) return false;
    const times = this.times;
    const seqs = this.seqs;
    const words = this.words;
    this.time = times[0]!;
    this.word = words[0]!;
    const last = n - 1;
    this.count = last;
    if (last === 0) return true;
    const t = times[last]!;
    const s = seqs[last]!;
    const w = words[last]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      const right = child + 1;
      if (right < last) {
        const ct = times[child]!;
        const rt = times[right]!;
        if (rt < ct || (rt === ct && seqs[right]! < seqs[child]!)) child = right;
      }
      const ct = times[child]!;
      if (t < ct || (t === ct && s < seqs[child]!)) break;
      times[i] = ct;
      seqs[i] = seqs[child]!;
      words[i] = words[child]!;
      i = child;
    }
    times[i] = t;
    seqs[i] = s;
    words[i] = w;
    return true;
  }

  clear(): void {
    this.count = 0;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const times = new Float64Array(n);
    times.set(this.times);
    const seqs = new Float64Array(n);
    seqs.set(this.seqs);
    const words = new Int32Array(n);
    words.set(this.words);
    this.times = times;
    this.seqs = seqs;
    this.words = words;
  }
}
