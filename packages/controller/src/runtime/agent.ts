// One switch as the controller drives it: its P4Runtime session, what it should
// hold (desired state), what we believe it holds (the mirror), and the work of
// bringing the one to the other. Work for one switch runs strictly in order; the
// switches of a network never wait for each other.
//
//   - When the session becomes ready as primary (first connect, reconnect after a
//     restart, promotion from backup) the agent reads everything installed,
//     plans the difference and writes it (a full sync). A correct switch gets no
//     writes at all.
//   - When the desired state changes, it writes only the difference from the
//     mirror (an incremental sync), with no read.
//   - A failed update is logged with the entity it concerns, counted, and retried
//     by a full sync after a back-off; the other updates still go in.
//
// One file over 500 lines: the agent's sync loop, mirror, retries and queue settings share
// one per-switch state.
import { status as GrpcStatus } from "@grpc/grpc-js";
import { Subject, type Subscription } from "rxjs";
import {
  Update_Type,
  type Entity,
  type Update,
} from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import { encodeEntity, entityKey } from "@netapprox/p4runtime/entities.js";
import { P4RuntimeError, WriteError } from "@netapprox/p4runtime/errors.js";
import type { P4Schema } from "@netapprox/p4runtime/p4info.js";
import { describeUpdate, Switch, type SwitchOptions } from "@netapprox/p4runtime/switch.js";
import type { PipelineContract } from "@netapprox/model/pipeline/contract.js";
import type { SwitchDesiredState, LinkScheduling } from "@netapprox/model/pipeline/translate.js";
import type { TargetCapabilities } from "../targets/capabilities.js";
import { FailureReport } from "./failure-report.js";
import { QueueMemory, type QueueValues } from "../targets/queue-memory.js";
import { sameSwitchStart, type SwitchStart } from "../targets/thrift.js";
import type { Logger } from "./log.js";
import { planReconciliation, reconciliationReads } from "./reconcile.js";

/** Applies BMv2 queue settings (the Thrift service) — or anything that can. */
export interface QueueConfigurator {
  setQueueRate(port: number, priority: number, pps: number): Promise<void>;
  setQueueDepth(port: number, priority: number, packets: number): Promise<void>;
  close(): void;
  /** Where the settings go (host:port), to tell one switch's remembered settings from another's. */
  readonly address?: string;
  /**
   * When the switch process started. With it, settings remembered from before (this
   * process or an earlier controller) are trusted while the switch has not restarted;
   * without it, every setting is sent again after each reconnect.
   */
  startTime?(): Promise<SwitchStart | undefined>;
}

/**
 * Sets each egress link's scheduling outside the switch (an htb tree per Mininet veth,
 * targets/tc-links.ts) — or anything that can.
 */
export interface LinkScheduler {
  /** Makes the links what `scheduling` says; `full`: read them back first. Returns links changed. */
  apply(scheduling: LinkScheduling, full: boolean): Promise<number>;
  /** What was written may be gone (the switch restarted): read back next time. */
  forget(): void;
}

export interface SyncReport {
  switch: string;
  kind: "full" | "incremental";
  inserts: number;
  modifies: number;
  deletes: number;
  failed: number;
  queueChanges: number;
  durationMs: number;
}

export interface AgentStats {
  fullSyncs: number;
  incrementalSyncs: number;
  updatesWritten: number;
  updatesFailed: number;
  queueWrites: number;
  lastSync: SyncReport | undefined;
  lastError: string | undefined;
  /** When the session entered its current state (ms since the epoch). */
  stateSince: number;
  /** Why the last session ended or could not start; cleared when the switch is ready. */
  downReason: string | undefined;
}

export interface AgentOptions {
  switchOptions: SwitchOptions;
  schema: P4Schema;
  contract: PipelineContract;
  capabilities: TargetCapabilities;
  logger: Logger;
  queues?: QueueConfigurator;
  /** What was set on BMv2 queues, shared by the agents (default: this agent's own, in memory). */
  queueMemory?: QueueMemory;
  /** capabilities.queueConfig "linux-htb": the links' traffic manager. */
  links?: LinkScheduler;
  /**
   * How often the links are read back and mended when they differ (a namespace recreated
   * under a running switch); 0: only on full syncs. Default 5 s.
   */
  linkCheckMs?: number;
  /** Writes the traffic-manager settings of a Tofino switch (to a file). */
  writeTrafficManager?: (state: SwitchDesiredState) => Promise<void>;
  /** Back-off before retrying after failed updates. */
  retryMs?: { initial: number; max: number };
}

