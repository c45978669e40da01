import { EventQueue } from "@netapprox/lab/simulator/event-queue.js";
import { SimRandom } from "@netapprox/lab/simulator/random.js";

function drain(q: EventQueue): [number, number][] {
  const out: [number, number][] = [];
  while (q.pop()) out.push([q.time, q.word]);
  return out;
}

describe("EventQueue", () => {
  it("returns events in time order, whatever the order they were scheduled in", () => {
    const q = new EventQueue(4);
    const rng = new SimRandom(7);
    const times = Array.from({ length: 5000 }, () => Math.floor(rng.next() * 1000) / 10);
    times.forEach((t, i) => q.push(t, i));
    const popped = drain(q);
    expect(popped).toHaveLength(times.length);
    const sorted = times
      .map((t, i) => [t, i] as [number, number])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(popped).toEqual(sorted);
  });

  it("runs events scheduled for the same time in the order they were scheduled", () => {
    const q = new EventQueue();
    for (let i = 0; i < 100; i++) q.push(i % 2 === 0 ? 1 : 2, i);
    const words = drain(q).map(([, w]) => w);
    expect(words).toEqual([
      ...Array.from({ length: 50 }, (_, i) => 2 * i),
      ...Array.from({ length: 50 }, (_, i) => 2 * i + 1),
    ]);
  });

  it("interleaves pushes and pops, grows past its initial capacity and reports its size", () => {
    const q = new EventQueue(16);
    q.push(5, 1);
    q.push(3, 2);
    expect(q.peekTime()).toBe(3);
    expect(q.pop()).toBe(true);
    expect([q.time, q.word]).toEqual([3, 2]);
    for (let i = 0; i < 100; i++) q.push(4 + i / 1000, 100 + i);
    expect(q.size).toBe(101);
    expect(q.scheduled).toBe(102);
    expect(q.pop()).toBe(true);
    expect([q.time, q.word]).toEqual([4, 100]);
    expect(drain(q).at(-1)).toEqual([5, 1]);
    expect(q.pop()).toBe(false);
    expect(q.peekTime()).toBe(Infinity);
  });

  it("refuses times that are negative or not numbers", () => {
    const q = new EventQueue();
    expect(() => q.push(-1, 0)).toThrow(RangeError);
    expect(() => q.push(NaN, 0)).toThrow(RangeError);
  });
});
