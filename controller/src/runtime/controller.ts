// The netapprox controller: the control loop over every switch of a topology.
//
//   topology + policy ──► routes, allocation ──► per-switch desired state ──► agents
//        ▲                      ▲                                              │
//        │ policy file edits    │ measured exact load (EWMA)                   │
//        └──────────────────────┴──── counter polls every interval ◄───────────┘
//
// Streams (rxjs): the poll timer, policy file changes and switch events. Each
// round recomputes the allocation, translates it, applies hysteresis (only
// meters, thresholds and queue rates that moved by more than the margin are
// pushed) and hands every agent its new desired state.
import { join } from "node:path";
import { Subject, interval, type Subscription } from "rxjs";
import { allocate } from "../allocation/allocate.js";
import { DEFAULT_JOB_DEMAND, estimateJobCaps } from "../allocation/job-demand.js";
import type { Allocation } from "../allocation/types.js";
import { decodeEntity, encodeEntity, entityInit } from "../p4runtime/entities.js";
import type { P4Schema } from "../p4runtime/p4info.js";
import type { SwitchOptions } from "../p4runtime/switch.js";
import {
  DropReason,
  TrafficClass,
  decodeJobColorIndex,
  decodePortClassIndex,
  decodePortDropIndex,
  jobColorIndex,
  pipelineContract,
  portClassIndex,
  portDropIndex,
  type PipelineContract,
  type PipelineTarget,
} from "../pipeline/contract.js";
import { translateAll, type SwitchDesiredState } from "../pipeline/translate.js";
import { formatIssue } from "../config/errors.js";
import { checkPolicy, vetPolicy } from "../policy/checks.js";
import { loadPolicyFile } from "../policy/load.js";
import type { Policy } from "../policy/types.js";
import { computeRoutes, type Routing } from "../routing/routing.js";
import { capabilitiesOf } from "../targets/capabilities.js";
import { QueueMemory } from "../targets/queue-memory.js";
import { SimpleSwitchQueues } from "../targets/thrift.js";
import { writeFileAtomic } from "../util/files.js";
import type { Switch as TopologySwitch, Topology } from "../topology/types.js";
import { SwitchAgent, type QueueConfigurator, type SyncReport } from "./agent.js";
import { applyHysteresis } from "./hysteresis.js";
import type { Logger } from "./log.js";
import { MetricsRegistry } from "./metrics.js";
import { ewma, movedBeyond, rateBetween, type CounterSample, type Rate } from "./rates.js";
import { policyCut, PolicyWatcher, type PolicyCut } from "./policy-watch.js";

/** A compiled pipeline for one architecture. */
export interface PipelineBundle {
  schema: P4Schema;
  deviceConfig: Uint8Array;
}

export interface ControllerOptions {
  topology: Topology;
  /** For messages and live reloading. */
  policyFile: string;
  policy: Policy;
  pipelines: Partial<Record<PipelineTarget, PipelineBundle>>;
  electionId: bigint;
  role?: string;
  logger: Logger;
  /** Reload the policy when its file changes (default true). */
  watchPolicy?: boolean;
  /** How long a live edit that removes most jobs must stay unchanged to apply (default 2 s). */
  policySettleMs?: number;
  /** Overrides the policy's poll interval. */
  pollIntervalMs?: number;
  /** Per-switch session settings (tests shorten timeouts and back-off). */
  switchOverrides?: (sw: TopologySwitch) => Partial<SwitchOptions>;
  /** How queue settings reach a BMv2 switch; default: its Thrift port. Return undefined to skip. */
  queueConfigurator?: (sw: TopologySwitch) => QueueConfigurator | undefined;
  /** Folder for Tofino traffic-manager configs (default: ./tm-config). */
  trafficManagerDir?: string;
  /**
   * Folder for what must outlive the process: the BMv2 queue settings sent
   * (bmv2-queues.json), so that a restarted controller does not send them again.
   * Absent: remembered in this process only.
   */
  stateDir?: string;
  retryMs?: { initial: number; max: number };
}

