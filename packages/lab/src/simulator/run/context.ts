// The state a simulated run's parts share (packages/lab/src/simulator/run.ts wires them): the scenario and
// its policy, the simulation, the run's tallies and the per-job state the controller (meters,
// rate hints) and the hosts' transfers both read.
import type { PolicyBinding, Scenario, TcpSettings } from "../../experiment/scenario.js";
import type { Knobs } from "@netapprox/model/policy/types.js";
import type { Network } from "@netapprox/model/topology/network.js";
import type { Fabric } from "../fabric.js";
import type { ApproxSender } from "../hosts/approx.js";
import type { SimJobCoordinator } from "../hosts/coordination.js";
import { flowHash } from "../hosts/packets.js";
import type { TcpReceiver } from "../hosts/tcp-receiver.js";
import type { TcpSender } from "../hosts/tcp.js";
import type { JobRun } from "../jobs.js";
import type { Simulation } from "../simulation.js";

export const UDP = 17;
export const TCP = 6;

/** What a run has counted so far. */
export interface RunTally {
  jobsDone: number;
  flowsDone: number;
  /** Connections opened (each takes the next source port). */
  connections: number;
}

export interface RunContext {
  readonly scenario: Scenario;
  readonly binding: PolicyBinding;
  readonly net: Network;
  readonly sim: Simulation;
  readonly fabric: Fabric;
  /** The policy's knobs as the run uses them (dctcp: with its ECN threshold). */
  readonly knobs: Knobs;
  /** A TCP baseline's connection settings; null for the other policies. */
  readonly baselineTcp: TcpSettings | null;
  readonly tally: RunTally;
}

export interface JobState {
  run: JobRun;
  index: number;
  coordinator: SimJobCoordinator | null;
  /** bit/s the allocation gives the job (for rate hints); null when it does not allocate. */
  allocated: number | null;
  /** Its meters' peak and committed rates summed over its ingress switches, bit/s (0: none). */
  peak: number;
  committed: number;
  /** Its approximate senders still sending, for rate hints. */
  senders: Set<ApproxSender>;
  /** What the allocation gave each sending host's part of the job, bit/s, by host index. */
  parts: Map<number, { allocated: number; guaranteed: number }>;
  /** TCP baselines: its persistent connections, by sender and receiver. */
  tcp: Map<string, TcpConnection>;
}

export interface TcpConnection {
  sender: TcpSender;
  receiver: TcpReceiver;
  /** Per message: what to do when it is acknowledged, and when its receiver holds more. */
  ends: Map<number, () => void>;
  progress: Map<number, () => void>;
}

export function hostIndex(ctx: RunContext, name: string): number {
  return ctx.net.hostIndex.get(name)!;
}

/** A new connection's flow hashes both ways; its source port follows the connection count. */
export function connectionHashes(
  ctx: RunContext,
  src: number,
  dst: number,
  protocol: number,
  dstPort: number,
): { hash: number; reverseHash: number } {
  const srcPort = 32768 + (ctx.tally.connections % 28000);
  const a = ctx.net.hostIpv4[src]!;
  const b = ctx.net.hostIpv4[dst]!;
  return {
    hash: flowHash(a, b, protocol, srcPort, dstPort),
    reverseHash: flowHash(b, a, protocol, dstPort, srcPort),
  };
}
