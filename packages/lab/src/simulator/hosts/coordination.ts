// Job-level completion on simulated hosts: every receiver of a coordinated job reports its
// count to the job's coordinator (on the job's first receiving host, the aggregator) over
// the network in the control class, as the host programs do, and stops its sender when the
// coordinator's JOB-DONE reaches it. The coordination state machines are the host
// programs' own (packages/transport/src/job-completion.ts); only the carriage is simulated.
// A receiver on the coordinator's own host talks to it locally, without the network.
import {
  CountReporter,
  JobCoordinatorCore,
  type CoordinatorConfig,
  type GroupOutcome,
} from "@netapprox/transport/job-completion.js";
import {
  COUNT_BYTES,
  IP_UDP_OVERHEAD,
  JOB_DONE_BYTES,
  type CountMessage,
  type JobDoneMessage,
} from "@netapprox/transport/wire.js";
import { Endpoint, type Simulation } from "../simulation.js";
import { wakeTime } from "./approx.js";
import { KIND_CONTROL } from "./packets.js";

const COUNT_SIZE = COUNT_BYTES + IP_UDP_OVERHEAD;
const JOB_DONE_SIZE = JOB_DONE_BYTES + IP_UDP_OVERHEAD;

/** What a coordinated receiver offers its report channel. */
export interface ReportedReceiver {
  /** Distinct chunks held now, and the transfer's chunks. */
  progress(): { uniqueChunks: number; totalChunks: number };
  /** The coordinator says the group is complete: stop the sender. */
  stopForJob(): void;
}

/** One job's coordinator, with one port endpoint on its host per reporting receiver. */
export class SimJobCoordinator {
  readonly core: JobCoordinatorCore<number>;
  private readonly ports = new Map<number, CoordinatorPort>();
  private readonly channels = new Map<number, ReportChannel>();
  private scheduledAt = Infinity;

  constructor(
    readonly sim: Simulation,
    /** Network host index of the coordinator. */
    readonly host: number,
    config: CoordinatorConfig,
    readonly controlDscp: number,
    /** Called once per group when it completes. */
    private readonly onComplete: (group: number, outcome: GroupOutcome) => void,
  ) {
    this.core = new JobCoordinatorCore<number>(config);
  }

  /**
   * A report channel for one transfer's receiver on `host` (network host index); `hash`
   * and `reverseHash` route its packets like the transfer's own control packets.
   */
  channel(
    host: number,
    group: number,
    transfer: number,
    receiver: ReportedReceiver,
    timing: { intervalMs: number; keepaliveMs: number },
    hash: number,
    reverseHash: number,
  ): ReportChannel {
    const first = this.sim.reservePair();
    const reporter = new CountReporter({
      jobId: this.core.config.jobId,
      group,
      transfer,
      ...timing,
    });
    const channel = new ReportChannel(this.sim, first, host, this, reporter, receiver, hash);
    this.sim.attach(channel);
    this.channels.set(first, channel);
    if (host !== this.host) {
      const port = new CoordinatorPort(this.sim, first + 1, this.host, this, reverseHash);
      this.sim.attach(port);
      this.ports.set(first + 1, port);
    }
    return channel;
  }

  /** A count from the channel whose coordinator-side address is `from`. */
  onCount(m: CountMessage, from: number): void {
    const nowMs = this.sim.now * 1000;
    const before = this.completedGroups();
    this.send(this.core.onCount(m, from, nowMs));
    const g = m.group;
    if (!before.has(g) && this.core.completedAtMs(g) !== null)
      this.onComplete(g, this.core.outcome(g));
    this.schedule();
  }

  private completedGroups(): Set<number> {
    const done = new Set<number>();
    this.core.config.groups.forEach((_, g) => {
      if (this.core.completedAtMs(g) !== null) done.add(g);
    });
    return done;
  }

  private send(out: { to: number; message: JobDoneMessage }[]): void {
    for (const { to, message } of out) {
      const port = this.ports.get(to);
      if (port !== undefined) port.sendJobDone(message);
      else {
        // A receiver on the coordinator's host: delivered locally, at once.
        const channel = this.channels.get(to - 1);
        if (channel !== undefined) this.sim.at(this.sim.now, () => channel.onJobDone(message));
      }
    }
  }