export type ControllerEvent =
  | { type: "allocation"; allocator: string; jobs: number }
  /** Switches whose desired state changed in an allocation round (they will sync). */
  | { type: "desired_changed"; switches: string[] }
  | { type: "policy_applied"; file: string }
  | { type: "policy_rejected"; file: string; error: string }
  /** A live edit that removes most jobs, waiting for the file to settle. */
  | ({ type: "policy_held"; file: string; settleMs: number } & PolicyCut)
  | { type: "poll"; switches: number }
  | ({ type: "synced" } & SyncReport);

interface PortKey {
  switch: string;
  port: number;
}

/** Counters of one switch at one poll, keyed "kind|index". */
interface Snapshot {
  time: number;
  samples: Map<string, CounterSample>;
}

export interface LinkStatus {
  name: string;
  capacity: number;
  exactLoad: number;
  guaranteed: number | null;
  allocated: number | null;
  /** Measured transmit rate over all classes, bit/s (null before two polls). */
  measuredBps: number | null;
  utilisation: number | null;
  dropsPps: Record<string, number>;
}

export interface ControllerStatus {
  startedAt: string;
  electionId: string;
  role: string;
  policyFile: string;
  allocator: string;
  lastPolicyError: string | null;
  switches: {
    name: string;
    address: string;
    target: string;
    state: string;
    role: string;
    entities: number | null;
    lastSync: SyncReport | null;
    updatesWritten: number;
    updatesFailed: number;
    lastError: string | null;
  }[];
  jobs: {
    id: number;
    name: string;
    guaranteedBps: number | null;
    allocatedBps: number | null;
    bottleneck: string | null;
    measuredPps: { green: number; yellow: number; red: number } | null;
  }[];
  links: LinkStatus[];
}

const REASON_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(DropReason).map(([k, v]) => [v, k.toLowerCase()]),
);
const CLASS_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(TrafficClass).map(([k, v]) => [v, k.toLowerCase()]),
);

export class NetapproxController {
  readonly agents = new Map<string, SwitchAgent>();
  readonly metrics = new MetricsRegistry();
  readonly events$ = new Subject<ControllerEvent>();
  private readonly options: ControllerOptions;
  private readonly log: Logger;
  private readonly routing: Routing;
  private readonly started = new Date();
  private policy: Policy;
  private allocation: Allocation | undefined;
  private lastPolicyError: string | null = null;
  private measuredExact = new Map<string, number>();
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly portRates = new Map<string, Rate>(); // "sw|port|class"
  private readonly dropRates = new Map<string, number>(); // "sw|port|reason" -> pps
  private readonly jobRates = new Map<string, Rate>(); // "switch|job|color"
  /** Smoothed offered load per approximate job (bit/s) and the caps derived from it. */
  private jobOffered = new Map<number, number>();
  private jobCaps = new Map<number, number>();
  private readonly subscriptions: Subscription[] = [];
  private policyWatch: PolicyWatcher | undefined;
  private polling = false;
  private pollMs = 1_000;
  /** Switch → when its counter poll still unanswered was sent. */
  private readonly pollsInFlight = new Map<string, number>();
  /** Switches whose polls go unanswered: switch → since when (ms). */
  private readonly unresponsive = new Map<string, number>();
  private readonly queueMemory: QueueMemory;

  constructor(options: ControllerOptions) {
    this.options = options;
    this.log = options.logger;
    this.policy = options.policy;
    this.routing = computeRoutes(options.topology);
    this.queueMemory =
      options.stateDir === undefined
        ? QueueMemory.inProcess()
        : QueueMemory.open(join(options.stateDir, "bmv2-queues.json"), (message) =>
            this.log.warn(message),
          );
    for (const sw of options.topology.switches) this.agents.set(sw.name, this.createAgent(sw));
  }

