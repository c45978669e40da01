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
import type { Classes } from "../policy/types.js";
import type { Topology } from "../topology/types.js";
import { iptablesCommands, type ApproxPorts } from "../../../transport/src/marking.js";

export type ProgramRole = "receiver" | "sender" | "sink" | "generator";

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

export interface RunSchedule {
  /** Started before any traffic. */
  sinks: HostProgram[];
  generators: { start: number; program: HostProgram }[];
  phases: PhaseSchedule[];
  /** Receiver data and control ports: every host marks them (LE and CS6). */
  markedPorts: ApproxPorts[];
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

export function scheduleRun(o: ScheduleOptions): RunSchedule {
  const { scenario, plan, transport } = o;
  const topology = scenario.topology;
  const t = scenario.transport;
  const timeout = ms(o.timeLimit);
  const phases: PhaseSchedule[] = [];
  const marked: ApproxPorts[] = [];

  for (const job of plan.jobs) {
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
          String(job.fraction),
          "--chunk-size",
          String(t.chunkSize),
        ];
        const lineRate = accessCapacity(topology, tr.src);
        let recv: string[];
        let send: string[];
        switch (transport) {
          case "approximate": {
            const rate = o.rateHints?.get(job.id) ?? lineRate;
            recv = ["approx-recv", "--bind", `:${tr.port}`, "--job", String(job.id)];
            recv.push("--feedback-interval", ms(t.approximate.feedbackInterval));
            recv.push("--timeout", timeout);
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
            recv.push("--timeout", timeout);
            send = ["tcp-send", "--to", to, ...shape, "--mode", transport.slice(4)];
            send.push("--seed", String(deriveSeed(plan.seed, 3, job.id, p, i)));
            send.push("--timeout", timeout);
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
  }

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
  return { sinks, generators, phases, markedPorts: dedupePorts(marked) };
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

/** A sender's arguments starting at `bitsPerSecond` (at most the rate it was scheduled with). */
export function withRate(p: HostProgram, bitsPerSecond: number): string[] {
  const args = [...p.args];
  const at = args.indexOf("--rate");
  if (at < 0) return args;
  const scheduled = Number(args[at + 1]!.replace(/bps$/, ""));
  args[at + 1] = bps(Math.min(scheduled, bitsPerSecond));
  return args;
}

/** The iptables commands (argv) that mark the approximate transport's ports on every host. */
export function markingCommands(
  ports: readonly ApproxPorts[],
  classes: Pick<Classes, "control" | "bestEffort">,
): string[][] {
  if (ports.length === 0) return [];
  return iptablesCommands(ports, "add", {
    dataDscp: classes.bestEffort.dscp,
    controlDscp: classes.control.dscp,
  });
}
