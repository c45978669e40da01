// What the hosts of one Mininet run execute, and when: for every approximate transfer a
// receiver and a sender of the policy's host transport, for every exact destination a
// sink, for every exact source a generator with the workload plan's parameters (so it
// produces the plan's flows). Pure: the runner turns this into processes.
import type { WorkloadPlan } from "../experiment/workload.js";
import { deriveSeed } from "../experiment/workload.js";
import {
  DEFAULT_APPROX_TIMING,
  type ApproxTiming,
  type ApproxTransport,
  type Scenario,
} from "../experiment/scenario.js";
import type { Classes } from "@netapprox/model/policy/types.js";
import type { Topology } from "@netapprox/model/topology/types.js";
import { completionMode, type CompletionMode } from "../simulator/jobs.js";
import { chunkLayout } from "@netapprox/transport/chunks.js";
import {
  iptablesCommands,
  iptablesRestoreInput,
  type ApproxPorts,
} from "@netapprox/transport/marking.js";

export type ProgramRole = "receiver" | "sender" | "sink" | "generator" | "coordinator";

export interface TransferRef {
  job: number;
  phase: number;
  transfer: number;
}

export interface HostProgram {
  /** Unique within a run: "job2.p0.t1.send", "exact.h5.sink". */
  id: string;
  host: string;
  role: ProgramRole;
  /** The netapprox subcommand and its flags. */
  args: string[];
  transfer: TransferRef | null;
  /** Index into the plan's exact sources (generators). */
  exactSource: number | null;
}

export interface PhaseSchedule {
  job: number;
  phase: number;
  /** Seconds after the traffic start; null: when the job's previous phase is complete. */
  start: number | null;
  receivers: HostProgram[];
  senders: HostProgram[];
}

/** A job's coordinator (job-level completion), on the job's first receiving host. */
export interface CoordinatorSchedule {
  job: number;
  program: HostProgram;
  /** Where its receivers report, host:port. */
  address: string;
}

export interface RunSchedule {
  /** How the run's jobs complete (see packages/lab/src/simulator/jobs.ts completionMode). */
  completion: CompletionMode;
  /** Started before any traffic. */
  sinks: HostProgram[];
  generators: { start: number; program: HostProgram }[];
  phases: PhaseSchedule[];
  /** One per job when its completion is coordinated; started with its first receivers. */
  coordinators: CoordinatorSchedule[];
  /** Receiver data and control ports: every host marks them (LE and CS6). */
  markedPorts: ApproxPorts[];
  /** Ports that carry only control messages (coordinators'): every host marks them CS6. */
  controlPorts: number[];
}

export interface ScheduleOptions {
  scenario: Scenario;
  plan: WorkloadPlan;
  transport: ApproxTransport;
  /** Seconds every program may run before it gives up. */
  timeLimit: number;
  /**
   * Where approximate senders start, bit/s, by job id (the allocation's rate when the
   * scenario asks for it); absent: the sender's access link capacity.
   */
  rateHints?: ReadonlyMap<number, number>;
}

const bps = (bits: number) => `${Math.max(1, Math.round(bits))}bps`;
const ms = (seconds: number) => `${Math.max(1, Math.round(seconds * 1000))}ms`;

/** The capacity of the link between a host and its switch, bit/s. */
export function accessCapacity(topology: Topology, host: string): number {
  const link = topology.links.find((l) =>
    l.endpoints.some((e) => e.kind === "host" && e.name === host),
  );
  if (link === undefined) throw new RangeError(`host ${host} has no link in the topology`);
  return link.capacity;
}

function ipv4Of(topology: Topology, host: string): string {
  const h = topology.hosts.find((x) => x.name === host);
  if (h === undefined) throw new RangeError(`no host ${host} in the topology`);
  return h.ipv4;
}

/**
 * The UDP port of the coordinator of the job at `index` in the plan: below the receivers'
 * base port, one per job, so it never meets a receiver's port on its host.
 */
export function coordinatorPort(scenario: Scenario, index: number): number {
  const port = scenario.mininet.basePort - 1 - index;
  if (port < 1024)
    throw new RangeError(
      `${scenario.file}: mininet.base_port ${scenario.mininet.basePort} leaves no port for the coordinator of job ${index + 1}; expected a base port above ${1024 + index}`,
    );
  return port;
}

