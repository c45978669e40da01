// The controller's status (GET /status, `netapprox status`, the web view): switches,
// jobs, links and ports, from the agents, the allocation and what telemetry measured.
// Building it also sets the links' utilisation gauges. No I/O.
import type { Allocation } from "@netapprox/model/allocation/types.js";
import type { Policy } from "@netapprox/model/policy/types.js";
import type { Switch as TopologySwitch } from "@netapprox/model/topology/types.js";
import type { SwitchAgent, SyncReport } from "./agent.js";
import type { ControllerMetrics } from "./metrics.js";
import type { Telemetry } from "./telemetry.js";

export interface LinkStatus {
  name: string;
  from: string;
  fromPort: number | null;
  to: string;
  toPort: number | null;
  capacity: number;
  /** Exact load the allocation assumed, bit/s. */
  exactLoad: number;
  guaranteed: number | null;
  /** Approximate rate allocated on the link (guarantees included), bit/s. */
  allocated: number | null;
  /** Measured transmit rate over all classes, bit/s (null before two polls). */
  measuredBps: number | null;
  /** Measured exact traffic, bit/s (null before two polls). */
  measuredExactBps: number | null;
  /** Measured approximate traffic (guaranteed and best effort), bit/s. */
  measuredApproxBps: number | null;
  utilisation: number | null;
  dropsPps: Record<string, number>;
}

/** A switch port: what it transmits, drops and queues. */
export interface PortStatus {
  switch: string;
  port: number;
  /** The node at the other end. */
  peer: string;
  /** Transmit rate by traffic class, bit/s (empty before two polls). */
  txBps: Record<string, number>;
  /** Drops by reason, packets/s over the last poll interval. */
  dropsPps: Record<string, number>;
  /** Drops by reason since the switch's counters started, packets. */
  dropsTotal: Record<string, number>;
  /** Depth of each priority queue (packets); null where the switch does not let it be read. */
  queueDepth: Record<string, number> | null;
}

export interface SwitchStatus {
  name: string;
  address: string;
  deviceId: number;
  target: string;
  state: string;
  /** Since when (ISO time) the switch is in this state. */
  stateSince: string;
  role: string;
  /** Why the switch is not a ready, working primary; null when it is. */
  reason: string | null;
  entities: number | null;
  lastSync: SyncReport | null;
  updatesWritten: number;
  updatesFailed: number;
  lastError: string | null;
}

export interface JobStatus {
  id: number;
  name: string;
  weight: number;
  guaranteedBps: number | null;
  allocatedBps: number | null;
  bottleneck: string | null;
  measuredPps: { green: number; yellow: number; red: number } | null;
  /** The meters' colours in bit/s (null before two polls). */
  measuredBps: { green: number; yellow: number; red: number } | null;
  /** Per sending host: its share of the job and its own guarantee and allocation. */
  senders: { host: string; share: number; guaranteed: number | null; allocated: number | null }[];
  /** What the policy declares: bytes per pass and the fraction needed. */
  volume: number;
  fraction: number;
  /**
   * Bytes seen at the job's edge meters since the controller started over the bytes it
   * needs (fraction x volume): how far its senders have got, as far as the network can
   * tell; null before the first poll or where the job is not metered.
   */
  progress: number | null;
}

export interface ControllerStatus {
  version: string;
  startedAt: string;
  electionId: string;
  role: string;
  policyFile: string;
  allocator: string;
  lastPolicyError: string | null;
  pollIntervalMs: number;
  switches: SwitchStatus[];
  jobs: JobStatus[];
  links: LinkStatus[];
  ports: PortStatus[];
}

/** What a status is built from: the controller's state at the time of asking. */
export interface StatusInputs {
  version: string;
  started: Date;
  electionId: bigint;
  role: string;
  policyFile: string;
  policy: Policy;
  lastPolicyError: string | null;
  pollIntervalMs: number;
  allocation: Allocation | undefined;
  switches: readonly TopologySwitch[];
  agents: ReadonlyMap<string, SwitchAgent>;
  telemetry: Telemetry;
  metrics: ControllerMetrics;
  /** Since when (ms) a switch's counter polls go unanswered; undefined while it answers. */
  unresponsiveSince(name: string): number | undefined;
}

