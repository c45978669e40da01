import {
  CountReporter,
  JobCompletion,
  JobCoordinatorCore,
} from "@netapprox/transport/job-completion.js";
import { CountFlag, type CountMessage } from "@netapprox/transport/wire.js";

describe("JobCompletion", () => {
  const transfers = [
    { sender: "h1", totalChunks: 100 },
    { sender: "h2", totalChunks: 100 },
    { sender: "h3", totalChunks: 100 },
  ];

  it("needs the fraction of all transfers together, from whichever senders", () => {
    const c = new JobCompletion(transfers, 0.9);
    expect(c.neededChunks).toBe(270);
    c.update(0, 100);
    c.update(1, 100);
    expect(c.update(2, 69)).toBe(false);
    // The sender behind a hot spot delivered 70%: the job has 270 of 300 all the same.
    expect(c.update(2, 70)).toBe(true);
    expect(c.senders().map((s) => s.fraction)).toEqual([1, 1, 0.7]);
  });

  it("takes counts as they grow and ignores stale, lower ones", () => {
    const c = new JobCompletion(transfers, 0.5);
    c.update(0, 80);
    c.update(0, 30);
    expect(c.deliveredChunks).toBe(80);
    expect(() => c.update(5, 1)).toThrow(RangeError);
  });

  it("waits for every sender's floor when the job has one", () => {
    const c = new JobCompletion(transfers, 0.6, 0.3);
    c.update(0, 100);
    c.update(1, 100);
    // 200 of 300 > 0.6, but h3 has 10% < 30%.
    expect(c.update(2, 10)).toBe(false);
    expect(c.update(2, 29)).toBe(false);
    expect(c.update(2, 30)).toBe(true);
  });

  it("counts a sender's transfers together for its floor", () => {
    const c = new JobCompletion(
      [
        { sender: "h1", totalChunks: 50 },
        { sender: "h1", totalChunks: 50 },
        { sender: "h2", totalChunks: 100 },
      ],
      0.5,
      0.5,
    );
    c.update(2, 100);
    c.update(0, 50);
    expect(c.complete).toBe(true);
    expect(c.senders()).toEqual([
      { sender: "h1", deliveredChunks: 50, totalChunks: 100, fraction: 0.5 },
      { sender: "h2", deliveredChunks: 100, totalChunks: 100, fraction: 1 },
    ]);
  });

  it("refuses jobs without transfers and floors outside [0, 1]", () => {
    expect(() => new JobCompletion([], 0.9)).toThrow(RangeError);
    expect(() => new JobCompletion(transfers, 0.9, 1.5)).toThrow(RangeError);
  });
});

describe("CountReporter", () => {
  const reporter = () =>
    new CountReporter({ jobId: 4, group: 1, transfer: 2, intervalMs: 5, keepaliveMs: 50 });

  it("reports at once, then when the count grew at most every interval, else every keepalive", () => {
    const r = reporter();
    expect(r.poll(0, 0, 0)).toMatchObject({ uniqueChunks: 0, seq: 0, flags: 0 });
    expect(r.poll(10, 100, 3)).toBeNull();
    expect(r.nextWakeMs(10, 3)).toBe(5);
    expect(r.poll(10, 100, 5)).toMatchObject({ uniqueChunks: 10, totalChunks: 100, seq: 1 });
    expect(r.poll(10, 100, 20)).toBeNull();
    expect(r.nextWakeMs(10, 20)).toBe(55);
    expect(r.poll(10, 100, 55)).toMatchObject({ seq: 2 });
  });

  it("acknowledges every JOB-DONE of its group with a flagged count, then stops", () => {
    const r = reporter();
    r.poll(5, 100, 0);
    expect(
      r.onJobDone({ type: "jobDone", jobId: 4, group: 0, deliveredChunks: 1, neededChunks: 1 }),
    ).toBe(false);
    const done = {
      type: "jobDone",
      jobId: 4,
      group: 1,
      deliveredChunks: 90,
      neededChunks: 90,
    } as const;
    expect(r.onJobDone(done)).toBe(true);
    expect(r.nextWakeMs(5, 1)).toBe(1);
    expect(r.poll(5, 100, 1)!.flags & CountFlag.jobDoneSeen).toBe(CountFlag.jobDoneSeen);
    expect(r.poll(6, 100, 100)).toBeNull();
    expect(r.nextWakeMs(6, 100)).toBeNull();
    // A repeated JOB-DONE (our acknowledgement was lost) is acknowledged again.
    expect(r.onJobDone(done)).toBe(false);
    expect(r.poll(6, 100, 101)).toMatchObject({ flags: CountFlag.jobDoneSeen });
  });
});

