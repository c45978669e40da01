import { expandWorkload } from "@netapprox/lab/experiment/workload.js";
import {
  collectRun,
  groupDuration,
  jobCompletionTime,
  lastJsonObject,
  transferOutcome,
  type CollectInput,
  type ProgramOutcome,
  type TransferOutcome,
} from "@netapprox/lab/mininet/collect.js";
import { scheduleRun } from "@netapprox/lab/mininet/schedule.js";
import { testScenario } from "./fixtures.js";

const scenario = testScenario();
const plan = expandWorkload(scenario, 7);

const done = (jct: number): TransferOutcome => ({
  completed: true,
  jct,
  senderTime: jct,
  startedAtEpochMs: 1_000_000,
  uniqueChunks: 90,
  totalChunks: 100,
  bytesSent: 1000,
  bytesDelivered: 900,
  bytesDropped: 100,
});

describe("transfer outcomes from the programs' JSON", () => {
  test("approximate: the sender's outcome, time and byte counts", () => {
    const sender = {
      outcome: "done",
      completed: true,
      jctMs: 1500,
      startedAtEpochMs: 1_700_000_000_000.5,
      totalChunks: 100,
      deliveredChunks: 90,
      bytesSent: 130_000,
      bytesDelivered: 110_000,
      bytesNotDelivered: 20_000,
    };
    const receiver = { completed: true, uniqueChunks: 91, bytesReceived: 111_000 };
    expect(transferOutcome("approximate", sender, receiver, 120_000, 1200)).toEqual({
      completed: true,
      jct: 1.5,
      senderTime: 1.5,
      startedAtEpochMs: 1_700_000_000_000.5,
      uniqueChunks: 91,
      totalChunks: 100,
      bytesSent: 130_000,
      bytesDelivered: 110_000,
      bytesDropped: 20_000,
    });
    const failed = transferOutcome(
      "approximate",
      { ...sender, outcome: "fraction-unreachable", completed: false },
      receiver,
      120_000,
      1200,
    );
    expect(failed.completed).toBe(false);
    expect(failed.jct).toBeNull();
  });

  test("UDP blast: complete when the receiver held the fraction; drops from the two counts", () => {
    const sender = { jctMs: 800, bytesSent: 100_000, totalChunks: 84 };
    const blast = (receiver: Record<string, unknown>) =>
      transferOutcome("udp-blast", sender, receiver, 100_000, 1200);
    const ok = blast({ completed: true, uniqueChunks: 80, bytesReceived: 96_000 });
    expect(ok).toMatchObject({
      completed: true,
      jct: 0.8,
      bytesDelivered: 96_000,
      bytesDropped: 4_000,
    });
    const short = blast({ completed: false, uniqueChunks: 50, bytesReceived: 60_000 });
    expect(short).toMatchObject({
      completed: false,
      jct: null,
      senderTime: 0.8,
      uniqueChunks: 50,
      bytesDropped: 40_000,
    });
  });

  test("TCP: the sender's completion; losses stay inside the kernel", () => {
    const sender = {
      outcome: "done",
      completed: true,
      jctMs: 2000,
      bytesSent: 110_000,
      bytesDelivered: 100_000,
    };
    const r = transferOutcome("tcp-receiver-drop", sender, { uniqueChunks: 76 }, 100_000, 1200);
    expect(r).toEqual({
      completed: true,
      jct: 2,
      senderTime: 2,
      startedAtEpochMs: null,
      uniqueChunks: 76,
      totalChunks: 84,
      bytesSent: 110_000,
      bytesDelivered: 100_000,
      bytesDropped: 0,
    });
  });

  test("a program that printed nothing counts as not completed", () => {
    expect(transferOutcome("approximate", null, null, 10_000, 1000)).toEqual({
      completed: false,
      jct: null,
      senderTime: null,
      startedAtEpochMs: null,
      uniqueChunks: 0,
      totalChunks: 10,
      bytesSent: 0,
      bytesDelivered: 0,
      bytesDropped: 0,
    });
  });

  test("the last JSON object of a program's output is its result", () => {
    expect(lastJsonObject('starting\n{"a":1}\n{"b":2}\n')).toEqual({ b: 2 });
    expect(lastJsonObject('{"a":1}\n{broken\n')).toEqual({ a: 1 });
    expect(lastJsonObject("[1,2]\nnothing")).toBeNull();
  });
});

