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
import { EMPTY_JOB_DEMAND, jobDemandRound, type JobDemandState } from "../allocation/job-demand.js";
import type { Allocation } from "../allocation/types.js";
import { decodeEntity, encodeEntity, entityInit } from "../p4runtime/entities.js";
import type { P4Schema } from "../p4runtime/p4info.js";
import type { SwitchOptions } from "../p4runtime/switch.js";
import {
  DropReason,
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
import { SimpleSwitchRegisters } from "../targets/bmv2-registers.js";
import { capabilitiesOf, type TargetCapabilities } from "../targets/capabilities.js";
import { QueueMemory } from "../targets/queue-memory.js";
import {
  HtbLinks,
  mininetLinkInterfaces,
  type LinkInterface,
  type TcRunner,
} from "../targets/tc-links.js";
import { SimpleSwitchQueues } from "../targets/thrift.js";
import { writeFileAtomic } from "../util/files.js";
import type { Switch as TopologySwitch, Topology } from "../topology/types.js";
import { SwitchAgent, type QueueConfigurator, type SyncReport } from "./agent.js";
import {
  p4runtimeQueueDepths,
  queueDepthRegister,
  thriftQueueDepths,
  type QueueDepthSource,
} from "./queue-depth.js";
import { applyHysteresis } from "./hysteresis.js";
import type { Logger } from "./log.js";
import { FailureReport } from "./failure-report.js";
import { ControllerMetrics, SWITCH_STATES } from "./metrics.js";
import type { CounterSample } from "./rates.js";
import { sampleKey, Telemetry, type CounterKind } from "./telemetry.js";
import { ewma } from "../allocation/smoothing.js";
import { packageVersion } from "../util/package-root.js";
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
  /**
   * How BMv2 links are scheduled: "paced" (each priority queue paced at its allocated rate
   * over Thrift; the default) or "htb" (a work-conserving htb tree on each egress interface,
   * programmed with tc from the allocation's weights; BMv2's own queues unpaced).
   */
  bmv2Queues?: "paced" | "htb";
  /** htb: each port's egress interface; default: the Mininet launcher's names, this namespace. */
  linkInterfaces?: (sw: TopologySwitch) => ReadonlyMap<number, LinkInterface>;
  /** htb: how tc runs (tests). */
  tcRunner?: TcRunner;
  /** htb: how often the links are read back and mended (ms; 0: only on full syncs). */
  linkCheckMs?: number;
  /** Folder for Tofino traffic-manager configs (default: ./tm-config). */
  trafficManagerDir?: string;
  /**
   * Folder for what must outlive the process: the BMv2 queue settings sent
   * (bmv2-queues.json), so that a restarted controller does not send them again.
   * Absent: remembered in this process only.
   */
  stateDir?: string;
  retryMs?: { initial: number; max: number };
  /** Capability overrides per switch (tests: a test switch that serves registers). */
  capabilities?: (sw: TopologySwitch) => Partial<TargetCapabilities>;
  /** process_* and nodejs_* metrics (default true). */
  processMetrics?: boolean;
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

/** Where a switch's queue depths are read, and how that fares. */
interface QueueDepthReader {
  source: QueueDepthSource;
  failures: FailureReport;
}

export class NetapproxController {
  readonly agents = new Map<string, SwitchAgent>();
  readonly metrics: ControllerMetrics;
  readonly events$ = new Subject<ControllerEvent>();
  private readonly telemetry: Telemetry;
  private readonly version = packageVersion();
  private readonly options: ControllerOptions;
  private readonly log: Logger;
  private readonly routing: Routing;
  private readonly started = new Date();
  private policy: Policy;
  private allocation: Allocation | undefined;
  private lastPolicyError: string | null = null;
  private measuredExact = new Map<string, number>();
  /** Where a switch's queue depths come from, and how reading them fares. */
  private readonly depthReaders = new Map<string, QueueDepthReader>();
  /** Smoothed offered load per approximate job (bit/s) and the caps derived from it. */
  private jobDemand: JobDemandState = EMPTY_JOB_DEMAND;
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
    this.metrics = new ControllerMetrics({
      version: this.version,
      switches: options.topology.switches,
      ...(options.processMetrics !== undefined ? { processMetrics: options.processMetrics } : {}),
    });
    this.telemetry = new Telemetry(this.metrics);
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
    const htb = sw.target === "bmv2" && this.options.bmv2Queues === "htb";
    const caps = capabilitiesOf(sw.target, {
      ...(htb ? { queueConfig: "linux-htb" as const } : {}),
      ...this.options.capabilities?.(sw),
    });
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
    if (caps.queueConfig === "bmv2-thrift" || caps.queueConfig === "linux-htb") {
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
    this.createDepthReader(sw, caps, bundle.schema);
    const dir = this.options.trafficManagerDir ?? "tm-config";
    return new SwitchAgent({
      switchOptions,
      schema: bundle.schema,
      contract: pipelineContract(caps.pipeline),
      capabilities: caps,
      logger: this.log,
      ...(queues ? { queues } : {}),
      queueMemory: this.queueMemory,
      ...(caps.queueConfig === "linux-htb"
        ? {
            links: new HtbLinks(
              sw.name,
              this.options.linkInterfaces?.(sw) ??
                mininetLinkInterfaces(this.options.topology, sw.name),
              this.options.tcRunner,
            ),
            ...(this.options.linkCheckMs !== undefined
              ? { linkCheckMs: this.options.linkCheckMs }
              : {}),
          }
        : {}),
      writeTrafficManager: async (state) => {
        const file = join(dir, `${state.switch}.tm.json`);
        const doc = { switch: state.switch, generatedBy: "netapprox", ports: state.trafficManager };
        writeFileAtomic(file, JSON.stringify(doc, null, 2) + "\n", "traffic-manager config");
        this.log.info("wrote traffic-manager config", { switch: state.switch, file });
      },
      ...(this.options.retryMs ? { retryMs: this.options.retryMs } : {}),
    });
  }

  /** Where this switch's queue depths can be read, if anywhere. */
  private createDepthReader(sw: TopologySwitch, caps: TargetCapabilities, schema: P4Schema): void {
    const register = queueDepthRegister(schema);
    if (register === undefined) return;
    let source: QueueDepthSource | undefined;
    if (caps.registersOverP4Runtime) {
      source = p4runtimeQueueDepths(schema, register, (entities) =>
        this.agents.get(sw.name)!.switch.read(entities),
      );
    } else if (sw.thriftPort !== null && this.options.queueConfigurator === undefined) {
      const host = sw.address.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
      source = thriftQueueDepths(new SimpleSwitchRegisters(host, sw.thriftPort), register);
    }
    if (source === undefined) return;
    this.depthReaders.set(sw.name, {
      source,
      failures: new FailureReport(this.log, "reading queue depths", { switch: sw.name }),
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
    for (const r of this.depthReaders.values()) r.source.close();
    await Promise.all([...this.agents.values()].map((a) => a.stop()));
    this.events$.complete();
  }

  private onSync(r: SyncReport): void {
    this.events$.next({ type: "synced", ...r });
    const labels = { switch: r.switch };
    this.metrics.updatesWritten.inc(labels, r.inserts + r.modifies + r.deletes - r.failed);
    this.metrics.updatesFailed.inc(labels, r.failed);
    this.metrics.syncs.inc({ ...labels, kind: r.kind });
    this.metrics.syncDuration.observe({ kind: r.kind }, r.durationMs / 1000);
  }

  // ------------------------------------------------------------ allocation

  /** Recomputes allocation and desired states from the current policy and measurements. */
  private recompute(policy: Policy = this.policy): void {
    const started = performance.now();
    const measured =
      policy.exact.source === "measured" && this.measuredExact.size > 0
        ? this.measuredExact
        : undefined;
    const allocation = allocate(
      this.options.topology,
      this.routing,
      {
        ...(measured ? { measured } : {}),
        ...(this.jobDemand.caps.size > 0 ? { jobCaps: this.jobDemand.caps } : {}),
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
    this.metrics.allocationDuration.observe((performance.now() - started) / 1000);
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
    this.metrics.policyReloads.inc({ result: "applied" });
    this.events$.next({ type: "policy_applied", file });
  }

  private rejectPolicy(error: string): void {
    const file = this.options.policyFile;
    this.lastPolicyError = error;
    this.metrics.policyReloads.inc({ result: "rejected" });
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
        this.metrics.policyReloads.inc({ result: "held" });
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
    const reads: { kind: CounterKind; counter: string; index: number }[] = [];
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
      const offered = this.telemetry.offeredByJob();
      if (offered.size > 0) this.updateJobDemand(offered);
      if (this.policy.exact.source === "measured") this.updateMeasuredExact();
      this.events$.next({ type: "poll", switches: polled.filter(Boolean).length });
    } finally {
      this.polling = false;
    }
    void seconds;
  }

  private updateSwitchGauges(name: string, agent: SwitchAgent): void {
    const state = this.unresponsive.has(name) ? "unresponsive" : agent.switch.state;
    this.metrics.switchUp.set({ switch: name }, state === "ready" ? 1 : 0);
    this.metrics.switchPrimary.set({ switch: name }, agent.switch.isPrimary ? 1 : 0);
    for (const s of SWITCH_STATES)
      this.metrics.switchState.set({ switch: name, state: s }, s === state ? 1 : 0);
  }

  private markUnresponsive(name: string, since: number): void {
    if (this.unresponsive.has(name)) return;
    this.unresponsive.set(name, since);
    this.metrics.switchUnresponsive.inc({ switch: name });
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
    const started = performance.now();
    const now = Date.now();
    const [result] = await Promise.all([agent.switch.read(entities), this.pollQueueDepths(sw)]);
    this.metrics.pollDuration.observe((performance.now() - started) / 1000);
    const kindOf = new Map(reads.map((r) => [r.counter, r.kind]));
    const samples = new Map<string, CounterSample>();
    for (const e of result) {
      const spec = decodeEntity(agent.schema, e);
      if (spec.kind !== "counterEntry" || spec.index === undefined || spec.data === undefined)
        continue;
      const key = sampleKey(kindOf.get(spec.counter) ?? "class", spec.index);
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
    const meters = agent.desiredState?.meterIndexes ?? [];
    this.telemetry.recordPoll(sw.name, now, samples, (index) => {
      const id = meters.find((m) => m.index === index)?.jobId;
      const job = id === undefined ? undefined : this.allocation?.jobs.find((j) => j.id === id);
      return job === undefined ? undefined : { id: job.id, name: job.name };
    });
  }

  /** The depths of the queues in use on a switch's ports, where they can be read. */
  private async pollQueueDepths(sw: TopologySwitch): Promise<void> {
    const reader = this.depthReaders.get(sw.name);
    const queues = this.agents.get(sw.name)!.desiredState?.queues ?? [];
    if (reader === undefined || queues.length === 0 || !reader.failures.shouldAttempt()) return;
    try {
      const depths = await reader.source.read(
        queues.map((q) => ({ port: q.port, queue: q.priority })),
      );
      this.telemetry.recordQueueDepths(sw.name, depths);
      reader.failures.succeeded();
    } catch (err) {
      reader.failures.failed((err as Error).message);
    }
  }

  /**
   * Offered load per job (all meter colours: the sender's rate) -> demand caps ->
   * a new allocation when the caps changed: what idle or finishing jobs leave goes
   * to the jobs that are limited by the network.
   */
  private updateJobDemand(offered: ReadonlyMap<number, number>): void {
    if (!this.allocation?.features.meters) return;
    const round = jobDemandRound(this.jobDemand, offered, this.allocation, this.policy.knobs);
    this.jobDemand = round.state;
    if (!round.changed) return;
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
    const samples = this.telemetry.exactLoads();
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
    this.metrics.setJobs(a.jobs);
    this.metrics.setLinks(a.links);
  }

  // ------------------------------------------------------------ status

  /** Why a switch is not a ready, working primary (null when it is). */
  private notReadyReason(agent: SwitchAgent, unansweredMs: number | null): string | null {
    const sw = agent.switch;
    if (unansweredMs !== null)
      return `no answer to counter polls for ${(unansweredMs / 1000).toFixed(1)} s`;
    const down = agent.stats.downReason;
    switch (sw.state) {
      case "ready":
        if (!sw.isPrimary)
          return `backup: another controller is primary (this one bids ${this.options.electionId})`;
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

  status(): ControllerStatus {
    const a = this.allocation;
    const links: LinkStatus[] = (a?.links ?? []).map((l) => {
      const measuredHere = l.fromPort !== null && this.agents.has(l.from);
      const tx = measuredHere ? this.telemetry.portTx(l.from, l.fromPort!) : null;
      const measured = tx === null ? null : Object.values(tx).reduce((x, y) => x + y, 0);
      if (measured !== null)
        this.metrics.linkUtilisation.set({ link: l.name }, measured / l.capacity);
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
        dropsPps: measuredHere ? this.telemetry.port(l.from, l.fromPort!).dropsPps : {},
      };
    });
    const ports: PortStatus[] = (a?.switches ?? []).flatMap((plan) =>
      plan.ports.map((p) => ({ ...this.telemetry.port(plan.name, p.port), peer: p.peer })),
    );
    const policyJobs = new Map(this.policy.jobs.map((j) => [j.id, j]));
    return {
      version: this.version,
      startedAt: this.started.toISOString(),
      electionId: this.options.electionId.toString(),
      role: this.options.role ?? "",
      policyFile: this.options.policyFile,
      allocator: this.policy.allocator,
      lastPolicyError: this.lastPolicyError,
      pollIntervalMs: this.pollMs,
      switches: [...this.agents.values()].map((agent) => {
        const since = this.unresponsive.get(agent.name);
        const unanswered = since === undefined ? null : Date.now() - since;
        const sw = this.options.topology.switches.find((s) => s.name === agent.name)!;
        return {
          name: agent.name,
          address: agent.switch.client.address,
          deviceId: sw.deviceId,
          target: agent.capabilities.target,
          // A session can look ready while the switch answers nothing (a frozen process).
          state: unanswered !== null ? "unresponsive" : agent.switch.state,
          stateSince: new Date(since ?? agent.stats.stateSince).toISOString(),
          role: agent.switch.role,
          reason: this.notReadyReason(agent, unanswered),
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
        const colours = this.telemetry.jobColours(j.id);
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
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sameState(a: SwitchDesiredState, b: SwitchDesiredState): boolean {
  const text = (s: SwitchDesiredState) =>
    JSON.stringify([s.entities, s.queues, s.trafficManager, s.scheduling], (_k, v) =>
      typeof v === "bigint" ? v.toString() : v,
    );
  return text(a) === text(b);
}