export class SwitchAgent {
  readonly name: string;
  readonly switch: Switch;
  readonly schema: P4Schema;
  readonly contract: PipelineContract;
  readonly capabilities: TargetCapabilities;
  readonly stats: AgentStats = {
    fullSyncs: 0,
    incrementalSyncs: 0,
    updatesWritten: 0,
    updatesFailed: 0,
    queueWrites: 0,
    lastSync: undefined,
    lastError: undefined,
    stateSince: Date.now(),
    downReason: undefined,
  };
  /** Each completed sync, for observers (tests, metrics). */
  readonly syncs$ = new Subject<SyncReport>();

  private readonly log: Logger;
  private readonly options: AgentOptions;
  private desired: SwitchDesiredState | undefined;
  private desiredEntities: Entity[] = [];
  private mirror: Map<string, Entity> | undefined;
  /** Queue settings known to be on the switch; undefined until checked in this session. */
  private queuesApplied: Map<string, QueueValues> | undefined;
  private switchStart: SwitchStart | undefined;
  private readonly queueMemory: QueueMemory;
  private trafficManagerWritten = "";
  private chain: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private linkTimer: NodeJS.Timeout | undefined;
  private linkCheckQueued = false;
  private retryDelay: number;
  private readonly subscriptions: Subscription[] = [];
  private stopped = false;
  private readonly queueFailures: FailureReport;
  private queueRetryTimer: NodeJS.Timeout | undefined;

  constructor(options: AgentOptions) {
    this.options = options;
    this.name = options.switchOptions.name;
    this.schema = options.schema;
    this.contract = options.contract;
    this.capabilities = options.capabilities;
    this.log = options.logger.child({ switch: this.name });
    this.retryDelay = options.retryMs?.initial ?? 500;
    this.queueMemory = options.queueMemory ?? QueueMemory.inProcess();
    this.switch = new Switch(options.switchOptions);
    this.queueFailures = new FailureReport(this.log, "queue settings");
    this.subscriptions.push(
      this.switch.state$.subscribe(() => (this.stats.stateSince = Date.now())),
    );
    this.subscriptions.push(
      this.switch.events$.subscribe((e) => {
        switch (e.type) {
          case "ready":
            this.log.info("switch ready", { role: e.role });
            this.stats.downReason = undefined;
            if (e.role === "primary") this.schedule("full");
            break;
          case "down":
            // Whatever happens next (reconnect, restart), re-read before trusting the mirror.
            this.mirror = undefined;
            this.queuesApplied = undefined; // checked against the switch's start time again
            this.stats.downReason = e.reason;
            this.options.links?.forget();
            this.log.warn("switch down", { reason: e.reason });
            break;
          case "pipeline_pushed":
            this.log.info("pipeline pushed", { cookie: e.cookie });
            break;
          case "pipeline_skipped":
            this.log.info("pipeline already installed", { cookie: e.cookie });
            break;
          case "primary":
            this.log.info("became primary", { electionId: e.electionId });
            break;
          case "backup":
            this.log.info("became backup", { primaryElectionId: e.primaryElectionId });
            break;
          case "rebid":
            this.log.warn("the switch has no primary: bidding for it", {
              electionId: e.electionId,
              highestSeen: e.highestSeen,
            });
            break;
          case "stream_error":
            this.log.warn("stream error", { code: e.code, message: e.message });
            break;
          default:
            break;
        }
      }),
    );
  }