export function scheduleRun(o: ScheduleOptions): RunSchedule {
  const { scenario, plan, transport } = o;
  const topology = scenario.topology;
  const t = scenario.transport;
  const timeout = ms(o.timeLimit);
  const phases: PhaseSchedule[] = [];
  const marked: ApproxPorts[] = [];
  const completion = completionMode(scenario.completion, transport);
  const coordinated = completion === "coordinated";
  const coordinators: CoordinatorSchedule[] = [];

  plan.jobs.forEach((job, jobIndex) => {
    let report: ((phase: number, transfer: number) => string[]) | null = null;
    if (coordinated) {
      const port = coordinatorPort(scenario, jobIndex);
      const host = job.dst[0]!;
      const address = `${ipv4Of(topology, host)}:${port}`;
      const chunksOf = (bytes: number) => chunkLayout(bytes, t.chunkSize).totalChunks;
      const args = ["job-coordinator", "--bind", `:${port}`, "--job", String(job.id)];
      args.push("--fraction", String(job.fraction));
      args.push("--min-sender-fraction", String(job.minSenderFraction));
      for (const phase of job.phases)
        args.push(
          "--group",
          phase.transfers.map((tr) => `${tr.src}:${chunksOf(tr.bytes)}`).join(","),
        );
      args.push("--retry", ms(t.approximate.doneRetry), "--timeout", timeout);
      coordinators.push({
        job: job.id,
        address,
        program: {
          id: `job${job.id}.coordinator`,
          host,
          role: "coordinator",
          args,
          transfer: null,
          exactSource: null,
        },
      });
      report = (phase, transfer) => [
        "--coordinator",
        address,
        "--group",
        String(phase),
        "--transfer",
        String(transfer),
        "--report-interval",
        ms(t.approximate.feedbackInterval),
        "--keepalive",
        ms(t.approximate.keepalive),
      ];
    }
    // With job-level completion a sender's own goal is all of its chunks: the coordinator
    // stops it once the job has its fraction.
    const senderFraction = String(coordinated ? 1 : job.fraction);
    job.phases.forEach((phase, p) => {
      const receivers: HostProgram[] = [];
      const senders: HostProgram[] = [];
      phase.transfers.forEach((tr, i) => {
        const ref: TransferRef = { job: job.id, phase: p, transfer: i };
        const base = `job${job.id}.p${p}.t${i}`;
        const to = `${ipv4Of(topology, tr.dst)}:${tr.port}`;
        const shape = [
          "--job",
          String(job.id),
          "--bytes",
          String(tr.bytes),
          "--fraction",
          senderFraction,
          "--chunk-size",
          String(t.chunkSize),
        ];
        const reports = report?.(p, i) ?? [];
        const lineRate = accessCapacity(topology, tr.src);
        let recv: string[];
        let send: string[];
        switch (transport) {
          case "approximate": {
            const rate = o.rateHints?.get(job.id) ?? lineRate;
            recv = ["approx-recv", "--bind", `:${tr.port}`, "--job", String(job.id)];
            recv.push("--feedback-interval", ms(t.approximate.feedbackInterval));
            recv.push("--timeout", timeout, ...reports);
            send = ["approx-send", "--to", to, ...shape, "--rate", bps(Math.min(rate, lineRate))];
            send.push("--timeout", timeout);
            marked.push({ dataPort: tr.port, controlPort: tr.port + 1 });
            break;
          }
          case "udp-blast":
            recv = ["blast-recv", "--bind", `:${tr.port}`, "--job", String(job.id)];
            recv.push("--drain", ms(t.blastDrain), "--timeout", timeout);
            send = ["blast-send", "--to", to, ...shape, "--rate", bps(t.blastRate ?? lineRate)];
            send.push("--drain", ms(t.blastDrain));
            marked.push({ dataPort: tr.port, controlPort: tr.port + 1 });
            break;
          case "tcp-sender-sampling":
          case "tcp-receiver-drop":
            recv = ["tcp-recv", "--bind", `:${tr.port}`, "--job", String(job.id)];
            recv.push("--timeout", timeout, ...reports);
            send = ["tcp-send", "--to", to, ...shape, "--mode", transport.slice(4)];
            send.push("--seed", String(deriveSeed(plan.seed, 3, job.id, p, i)));
            // Its receiver, started a moment before on a busy machine, may not listen yet.
            send.push("--timeout", timeout, "--connect-retry", "5000ms");
            break;
        }
        receivers.push({
          id: `${base}.recv`,
          host: tr.dst,
          role: "receiver",
          args: recv,
          transfer: ref,
          exactSource: null,
        });
        senders.push({
          id: `${base}.send`,
          host: tr.src,
          role: "sender",
          args: send,
          transfer: ref,
          exactSource: null,
        });
      });
      phases.push({ job: job.id, phase: p, start: phase.start, receivers, senders });
    });
  });

  const port = scenario.mininet.exactPort;
  const flowsTo = new Map<string, number>();
  for (const f of plan.exactFlows) flowsTo.set(f.dst, (flowsTo.get(f.dst) ?? 0) + 1);
  const sinks: HostProgram[] = [...flowsTo.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([host, flows]) => ({
      id: `exact.${host}.sink`,
      host,
      role: "sink" as const,
      args: [
        "exact-sink",
        "--bind",
        `:${port}`,
        "--flows",
        String(flows),
        "--timeout",
        timeout,
        "--idle-timeout",
        timeout,
      ],
      transfer: null,
      exactSource: null,
    }));
  // Flow ids continue from one source to the next, in the plan's source order.
  let firstId = 0;
  const generators = plan.exactSources.flatMap((s, index) => {
    const planned = plan.exactFlows.filter((f) => f.src === s.src && f.spec === s.spec).length;
    const id = firstId;
    firstId += planned;
    if (planned === 0 || s.stop <= s.start) return [];
    const args = [
      "exact-gen",
      "--to",
      s.dsts.map((d) => `${ipv4Of(topology, d)}:${port}`).join(","),
      "--dist",
      s.distribution,
      "--scale",
      String(s.scale),
      "--load",
      String(s.load),
      "--capacity",
      `${s.capacity}bps`,
      "--duration",
      `${(s.stop - s.start) * 1000}ms`,
      "--seed",
      String(s.seed),
      "--first-id",
      String(id),
      "--timeout",
      timeout,
    ];
    if (s.maxSize !== null) args.push("--max-size", String(s.maxSize));
    return [
      {
        start: s.start,
        program: {
          id: `exact.${s.spec}.${s.src}.gen`,
          host: s.src,
          role: "generator" as const,
          args,
          transfer: null,
          exactSource: index,
        },
      },
    ];
  });
  return {
    completion,
    sinks,
    generators,
    phases,
    coordinators,
    markedPorts: dedupePorts(marked),
    controlPorts: coordinators.map((c) => Number(c.address.split(":")[1])),
  };
}

