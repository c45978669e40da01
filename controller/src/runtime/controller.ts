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
import { mkdir, rename, writeFile } from "node:fs/promises";
import { watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { Subject, interval, type Subscription } from "rxjs";
import { allocate } from "../allocation/allocate.js";
import { EMPTY_JOB_DEMAND, jobDemandRound, type JobDemandState } from "../allocation/job-demand.js";
import type { Allocation } from "../allocation/types.js";
import { decodeEntity, encodeEntity } from "../p4runtime/entities.js";
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
import { loadPolicyFile } from "../policy/load.js";
import type { Policy } from "../policy/types.js";
import { computeRoutes, type Routing } from "../routing/routing.js";
import { capabilitiesOf } from "../targets/capabilities.js";
import {
  HtbLinks,
  mininetLinkInterfaces,
  type LinkInterface,
  type TcRunner,
} from "../targets/tc-links.js";
import { SimpleSwitchQueues } from "../targets/thrift.js";
import type { Switch as TopologySwitch, Topology } from "../topology/types.js";
import { SwitchAgent, type QueueConfigurator, type SyncReport } from "./agent.js";
import { applyHysteresis } from "./hysteresis.js";
import type { Logger } from "./log.js";
import { MetricsRegistry } from "./metrics.js";
import { rateBetween, type CounterSample, type Rate } from "./rates.js";
import { ewma } from "../allocation/smoothing.js";

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
  retryMs?: { initial: number; max: number };
}

export type ControllerEvent =
  | { type: "allocation"; allocator: string; jobs: number }
  /** Switches whose desired state changed in an allocation round (they will sync). */
  | { type: "desired_changed"; switches: string[] }
  | { type: "policy_applied"; file: string }
  | { type: "policy_rejected"; file: string; error: string }
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
  private jobDemand: JobDemandState = EMPTY_JOB_DEMAND;
  private readonly subscriptions: Subscription[] = [];
  private watcher: FSWatcher | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(options: ControllerOptions) {
    this.options = options;
    this.log = options.logger;
    this.policy = options.policy;
    this.routing = computeRoutes(options.topology);
    for (const sw of options.topology.switches) this.agents.set(sw.name, this.createAgent(sw));
  }

  private contractOf(sw: TopologySwitch): PipelineContract {
    return pipelineContract(capabilitiesOf(sw.target).pipeline);
  }

  private createAgent(sw: TopologySwitch): SwitchAgent {
    const htb = sw.target === "bmv2" && this.options.bmv2Queues === "htb";
    const caps = capabilitiesOf(sw.target, htb ? { queueConfig: "linux-htb" } : {});
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
    const dir = this.options.trafficManagerDir ?? "tm-config";
    return new SwitchAgent({
      switchOptions,
      schema: bundle.schema,
      contract: pipelineContract(caps.pipeline),
      capabilities: caps,
      logger: this.log,
      ...(queues ? { queues } : {}),
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
        await mkdir(dir, { recursive: true });
        const file = join(dir, `${state.switch}.tm.json`);
        const doc = { switch: state.switch, generatedBy: "netapprox", ports: state.trafficManager };
        await writeFile(`${file}.tmp`, JSON.stringify(doc, null, 2) + "\n");
        await rename(`${file}.tmp`, file);
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
    this.watcher?.close();
    clearTimeout(this.reloadTimer);
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
        ...(this.jobDemand.caps.size > 0 ? { jobCaps: this.jobDemand.caps } : {}),
      },
      policy,
    );
    const states = translateAll(allocation, this.routing.tables(), (plan) =>
      this.contractOf(this.options.topology.switches.find((s) => s.name === plan.name)!),
    );
    // Encode everything before touching any switch: a bad state fails here as a whole.
    for (const state of states) {
      const agent = this.agents.get(state.switch)!;
      for (const e of state.entities) encodeEntity(agent.schema, e);
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
   * Loads the policy file again. An invalid file (schema, references, or an
   * allocation that fails) is reported and the running policy stays in force.
   */
  reloadPolicy(): boolean {
    const file = this.options.policyFile;
    try {
      const next = loadPolicyFile(file);
      this.recompute(next);
      this.lastPolicyError = null;
      this.log.info("policy applied", { file, allocator: next.allocator, jobs: next.jobs.length });
      this.events$.next({ type: "policy_applied", file });
      return true;
    } catch (err) {
      this.lastPolicyError = (err as Error).message;
      this.metrics.inc("netapprox_policy_rejected_total", "Policy reloads refused as invalid", {});
      this.log.error("policy rejected; the previous policy stays in force", {
        file,
        error: (err as Error).message,
      });
      this.events$.next({ type: "policy_rejected", file, error: (err as Error).message });
      return false;
    }
  }

  private watchPolicyFile(): void {
    try {
      this.watcher = watch(this.options.policyFile, () => {
        // Editors write in several steps: wait for the file to settle.
        clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => this.reloadPolicy(), 200);
      });
    } catch (err) {
      this.log.warn("cannot watch the policy file; edits need a restart", {
        file: this.options.policyFile,
        error: (err as Error).message,
      });
    }
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

  /** One poll: read counters of every ready switch, derive rates, re-allocate if measuring. */
  private async pollRound(seconds: number): Promise<void> {
    if (this.polling) return; // a slow round is not stacked on
    this.polling = true;
    try {
      const polled = await Promise.all(
        this.options.topology.switches.map(async (sw) => {
          const agent = this.agents.get(sw.name)!;
          this.metrics.set(
            "netapprox_switch_up",
            "1 when the switch session is ready",
            { switch: sw.name },
            agent.switch.state === "ready" ? 1 : 0,
          );
          this.metrics.set(
            "netapprox_switch_primary",
            "1 when this controller is primary for the switch",
            { switch: sw.name },
            agent.switch.isPrimary ? 1 : 0,
          );
          if (agent.switch.state !== "ready") return false;
          try {
            await this.pollSwitch(agent, sw);
            return true;
          } catch (err) {
            this.log.warn("counter poll failed", {
              switch: sw.name,
              error: (err as Error).message,
            });
            return false;
          }
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
      switches: [...this.agents.values()].map((agent) => ({
        name: agent.name,
        address: agent.switch.client.address,
        target: agent.capabilities.target,
        state: agent.switch.state,
        role: agent.switch.role,
        entities: agent.mirrorSize ?? null,
        lastSync: agent.stats.lastSync ?? null,
        updatesWritten: agent.stats.updatesWritten,
        updatesFailed: agent.stats.updatesFailed,
        lastError: agent.stats.lastError ?? null,
      })),
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

function sameState(a: SwitchDesiredState, b: SwitchDesiredState): boolean {
  const text = (s: SwitchDesiredState) =>
    JSON.stringify([s.entities, s.queues, s.trafficManager, s.scheduling], (_k, v) =>
      typeof v === "bigint" ? v.toString() : v,
    );
  return text(a) === text(b);
}