  private contractOf(sw: TopologySwitch): PipelineContract {
    return pipelineContract(capabilitiesOf(sw.target).pipeline);
  }

  private createAgent(sw: TopologySwitch): SwitchAgent {
    const caps = capabilitiesOf(sw.target);
    const bundle = this.options.pipelines[caps.pipeline];
    if (bundle === undefined) {
      throw new Error(
        `switch ${sw.name} is a ${sw.target} switch, but no ${caps.pipeline} pipeline was loaded`,
      );
    }
    const tls = sw.tls
      ? {
          ...(sw.tls.ca ? { ca: sw.tls.ca } : {}),
          ...(sw.tls.cert ? { cert: sw.tls.cert } : {}),
          ...(sw.tls.key ? { key: sw.tls.key } : {}),
          ...(sw.tls.serverName ? { serverName: sw.tls.serverName } : {}),
        }
      : undefined;
    const switchOptions: SwitchOptions = {
      name: sw.name,
      address: sw.address,
      deviceId: sw.deviceId,
      electionId: this.options.electionId,
      role: this.options.role ?? "",
      ...(tls ? { tls } : {}),
      pipeline: { schema: bundle.schema, deviceConfig: bundle.deviceConfig },
      rpcTimeoutMs: caps.rpcTimeoutMs,
      keepaliveMs: caps.keepaliveMs,
      backoff: caps.backoff,
      reconnectBackoffMs: caps.reconnectBackoffMs,
      ...this.options.switchOverrides?.(sw),
    };
    let queues: QueueConfigurator | undefined;
    if (caps.queueConfig === "bmv2-thrift") {
      if (this.options.queueConfigurator) queues = this.options.queueConfigurator(sw);
      else if (sw.thriftPort !== null)
        queues = new SimpleSwitchQueues(
          sw.address.replace(/:\d+$/, "").replace(/^\[|\]$/g, ""),
          sw.thriftPort,
        );
      else
        this.log.warn(
          "no thrift_port for this BMv2 switch: its queue rates and depths stay as they are",
          { switch: sw.name },
        );
    }
    const dir = this.options.trafficManagerDir ?? "tm-config";
    return new SwitchAgent({
      switchOptions,
      schema: bundle.schema,
      contract: pipelineContract(caps.pipeline),
      capabilities: caps,
      logger: this.log,
      ...(queues ? { queues } : {}),
      queueMemory: this.queueMemory,
      writeTrafficManager: async (state) => {
        const file = join(dir, `${state.switch}.tm.json`);
        const doc = { switch: state.switch, generatedBy: "netapprox", ports: state.trafficManager };
        writeFileAtomic(file, JSON.stringify(doc, null, 2) + "\n", "traffic-manager config");
        this.log.info("wrote traffic-manager config", { switch: state.switch, file });
      },
      ...(this.options.retryMs ? { retryMs: this.options.retryMs } : {}),
    });
  }

  get currentPolicy(): Policy {
    return this.policy;
  }

  get currentAllocation(): Allocation | undefined {
    return this.allocation;
  }

  /** Connects every switch, installs the first allocation and starts the loop. */
  async start(): Promise<void> {
    this.recompute();
    for (const agent of this.agents.values()) {
      this.subscriptions.push(agent.syncs$.subscribe((r) => this.onSync(r)));
      agent.start();
    }
    const pollMs =
      this.options.pollIntervalMs ?? Math.max(50, this.policy.knobs.pollInterval * 1000);
    this.pollMs = pollMs;
    this.subscriptions.push(interval(pollMs).subscribe(() => void this.pollRound(pollMs / 1000)));
    if (this.options.watchPolicy ?? true) this.watchPolicyFile();
    this.log.info("controller started", {
      switches: this.agents.size,
      allocator: this.policy.allocator,
      pollMs,
      electionId: this.options.electionId,
    });
  }