  start(): void {
    this.switch.start();
    const every = this.options.linkCheckMs ?? 5000;
    if (this.options.links !== undefined && every > 0)
      this.linkTimer = setInterval(() => this.checkLinks(), every);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.queueRetryTimer);
    clearInterval(this.linkTimer);
    for (const s of this.subscriptions) s.unsubscribe();
    await this.chain;
    await this.switch.stop();
    this.options.queues?.close();
    this.syncs$.complete();
  }

  get desiredState(): SwitchDesiredState | undefined {
    return this.desired;
  }

  /**
   * Number of entities we believe are installed (undefined before the first sync);
   * meter cells count only when configured (every cell of a meter array exists).
   */
  get mirrorSize(): number | undefined {
    if (this.mirror === undefined) return undefined;
    let n = 0;
    for (const e of this.mirror.values()) {
      if (e.entity.case === "meterEntry" && e.entity.value.config === undefined) continue;
      n++;
    }
    return n;
  }

  /**
   * Sets what the switch should hold. Entities are encoded (and so checked against
   * the P4Info) here, before anything is sent; a state that does not encode is
   * refused as a whole and the previous one stays.
   */
  setDesired(state: SwitchDesiredState): void {
    const encoded = state.entities.map((e) => encodeEntity(this.schema, e));
    this.desired = state;
    this.desiredEntities = encoded;
    this.schedule(this.mirror === undefined ? "full" : "incremental");
  }

  /** Waits for the work queued so far. */
  idle(): Promise<void> {
    return this.chain;
  }

  private schedule(kind: "full" | "incremental"): void {
    if (this.stopped) return;
    this.chain = this.chain
      .then(() => this.sync(kind))
      .catch((err: Error) => {
        this.stats.lastError = err.message;
        this.log.error("sync failed", { error: err.message });
        this.scheduleRetry();
      });
  }

  /**
   * Queue settings failed while the switch took its entities: try them again when the
   * failure report allows, with an incremental sync (no read of the switch).
   */
  private retryQueuesLater(): void {
    if (this.stopped || this.queueRetryTimer !== undefined) return;
    this.queueRetryTimer = setTimeout(() => {
      this.queueRetryTimer = undefined;
      this.schedule("incremental");
    }, this.queueFailures.msUntilAttempt());
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.options.retryMs?.max ?? 30_000, this.retryDelay * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.schedule("full");
    }, delay);
  }

  private async sync(kind: "full" | "incremental"): Promise<void> {
    const sw = this.switch;
    if (this.desired === undefined || sw.state !== "ready" || !sw.isPrimary) return;
    const started = Date.now();
    const full = kind === "full" || this.mirror === undefined;
    let installed: Entity[];
    if (full) {
      installed = await sw.read(reconciliationReads(this.schema));
      this.mirror = new Map(installed.map((e) => [entityKey(e), e]));
    } else {
      installed = [...this.mirror!.values()];
    }
    const plan = planReconciliation(this.schema, this.desiredEntities, installed);
    let failed = 0;
    for (const phase of plan.phases) failed += await this.writePhase(phase);
    // The switch holds what it should: earlier errors are over (queue settings may add one).
    if (failed === 0) this.stats.lastError = undefined;
    const target = await this.applyTargetSettings(full);
    const queueChanges = target.changes;
    failed += target.failed;
    if (failed === 0) this.retryDelay = this.options.retryMs?.initial ?? 500;
    else this.scheduleRetry();
    if (full) this.stats.fullSyncs++;
    else this.stats.incrementalSyncs++;
    const report: SyncReport = {
      switch: this.name,
      kind: full ? "full" : "incremental",
      inserts: plan.inserts,
      modifies: plan.modifies,
      deletes: plan.deletes,
      failed,
      queueChanges,
      durationMs: Date.now() - started,
    };
    this.stats.lastSync = report;
    const written = plan.inserts + plan.modifies + plan.deletes;
    if (written > 0 || failed > 0 || queueChanges > 0) this.log.info("synced", { ...report });
    this.syncs$.next(report);
  }

  /** Writes one phase; keeps the mirror true to what succeeded. Returns the failure count. */
  private async writePhase(phase: Update[]): Promise<number> {
    const apply = (u: Update) => {
      const key = entityKey(u.entity!);
      if (u.type === Update_Type.DELETE) this.mirror!.delete(key);
      else this.mirror!.set(key, u.entity!);
    };
    try {
      await this.switch.write(phase);
      phase.forEach(apply);
      this.stats.updatesWritten += phase.length;
      return 0;
    } catch (err) {
      if (!(err instanceof WriteError)) {
        if (err instanceof P4RuntimeError && err.code === GrpcStatus.PERMISSION_DENIED) {
          this.log.warn("not primary any more: writes stopped", { error: err.message });
          return 0;
        }
        throw err;
      }
      for (const r of err.results) if (r.ok) apply(phase[r.index]!);
      this.stats.updatesWritten += err.results.length - err.failed.length;
      this.stats.updatesFailed += err.failed.length;
      for (const r of err.failed.slice(0, 20)) {
        this.log.error("update failed", {
          update: describeUpdate(this.schema, phase[r.index]!),
          code: r.code,
          message: r.message,
        });
      }
      this.stats.lastError = `${err.failed.length} updates failed; first: ${describeUpdate(this.schema, phase[err.failed[0]!.index]!)}: ${err.failed[0]!.message}`;
      return err.failed.length;
    }
  }

  /**
   * Reads the links back and mends what differs, between syncs (queued behind the work of
   * the switch, never two at once).
   */
  private checkLinks(): void {
    if (this.linkCheckQueued || this.stopped) return;
    this.linkCheckQueued = true;
    this.chain = this.chain
      .then(async () => {
        this.linkCheckQueued = false;
        const sw = this.switch;
        if (this.desired === undefined || sw.state !== "ready" || !sw.isPrimary) return;
        const { changes } = await this.applyLinks(this.desired, true);
        if (changes > 0)
          this.log.warn("link scheduling was not as written: restored", { links: changes });
      })
      .catch((err: Error) => {
        this.linkCheckQueued = false;
        this.log.error("link check failed", { error: err.message });
      });
  }

  /** The links' traffic manager (htb); a failure is logged, counted and retried. */
  private async applyLinks(
    state: SwitchDesiredState,
    full: boolean,
  ): Promise<{ changes: number; failed: number }> {
    const links = this.options.links;
    if (links === undefined) return { changes: 0, failed: 0 };
    try {
      return { changes: await links.apply(state.scheduling, full), failed: 0 };
    } catch (err) {
      this.stats.lastError = (err as Error).message;
      this.log.error("link scheduling failed", { error: (err as Error).message });
      this.scheduleRetry();
      return { changes: 0, failed: 1 };
    }
  }

  /**
   * The queue settings the switch holds as far as we know: those remembered for
   * this switch if it is the same process that got them (same address, same start
   * time), else none (it restarted, or it cannot tell us), so all are sent.
   */
  private async knownQueues(queues: QueueConfigurator): Promise<Map<string, QueueValues>> {
    let start: SwitchStart | undefined;
    try {
      start = await queues.startTime?.();
    } catch (err) {
      this.log.warn("cannot read when the switch started: sending every queue setting", {
        error: (err as Error).message,
      });
    }
    this.switchStart = start;
    const remembered = this.queueMemory.get(this.name);
    if (remembered === undefined) return new Map();
    if (start === undefined) {
      // What is sent now cannot be tied to a switch process: a record left behind
      // would be trusted later while the switch holds newer settings.
      await this.queueMemory.forget(this.name).catch(() => undefined);
      return new Map();
    }
    if (remembered.address === queues.address && sameSwitchStart(remembered.start, start)) {
      return new Map(remembered.queues);
    }
    this.log.info("the switch restarted since its queues were set: sending them again", {
      address: queues.address,
    });
    await this.queueMemory.forget(this.name).catch(() => undefined);
    return new Map();
  }

  /**
   * BMv2 queue rates/depths over Thrift (unpaced where the links' htb schedules), the links'
   * htb, or the Tofino TM file. Returns changes applied and settings that failed (a Thrift
   * port that does not answer is retried after its own back-off, not counted).
   */
  private async applyTargetSettings(full: boolean): Promise<{ changes: number; failed: number }> {
    const state = this.desired!;
    let changes = 0;
    let failed = 0;
    const htb = this.capabilities.queueConfig === "linux-htb";
    if ((this.capabilities.queueConfig === "bmv2-thrift" || htb) && this.options.queues) {
      // A Thrift port that does not answer is tried again after a back-off, not every sync.
      if (!this.queueFailures.shouldAttempt()) {
        this.stats.lastError = this.queueFailures.lastError;
        this.retryQueuesLater();
        return { changes: 0, failed: 0 };
      }
      let queueFailed = false;
      const queues = this.options.queues;
      const applied = this.queuesApplied ?? (this.queuesApplied = await this.knownQueues(queues));
      // With htb on the links BMv2's own queues must hold nothing: unpaced (rate 0).
      const settings = htb ? state.queues.map((q) => ({ ...q, ratePps: 0 })) : state.queues;
      for (const q of settings) {
        const key = `${q.port}/${q.priority}`;
        const old = applied.get(key);
        if (old?.ratePps === q.ratePps && old.depthPackets === q.depthPackets) continue;
        try {
          if (old?.ratePps !== q.ratePps) await queues.setQueueRate(q.port, q.priority, q.ratePps);
          if (old?.depthPackets !== q.depthPackets)
            await queues.setQueueDepth(q.port, q.priority, q.depthPackets);
          applied.set(key, { ratePps: q.ratePps, depthPackets: q.depthPackets });
          changes++;
        } catch (err) {
          this.stats.lastError = (err as Error).message;
          this.queueFailures.failed((err as Error).message, { port: q.port, priority: q.priority });
          this.retryQueuesLater();
          queueFailed = true;
          break;
        }
      }
      if (!queueFailed) this.queueFailures.succeeded();
      if (changes > 0 && this.switchStart !== undefined && queues.address !== undefined) {
        await this.queueMemory
          .set(this.name, { address: queues.address, start: this.switchStart, queues: applied })
          .catch((err: Error) =>
            this.log.warn("cannot save the queue settings", { error: err.message }),
          );
      }
    }
    if (htb) {
      const links = await this.applyLinks(state, full);
      changes += links.changes;
      failed += links.failed;
    } else if (
      this.capabilities.queueConfig === "tm-config-file" &&
      this.options.writeTrafficManager
    ) {
      const text = JSON.stringify(state.trafficManager);
      if (text !== this.trafficManagerWritten) {
        await this.options.writeTrafficManager(state);
        this.trafficManagerWritten = text;
        changes++;
      }
    }
    this.stats.queueWrites += changes;
    return { changes, failed };
  }
}
