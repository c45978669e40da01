// The controller's side of a simulated run: the allocation (with its demand inputs), the
// meters and rate hints it installs, reallocation as jobs and exact sources come and go, and
// the poll loops that measure the jobs' offered load and the exact traffic.
import { allocate, type AllocationDemands } from "@netapprox/model/allocation/allocate.js";
import {
  EMPTY_JOB_DEMAND,
  jobDemandRound,
  type JobDemandState,
} from "@netapprox/model/allocation/job-demand.js";
import { ewma } from "@netapprox/model/allocation/smoothing.js";
import type { Allocation } from "@netapprox/model/allocation/types.js";
import type { Scenario } from "../../experiment/scenario.js";
import { jobRates } from "../../experiment/start-rate.js";
import { declaredExactFlows, type WorkloadPlan } from "../../experiment/workload.js";
import type { ApproximateJob, Policy } from "@netapprox/model/policy/types.js";
import type { Routing } from "@netapprox/model/routing/routing.js";
import { CLASS_EXACT } from "../fabric.js";
import { hostIndex, type JobState, type RunContext } from "./context.js";

/**
 * The allocation the controller computes for the active jobs and exact sources, with the
 * demand loop's state (job caps) and the measured exact load as inputs.
 */
export class RunAllocator {
  /** The controller's demand loop state: smoothed offered load and caps per job id. */
  jobDemand: JobDemandState = EMPTY_JOB_DEMAND;
  /** With `exact_demand: measured`: smoothed exact bit/s per switch port ("switch:port"). */
  measuredExact = new Map<string, number>();
  private readonly exactRate: "declared" | "offered";

  constructor(
    private readonly scenario: Scenario,
    private readonly routing: Routing,
    private readonly plan: WorkloadPlan,
    private readonly basePolicy: Policy,
    private readonly allJobs: ApproximateJob[],
  ) {
    // Exact demand is declared from a source's first arrival until its arrival window is
    // over and its flows are done (all of it when static): a BMv2 queue's rate is reserved
    // whether it is used or not, and flows in flight must keep theirs. A scenario's
    // declared_load provisions BMv2's paced exact queue for peaks; with strict or weighted
    // scheduling the exact queue takes what it needs, so the allocation is told the offered
    // load: what is reserved beyond it would only be withheld from approximate jobs. With
    // `exact_demand: measured` the controller's port-counter measurements replace it where
    // they exist (switch egress ports).
    this.exactRate = scenario.simulator.queueMode === "bmv2-paced" ? "declared" : "offered";
  }

  private demands(sources: ReadonlySet<number> | null): AllocationDemands {
    return {
      exactFlows:
        this.scenario.simulator.exactDemand === "none"
          ? []
          : declaredExactFlows(
              this.plan.exactSources.filter((_, i) => sources === null || sources.has(i)),
              this.exactRate,
            ),
      ...(this.measuredExact.size > 0 ? { measured: this.measuredExact } : {}),
    };
  }

  /** The allocation for these job ids and exact sources (null: all of them). */
  allocateFor(ids: ReadonlySet<number> | null, sources: ReadonlySet<number> | null): Allocation {
    const caps = this.jobDemand.caps;
    return allocate(
      this.scenario.topology,
      this.routing,
      { ...this.demands(sources), ...(caps.size > 0 ? { jobCaps: caps } : {}) },
      {
        ...this.basePolicy,
        jobs: ids === null ? this.allJobs : this.allJobs.filter((j) => ids.has(j.id)),
      },
    );
  }

  /** Before the run: everything when the allocation is static, else nothing yet. */
  initial(): Allocation {
    return this.scenario.simulator.reallocate === "static"
      ? this.allocateFor(null, null)
      : this.allocateFor(new Set(), new Set());
  }
}

/**
 * With `rate_hint: allocation` the controller tells the approximate senders their share of
 * what the allocation gave their host's part of the job: the share of its peak rate
 * (allocation plus headroom) is the most a sender may send (more is dropped RED at its first
 * switch), the share of its guarantee its floor (GREEN is not dropped early). Updated with
 * every allocation and whenever one of the job's transfers ends.
 */