  async stop(): Promise<void> {
    for (const s of this.subscriptions) s.unsubscribe();
    this.policyWatch?.stop();
    await Promise.all([...this.agents.values()].map((a) => a.stop()));
    this.events$.complete();
  }

  private onSync(r: SyncReport): void {
    this.events$.next({ type: "synced", ...r });
    const labels = { switch: r.switch };
    this.metrics.inc(
      "netapprox_updates_written_total",
      "P4Runtime updates written",
      labels,
      r.inserts + r.modifies + r.deletes - r.failed,
    );
    this.metrics.inc(
      "netapprox_updates_failed_total",
      "P4Runtime updates that failed",
      labels,
      r.failed,
    );
    this.metrics.inc("netapprox_syncs_total", "Reconciliations by kind", {
      ...labels,
      kind: r.kind,
    });
  }

  // ------------------------------------------------------------ allocation

  /** Recomputes allocation and desired states from the current policy and measurements. */
  private recompute(policy: Policy = this.policy): void {
    const measured =
      policy.exact.source === "measured" && this.measuredExact.size > 0
        ? this.measuredExact
        : undefined;
    const allocation = allocate(
      this.options.topology,
      this.routing,
      {
        ...(measured ? { measured } : {}),
        ...(this.jobCaps.size > 0 ? { jobCaps: this.jobCaps } : {}),
      },
      policy,
    );
    const states = translateAll(allocation, this.routing.tables(), (plan) =>
      this.contractOf(this.options.topology.switches.find((s) => s.name === plan.name)!),
    );
    // Check everything before touching any switch: a bad state fails here as a whole.
    for (const state of states) {
      const agent = this.agents.get(state.switch)!;
      for (const e of state.entities) entityInit(agent.schema, e);
    }
    this.allocation = allocation;
    this.policy = policy;
    const changed: string[] = [];
    for (const state of states) {
      const agent = this.agents.get(state.switch)!;
      const next = applyHysteresis(
        agent.desiredState,
        state,
        policy.knobs.hysteresis,
        agent.contract.tables.port_thresholds.name,
      );
      if (agent.desiredState === undefined || !sameState(agent.desiredState, next)) {
        changed.push(state.switch);
        agent.setDesired(next);
      }
    }
    if (changed.length > 0) this.events$.next({ type: "desired_changed", switches: changed });
    this.events$.next({
      type: "allocation",
      allocator: allocation.allocator,
      jobs: allocation.jobs.length,
    });
    this.updateAllocationMetrics(allocation);
  }

  /**
   * Loads the policy file again and applies it at once. An invalid file (empty, schema,
   * references, or an allocation that fails) is reported and the running policy stays
   * in force. (File edits seen by the watch go through PolicyWatcher, which also holds
   * an edit that would remove most jobs until the file settles.)
   */
  reloadPolicy(): boolean {
    try {
      this.applyPolicy(loadPolicyFile(this.options.policyFile), false);
      return true;
    } catch (err) {
      this.rejectPolicy((err as Error).message);
      return false;
    }
  }

  private applyPolicy(next: Policy, settled: boolean): void {
    const file = this.options.policyFile;
    const removed = policyCut(this.policy, next);
    vetPolicy(next, this.routing.network); // refused before anything is recomputed
    this.recompute(next);
    for (const warning of checkPolicy(next, this.routing.network, this.allocation).warnings)
      this.log.warn(`policy: ${formatIssue(warning)}`, { file });
    this.lastPolicyError = null;
    const fields = { file, allocator: next.allocator, jobs: next.jobs.length };
    if (settled)
      this.log.warn(
        `policy applied after settling: it removes ${removed.removedJobs} of ${removed.currentJobs} jobs`,
        fields,
      );
    else this.log.info("policy applied", fields);
    this.events$.next({ type: "policy_applied", file });
  }

