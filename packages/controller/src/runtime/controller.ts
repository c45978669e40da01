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
//
// The class coordinates; the parts live beside it: counter polls in poller.ts, rates
// and metrics in telemetry.ts and metrics.ts, /status in status.ts, policy file
// watching in policy-watch.ts, each switch's session in agent.ts (made in agent-wiring.ts).
import { join } from "node:path";
import { Subject, interval, type Subscription } from "rxjs";
import { allocate } from "@netapprox/model/allocation/allocate.js";
import {
  EMPTY_JOB_DEMAND,
  jobDemandRound,
  type JobDemandState,
} from "@netapprox/model/allocation/job-demand.js";
import type { Allocation } from "@netapprox/model/allocation/types.js";
import { entityInit } from "@netapprox/p4runtime/entities.js";
import type { P4Schema } from "@netapprox/p4runtime/p4info.js";
import type { SwitchOptions } from "@netapprox/p4runtime/switch.js";
import {
  pipelineContract,
  type PipelineContract,
  type PipelineTarget,
} from "@netapprox/model/pipeline/contract.js";
import { translateAll, type SwitchDesiredState } from "@netapprox/model/pipeline/translate.js";
import { formatIssue } from "@netapprox/model/config/errors.js";
import { checkPolicy, vetPolicy } from "@netapprox/model/policy/checks.js";
import { loadPolicyFile } from "@netapprox/model/policy/load.js";
import type { Policy } from "@netapprox/model/policy/types.js";
import { computeRoutes, type Routing } from "@netapprox/model/routing/routing.js";
import { capabilitiesOf, type TargetCapabilities } from "../targets/capabilities.js";
import { QueueMemory } from "../targets/queue-memory.js";
import type { LinkInterface, TcRunner } from "../targets/tc-links.js";
import type { Switch as TopologySwitch, Topology } from "@netapprox/model/topology/types.js";
import type { QueueConfigurator, SwitchAgent, SyncReport } from "./agent.js";
import { createSwitchAgent } from "./agent-wiring.js";
import { applyHysteresis } from "./hysteresis.js";
import type { Logger } from "./log.js";
import { ControllerMetrics } from "./metrics.js";
import { CounterPoller } from "./poller.js";
import { controllerStatus, type ControllerStatus } from "./status.js";
import { Telemetry } from "./telemetry.js";
import { ewma } from "@netapprox/model/allocation/smoothing.js";
import { packageVersion } from "@netapprox/model/util/package-root.js";
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

export type {
  ControllerStatus,
  JobStatus,
  LinkStatus,
  PortStatus,
  SwitchStatus,
} from "./status.js";

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
  /** Smoothed offered load per approximate job (bit/s) and the caps derived from it. */
  private jobDemand: JobDemandState = EMPTY_JOB_DEMAND;
  private readonly subscriptions: Subscription[] = [];
  private policyWatch: PolicyWatcher | undefined;
  private readonly poller: CounterPoller;
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
    this.poller = new CounterPoller({
      switches: options.topology.switches,
      agents: this.agents,
      telemetry: this.telemetry,
      metrics: this.metrics,
      logger: this.log,
      job: (id) => this.allocation?.jobs.find((j) => j.id === id),
    });
    this.queueMemory =
      options.stateDir === undefined
        ? QueueMemory.inProcess()
        : QueueMemory.open(join(options.stateDir, "bmv2-queues.json"), (message) =>
            this.log.warn(message),
          );
    for (const sw of options.topology.switches)
      this.agents.set(
        sw.name,
        createSwitchAgent(sw, options, {
          logger: this.log,
          queueMemory: this.queueMemory,
          poller: this.poller,
        }),
      );
  }

  private contractOf(sw: TopologySwitch): PipelineContract {
    return pipelineContract(capabilitiesOf(sw.target).pipeline);
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
    this.poller.pollMs = pollMs;
    this.subscriptions.push(interval(pollMs).subscribe(() => void this.pollRound()));
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
    this.poller.close();
    await Promise.all([...this.agents.values()].map((a) => a.stop()));
    this.events$.complete();
  }

  private onSync(r: SyncReport): void {
    this.events$.next({ type: "synced", ...r });
    this.metrics.recordSync(r);
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
    this.metrics.setJobs(allocation.jobs);
    this.metrics.setLinks(allocation.links);
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

  /** One poll round, then what its measurements change: job demand, measured exact load. */
  private async pollRound(): Promise<void> {
    const polled = await this.poller.round();
    if (polled === undefined) return;
    const offered = this.telemetry.offeredByJob();
    if (offered.size > 0) this.updateJobDemand(offered);
    if (this.policy.exact.source === "measured") this.updateMeasuredExact();
    this.events$.next({ type: "poll", switches: polled });
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

  status(): ControllerStatus {
    return controllerStatus({
      version: this.version,
      started: this.started,
      electionId: this.options.electionId,
      role: this.options.role ?? "",
      policyFile: this.options.policyFile,
      policy: this.policy,
      lastPolicyError: this.lastPolicyError,
      pollIntervalMs: this.poller.pollMs,
      allocation: this.allocation,
      switches: this.options.topology.switches,
      agents: this.agents,
      telemetry: this.telemetry,
      metrics: this.metrics,
      unresponsiveSince: (name) => this.poller.unresponsiveSince(name),
    });
  }
}

function sameState(a: SwitchDesiredState, b: SwitchDesiredState): boolean {
  const text = (s: SwitchDesiredState) =>
    JSON.stringify([s.entities, s.queues, s.trafficManager, s.scheduling], (_k, v) =>
      typeof v === "bigint" ? v.toString() : v,
    );
  return text(a) === text(b);
}