export class RateHints {
  constructor(
    readonly on: boolean,
    /** 1 + the policy's headroom. */
    readonly headroom: number,
  ) {}

  update(job: JobState): void {
    if (!this.on || job.peak <= 0 || job.senders.size === 0) return;
    const perHost = new Map<number, number>();
    for (const s of job.senders) perHost.set(s.host, (perHost.get(s.host) ?? 0) + 1);
    for (const s of job.senders) {
      const part = job.parts.get(s.host);
      const n = perHost.get(s.host)!;
      // A part the allocation gave nothing (its host's link is full of exact traffic) gets
      // no hint: its sender finds what its path carries, and its meter is shared.
      if (part === undefined) s.setRateBounds(job.peak / job.senders.size, 0);
      else if (part.allocated > 0)
        s.setRateBounds((part.allocated * this.headroom) / n, part.guaranteed / n);
    }
  }
}

/** Where in the run's life an exact source is. */
interface ExactSources {
  /** Per source: key "spec\0src" to its index. */
  index: Map<string, number>;
  /** Flows started and not done. */
  open: Int32Array;
  /** 1: its arrival window is over. */
  closed: Uint8Array;
  /** Sources whose demand is declared now. */
  active: Set<number>;
}

/** The controller during a run: installs allocations, reallocates, polls its counters. */
export class RunController {
  reallocations = 0;
  demandReallocations = 0;
  private current: Allocation;
  private reallocationPending = false;
  private readonly metered = new Set<number>();
  private readonly meterBytesAtPoll: Float64Array;
  private readonly exactBytesAtPoll: Float64Array;
  private readonly measureExact: boolean;
  private readonly switchPorts: { link: number; key: string }[] = [];
  private readonly sources: ExactSources;

  constructor(
    private readonly ctx: RunContext,
    private readonly allocator: RunAllocator,
    private readonly hints: RateHints,
    private readonly jobs: readonly JobState[],
    private readonly initial: Allocation,
    private readonly exactSources: WorkloadPlan["exactSources"],
  ) {
    this.current = initial;
    const { net } = ctx;
    const settings = ctx.scenario.simulator;
    this.meterBytesAtPoll = new Float64Array(jobs.length);
    this.measureExact = settings.reallocate === "on-change" && settings.exactDemand === "measured";
    this.exactBytesAtPoll = new Float64Array(net.linkCount);
    for (let s = 0; s < net.switchCount; s++) {
      for (const [port, link] of net.portLink[s]!)
        this.switchPorts.push({ link, key: `${net.switches[s]!.name}:${port}` });
    }
    this.sources = {
      index: new Map(exactSources.map((s, i) => [`${s.spec}\u0000${s.src}`, i])),
      open: new Int32Array(exactSources.length),
      closed: new Uint8Array(exactSources.length),
      active: new Set(),
    };
  }

  /**
   * Schedules the controller's work: the static allocation's meters, the poll loops, and
   * the exact sources' windows.
   */
  start(): void {
    const { sim } = this.ctx;
    const initial = this.initial;
    const settings = this.ctx.scenario.simulator;
    if (settings.reallocate === "static") this.applyMeters(initial);
    if (
      settings.reallocate === "on-change" &&
      ((settings.jobDemand === "measured" && initial.features.meters) || this.measureExact)
    ) {
      sim.at(this.ctx.knobs.pollInterval, () => this.pollDemand());
    }
    if (settings.reallocate === "on-change") {
      this.exactSources.forEach((source, i) => {
        if (source.stop <= source.start) return;
        sim.at(source.start, () => {
          this.sources.active.add(i);
          this.requestReallocation();
        });
        sim.at(source.stop, () => {
          this.sources.closed[i] = 1;
          this.retireSource(i);
        });
      });
    }
  }