describe("job completion time", () => {
  const [bulk, ring, topic] = plan.jobs;

  test("groups one after the other: each starts when the previous one completed", () => {
    expect(jobCompletionTime(bulk!, [2.5])).toBe(2.5);
    expect(jobCompletionTime(ring!, [2, 3])).toBe(5);
  });

  test("batches at fixed times: the latest batch end, from the job's start", () => {
    // Batches start 0 s and 1 s after the job; the first takes 2.5 s, the second 0.5 s.
    expect(jobCompletionTime(topic!, [2.5, 0.5])).toBe(2.5);
    expect(jobCompletionTime(topic!, [0.4, 0.5])).toBe(1.5);
  });

  test("a group not completed: no completion time", () => {
    expect(jobCompletionTime(topic!, [0.4, null])).toBeNull();
    expect(jobCompletionTime(topic!, [0.4])).toBeNull();
  });
});

describe("how long a group took, by completion mode", () => {
  const ring = plan.jobs[1]!; // 6 transfers per round, 80% needed
  const six = (f: (i: number) => Partial<TransferOutcome>) =>
    [0, 1, 2, 3, 4, 5].map((i) => ({ ...done(1), ...f(i) }));

  test("per transfer: the slowest, and only when every transfer completed", () => {
    expect(
      groupDuration(
        "transfer",
        ring,
        six((i) => ({ jct: 1 + i / 10 })),
        null,
        0,
      ),
    ).toBe(1.5);
    const one = six((i) => (i === 2 ? { completed: false, jct: null } : {}));
    expect(groupDuration("transfer", ring, one, null, 0)).toBeNull();
    expect(groupDuration("transfer", ring, six(() => ({})).slice(1), null, 0)).toBeNull();
  });

  test("at the end (UDP blast): the chunks held across transfers against the fraction", () => {
    // 80% of 600 chunks: 480. Two receivers short of their own 80% do not matter.
    const held = six((i) => ({
      completed: false,
      uniqueChunks: i < 2 ? 50 : 100,
      totalChunks: 100,
      senderTime: 0.5 + i / 10,
    }));
    expect(groupDuration("at-end", ring, held, null, 0)).toBeCloseTo(1.0);
    const short = held.map((t, i) => (i < 2 ? { ...t, uniqueChunks: 0 } : t)); // 400 < 480
    expect(groupDuration("at-end", ring, short, null, 0)).toBeNull();
    const silent = held.map((t, i) => (i === 0 ? { ...t, senderTime: null } : t));
    expect(groupDuration("at-end", ring, silent, null, 0)).toBeNull();
  });

  test("coordinated: from the first sender's start to the coordinator's completion", () => {
    const started = six((i) => ({ startedAtEpochMs: 10_000 + 100 * i }));
    const coordinator = {
      groups: [{ completedAtEpochMs: 12_500 }, { completedAtEpochMs: null }],
    };
    expect(groupDuration("coordinated", ring, started, coordinator, 0)).toBe(2.5);
    expect(groupDuration("coordinated", ring, started, coordinator, 1)).toBeNull();
    expect(groupDuration("coordinated", ring, started, null, 0)).toBeNull();
    const silent = six(() => ({ startedAtEpochMs: null }));
    expect(groupDuration("coordinated", ring, silent, coordinator, 0)).toBeNull();
  });
});