  private rejectPolicy(error: string): void {
    const file = this.options.policyFile;
    this.lastPolicyError = error;
    this.metrics.inc("netapprox_policy_rejected_total", "Policy reloads refused as invalid", {});
    this.log.error("policy rejected; the previous policy stays in force", { file, error });
    this.events$.next({ type: "policy_rejected", file, error });
  }

  private watchPolicyFile(): void {
    const file = this.options.policyFile;
    this.policyWatch = new PolicyWatcher({
      file,
      settleMs: this.options.policySettleMs ?? 2_000,
      current: () => this.policy,
      load: loadPolicyFile,
      apply: (policy, settled) => this.applyPolicy(policy, settled),
      reject: (error) => this.rejectPolicy(error),
      hold: (cut, settleMs) => {
        this.log.error(
          `policy edit would remove ${cut.removedJobs} of ${cut.currentJobs} jobs (their classifiers and meters); ` +
            `holding it ${settleMs} ms: it is applied only if the file still says the same then`,
          { file },
        );
        this.events$.next({ type: "policy_held", file, ...cut, settleMs });
      },
      unwatchable: (error) =>
        this.log.warn("cannot watch the policy file; edits need a restart", { file, error }),
    });
    this.policyWatch.start();
  }

  // ------------------------------------------------------------ counters

  /** Counter cells this switch reports on: ports in use, jobs metered here. */
  private counterReads(agent: SwitchAgent, sw: TopologySwitch) {
    const c = agent.contract;
    const ports = sw.ports;
    const reads: { kind: "class" | "drop" | "job"; counter: string; index: number }[] = [];
    for (const port of ports) {
      for (let cls = 0; cls < 4; cls++)
        for (const name of c.counters.port_class_tx.names)
          reads.push({ kind: "class", counter: name, index: portClassIndex(port, cls) });
      for (const reason of Object.values(DropReason))
        for (const name of c.counters.port_drops.names)
          reads.push({ kind: "drop", counter: name, index: portDropIndex(port, reason) });
    }
    for (const { index } of agent.desiredState?.meterIndexes ?? []) {
      for (let color = 0; color < 3; color++) {
        for (const name of c.counters.job_colors.names)
          reads.push({ kind: "job", counter: name, index: jobColorIndex(index, color) });
      }
    }
    return reads;
  }

  /**
   * How long a counter poll may go unanswered before the switch is reported
   * unresponsive: a few poll intervals, and never less than a second.
   */
  private get unresponsiveAfterMs(): number {
    return Math.max(3 * this.pollMs, 1_000);
  }

  /**
   * One poll: read counters of every ready switch, derive rates, re-allocate if measuring.
   * Each switch is polled on its own: one that does not answer (frozen, overloaded) is
   * not polled again until it does, is reported unresponsive after a few intervals, and
   * never holds up the others (the round waits at most one interval for it).
   */
  private async pollRound(seconds: number): Promise<void> {
    if (this.polling) return; // a slow round is not stacked on
    this.polling = true;
    try {
      const now = Date.now();
      const polled = await Promise.all(
        this.options.topology.switches.map(async (sw) => {
          const agent = this.agents.get(sw.name)!;
          const since = this.pollsInFlight.get(sw.name);
          if (since !== undefined) {
            if (now - since >= this.unresponsiveAfterMs) this.markUnresponsive(sw.name, since);
            this.updateSwitchGauges(sw.name, agent);
            return false;
          }
          this.updateSwitchGauges(sw.name, agent);
          if (agent.switch.state !== "ready") return false;
          this.pollsInFlight.set(sw.name, now);
          const poll = this.pollSwitch(agent, sw).then(
            () => {
              this.markResponsive(sw.name);
              return true;
            },
            (err: Error) => {
              this.log.warn("counter poll failed", { switch: sw.name, error: err.message });
              return false;
            },
          );
          void poll.finally(() => this.pollsInFlight.delete(sw.name));
          return Promise.race([poll, sleep(this.pollMs).then(() => false)]);
        }),
      );
      this.aggregateJobRates();
      if (this.policy.exact.source === "measured") this.updateMeasuredExact();
      this.events$.next({ type: "poll", switches: polled.filter(Boolean).length });
    } finally {
      this.polling = false;
    }
    void seconds;
  }