  /** A job started or ended, or an exact source's demand changed. */
  requestReallocation(): void {
    const settings = this.ctx.scenario.simulator;
    if (settings.reallocate !== "on-change" || this.reallocationPending) return;
    this.reallocationPending = true;
    this.ctx.sim.at(this.ctx.sim.now + settings.controlDelay, () => this.reallocate());
  }

  /** An exact flow of the source `spec` at `src` started; returns the source's index. */
  exactFlowStarted(spec: string, src: string): number {
    const source = this.sources.index.get(`${spec}\u0000${src}`)!;
    this.sources.open[source]!++;
    return source;
  }

  exactFlowEnded(source: number): void {
    this.sources.open[source]!--;
    this.retireSource(source);
  }

  private retireSource(i: number): void {
    const s = this.sources;
    if (s.closed[i] === 1 && s.open[i] === 0 && s.active.delete(i)) this.requestReallocation();
  }

  private reallocate(): void {
    this.reallocationPending = false;
    const active = new Set(this.jobs.filter((j) => j.run.active).map((j) => j.run.plan.id));
    const a = this.allocator.allocateFor(active, this.sources.active);
    this.reallocations++;
    this.current = a;
    this.ctx.fabric.applyAllocation(a);
    this.applyMeters(a);
  }

  private applyMeters(a: Allocation): void {
    const { fabric, net } = this.ctx;
    const now = new Set<number>();
    for (const ja of a.jobs) {
      const job = this.jobs[ja.id - 1]!;
      const rates = jobRates(ja, (host) => hostIndex(this.ctx, host));
      job.allocated = rates.allocated;
      job.peak = rates.peak;
      job.committed = rates.committed;
      job.parts = rates.parts;
      for (const ingress of ja.ingress) {
        const m = fabric.meterOf(job.index, net.switchIndex.get(ingress.switch)!);
        fabric.setMeter(m, ingress.meter);
        if (ingress.meter !== null) now.add(m);
      }
      this.hints.update(job);
    }
    for (const m of this.metered) if (!now.has(m)) fabric.setMeter(m, null);
    this.metered.clear();
    for (const m of now) this.metered.add(m);
  }

  /**
   * The controller's loops, every poll interval: the demand loop (the same jobDemandRound)
   * over the jobs' offered load from their meters, and, with `exact_demand: measured`, the
   * exact traffic each switch port carried (EWMA, as the controller smooths its counters).
   */
  private pollDemand(): void {
    const { sim, fabric, knobs } = this.ctx;
    const jobs = this.jobs;
    if (this.ctx.tally.jobsDone === jobs.length) return;
    const samples = new Map<number, number>();
    for (const j of jobs) {
      const bytes = fabric.meterBytes(j.index);
      // A job that started during the interval offered nothing for part of it: its rate
      // would read low and cap it right at its start. It gets its first sample next time.
      if (j.run.active && j.run.plan.start <= sim.now - knobs.pollInterval)
        samples.set(
          j.run.plan.id,
          ((bytes - this.meterBytesAtPoll[j.index]!) * 8) / knobs.pollInterval,
        );
      this.meterBytesAtPoll[j.index] = bytes;
    }
    const round = jobDemandRound(this.allocator.jobDemand, samples, this.current, knobs);
    this.allocator.jobDemand = round.state;
    let changed = round.changed;
    if (this.measureExact) {
      const exact = new Map<string, number>();
      for (const { link, key } of this.switchPorts) {
        const bytes = fabric.txBytes[link * 4 + CLASS_EXACT]!;
        exact.set(key, ((bytes - this.exactBytesAtPoll[link]!) * 8) / knobs.pollInterval);
        this.exactBytesAtPoll[link] = bytes;
      }
      this.allocator.measuredExact = ewma(this.allocator.measuredExact, exact, knobs.ewmaAlpha);
      changed = true;
    }
    if (changed) {
      this.demandReallocations++;
      this.requestReallocation();
    }
    sim.at(sim.now + knobs.pollInterval, () => this.pollDemand());
  }
}
