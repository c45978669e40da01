import type { JobPlan } from "@netapprox/lab/experiment/workload.js";
import { completionMode, JobRun } from "@netapprox/lab/simulator/jobs.js";

/** A job with one phase per entry (its start, null: after the previous) of two transfers. */
function plan(phases: (number | null)[], extra: Partial<JobPlan> = {}): JobPlan {
  return {
    id: 1,
    name: "j",
    kind: "aggregation",
    start: 0,
    volume: 4000,
    fraction: 0.5,
    minSenderFraction: 0,
    weight: 1,
    deadline: null,
    src: ["a", "b"],
    dst: ["r"],
    phases: phases.map((start) => ({
      start,
      transfers: [
        { src: "a", dst: "r", bytes: 1000, port: 1 },
        { src: "b", dst: "r", bytes: 1000, port: 3 },
      ],
    })),
    ...extra,
  };
}

const chunks = (bytes: number) => bytes / 100;

describe("JobRun", () => {
  it("picks how groups complete from the scenario and the hosts' transport", () => {
    expect(completionMode("job", "approximate")).toBe("coordinated");
    expect(completionMode("job", "tcp-receiver-drop")).toBe("coordinated");
    expect(completionMode("job", "udp-blast")).toBe("at-end");
    expect(completionMode("job", "tcp-sender-sampling")).toBe("transfer");
    expect(completionMode("transfer", "approximate")).toBe("transfer");
  });

  it("coordinated: a group ends when its coordinator declares it; rounds follow each other", () => {
    const ended: number[] = [];
    const run = new JobRun(plan([0, null]), "coordinated", chunks, (g) => ended.push(g));
    run.groupStarted(0, 0);
    run.groupCompleted(0, 2);
    expect(ended).toEqual([0]);
    // Its transfers end later (stopped): nothing more happens to the group.
    run.transferEnded(0, 0, true, 3);
    run.transferEnded(0, 1, true, 3);
    expect(ended).toEqual([0]);
    run.groupStarted(1, 2);
    run.groupCompleted(1, 5);
    expect(run.completed).toBe(true);
    expect(run.endTime).toBe(5);
    expect(run.timerWait()).toBe(0);
  });

  it("coordinated: fails a group whose transfers all ended short of the fraction, waits for the coordinator otherwise", () => {
    const ended: number[] = [];
    const failed = new JobRun(plan([0]), "coordinated", chunks, (g) => ended.push(g));
    failed.transfers[0]!.forEach((t) => (t.held = () => 2));
    failed.groupStarted(0, 0);
    failed.transferEnded(0, 0, false, 1);
    failed.transferEnded(0, 1, false, 1);
    expect(ended).toEqual([0]);
    expect(failed.done).toBe(true);
    expect(failed.completed).toBe(false);

    const reached = new JobRun(plan([0]), "coordinated", chunks, (g) => ended.push(g));
    reached.transfers[0]!.forEach((t) => (t.held = () => 10));
    reached.groupStarted(0, 0);
    reached.transferEnded(0, 0, true, 1);
    reached.transferEnded(0, 1, true, 1);
    expect(reached.done).toBe(false);
    reached.groupCompleted(0, 1.5);
    expect(reached.completed).toBe(true);
  });

  it("at-end: counts the chunks held across the group's transfers when the last one ends", () => {
    const run = new JobRun(plan([0]), "at-end", chunks, () => undefined);
    const [a, b] = run.transfers[0]!;
    a!.held = () => 10;
    b!.held = () => 0;
    run.groupStarted(0, 0);
    run.transferEnded(0, 0, false, 1);
    run.transferEnded(0, 1, false, 2);
    // 10 of 20 chunks: the job's 0.5, although one transfer delivered nothing.
    expect(run.completed).toBe(true);
    expect(run.endTime).toBe(2);
  });

  it("at-end: honours each sender's floor", () => {
    const run = new JobRun(plan([0], { minSenderFraction: 0.2 }), "at-end", chunks, () => {});
    const [a, b] = run.transfers[0]!;
    a!.held = () => 10;
    b!.held = () => 1;
    run.groupStarted(0, 0);
    run.transferEnded(0, 0, false, 1);
    run.transferEnded(0, 1, false, 2);
    expect(run.completed).toBe(false);
  });

  it("transfer: every transfer must have completed on its own", () => {
    const run = new JobRun(plan([0]), "transfer", chunks, () => undefined);
    run.groupStarted(0, 0);
    run.transferEnded(0, 0, true, 1);
    run.transferEnded(0, 1, false, 2);
    expect(run.done).toBe(true);
    expect(run.completed).toBe(false);
  });

  it("does not count the time a stream waits for its batch timers", () => {
    // Batches at 0 and 10 s; the first takes 2 s, the second 3 s: 5 s busy in a 13 s span.
    const run = new JobRun(plan([0, 10]), "coordinated", chunks, () => undefined);
    run.groupStarted(0, 0);
    run.groupCompleted(0, 2);
    run.groupStarted(1, 10);
    run.groupCompleted(1, 13);
    expect(run.timerWait()).toBe(8);
    // Overlapping batches are busy time once.
    const overlap = new JobRun(plan([0, 1]), "coordinated", chunks, () => undefined);
    overlap.groupStarted(0, 0);
    overlap.groupStarted(1, 1);
    overlap.groupCompleted(0, 3);
    overlap.groupCompleted(1, 4);
    expect(overlap.timerWait()).toBe(0);
  });

  it("adds up what each sender delivered over all groups", () => {
    const run = new JobRun(plan([0, null]), "coordinated", chunks, () => undefined);
    run.transfers[0]![0]!.held = () => 10;
    run.transfers[0]![1]!.held = () => 4;
    run.transfers[1]![0]!.held = () => 7;
    run.transfers[1]![1]!.held = () => 12; // more than its 10: counted as 10
    expect(run.senders()).toEqual([
      { host: "a", deliveredChunks: 17, totalChunks: 20 },
      { host: "b", deliveredChunks: 14, totalChunks: 20 },
    ]);
    expect(run.transferCount).toBe(4);
  });
});