  private updateSwitchGauges(name: string, agent: SwitchAgent): void {
    this.metrics.set(
      "netapprox_switch_up",
      "1 when the switch session is ready and answers",
      { switch: name },
      agent.switch.state === "ready" && !this.unresponsive.has(name) ? 1 : 0,
    );
    this.metrics.set(
      "netapprox_switch_primary",
      "1 when this controller is primary for the switch",
      { switch: name },
      agent.switch.isPrimary ? 1 : 0,
    );
  }

  private markUnresponsive(name: string, since: number): void {
    if (this.unresponsive.has(name)) return;
    this.unresponsive.set(name, since);
    this.metrics.inc("netapprox_switch_unresponsive_total", "Times a switch stopped answering", {
      switch: name,
    });
    this.log.error("switch does not answer: counter poll unanswered", {
      switch: name,
      waitedMs: Date.now() - since,
    });
  }

  private markResponsive(name: string): void {
    const since = this.unresponsive.get(name);
    if (since === undefined) return;
    this.unresponsive.delete(name);
    this.log.info("switch answers again", { switch: name, unresponsiveMs: Date.now() - since });
  }

  private async pollSwitch(agent: SwitchAgent, sw: TopologySwitch): Promise<void> {
    const reads = this.counterReads(agent, sw);
    if (reads.length === 0) return;
    const entities = reads.map((r) =>
      encodeEntity(agent.schema, { kind: "counterEntry", counter: r.counter, index: r.index }),
    );
    const now = Date.now();
    const result = await agent.switch.read(entities);
    const samples = new Map<string, CounterSample>();
    for (const e of result) {
      const spec = decodeEntity(agent.schema, e);
      if (spec.kind !== "counterEntry" || spec.index === undefined || spec.data === undefined)
        continue;
      const logical = reads.find((r) => r.counter === spec.counter)?.kind ?? "class";
      const key = `${logical}|${spec.index}`;
      const prev = samples.get(key); // port_drops may span two arrays on Tofino: sum them
      samples.set(
        key,
        prev
          ? {
              packets: prev.packets + spec.data.packetCount,
              bytes: prev.bytes + spec.data.byteCount,
            }
          : { packets: spec.data.packetCount, bytes: spec.data.byteCount },
      );
    }
    const before = this.snapshots.get(sw.name);
    this.snapshots.set(sw.name, { time: now, samples });
    if (before === undefined) return;
    const dt = (now - before.time) / 1000;
    for (const [key, sample] of samples) {
      const [kind, indexText] = key.split("|");
      const index = Number(indexText);
      const rate = rateBetween(before.samples.get(key), sample, dt);
      if (kind === "class") {
        const { port, trafficClass } = decodePortClassIndex(index);
        this.portRates.set(`${sw.name}|${port}|${trafficClass}`, rate);
        this.metrics.set(
          "netapprox_port_tx_bps",
          "Transmitted bit/s per egress port and traffic class",
          { switch: sw.name, port, class: CLASS_NAMES[trafficClass] ?? String(trafficClass) },
          rate.bps,
        );
      } else if (kind === "drop") {
        const d = decodePortDropIndex(index);
        if (d === undefined) continue;
        this.dropRates.set(`${sw.name}|${d.port}|${d.reason}`, rate.pps);
        this.metrics.set(
          "netapprox_port_drops_pps",
          "Dropped packets/s per port and reason",
          { switch: sw.name, port: d.port, reason: REASON_NAMES[d.reason] ?? String(d.reason) },
          rate.pps,
        );
        this.metrics.set(
          "netapprox_port_drops_total",
          "Dropped packets per port and reason (switch counter)",
          { switch: sw.name, port: d.port, reason: REASON_NAMES[d.reason] ?? String(d.reason) },
          Number(sample.packets),
        );
      } else {
        const j = decodeJobColorIndex(index);
        const jobId = agent.desiredState?.meterIndexes.find((m) => m.index === j?.jobId)?.jobId;
        if (j === undefined || jobId === undefined) continue;
        this.jobRates.set(`${sw.name}|${jobId}|${j.color}`, rate);
      }
    }
  }

