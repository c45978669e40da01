// The results format shared by the simulator and the Mininet runner: one JSON document
// per (policy, seed) run, and a summary over all runs of a scenario (per policy: the
// approximate jobs' completion times, the fraction they got, the exact flows' completion
// times, drops), with the change relative to netapprox. Times in seconds, sizes in bytes.
import type {
  ApproxTransport,
  Completion,
  ExperimentPolicy,
  JobKind,
  TcpSettingName,
} from "./scenario.js";
import type { AllocatorName } from "@netapprox/model/policy/types.js";

export const RUN_FORMAT = "netapprox-run/1";
export const SUMMARY_FORMAT = "netapprox-summary/1";

export interface JobResult {
  id: number;
  name: string;
  kind: JobKind;
  /** Seconds from the run's start. */
  start: number;
  src: string[];
  dst: string[];
  volume: number;
  fraction: number;
  transfers: number;
  /** Transfers whose receiver held the fraction (transfer completion) or that ended. */
  transfersCompleted: number;
  /**
   * Job-level completion: every round or batch held its fraction across its transfers (and
   * each sender its floor); transfer completion: every transfer got its fraction.
   */
  completed: boolean;
  /**
   * Job completion time: start to the completion of its last round or batch, less the time
   * it only waited for its batch timers (streams); null when not completed.
   */
  jct: number | null;
  /** Seconds of the job's span spent waiting for batch timers with no batch open (streams). */
  timerWait: number;
  /** What each sending host delivered of its own data, over all rounds and batches. */
  senders: SenderDelivery[];
  /** Unique chunks the receivers held over the chunks of all transfers. */
  deliveredFraction: number;
  /** IP bytes of the job's data packets: sent (resends included), delivered, dropped. */
  bytesSent: number;
  bytesDelivered: number;
  bytesDropped: number;
  /** Packets by edge-meter colour; null when the job was not metered. */
  colours: { green: number; yellow: number; red: number } | null;
}

export interface SenderDelivery {
  host: string;
  deliveredChunks: number;
  totalChunks: number;
}

export interface FlowResult {
  id: number;
  src: string;
  dst: string;
  size: number;
  start: number;
  /** Flow completion time; null when unfinished at the end of the run. */
  fct: number | null;
}

export interface LinkResult {
  /** "s1:5->s2:5" */
  name: string;
  /** bit/s */
  capacity: number;
  /** Bytes sent over the run's duration, as a fraction of the capacity. */
  utilisation: number;
  /** Bytes sent by traffic class. */
  bytes: Record<string, number>;
  /** Packets dropped at this port, by reason. */
  drops: Record<string, number>;
  /** Mean time packets waited in the port's queues, seconds; null where the runner cannot see it (BMv2). */
  meanQueueDelay: number | null;
}

export interface RunResult {
  format: typeof RUN_FORMAT;
  scenario: string;
  runner: "simulator" | "mininet";
  policy: ExperimentPolicy;
  /** The TCP setting of a TCP baseline's run; null for the others. */
  tcpSetting: TcpSettingName | null;
  allocator: AllocatorName;
  transport: ApproxTransport;
  completion: Completion;
  seed: number;
  /** Length of the run, seconds. */
  duration: number;
  /** Every job and flow finished before the time limit. */
  finished: boolean;
  jobs: JobResult[];
  exactFlows: FlowResult[];
  /** Drops by reason over the whole network. */
  drops: Record<string, { packets: number; bytes: number }>;
  links: LinkResult[];
  /** Runner-specific figures (events, wall time, versions). */
  runnerInfo: Record<string, number | string | boolean>;
}

