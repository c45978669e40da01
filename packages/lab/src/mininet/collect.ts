// One Mininet run's result from what its programs printed: every transfer's sender and
// receiver JSON, every exact generator's per-flow record, and the switches' counters,
// in the results format the simulator writes too. Pure.
//
// Job completion times come from the programs' clocks (epoch milliseconds, comparable between
// the hosts of one machine), per completion group (a round, a batch, the whole job): a group
// takes from its first sender's start to the moment it was complete, by how the run's jobs
// complete:
//  - coordinated (job-level completion): the job coordinator declaring the group complete;
//  - transfer: the last of its transfers completing (each sender measures its own);
//  - at-end (UDP blast): the last sender's sending time plus drain, if the chunks its
//    receivers hold reach the fraction.
// A job's group completes at its start offset plus its duration, and a group that waits for
// the previous one starts when that one completed. Process start-up (a Node process in a
// busy namespace) before a group's first sender is thus left out, as it would be for a
// long-running application; a sender that starts late counts against its group.
import {
  POLICY_BINDINGS,
  type ApproxTransport,
  type ExperimentPolicy,
  type TcpSettingName,
} from "../experiment/scenario.js";
import type { Scenario } from "../experiment/scenario.js";
import type { WorkloadPlan, JobPlan } from "../experiment/workload.js";
import {
  RUN_FORMAT,
  type FlowResult,
  type JobResult,
  type SenderDelivery,
  type RunResult,
} from "../experiment/results.js";
import type { Colours, CounterResults } from "./counters.js";
import type { RunSchedule } from "./schedule.js";
import { JobCompletion } from "@netapprox/transport/job-completion.js";

/** What one program left behind. */
export interface ProgramOutcome {
  id: string;
  /** The JSON object it printed (its last line that parses), or null. */
  result: Record<string, unknown> | null;
  exitCode: number | null;
  signal: string | null;
  /** Seconds after the traffic start. */
  startedAt: number;
  endedAt: number | null;
  /** The end of its stderr when it failed. */
  error: string | null;
}

/** The last line of `stdout` that is a JSON object, or null. */
export function lastJsonObject(stdout: string): Record<string, unknown> | null {
  const lines = stdout.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line.startsWith("{")) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === "object" && value !== null && !Array.isArray(value))
        return value as Record<string, unknown>;
    } catch {
      // not JSON: keep looking
    }
  }
  return null;
}

export interface TransferOutcome {
  completed: boolean;
  /** Seconds, from the sender's first packet; null when not completed. */
  jct: number | null;
  /** The sender's own time (UDP blast: sending plus drain) whether or not it completed; s. */
  senderTime: number | null;
  /** When the sender started, ms since the epoch; null when it printed nothing. */
  startedAtEpochMs: number | null;
  uniqueChunks: number;
  totalChunks: number;
  bytesSent: number;
  bytesDelivered: number;
  bytesDropped: number;
}

const num = (o: Record<string, unknown> | null | undefined, k: string): number | undefined => {
  const v = o?.[k];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
};

/** A transfer's outcome from its two programs' JSON, by host transport. */
export function transferOutcome(
  transport: ApproxTransport,
  sender: Record<string, unknown> | null,
  receiver: Record<string, unknown> | null,
  bytes: number,
  chunkSize: number,
): TransferOutcome {
  const totalChunks =
    num(sender, "totalChunks") ?? num(receiver, "totalChunks") ?? Math.ceil(bytes / chunkSize);
  const unique = num(receiver, "uniqueChunks") ?? num(sender, "deliveredChunks") ?? 0;
  const jctMs = num(sender, "jctMs");
  const bytesSent = num(sender, "bytesSent") ?? 0;
  const timing = {
    senderTime: jctMs === undefined ? null : jctMs / 1000,
    startedAtEpochMs: num(sender, "startedAtEpochMs") ?? null,
  };
  // The approximate and TCP senders report themselves whether their transfer completed.
  const senderJudged = (bytesDropped: number): TransferOutcome => {
    const completed = sender?.completed === true && sender.outcome === "done";
    return {
      completed,
      jct: completed && jctMs !== undefined ? jctMs / 1000 : null,
      ...timing,
      uniqueChunks: unique,
      totalChunks,
      bytesSent,
      bytesDelivered: num(sender, "bytesDelivered") ?? num(receiver, "bytesReceived") ?? 0,
      bytesDropped,
    };
  };
  switch (transport) {
    case "approximate":
      return senderJudged(num(sender, "bytesNotDelivered") ?? 0);
    case "udp-blast": {
      // Done when the receiver holds the fraction; the time is the sender's (send + drain).
      const completed = receiver?.completed === true;
      const time = jctMs ?? num(receiver, "jctMs");
      const delivered = num(receiver, "bytesReceived") ?? 0;
      return {
        completed,
        jct: completed && time !== undefined ? time / 1000 : null,
        ...timing,
        uniqueChunks: unique,
        totalChunks,
        bytesSent,
        bytesDelivered: delivered,
        bytesDropped: Math.max(0, bytesSent - delivered),
      };
    }
    case "tcp-sender-sampling":
    case "tcp-receiver-drop":
      // TCP retransmits inside the kernel: nothing it lost is visible to the programs.
      return senderJudged(0);
  }
}