  private aggregateJobRates(): void {
    const pps = new Map<string, number>();
    const offered = new Map<number, number>();
    for (const [key, rate] of this.jobRates) {
      const [, job, color] = key.split("|");
      pps.set(`${job}|${color}`, (pps.get(`${job}|${color}`) ?? 0) + rate.pps);
      offered.set(Number(job), (offered.get(Number(job)) ?? 0) + rate.bps);
    }
    const colors = ["green", "yellow", "red"];
    for (const [key, value] of pps) {
      const [job, color] = key.split("|");
      this.metrics.set(
        "netapprox_job_pps",
        "Packets/s of an approximate job by meter colour",
        { job: job!, color: colors[Number(color)]! },
        value,
      );
    }
    if (offered.size > 0) this.updateJobDemand(offered);
  }

  /**
   * Offered load per job (all meter colours: the sender's rate) -> demand caps ->
   * a new allocation when the caps changed: what idle or finishing jobs leave goes
   * to the jobs that are limited by the network.
   */
  private updateJobDemand(offered: ReadonlyMap<number, number>): void {
    if (!this.allocation?.features.meters) return;
    this.jobOffered = ewma(this.jobOffered, offered, this.policy.knobs.ewmaAlpha);
    const peak = new Map<number, number>();
    for (const j of this.allocation.jobs) {
      const pir = j.ingress.reduce((sum, i) => sum + (i.meter ? i.meter.pir * 8 : 0), 0);
      if (pir > 0) peak.set(j.id, pir);
    }
    const caps = estimateJobCaps(this.jobOffered, peak, {
      ...DEFAULT_JOB_DEMAND,
      floor: DEFAULT_JOB_DEMAND.floor,
    });
    const same =
      caps.size === this.jobCaps.size &&
      [...caps].every(
        ([id, cap]) => !movedBeyond(this.jobCaps.get(id) ?? 0, cap, this.policy.knobs.hysteresis),
      );
    if (same) return;
    this.jobCaps = caps;
    try {
      this.recompute();
    } catch (err) {
      this.log.error("re-allocation failed; the previous allocation stays", {
        error: (err as Error).message,
      });
    }
  }

  /** EWMA of measured exact traffic per egress port, then a new allocation round. */
  private updateMeasuredExact(): void {
    const samples = new Map<string, number>();
    for (const [key, rate] of this.portRates) {
      const [sw, port, cls] = key.split("|");
      if (Number(cls) !== TrafficClass.EXACT) continue;
      samples.set(`${sw}:${port}`, rate.bps);
    }
    if (samples.size === 0) return;
    this.measuredExact = ewma(this.measuredExact, samples, this.policy.knobs.ewmaAlpha);
    try {
      this.recompute();
    } catch (err) {
      this.log.error("re-allocation failed; the previous allocation stays", {
        error: (err as Error).message,
      });
    }
  }

  /** Feeds measured exact loads directly ("switch:port" → bit/s), as counter polls would. */
  injectMeasuredExact(loads: ReadonlyMap<string, number>): void {
    this.measuredExact = new Map(loads);
    this.recompute();
  }

