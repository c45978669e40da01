// Hand-made run results for the results and report tests.
import { RUN_FORMAT, type JobResult, type RunResult } from "@netapprox/lab/experiment/results.js";
import type { ExperimentPolicy } from "@netapprox/lab/experiment/scenario.js";

export function job(jct: number | null, extra: Partial<JobResult> = {}): JobResult {
  return {
    id: 1,
    name: "j",
    kind: "transfer",
    start: 0,
    src: ["h1"],
    dst: ["h2"],
    volume: 1000,
    fraction: 0.9,
    transfers: 1,
    transfersCompleted: jct === null ? 0 : 1,
    completed: jct !== null,
    jct,
    timerWait: 0,
    senders: [{ host: "h1", deliveredChunks: jct === null ? 5 : 9, totalChunks: 10 }],
    deliveredFraction: jct === null ? 0.5 : 0.9,
    bytesSent: 1000,
    bytesDelivered: 900,
    bytesDropped: 100,
    colours: null,
    ...extra,
  };
}

export function run(
  policy: ExperimentPolicy,
  seed: number,
  jcts: (number | null)[],
  fcts: (number | null)[],
): RunResult {
  return {
    format: RUN_FORMAT,
    scenario: "s",
    runner: "simulator",
    policy,
    tcpSetting: null,
    allocator: "netapprox",
    transport: "approximate",
    completion: "job",
    seed,
    duration: 10,
    finished: true,
    jobs: jcts.map((j) => job(j)),
    exactFlows: fcts.map((fct, id) => ({ id, src: "h1", dst: "h2", size: 1000, start: 0, fct })),
    drops: { "meter-red": { packets: 3, bytes: 300 }, "le-threshold": { packets: 1, bytes: 100 } },
    links: [],
    runnerInfo: {},
  };
}