  private schedule(): void {
    const nowMs = this.sim.now * 1000;
    const next = this.core.nextWakeMs(nowMs);
    if (next === null) return;
    const at = wakeTime(next);
    if (at >= this.scheduledAt) return;
    this.scheduledAt = at;
    this.sim.at(at, () => {
      this.scheduledAt = Infinity;
      this.send(this.core.tick(this.sim.now * 1000));
      this.schedule();
    });
  }

  /** Where a channel's reports go: its coordinator-side address (port id). */
  addressOf(channel: ReportChannel): number {
    return channel.id + 1;
  }
}

/** The receiver's side: reports its count, takes JOB-DONE. */
export class ReportChannel extends Endpoint {
  constructor(
    sim: Simulation,
    id: number,
    host: number,
    private readonly coordinator: SimJobCoordinator,
    private readonly reporter: CountReporter,
    private readonly receiver: ReportedReceiver,
    private readonly hash: number,
  ) {
    super(sim, id, host);
  }

  /** Starts reporting (the coordinator learns of the receiver at once). */
  start(): void {
    this.wakeAt(this.sim.now);
  }

  /** The receiver holds a new chunk: a report may be due. */
  onProgress(): void {
    const next = this.reporter.nextWakeMs(
      this.receiver.progress().uniqueChunks,
      this.sim.now * 1000,
    );
    if (next !== null) this.wakeAt(wakeTime(next));
  }

  receive(p: number): void {
    const f = this.sim.fabric;
    if (f.pKind[p] !== KIND_CONTROL) return;
    this.onJobDone(f.pObj[p] as JobDoneMessage);
  }

  onJobDone(m: JobDoneMessage): void {
    if (this.reporter.onJobDone(m)) this.receiver.stopForJob();
    this.wake();
  }

  wake(): void {
    const nowMs = this.sim.now * 1000;
    const { uniqueChunks, totalChunks } = this.receiver.progress();
    const report = this.reporter.poll(uniqueChunks, totalChunks, nowMs);
    if (report !== null) {
      if (this.host === this.coordinator.host) {
        const from = this.coordinator.addressOf(this);
        this.sim.at(this.sim.now, () => this.coordinator.onCount(report, from));
      } else {
        const f = this.sim.fabric;
        const p = f.alloc();
        f.pSize[p] = COUNT_SIZE;
        f.pKind[p] = KIND_CONTROL;
        f.pDscp[p] = this.coordinator.controlDscp;
        f.pEp[p] = this.id;
        f.pDst[p] = this.coordinator.host;
        f.pHash[p] = this.hash;
        f.pObj[p] = report;
        this.transmit(p);
      }
    }
    const next = this.reporter.nextWakeMs(uniqueChunks, nowMs);
    if (next !== null) this.wakeAt(wakeTime(next));
  }
}

/** The coordinator's side of one channel, on the coordinator's host. */
class CoordinatorPort extends Endpoint {
  constructor(
    sim: Simulation,
    id: number,
    host: number,
    private readonly coordinator: SimJobCoordinator,
    private readonly hash: number,
  ) {
    super(sim, id, host);
  }

  receive(p: number): void {
    const f = this.sim.fabric;
    if (f.pKind[p] !== KIND_CONTROL) return;
    this.coordinator.onCount(f.pObj[p] as CountMessage, this.id);
  }

  sendJobDone(m: JobDoneMessage): void {
    const f = this.sim.fabric;
    const p = f.alloc();
    f.pSize[p] = JOB_DONE_SIZE;
    f.pKind[p] = KIND_CONTROL;
    f.pDscp[p] = this.coordinator.controlDscp;
    f.pEp[p] = this.id;
    f.pDst[p] = this.destination;
    f.pHash[p] = this.hash;
    f.pObj[p] = m;
    this.transmit(p);
  }

  /** The receiver's host, where the channel's other end is. */
  private get destination(): number {
    return (this.sim.endpoints[this.id ^ 1] as Endpoint).host;
  }

  wake(): void {
    // Sends only when the coordinator asks.
  }
}