function dedupePorts(ports: ApproxPorts[]): ApproxPorts[] {
  const seen = new Set<number>();
  return ports.filter((p) => (seen.has(p.dataPort) ? false : (seen.add(p.dataPort), true)));
}

/**
 * A program's arguments with its --timeout cut to the time left in the run, so that it
 * gives up and prints its result before the runner stops it. A generator's timeout counts
 * from its last flow's start, so its generation time is taken off too. At least 1 s.
 */
export function withTimeLeft(p: HostProgram, secondsLeft: number): string[] {
  const args = [...p.args];
  const at = args.indexOf("--timeout");
  if (at < 0) return args;
  let left = secondsLeft;
  if (p.role === "generator") {
    const d = args.indexOf("--duration");
    if (d >= 0) left -= Number(args[d + 1]!.replace(/ms$/, "")) / 1000;
  }
  const current = Number(args[at + 1]!.replace(/ms$/, "")) / 1000;
  args[at + 1] = ms(Math.max(1, Math.min(current, left)));
  return args;
}

/**
 * Settings of the scenario that the host programs have no flag for (they run with their
 * defaults on Mininet), as notes for the report. The feedback interval has a flag.
 */
export function unsupportedSettings(scenario: Scenario): string[] {
  const t = scenario.transport.approximate;
  const keys = Object.keys(DEFAULT_APPROX_TIMING) as (keyof ApproxTiming)[];
  return keys
    .filter((k) => k !== "feedbackInterval" && t[k] !== DEFAULT_APPROX_TIMING[k])
    .map(
      (k) =>
        `transport.approximate.${k} (${t[k]} s) has no host-program flag: Mininet runs use the programs' default (${DEFAULT_APPROX_TIMING[k]} s).`,
    );
}

/**
 * An approximate sender's arguments starting at `bitsPerSecond` (a rate hint; at most the
 * rate it was scheduled with, which stays its maximum, as in the simulator).
 */
export function withRate(p: HostProgram, bitsPerSecond: number): string[] {
  const args = [...p.args];
  const at = args.indexOf("--rate");
  if (at < 0 || args[0] !== "approx-send") return args;
  const scheduled = Number(args[at + 1]!.replace(/bps$/, ""));
  args.push("--start-rate", bps(Math.min(scheduled, bitsPerSecond)));
  return args;
}

/** The marking rules of markingCommands as iptables-restore input (for many ports). */
export function markingRestoreInput(
  ports: readonly ApproxPorts[],
  classes: Pick<Classes, "control" | "bestEffort">,
  controlPorts: readonly number[] = [],
): string | null {
  if (ports.length === 0 && controlPorts.length === 0) return null;
  return iptablesRestoreInput(ports, {
    dataDscp: classes.bestEffort.dscp,
    controlDscp: classes.control.dscp,
    controlPorts,
  });
}

/** A sender's arguments with a start time (ms since the epoch): it begins exactly then. */
export function withStartAt(p: HostProgram, atEpochMs: number): string[] {
  return p.role === "sender" ? [...p.args, "--start-at", String(Math.round(atEpochMs))] : p.args;
}

/**
 * The iptables commands (argv) that mark the approximate transport's ports on every host,
 * and `controlPorts` (job coordinators') as control both ways.
 */
export function markingCommands(
  ports: readonly ApproxPorts[],
  classes: Pick<Classes, "control" | "bestEffort">,
  controlPorts: readonly number[] = [],
): string[][] {
  if (ports.length === 0 && controlPorts.length === 0) return [];
  return iptablesCommands(ports, "add", {
    dataDscp: classes.bestEffort.dscp,
    controlDscp: classes.control.dscp,
    controlPorts,
  });
}