describe("a run's result", () => {
  // Per-transfer completion here; job-level completion below.
  const perTransfer = { ...scenario, completion: "transfer" as const };
  const schedule = scheduleRun({
    scenario: perTransfer,
    plan,
    transport: "approximate",
    timeLimit: 30,
  });
  const outcome = (
    id: string,
    result: Record<string, unknown> | null,
  ): [string, ProgramOutcome] => [
    id,
    {
      id,
      result,
      exitCode: result ? 0 : 1,
      signal: null,
      startedAt: 0,
      endedAt: 1,
      error: result ? null : "boom",
    },
  ];
  /** A run of the approximate schedule with no counters; `input` says what differs. */
  const collect = (
    outcomes: CollectInput["outcomes"],
    input: Partial<CollectInput> = {},
  ): ReturnType<typeof collectRun> =>
    collectRun({
      timeLimitReached: false,
      jobColours: null,
      scenario: perTransfer,
      policy: "netapprox",
      tcpSetting: null,
      seed: 7,
      plan,
      schedule,
      outcomes,
      counters: null,
      duration: 1,
      runnerInfo: {},
      ...input,
    });

  test("jobs, exact flows and counters end up in the shared results format", () => {
    const outcomes = new Map<string, ProgramOutcome>();
    for (const ph of schedule.phases) {
      ph.senders.forEach((s, i) => {
        const ok = !(ph.job === 3 && ph.phase === 1); // the stream's second batch fails
        outcomes.set(
          ...outcome(
            s.id,
            ok
              ? {
                  outcome: "done",
                  completed: true,
                  jctMs: 1000,
                  startedAtEpochMs: 70_000,
                  totalChunks: 100,
                  bytesSent: 5000,
                  bytesDelivered: 4500,
                  bytesNotDelivered: 500,
                }
              : null,
          ),
        );
        outcomes.set(...outcome(ph.receivers[i]!.id, { uniqueChunks: ok ? 90 : 0 }));
      });
    }
    // The first generator's flows all complete, except its first; the second printed nothing.
    const gen = schedule.generators[0]!.program;
    const mine = plan.exactFlows.filter((f) => f.src === plan.exactSources[0]!.src);
    outcomes.set(
      ...outcome(gen.id, {
        flows: mine.map((f, k) => ({
          id: k,
          sizeBytes: f.size,
          fctMs: k === 0 ? null : 40,
          error: k === 0 ? "reset" : null,
        })),
      }),
    );
    outcomes.set(...outcome(schedule.generators[1]!.program.id, null));

    const r = collect(outcomes, {
      counters: {
        links: [],
        drops: { "meter-red": { packets: 3, bytes: 4500 } },
        meterColours: new Map(),
        colourTotals: { green: 12, yellow: 5, red: 3 },
      },
      jobColours: new Map([[1, { green: 10, yellow: 5, red: 3 }]]),
      duration: 9.5,
      runnerInfo: { note: "test" },
    });
    expect(r.format).toBe("netapprox-run/1");
    expect(r.runner).toBe("mininet");
    expect(r.allocator).toBe("netapprox");
    expect(
      r.jobs.map((j) => [j.name, j.completed, j.jct, j.transfers, j.transfersCompleted]),
    ).toEqual([
      ["bulk", true, 1, 1, 1],
      ["ring", true, 2, 12, 12],
      ["topic", false, null, 2, 1],
    ]);
    expect(r.jobs[0]!.deliveredFraction).toBeCloseTo(0.9);
    // 90 of the first batch's 100 chunks; the failed batch's 200 chunks come from its size.
    expect(r.jobs[2]!.deliveredFraction).toBeCloseTo(90 / 300);
    expect(r.jobs[0]!.colours).toEqual({ green: 10, yellow: 5, red: 3 });
    expect(r.jobs[1]!.colours).toBeNull();
    expect(r.jobs[0]!.bytesDropped).toBe(500);

    expect(r.exactFlows).toHaveLength(plan.exactFlows.length);
    expect(r.exactFlows.map((f) => f.id)).toEqual(plan.exactFlows.map((f) => f.id));
    const first = r.exactFlows.filter((f) => f.src === plan.exactSources[0]!.src);
    expect(first[0]!.fct).toBeNull();
    expect(first.slice(1).every((f) => f.fct === 0.04)).toBe(true);
    expect(
      r.exactFlows.filter((f) => f.src === plan.exactSources[1]!.src).every((f) => f.fct === null),
    ).toBe(true);
    // Jobs ended without their fraction, but nothing was cut short by the time limit.
    expect(r.finished).toBe(true);
    expect(r.drops["meter-red"]).toEqual({ packets: 3, bytes: 4500 });
    expect(r.runnerInfo).toMatchObject({
      meteredGreenPackets: 12,
      meteredRedPackets: 3,
      note: "test",
      programsWithoutResult: 2,
      exactPlanMismatches: 0,
    });
    expect(String(r.runnerInfo.firstProgramFailure)).toMatch(/boom/);
  });

  test("a generator whose flows differ from the plan is counted", () => {
    const gen = schedule.generators[0]!.program;
    const mine = plan.exactFlows.filter((f) => f.src === plan.exactSources[0]!.src);
    const outcomes = new Map([
      outcome(gen.id, {
        flows: mine.map((f, k) => ({ id: k, sizeBytes: f.size + 1, fctMs: 1, error: null })),
      }),
    ]);
    const r = collect(outcomes, { timeLimitReached: true, policy: "udp-blast" });
    expect(r.runnerInfo.exactPlanMismatches).toBe(mine.length);
    expect(r.finished).toBe(false);
    expect(r.jobs.every((j) => j.colours === null)).toBe(true);
  });

  test("a program that gave up at its timeout makes the run unfinished", () => {
    const send = schedule.phases[0]!.senders[0]!;
    const outcomes = new Map([outcome(send.id, { outcome: "timeout", completed: false })]);
    const r = collect(outcomes);
    expect(r.finished).toBe(false);
  });

  test("job-level completion: times from the coordinators, a TCP setting, senders' shares", () => {
    const coordinated = scheduleRun({ scenario, plan, transport: "approximate", timeLimit: 30 });
    expect(coordinated.completion).toBe("coordinated");
    const outcomes = new Map<string, ProgramOutcome>();
    for (const ph of coordinated.phases) {
      ph.senders.forEach((s, i) => {
        outcomes.set(
          ...outcome(s.id, {
            outcome: "done",
            completed: true,
            jctMs: 9000, // senders stopped late by DONE: not what the job took
            startedAtEpochMs: 50_000 + ph.phase * 4000 + i * 10,
            totalChunks: 100,
            bytesSent: 5000,
          }),
        );
        outcomes.set(...outcome(ph.receivers[i]!.id, { uniqueChunks: 40 + 10 * i }));
      });
    }
    const at = (groups: (number | null)[]) => ({
      completed: groups.every((g) => g !== null),
      groups: groups.map((g) => ({ completedAtEpochMs: g })),
    });
    const coordinator = (job: number) => coordinated.coordinators.find((c) => c.job === job)!;
    outcomes.set(...outcome(coordinator(1).program.id, at([51_200])));
    outcomes.set(...outcome(coordinator(2).program.id, at([52_000, 57_000])));
    // Job 3's coordinator printed nothing: the job cannot be known complete.
    const r = collectRun({
      timeLimitReached: false,
      jobColours: null,
      scenario,
      policy: "tcp-receiver-drop",
      tcpSetting: "dc-tuned",
      seed: 7,
      plan,
      schedule: coordinated,
      outcomes,
      counters: null,
      duration: 1,
      runnerInfo: {},
    });
    expect(r.completion).toBe("job");
    expect(r.tcpSetting).toBe("dc-tuned");
    // bulk: 1.2 s; ring: round 1 took 2 s, round 2 from its first sender (54 s) to 57 s: 3 s.
    expect(r.jobs.map((j) => [j.name, j.completed, j.jct])).toEqual([
      ["bulk", true, 1.2],
      ["ring", true, 5],
      ["topic", false, null],
    ]);
    // Each sender's delivered share over the job's rounds, from the receivers' counts.
    const ring = r.jobs[1]!;
    expect(ring.senders.map((d) => d.host).sort()).toEqual(["h2", "h6", "h7"]);
    expect(ring.senders.every((d) => d.totalChunks === 400)).toBe(true);
  });
});