  private updateAllocationMetrics(a: Allocation): void {
    this.metrics.clear("netapprox_job_allocated_bps");
    this.metrics.clear("netapprox_job_guaranteed_bps");
    for (const j of a.jobs) {
      const labels = { job: j.name, id: j.id };
      if (j.allocated !== null)
        this.metrics.set(
          "netapprox_job_allocated_bps",
          "Allocated rate per approximate job, bit/s",
          labels,
          j.allocated,
        );
      if (j.guaranteed !== null)
        this.metrics.set(
          "netapprox_job_guaranteed_bps",
          "Guaranteed rate per approximate job, bit/s",
          labels,
          j.guaranteed,
        );
    }
    for (const l of a.links) {
      this.metrics.set(
        "netapprox_link_capacity_bps",
        "Link capacity, bit/s",
        { link: l.name },
        l.capacity,
      );
      this.metrics.set(
        "netapprox_link_exact_bps",
        "Exact load the allocation assumed, bit/s",
        { link: l.name },
        l.exactLoad,
      );
    }
  }

  // ------------------------------------------------------------ status

  status(): ControllerStatus {
    const a = this.allocation;
    const links: LinkStatus[] = (a?.links ?? []).map((l) => {
      const key: PortKey | undefined =
        l.fromPort !== null ? { switch: l.from, port: l.fromPort } : undefined;
      let measured: number | null = null;
      const drops: Record<string, number> = {};
      if (key && this.agents.has(key.switch)) {
        let sum = 0;
        let seen = false;
        for (let cls = 0; cls < 4; cls++) {
          const r = this.portRates.get(`${key.switch}|${key.port}|${cls}`);
          if (r) {
            sum += r.bps;
            seen = true;
          }
        }
        measured = seen ? sum : null;
        for (const [reason, name] of Object.entries(REASON_NAMES)) {
          const pps = this.dropRates.get(`${key.switch}|${key.port}|${reason}`);
          if (pps !== undefined && pps > 0) drops[name] = pps;
        }
      }
      if (measured !== null)
        this.metrics.set(
          "netapprox_link_utilisation",
          "Measured utilisation of a link (0..1)",
          { link: l.name },
          measured / l.capacity,
        );
      return {
        name: l.name,
        capacity: l.capacity,
        exactLoad: l.exactLoad,
        guaranteed: l.guaranteed,
        allocated: l.allocated,
        measuredBps: measured,
        utilisation: measured === null ? null : measured / l.capacity,
        dropsPps: drops,
      };
    });
    const jobPps = (id: number, color: number): number | undefined => {
      let total: number | undefined;
      for (const [key, rate] of this.jobRates) {
        const [, job, c] = key.split("|");
        if (Number(job) === id && Number(c) === color) total = (total ?? 0) + rate.pps;
      }

      return total;
    };
    return {
      startedAt: this.started.toISOString(),
      electionId: this.options.electionId.toString(),
      role: this.options.role ?? "",
      policyFile: this.options.policyFile,
      allocator: this.policy.allocator,
      lastPolicyError: this.lastPolicyError,
      switches: [...this.agents.values()].map((agent) => {
        const since = this.unresponsive.get(agent.name);
        const unanswered = since === undefined ? null : Date.now() - since;
        return {
          name: agent.name,
          address: agent.switch.client.address,
          target: agent.capabilities.target,
          // A session can look ready while the switch answers nothing (a frozen process).
          state: unanswered !== null ? "unresponsive" : agent.switch.state,
          role: agent.switch.role,
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
        const g = jobPps(j.id, 0);
        return {
          id: j.id,
          name: j.name,
          guaranteedBps: j.guaranteed,
          allocatedBps: j.allocated,
          bottleneck: j.bottleneck,
          measuredPps:
            g === undefined
              ? null
              : { green: g, yellow: jobPps(j.id, 1) ?? 0, red: jobPps(j.id, 2) ?? 0 },
        };
      }),
      links,
    };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sameState(a: SwitchDesiredState, b: SwitchDesiredState): boolean {
  const text = (s: SwitchDesiredState) =>
    JSON.stringify([s.entities, s.queues, s.trafficManager], (_k, v) =>
      typeof v === "bigint" ? v.toString() : v,
    );
  return text(a) === text(b);
}