/**
 * A job's completion time from its groups' durations (null: the group did not complete):
 * see the file comment.
 */
export function jobCompletionTime(
  job: JobPlan,
  durations: readonly (number | null)[],
): number | null {
  let previous = 0;
  let last = 0;
  for (let p = 0; p < job.phases.length; p++) {
    const duration = durations[p];
    if (duration === null || duration === undefined) return null;
    const phase = job.phases[p]!;
    const offset = phase.start === null ? previous : phase.start - job.start;
    previous = offset + duration;
    last = Math.max(last, previous);
  }
  return last;
}

/** What a job coordinator printed about one group (see packages/transport/src/job-coordinator.ts). */
function coordinatedGroup(
  coordinator: Record<string, unknown> | null,
  group: number,
): { completedAtEpochMs: number } | null {
  const groups = coordinator?.groups;
  if (!Array.isArray(groups)) return null;
  const g = groups[group] as Record<string, unknown> | undefined;
  const at = num(g, "completedAtEpochMs");
  return at === undefined ? null : { completedAtEpochMs: at };
}

/** How long one group took, by the run's completion mode; null when it did not complete. */
export function groupDuration(
  mode: RunSchedule["completion"],
  job: JobPlan,
  transfers: readonly TransferOutcome[],
  coordinator: Record<string, unknown> | null,
  group: number,
): number | null {
  const planned = job.phases[group]!.transfers;
  if (transfers.length < planned.length) return null;
  const starts = transfers.map((t) => t.startedAtEpochMs);
  if (starts.some((t) => t === null)) return null;
  const first = Math.min(...(starts as number[]));
  /** From the first sender's start to `endMs`, s. */
  const since = (endMs: number) => Math.max(0, (endMs - first) / 1000);
  /** When each sender's own time ended, ms since the epoch (null: unknown). */
  const ends = (time: (t: TransferOutcome) => number | null) =>
    transfers.map((t) => (time(t) === null ? null : t.startedAtEpochMs! + 1000 * time(t)!));
  switch (mode) {
    case "transfer": {
      if (!transfers.every((t) => t.completed)) return null;
      const done = ends((t) => t.jct);
      return done.every((e) => e !== null) ? since(Math.max(...(done as number[]))) : null;
    }
    case "at-end": {
      const c = new JobCompletion(
        planned.map((tr, i) => ({ sender: tr.src, totalChunks: transfers[i]!.totalChunks })),
        job.fraction,
        job.minSenderFraction,
      );
      transfers.forEach((t, i) => c.update(i, t.uniqueChunks));
      const done = ends((t) => t.senderTime);
      return c.complete && done.every((e) => e !== null)
        ? since(Math.max(...(done as number[])))
        : null;
    }
    case "coordinated": {
      const done = coordinatedGroup(coordinator, group);
      return done === null ? null : since(done.completedAtEpochMs);
    }
  }
}

export interface CollectInput {
  scenario: Scenario;
  policy: ExperimentPolicy;
  /** A TCP baseline's setting; null for the other policies. */
  tcpSetting: TcpSettingName | null;
  seed: number;
  plan: WorkloadPlan;
  schedule: RunSchedule;
  outcomes: ReadonlyMap<string, ProgramOutcome>;
  counters: CounterResults | null;
  /** Packets by meter colour per job, when they can be told apart (see counters.ts). */
  jobColours: ReadonlyMap<number, Colours> | null;
  /** The runner stopped programs at the scenario's time limit. */
  timeLimitReached: boolean;
  /** Seconds from the traffic start to the last program's end. */
  duration: number;
  runnerInfo: Record<string, number | string | boolean>;
}