export function controllerStatus(s: StatusInputs): ControllerStatus {
  const a = s.allocation;
  const links: LinkStatus[] = (a?.links ?? []).map((l) => {
    const measuredHere = l.fromPort !== null && s.agents.has(l.from);
    const tx = measuredHere ? s.telemetry.portTx(l.from, l.fromPort!) : null;
    const measured = tx === null ? null : Object.values(tx).reduce((x, y) => x + y, 0);
    if (measured !== null) s.metrics.linkUtilisation.set({ link: l.name }, measured / l.capacity);
    return {
      name: l.name,
      from: l.from,
      fromPort: l.fromPort,
      to: l.to,
      toPort: l.toPort,
      capacity: l.capacity,
      exactLoad: l.exactLoad,
      guaranteed: l.guaranteed,
      allocated: l.allocated,
      measuredBps: measured,
      measuredExactBps: tx === null ? null : (tx.exact ?? 0),
      measuredApproxBps:
        tx === null ? null : (tx.approx_guaranteed ?? 0) + (tx.approx_best_effort ?? 0),
      utilisation: measured === null ? null : measured / l.capacity,
      dropsPps: measuredHere ? s.telemetry.port(l.from, l.fromPort!).dropsPps : {},
    };
  });
  const ports: PortStatus[] = (a?.switches ?? []).flatMap((plan) =>
    plan.ports.map((p) => ({ ...s.telemetry.port(plan.name, p.port), peer: p.peer })),
  );
  const policyJobs = new Map(s.policy.jobs.map((j) => [j.id, j]));
  return {
    version: s.version,
    startedAt: s.started.toISOString(),
    electionId: s.electionId.toString(),
    role: s.role,
    policyFile: s.policyFile,
    allocator: s.policy.allocator,
    lastPolicyError: s.lastPolicyError,
    pollIntervalMs: s.pollIntervalMs,
    switches: [...s.agents.values()].map((agent) => {
      const since = s.unresponsiveSince(agent.name);
      const unanswered = since === undefined ? null : Date.now() - since;
      const sw = s.switches.find((s) => s.name === agent.name)!;
      return {
        name: agent.name,
        address: agent.switch.client.address,
        deviceId: sw.deviceId,
        target: agent.capabilities.target,
        // A session can look ready while the switch answers nothing (a frozen process).
        state: unanswered !== null ? "unresponsive" : agent.switch.state,
        stateSince: new Date(since ?? agent.stats.stateSince).toISOString(),
        role: agent.switch.role,
        reason: notReadyReason(agent, unanswered, s.electionId),
        entities: agent.mirrorSize ?? null,
        lastSync: agent.stats.lastSync ?? null,
        updatesWritten: agent.stats.updatesWritten,
        updatesFailed: agent.stats.updatesFailed,
        lastError:
          unanswered !== null
            ? `no answer to counter polls for ${(unanswered / 1000).toFixed(1)} s`
            : (agent.stats.lastError ?? null),
      };
    }),
    jobs: (a?.jobs ?? []).map((j) => {
      const colours = s.telemetry.jobColours(j.id);
      const declared = policyJobs.get(j.id);
      const needed = declared ? declared.fraction * declared.volume : 0;
      return {
        id: j.id,
        name: j.name,
        weight: j.weight,
        guaranteedBps: j.guaranteed,
        allocatedBps: j.allocated,
        bottleneck: j.bottleneck,
        measuredPps: colours
          ? { green: colours.green.pps, yellow: colours.yellow.pps, red: colours.red.pps }
          : null,
        measuredBps: colours
          ? { green: colours.green.bps, yellow: colours.yellow.bps, red: colours.red.bps }
          : null,
        senders: j.senders,
        volume: declared?.volume ?? 0,
        fraction: declared?.fraction ?? 0,
        progress: colours && needed > 0 ? Math.min(1, colours.bytes / needed) : null,
      };
    }),
    links,
    ports,
  };
}

/** Why a switch is not a ready, working primary (null when it is). */
export function notReadyReason(
  agent: SwitchAgent,
  unansweredMs: number | null,
  electionId: bigint,
): string | null {
  const sw = agent.switch;
  if (unansweredMs !== null)
    return `no answer to counter polls for ${(unansweredMs / 1000).toFixed(1)} s`;
  const down = agent.stats.downReason;
  switch (sw.state) {
    case "ready":
      if (!sw.isPrimary)
        return `backup: another controller is primary (this one bids ${electionId})`;
      return agent.stats.lastError ?? null;
    case "connecting":
      return down ? `reconnecting after: ${down}` : "connecting";
    case "down":
      return down ?? "down";
    case "arbitrating":
      return "waiting for the switch to answer the arbitration";
    case "configuring":
      return "installing the pipeline";
    default:
      return sw.state;
  }
}