export interface Stats {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** Min, median and max of a set of fractions. */
export interface Spread {
  min: number;
  p50: number;
  max: number;
}

export interface PolicySummary {
  /** The row's name: the policy, with a TCP baseline's setting ("tcp-receiver-drop (dc-tuned)"). */
  label: string;
  policy: ExperimentPolicy;
  tcpSetting: TcpSettingName | null;
  runs: number;
  jobs: number;
  jobsCompleted: number;
  /** Over completed jobs of all seeds; null when none completed. */
  jct: Stats | null;
  /** (mean JCT - netapprox's) / netapprox's; null without both. */
  jctChange: number | null;
  jctP99Change: number | null;
  /** Mean over jobs of the delivered fraction. */
  deliveredFraction: number;
  /** Per-sender delivered fractions over all jobs' senders (the sample's skew); null without. */
  senderFraction: Spread | null;
  /** Data bytes dropped over data bytes sent, approximate jobs. */
  approxLoss: number;
  exactFlows: number;
  exactCompleted: number;
  fct: Stats | null;
  fctChange: number | null;
  fctP99Change: number | null;
  /** FCTs of all completed exact flows, sorted (for CDF plots). */
  fctSamples: number[];
  drops: Record<string, number>;
}

export interface Summary {
  format: typeof SUMMARY_FORMAT;
  scenario: string;
  runner: "simulator" | "mininet";
  seeds: number[];
  /** The row the changes are relative to. */
  baseline: string;
  /** The fraction most jobs require (the scenario's median), for plots. */
  requiredFraction: number | null;
  policies: PolicySummary[];
}

/** Quantile by the nearest-rank method; `sorted` ascending and non-empty. */
export function quantile(sorted: readonly number[], q: number): number {
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

export function stats(values: readonly number[]): Stats | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return {
    count: sorted.length,
    mean,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
  };
}

const change = (value: number | undefined, base: number | undefined): number | null =>
  value === undefined || base === undefined || !(base > 0) ? null : (value - base) / base;

/** A run's row name: its policy, with the setting of a TCP baseline. */
export function runLabel(run: Pick<RunResult, "policy" | "tcpSetting">): string {
  return run.tcpSetting === null ? run.policy : `${run.policy} (${run.tcpSetting})`;
}

/** Per policy (and TCP setting), pooled over seeds, in the order they first appear. */
export function summarize(runs: readonly RunResult[], baseline = "netapprox"): Summary {
  if (runs.length === 0) throw new RangeError("no runs to summarize");
  const labels: string[] = [];
  for (const r of runs) if (!labels.includes(runLabel(r))) labels.push(runLabel(r));
  const summaries = labels.map((label): PolicySummary => {
    const mine = runs.filter((r) => runLabel(r) === label);
    const jobs = mine.flatMap((r) => r.jobs);
    const flows = mine.flatMap((r) => r.exactFlows);
    const jcts = jobs.filter((j) => j.jct !== null).map((j) => j.jct!);
    const fcts = flows.filter((f) => f.fct !== null).map((f) => f.fct!);
    const drops: Record<string, number> = {};
    for (const r of mine) {
      for (const [reason, d] of Object.entries(r.drops))
        drops[reason] = (drops[reason] ?? 0) + d.packets;
    }
    const sent = jobs.reduce((s, j) => s + j.bytesSent, 0);
    const dropped = jobs.reduce((s, j) => s + j.bytesDropped, 0);
    const senderFractions = jobs
      .flatMap((j) => j.senders ?? [])
      .map((d) => d.deliveredChunks / d.totalChunks)
      .sort((a, b) => a - b);
    return {
      label,
      policy: mine[0]!.policy,
      tcpSetting: mine[0]!.tcpSetting ?? null,
      runs: mine.length,
      jobs: jobs.length,
      jobsCompleted: jobs.filter((j) => j.completed).length,
      jct: stats(jcts),
      jctChange: null,
      jctP99Change: null,
      deliveredFraction:
        jobs.length === 0 ? 0 : jobs.reduce((s, j) => s + j.deliveredFraction, 0) / jobs.length,
      senderFraction:
        senderFractions.length === 0
          ? null
          : {
              min: senderFractions[0]!,
              p50: quantile(senderFractions, 0.5),
              max: senderFractions[senderFractions.length - 1]!,
            },
      approxLoss: sent > 0 ? dropped / sent : 0,
      exactFlows: flows.length,
      exactCompleted: fcts.length,
      fct: stats(fcts),
      fctChange: null,
      fctP99Change: null,
      fctSamples: [...fcts].sort((a, b) => a - b),
      drops,
    };
  });
  const base = summaries.find((s) => s.label === baseline);
  for (const s of summaries) {
    s.jctChange = change(s.jct?.mean, base?.jct?.mean);
    s.jctP99Change = change(s.jct?.p99, base?.jct?.p99);
    s.fctChange = change(s.fct?.mean, base?.fct?.mean);
    s.fctP99Change = change(s.fct?.p99, base?.fct?.p99);
  }
  const fractions = runs[0]!.jobs.map((j) => j.fraction).sort((a, b) => a - b);
  return {
    format: SUMMARY_FORMAT,
    scenario: runs[0]!.scenario,
    runner: runs[0]!.runner,
    seeds: [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b),
    baseline,
    requiredFraction: fractions.length === 0 ? null : quantile(fractions, 0.5),
    policies: summaries,
  };
}

/** A file name for one run's JSON. */
export function runFileName(run: Pick<RunResult, "policy" | "tcpSetting" | "seed">): string {
  const setting = run.tcpSetting === null ? "" : `-${run.tcpSetting}`;
  return `${run.policy}${setting}-seed${run.seed}.json`;
}