describe("JobCoordinatorCore", () => {
  const config = {
    jobId: 4,
    fraction: 0.9,
    minSenderFraction: 0,
    groups: [
      [
        { sender: "h1", totalChunks: 100 },
        { sender: "h2", totalChunks: 100 },
      ],
      [{ sender: "h1", totalChunks: 10 }],
    ],
    retryMs: 20,
    attempts: 3,
  };
  const count = (transfer: number, unique: number, seq: number, flags = 0): CountMessage => ({
    type: "count",
    jobId: 4,
    flags,
    group: 0,
    transfer,
    uniqueChunks: unique,
    totalChunks: 100,
    seq,
  });

  it("tells every receiver of the group once the job's total is there, and repeats until each acknowledges", () => {
    const c = new JobCoordinatorCore<string>(config);
    expect(c.onCount(count(0, 100, 0), "r0", 0)).toEqual([]);
    expect(c.completedAtMs(0)).toBeNull();
    const out = c.onCount(count(1, 80, 0), "r1", 2);
    expect(c.completedAtMs(0)).toBe(2);
    expect(out.map((o) => o.to).sort()).toEqual(["r0", "r1"]);
    expect(out[0]!.message).toEqual({
      type: "jobDone",
      jobId: 4,
      group: 0,
      deliveredChunks: 180,
      neededChunks: 180,
    });
    // r0 acknowledges; r1's JOB-DONE is lost: repeated every retry until the attempts run out.
    c.onCount(count(0, 100, 1, CountFlag.jobDoneSeen), "r0", 5);
    expect(c.nextWakeMs(5)).toBe(22);
    expect(c.tick(22).map((o) => o.to)).toEqual(["r1"]);
    expect(c.tick(42).map((o) => o.to)).toEqual(["r1"]);
    expect(c.tick(62)).toEqual([]);
    expect(c.nextWakeMs(62)).toBeNull();
    expect(c.outcome(0)).toMatchObject({ acknowledged: 1, receivers: 2, completedAtMs: 2 });
  });

  it("answers a receiver that reports after completion, skips stale reports and counts strangers as malformed", () => {
    const c = new JobCoordinatorCore<string>(config);
    c.onCount(count(0, 100, 0), "r0", 0);
    c.onCount(count(1, 90, 0), "r1", 1);
    c.onCount(count(1, 95, 1, CountFlag.jobDoneSeen), "r1", 2);
    // r0 never heard: its next report gets JOB-DONE again.
    expect(c.onCount(count(0, 100, 1), "r0", 30).map((o) => o.to)).toEqual(["r0"]);
    expect(c.onCount(count(0, 100, 1), "r0", 31)).toEqual([]);
    expect(c.onCount({ ...count(0, 1, 9), jobId: 5 }, "x", 40)).toEqual([]);
    expect(c.onCount({ ...count(7, 1, 9) }, "x", 40)).toEqual([]);
    expect(c.onCount({ ...count(0, 1, 9), totalChunks: 99 }, "x", 40)).toEqual([]);
    expect(c.malformed).toBe(3);
  });

  it("keeps groups apart", () => {
    const c = new JobCoordinatorCore<string>(config);
    c.onCount({ ...count(0, 10, 0), group: 1, totalChunks: 10 }, "a", 0);
    expect(c.completedAtMs(1)).toBe(0);
    expect(c.completedAtMs(0)).toBeNull();
  });
});