export function collectRun(input: CollectInput): RunResult {
  const { scenario, plan, schedule, outcomes } = input;
  const binding = POLICY_BINDINGS[input.policy];
  const chunkSize = scenario.transport.chunkSize;
  const resultOf = (id: string) => outcomes.get(id)?.result ?? null;

  const jobs: JobResult[] = plan.jobs.map((job) => {
    const byPhase: TransferOutcome[][] = job.phases.map((phase, p) => {
      const sched = schedule.phases.find((s) => s.job === job.id && s.phase === p);
      return phase.transfers.map((tr, i) =>
        transferOutcome(
          binding.transport,
          resultOf(sched?.senders[i]?.id ?? ""),
          resultOf(sched?.receivers[i]?.id ?? ""),
          tr.bytes,
          chunkSize,
        ),
      );
    });
    const all = byPhase.flat();
    const unique = all.reduce((s, t) => s + t.uniqueChunks, 0);
    const total = all.reduce((s, t) => s + t.totalChunks, 0);
    const done = all.filter((t) => t.completed).length;
    const coordinator = schedule.coordinators.find((c) => c.job === job.id);
    const coordination = coordinator === undefined ? null : resultOf(coordinator.program.id);
    const jct = jobCompletionTime(
      job,
      byPhase.map((transfers, p) =>
        groupDuration(schedule.completion, job, transfers, coordination, p),
      ),
    );
    const senders = new Map<string, SenderDelivery>();
    job.phases.forEach((phase, p) =>
      phase.transfers.forEach((tr, i) => {
        const t = byPhase[p]![i]!;
        const d = senders.get(tr.src) ?? { host: tr.src, deliveredChunks: 0, totalChunks: 0 };
        d.deliveredChunks += t.uniqueChunks;
        d.totalChunks += t.totalChunks;
        senders.set(tr.src, d);
      }),
    );
    return {
      id: job.id,
      name: job.name,
      kind: job.kind,
      start: job.start,
      src: job.src,
      dst: job.dst,
      volume: job.volume,
      fraction: job.fraction,
      transfers: all.length,
      transfersCompleted: done,
      completed: jct !== null,
      jct,
      timerWait: 0,
      senders: [...senders.values()],
      deliveredFraction: total > 0 ? unique / total : 0,
      bytesSent: all.reduce((s, t) => s + t.bytesSent, 0),
      bytesDelivered: all.reduce((s, t) => s + t.bytesDelivered, 0),
      bytesDropped: all.reduce((s, t) => s + t.bytesDropped, 0),
      colours: binding.allocator === "netapprox" ? (input.jobColours?.get(job.id) ?? null) : null,
    };
  });

  let mismatches = 0;
  const exactFlows: FlowResult[] = [];
  const generators = new Map(schedule.generators.map((g) => [g.program.exactSource!, g.program]));
  plan.exactSources.forEach((source, index) => {
    const planned = plan.exactFlows.filter((f) => f.src === source.src && f.spec === source.spec);
    const program = generators.get(index);
    const flows = program ? resultOf(program.id)?.flows : undefined;
    const records = Array.isArray(flows) ? (flows as Record<string, unknown>[]) : [];
    const firstId = program ? Number(program.args[program.args.indexOf("--first-id") + 1]) : 0;
    planned.forEach((f, k) => {
      const record = records.find((r) => r.id === firstId + k);
      if (record !== undefined && record.sizeBytes !== f.size) mismatches++;
      const fctMs = num(record, "fctMs");
      exactFlows.push({
        id: f.id,
        src: f.src,
        dst: f.dst,
        size: f.size,
        start: f.start,
        fct:
          record !== undefined && record.error === null && fctMs !== undefined
            ? fctMs / 1000
            : null,
      });
    });
  });
  exactFlows.sort((a, b) => a.id - b.id);

  const failed = [...outcomes.values()].filter((o) => o.result === null);
  const info: Record<string, number | string | boolean> = {
    ...input.runnerInfo,
    programs: outcomes.size,
    programsWithoutResult: failed.length,
    exactPlanMismatches: mismatches,
  };
  if (input.counters !== null && binding.allocator === "netapprox") {
    const t = input.counters.colourTotals;
    info.meteredGreenPackets = t.green;
    info.meteredYellowPackets = t.yellow;
    info.meteredRedPackets = t.red;
  }
  if (failed.length > 0)
    info.firstProgramFailure = `${failed[0]!.id}: ${failed[0]!.error ?? `exit ${failed[0]!.exitCode ?? failed[0]!.signal}`}`;

  return {
    format: RUN_FORMAT,
    scenario: scenario.name,
    runner: "mininet",
    policy: input.policy,
    tcpSetting: input.tcpSetting,
    completion: scenario.completion,
    allocator: binding.allocator,
    transport: binding.transport,
    seed: input.seed,
    duration: input.duration,
    // As the simulator means it: everything ended by itself before the time limit (a UDP
    // blast job that ended without its fraction is over, not cut short).
    finished:
      !input.timeLimitReached &&
      ![...outcomes.values()].some((o) => o.result?.outcome === "timeout"),
    jobs,
    exactFlows,
    drops: input.counters?.drops ?? {},
    links: input.counters?.links ?? [],
    runnerInfo: info,
  };
}
