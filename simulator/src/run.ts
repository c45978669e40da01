// One simulated run of a scenario under one policy (a TCP baseline: in one TCP setting) and
// seed: the workload expanded from the seed, the controller's allocation (recomputed as
// jobs come and go), the jobs' transfers over the policy's host transport with job-level
// completion (simulator/src/jobs.ts), the exact flows over TCP, and the results in the
// shared format (controller/src/experiment/results.ts).
import { allocate, type AllocationDemands } from "../../controller/src/allocation/allocate.js";
import {
  EMPTY_JOB_DEMAND,
  jobDemandRound,
  type JobDemandState,
} from "../../controller/src/allocation/job-demand.js";
import type { Allocation } from "../../controller/src/allocation/types.js";
import type {
  RunResult,
  JobResult,
  FlowResult,
  LinkResult,
} from "../../controller/src/experiment/results.js";
import { RUN_FORMAT } from "../../controller/src/experiment/results.js";
import {
  POLICY_BINDINGS,
  tcpSetting,
  type ExperimentPolicy,
  type Scenario,
  type TcpSettingName,
} from "../../controller/src/experiment/scenario.js";
import {
  declaredExactFlows,
  expandWorkload,
  policyJobs,
  type PhasePlan,
  type TransferPlan,
  type WorkloadPlan,
} from "../../controller/src/experiment/workload.js";
import type { Policy } from "../../controller/src/policy/types.js";
import { computeRoutes, type Routing } from "../../controller/src/routing/routing.js";
import { Rng } from "../../transport/src/random.js";
import { chunkLayout, neededChunks } from "../../transport/src/chunks.js";
import { DATA_HEADER_BYTES, STREAM_HELLO_BYTES } from "../../transport/src/wire.js";
import { ewma } from "../../controller/src/allocation/smoothing.js";
import { DEFAULT_RECEIVER_TIMING } from "../../transport/src/approx-receiver-core.js";
import { CLASS_EXACT, CLASS_NAMES, DROP_REASONS, type Fabric } from "./fabric.js";
import {
  ApproxReceiver,
  ApproxSender,
  BlastSender,
  type ApproxTransferConfig,
} from "./hosts/approx.js";
import {
  SimJobCoordinator,
  type ReportChannel,
  type ReportedReceiver,
} from "./hosts/coordination.js";
import { flowHash } from "./hosts/packets.js";
import { TcpReceiver, TcpSender, type TcpFlowConfig } from "./hosts/tcp.js";
import { completionMode, JobRun } from "./jobs.js";
import { Simulation } from "./simulation.js";

export interface RunProgress {
  policy: ExperimentPolicy;
  seed: number;
  /** Simulated seconds so far, and the time limit. */
  time: number;
  timeLimit: number;
  events: number;
  jobsDone: number;
  jobs: number;
  flowsDone: number;
  flows: number;
}

export interface RunOptions {
  scenario: Scenario;
  policy: ExperimentPolicy;
  seed: number;
  /** The seed's workload, when already expanded (the same for every policy). */
  plan?: WorkloadPlan;
  /** Routing of the scenario's topology, when already computed. */
  routing?: Routing;
  /** A TCP baseline's setting (default: the scenario's first); ignored for other policies. */
  tcpSetting?: TcpSettingName | null;
  progress?: (p: RunProgress) => void;
}

const UDP = 17;
const TCP = 6;

/** The TCP setting a run of `policy` uses: a TCP baseline's, else none. */
export function runTcpSetting(
  scenario: Scenario,
  policy: ExperimentPolicy,
  requested?: TcpSettingName | null,
): TcpSettingName | null {
  const transport = POLICY_BINDINGS[policy].transport;
  if (transport !== "tcp-sender-sampling" && transport !== "tcp-receiver-drop") return null;
  return requested ?? scenario.transport.tcpSettings[0] ?? "dc-tuned";
}

export function simulateRun(options: RunOptions): RunResult {
  const wallStart = performance.now();
  const { scenario, policy, seed } = options;
  const binding = POLICY_BINDINGS[policy];
  const routing = options.routing ?? computeRoutes(scenario.topology);
  const net = routing.network;
  const plan = options.plan ?? expandWorkload(scenario, seed);
  const settings = scenario.simulator;
  const setting = runTcpSetting(scenario, policy, options.tcpSetting);
  // A TCP baseline's connections run in its setting; dctcp needs the network to mark ECN, at
  // the policy's threshold or the scenario's dctcp threshold.
  const baselineTcp = setting === null ? null : tcpSetting(setting, scenario.transport.tcp);
  const knobs =
    setting === "dctcp" && scenario.policy.knobs.ecnThreshold === null
      ? { ...scenario.policy.knobs, ecnThreshold: scenario.transport.dctcpThreshold }
      : scenario.policy.knobs;
  const basePolicy: Policy = {
    ...scenario.policy,
    knobs,
    allocator: binding.allocator,
    jobs: [],
    exact: { source: "declared", flows: [] },
  };
  // Exact demand is declared from a source's first arrival until its arrival window is over
  // and its flows are done (all of it when static): a BMv2 queue's rate is reserved
  // whether it is used or not, and flows in flight must keep theirs. A scenario's
  // declared_load provisions BMv2's paced exact queue for peaks; with strict or weighted
  // scheduling the exact queue takes what it needs, so the allocation is told the offered
  // load: what is reserved beyond it would only be withheld from approximate jobs. With
  // `exact_demand: measured` the controller's port-counter measurements replace it where
  // they exist (switch egress ports).
  const activeSources = new Set<number>();
  const exactRate = settings.queueMode === "bmv2-paced" ? "declared" : "offered";
  let measuredExact = new Map<string, number>();
  const demands = (sources: ReadonlySet<number> | null): AllocationDemands => ({
    exactFlows:
      settings.exactDemand === "none"
        ? []
        : declaredExactFlows(
            plan.exactSources.filter((_, i) => sources === null || sources.has(i)),
            exactRate,
          ),
    ...(measuredExact.size > 0 ? { measured: measuredExact } : {}),
  });
  const allJobs = policyJobs(plan.jobs);
  /** The controller's demand loop state: smoothed offered load and caps per job id. */
  let jobDemand: JobDemandState = EMPTY_JOB_DEMAND;
  const allocateFor = (
    ids: ReadonlySet<number> | null,
    sources: ReadonlySet<number> | null,
  ): Allocation =>
    allocate(
      scenario.topology,
      routing,
      { ...demands(sources), ...(jobDemand.caps.size > 0 ? { jobCaps: jobDemand.caps } : {}) },
      { ...basePolicy, jobs: ids === null ? allJobs : allJobs.filter((j) => ids.has(j.id)) },
    );

  const initial =
    settings.reallocate === "static" ? allocateFor(null, null) : allocateFor(new Set(), new Set());
  const sim = new Simulation(routing, initial, {
    queueMode: settings.queueMode,
    hostBuffer: settings.hostBuffer,
    hostQueues: scenario.hosts.queues,
    hostBestEffortShare: scenario.hosts.bestEffortShare,
    ecmpHash: settings.ecmpHash,
    linkDelay: settings.linkDelay,
  });
  const fabric = sim.fabric;
  fabric.ensureJob(plan.jobs.length);
  const classes = scenario.policy.classes;
  const exactEcn = scenario.policy.knobs.ecnThreshold !== null;
  const exactTcp = scenario.transport.tcp;
  const timing = scenario.transport.approximate;
  const hostIndex = (name: string) => net.hostIndex.get(name)!;
  const lineRate = (host: number) => net.linkCapacity[net.hostUplink[host]!]!;
  const chunkSize = scenario.transport.chunkSize;
  const mode = completionMode(scenario.completion, binding.transport);

  const jobs: JobState[] = plan.jobs.map((p, index) => {
    const state: JobState = {
      run: new JobRun(
        p,
        mode,
        (bytes) => chunkLayout(bytes, chunkSize).totalChunks,
        (group, now) => groupEnded(state, group, now),
      ),
      index,
      coordinator: null,
      allocated: null,
      peak: 0,
      committed: 0,
      senders: new Set(),
      parts: new Map(),
      tcp: new Map(),
    };
    return state;
  });
  const flows = plan.exactFlows;
  const fct = new Float64Array(flows.length).fill(NaN);
  let jobsDone = 0;
  let flowsDone = 0;
  let connections = 0;
  const checkFinished = () => {
    if (jobsDone === jobs.length && flowsDone === flows.length) sim.stop();
  };

  // ---- allocation ----
  const metered = new Set<number>();
  // With `rate_hint: allocation` the controller tells the approximate senders their share
  // of what the allocation gave their host's part of the job: the share of its peak rate
  // (allocation plus headroom) is the most a sender may send (more is dropped RED at its
  // first switch), the share of its guarantee its floor (GREEN is not dropped early).
  // Updated with every allocation and whenever one of the job's transfers ends.
  const hintsOn = scenario.transport.rateHint === "allocation";
  const headroom = 1 + knobs.headroom;
  const updateHints = (job: JobState) => {
    if (!hintsOn || job.peak <= 0 || job.senders.size === 0) return;
    const perHost = new Map<number, number>();
    for (const s of job.senders) perHost.set(s.host, (perHost.get(s.host) ?? 0) + 1);
    for (const s of job.senders) {
      const part = job.parts.get(s.host);
      const n = perHost.get(s.host)!;
      // A part the allocation gave nothing (its host's link is full of exact traffic) gets
      // no hint: its sender finds what its path carries, and its meter is shared.
      if (part === undefined) s.setRateBounds(job.peak / job.senders.size, 0);
      else if (part.allocated > 0)
        s.setRateBounds((part.allocated * headroom) / n, part.guaranteed / n);
    }
  };
  const applyMeters = (a: Allocation) => {
    const now = new Set<number>();
    for (const ja of a.jobs) {
      const job = jobs[ja.id - 1]!;
      job.allocated = ja.allocated;
      job.peak = 0;
      job.committed = 0;
      job.parts.clear();
      for (const p of ja.senders) {
        if (p.allocated !== null && p.guaranteed !== null)
          job.parts.set(hostIndex(p.host), { allocated: p.allocated, guaranteed: p.guaranteed });
      }
      for (const ingress of ja.ingress) {
        const m = fabric.meterOf(job.index, net.switchIndex.get(ingress.switch)!);
        fabric.setMeter(m, ingress.meter);
        if (ingress.meter !== null) {
          now.add(m);
          job.peak += ingress.meter.pir * 8;
          job.committed += ingress.meter.cir * 8;
        }
      }
      updateHints(job);
    }
    for (const m of metered) if (!now.has(m)) fabric.setMeter(m, null);
    metered.clear();
    for (const m of now) metered.add(m);
  };
  let reallocations = 0;
  let reallocationPending = false;
  let current = initial;
  const reallocate = () => {
    reallocationPending = false;
    const active = new Set(jobs.filter((j) => j.run.active).map((j) => j.run.plan.id));
    const a = allocateFor(active, activeSources);
    reallocations++;
    current = a;
    fabric.applyAllocation(a);
    applyMeters(a);
  };
  const requestReallocation = () => {
    if (settings.reallocate !== "on-change" || reallocationPending) return;
    reallocationPending = true;
    sim.at(sim.now + settings.controlDelay, reallocate);
  };
  if (settings.reallocate === "static") applyMeters(initial);

  // The controller's loops, every poll interval: the demand loop (the same jobDemandRound)
  // over the jobs' offered load from their meters, and, with `exact_demand: measured`, the
  // exact traffic each switch port carried (EWMA, as the controller smooths its counters).
  let demandReallocations = 0;
  const meterBytesAtPoll = new Float64Array(jobs.length);
  const measureExact = settings.reallocate === "on-change" && settings.exactDemand === "measured";
  const exactBytesAtPoll = new Float64Array(net.linkCount);
  const switchPorts: { link: number; key: string }[] = [];
  for (let s = 0; s < net.switchCount; s++) {
    for (const [port, link] of net.portLink[s]!)
      switchPorts.push({ link, key: `${net.switches[s]!.name}:${port}` });
  }
  const pollDemand = () => {
    if (jobsDone === jobs.length) return;
    const samples = new Map<number, number>();
    for (const j of jobs) {
      const bytes = fabric.meterBytes(j.index);
      // A job that started during the interval offered nothing for part of it: its rate
      // would read low and cap it right at its start. It gets its first sample next time.
      if (j.run.active && j.run.plan.start <= sim.now - knobs.pollInterval)
        samples.set(j.run.plan.id, ((bytes - meterBytesAtPoll[j.index]!) * 8) / knobs.pollInterval);
      meterBytesAtPoll[j.index] = bytes;
    }
    const round = jobDemandRound(jobDemand, samples, current, knobs);
    jobDemand = round.state;
    let changed = round.changed;
    if (measureExact) {
      const exact = new Map<string, number>();
      for (const { link, key } of switchPorts) {
        const bytes = fabric.txBytes[link * 4 + CLASS_EXACT]!;
        exact.set(key, ((bytes - exactBytesAtPoll[link]!) * 8) / knobs.pollInterval);
        exactBytesAtPoll[link] = bytes;
      }
      measuredExact = ewma(measuredExact, exact, knobs.ewmaAlpha);
      changed = true;
    }
    if (changed) {
      demandReallocations++;
      requestReallocation();
    }
    sim.at(sim.now + knobs.pollInterval, pollDemand);
  };
  if (
    settings.reallocate === "on-change" &&
    ((settings.jobDemand === "measured" && initial.features.meters) || measureExact)
  ) {
    sim.at(knobs.pollInterval, pollDemand);
  }
  // Per exact source: flows started and not done, and whether its window is over.
  const sourceOf = new Map(plan.exactSources.map((s, i) => [`${s.spec}\u0000${s.src}`, i]));
  const sourceOpen = new Int32Array(plan.exactSources.length);
  const sourceClosed = new Uint8Array(plan.exactSources.length);
  const retireSource = (i: number) => {
    if (sourceClosed[i] === 1 && sourceOpen[i] === 0 && activeSources.delete(i))
      requestReallocation();
  };
  if (settings.reallocate === "on-change") {
    plan.exactSources.forEach((source, i) => {
      if (source.stop <= source.start) return;
      sim.at(source.start, () => {
        activeSources.add(i);
        requestReallocation();
      });
      sim.at(source.stop, () => {
        sourceClosed[i] = 1;
        retireSource(i);
      });
    });
  }

  // ---- transfers ----
  const hashes = (src: number, dst: number, protocol: number, dstPort: number) => {
    const srcPort = 32768 + (connections % 28000);
    const a = net.hostIpv4[src]!;
    const b = net.hostIpv4[dst]!;
    return {
      hash: flowHash(a, b, protocol, srcPort, dstPort),
      reverseHash: flowHash(b, a, protocol, dstPort, srcPort),
    };
  };

  /** The job's coordinator, on its first receiving host (the aggregator). */
  const coordinatorOf = (job: JobState): SimJobCoordinator => {
    job.coordinator ??= new SimJobCoordinator(
      sim,
      hostIndex(job.run.plan.dst[0]!),
      {
        jobId: job.run.plan.id,
        fraction: job.run.plan.fraction,
        minSenderFraction: job.run.plan.minSenderFraction,
        groups: job.run.plan.phases.map((_, g) => job.run.completionTransfers(g)),
        retryMs: timing.doneRetry * 1000,
        attempts: DEFAULT_RECEIVER_TIMING.doneAttempts,
      },
      classes.control.dscp,
      (group) => job.run.groupCompleted(group, sim.now),
    );
    return job.coordinator;
  };
  /** Reports a coordinated transfer's count to its job's coordinator. */
  const report = (
    job: JobState,
    group: number,
    index: number,
    dst: number,
    port: number,
    receiver: ReportedReceiver,
  ): ReportChannel => {
    const coordinator = coordinatorOf(job);
    const h = hashes(dst, coordinator.host, UDP, port + 1);
    const channel = coordinator.channel(
      dst,
      group,
      index,
      receiver,
      { intervalMs: timing.feedbackInterval * 1000, keepaliveMs: timing.keepalive * 1000 },
      h.hash,
      h.reverseHash,
    );
    channel.start();
    return channel;
  };

  /** A TCP baseline's connection for a transfer: the baseline's setting, in the exact class. */
  const baselineFlow = (
    job: JobState,
    t: TransferPlan,
    src: number,
    dst: number,
    bytes: number,
    doneBytes: number,
  ): TcpFlowConfig => ({
    bytes,
    doneBytes,
    tcp: baselineTcp!,
    ecn: baselineTcp!.variant === "dctcp",
    dscp: classes.exact.dscp,
    job: job.index,
    ...hashes(src, dst, TCP, t.port),
  });

  /**
   * The job's persistent TCP connection from t.src to t.dst (opened by its first message),
   * with a message of `bytes` for this round; `stopBytes`: where the receiver stops it.
   */
  const tcpConnection = (
    job: JobState,
    t: TransferPlan,
    src: number,
    dst: number,
    bytes: number,
    stopBytes: number,
  ): TcpConnection & { message: number } => {
    const key = `${t.src}\u0000${t.dst}`;
    const open = job.tcp.get(key);
    if (open !== undefined) return { ...open, message: open.sender.append(bytes, stopBytes) };
    const first = sim.reservePair();
    connections++;
    const config: TcpFlowConfig = {
      ...baselineFlow(job, t, src, dst, bytes, stopBytes),
      persistent: true,
    };
    const receiver = new TcpReceiver(sim, first + 1, dst, src, config);
    const sender = new TcpSender(sim, first, src, dst, config, () => undefined);
    receiver.useMessages(sender.messages);
    const conn: TcpConnection = { sender, receiver, ends: new Map(), progress: new Map() };
    sender.onMessageDone = (m) => conn.ends.get(m)?.();
    receiver.onProgress = () => {
      for (const notify of conn.progress.values()) notify();
    };
    job.tcp.set(key, conn);
    sim.attach(receiver);
    sim.attach(sender);
    sender.start();
    return { ...conn, message: 0 };
  };

  const startTransfer = (
    job: JobState,
    group: number,
    index: number,
    t: TransferPlan,
    concurrent: number,
  ) => {
    const src = hostIndex(t.src);
    const dst = hostIndex(t.dst);
    const first = sim.reservePair();
    connections++;
    const record = job.run.transfers[group]![index]!;
    const total = record.totalChunks;
    const needed = neededChunks(total, job.run.plan.fraction);
    const coordinated = job.run.mode === "coordinated";
    const end = (completed: boolean) => {
      job.run.transferEnded(group, index, completed, sim.now);
    };
    if (binding.transport === "approximate" || binding.transport === "udp-blast") {
      const rate = lineRate(src);
      // Where the sender starts: its share of its host's part of the job's peak rate (the
      // part's allocation plus the headroom), else of the job's, else line rate.
      const part = job.parts.get(src);
      const hostSenders = transfersFrom(job.run.plan.phases[group]!.transfers, t.src);
      const share =
        part !== undefined
          ? (part.allocated * headroom) / hostSenders
          : (job.peak > 0 ? job.peak : (job.allocated ?? 0)) / Math.max(1, concurrent);
      const hint = hintsOn && share > 0 ? share : rate;
      const config: ApproxTransferConfig = {
        jobId: job.run.plan.id,
        job: job.index,
        bytes: t.bytes,
        chunkSize,
        // With job-level completion a sender keeps delivering until its job is complete:
        // its own transfer's goal is all of its chunks.
        fraction: coordinated ? 1 : job.run.plan.fraction,
        lineRate: rate,
        initialRate: Math.min(rate, hint),
        dataDscp: classes.bestEffort.dscp,
        controlDscp: classes.control.dscp,
        meter: fabric.meterOf(job.index, net.hostSwitch[src]!),
        ...hashes(src, dst, UDP, t.port),
        timeoutMs: Math.max(1000, (scenario.timeLimit - sim.now) * 1000),
        timing,
      };
      const blast = binding.transport === "udp-blast";
      const receiver = new ApproxReceiver(
        sim,
        first + 1,
        dst,
        src,
        config,
        !blast,
        scenario.transport.blastDrain * 1000,
      );
      record.held = () => receiver.result.uniqueChunks;
      sim.attach(receiver);
      if (coordinated) receiver.channel = report(job, group, index, dst, t.port, receiver);
      if (blast) {
        const sender = new BlastSender(
          sim,
          first,
          src,
          dst,
          config,
          scenario.transport.blastRate ?? rate,
          scenario.transport.blastDrain,
          () => end(receiver.result.completed),
        );
        sim.attach(sender);
        sender.start();
      } else {
        const sender = new ApproxSender(sim, first, src, dst, config, (s) => {
          job.senders.delete(s);
          updateHints(job);
          end(s.result!.completed);
        });
        sim.attach(sender);
        job.senders.add(sender);
        updateHints(job);
        sender.start();
      }
      return;
    }
    // The TCP baselines: the same chunks as messages on a stream (see transport/src/tcp-baseline.ts).
    const layout = chunkLayout(t.bytes, chunkSize);
    const unit = DATA_HEADER_BYTES + chunkSize;
    const lastUnit = DATA_HEADER_BYTES + layout.payloadLength(total - 1);
    let bytes: number;
    let doneBytes: number;
    if (binding.transport === "tcp-sender-sampling") {
      const sample = new Rng(1).sampleWithoutReplacement(total, needed);
      const hasLast = sample[sample.length - 1] === total - 1;
      bytes = STREAM_HELLO_BYTES + (hasLast ? (needed - 1) * unit + lastUnit : needed * unit);
      doneBytes = bytes;
    } else {
      // Receiver-side dropping: every chunk on the stream; the receiver stops at its
      // fraction, or (job-level) when the job's coordinator says the job is complete.
      bytes = STREAM_HELLO_BYTES + (total - 1) * unit + lastUnit;
      doneBytes = needed === total || coordinated ? bytes : STREAM_HELLO_BYTES + needed * unit;
    }
    const chunksIn = (streamBytes: number) =>
      Math.min(total, Math.max(0, Math.floor((streamBytes - STREAM_HELLO_BYTES) / unit)));
    const sampling = binding.transport === "tcp-sender-sampling";
    if (job.run.plan.phases.length > 1) {
      // Rounds and batches ride one persistent connection per sender and receiver, as the
      // applications keep them: one message per round.
      const conn = tcpConnection(job, t, src, dst, bytes, doneBytes);
      const m = conn.message;
      const mss = baselineTcp!.mss;
      const length = () => conn.sender.messages[m]!.end - conn.sender.messages[m]!.start;
      record.held = () => {
        const segs = conn.receiver.heldOf(m);
        const all = segs >= length() && !conn.sender.messages[m]!.stopped;
        return sampling
          ? all
            ? needed
            : Math.min(needed, chunksIn(segs * mss))
          : all
            ? total
            : chunksIn(segs * mss);
      };
      if (coordinated) {
        const channel = report(job, group, index, dst, t.port, {
          progress: () => ({ uniqueChunks: record.held(), totalChunks: total }),
          stopForJob: () => conn.receiver.stopMessage(m),
        });
        conn.progress.set(m, () => channel.onProgress());
      }
      conn.ends.set(m, () => {
        conn.progress.delete(m);
        end(sampling || conn.sender.messages[m]!.stopped || record.held() === total);
      });
      return;
    }
    const config = baselineFlow(job, t, src, dst, bytes, doneBytes);
    const receiver = new TcpReceiver(sim, first + 1, dst, src, config);
    const held = () => chunksIn(receiver.inOrderBytes);
    record.held = sampling
      ? () => (receiver.doneTime !== null ? needed : Math.min(needed, held()))
      : () => (receiver.inOrderBytes >= bytes ? total : held());
    if (coordinated) {
      const channel = report(job, group, index, dst, t.port, {
        progress: () => ({ uniqueChunks: record.held(), totalChunks: total }),
        stopForJob: () => receiver.stopEarly(),
      });
      receiver.onProgress = () => channel.onProgress();
    }
    const sender = new TcpSender(sim, first, src, dst, config, () =>
      end(receiver.doneTime !== null),
    );
    sim.attach(receiver);
    sim.attach(sender);
    sender.start();
  };

  const startGroup = (job: JobState, group: number) => {
    const transfers = job.run.plan.phases[group]!.transfers;
    transfers.forEach((t, i) => startTransfer(job, group, i, t, transfers.length));
    job.run.groupStarted(group, sim.now);
  };

  function groupEnded(job: JobState, group: number, _now: number): void {
    const phases = job.run.plan.phases;
    // Rounds that wait for their predecessor start now.
    if (group + 1 < phases.length && phases[group + 1]!.start === null) {
      sim.at(sim.now, () => startGroup(job, group + 1));
    }
    if (job.run.done) {
      job.run.active = false;
      jobsDone++;
      requestReallocation();
      checkFinished();
    }
  }

  const startJob = (job: JobState) => {
    job.run.active = true;
    requestReallocation();
    // After the reallocation (same time, scheduled first) so the meters are in place.
    sim.at(sim.now, () => {
      job.run.plan.phases.forEach((ph: PhasePlan, g) => {
        if (g === 0) startGroup(job, 0);
        else if (ph.start !== null) sim.at(ph.start, () => startGroup(job, g));
      });
    });
  };
  for (const job of jobs) sim.at(job.run.plan.start, () => startJob(job));

  // ---- exact flows: one pending start at a time ----
  let nextFlow = 0;
  const startFlows = () => {
    while (nextFlow < flows.length && flows[nextFlow]!.start <= sim.now) {
      const f = flows[nextFlow++]!;
      const source = sourceOf.get(`${f.spec}\u0000${f.src}`)!;
      sourceOpen[source]!++;
      const src = hostIndex(f.src);
      const dst = hostIndex(f.dst);
      const first = sim.reservePair();
      connections++;
      const config: TcpFlowConfig = {
        bytes: f.size,
        tcp: exactTcp,
        ecn: exactEcn,
        dscp: classes.exact.dscp,
        job: -1,
        ...hashes(src, dst, TCP, scenario.mininet.exactPort),
      };
      const receiver = new TcpReceiver(sim, first + 1, dst, src, config);
      const sender = new TcpSender(sim, first, src, dst, config, (s) => {
        fct[f.id] = s.completionTime!;
        flowsDone++;
        sim.detachPair(first);
        sourceOpen[source]!--;
        retireSource(source);
        checkFinished();
      });
      sim.attach(receiver);
      sim.attach(sender);
      sender.start();
    }
    if (nextFlow < flows.length) sim.at(flows[nextFlow]!.start, startFlows);
  };
  if (flows.length > 0) sim.at(flows[0]!.start, startFlows);
  checkFinished();

  const progress = options.progress;
  const progressReport = (time: number, events: number) =>
    progress?.({
      policy,
      seed,
      time,
      timeLimit: scenario.timeLimit,
      events,
      jobsDone,
      jobs: jobs.length,
      flowsDone,
      flows: flows.length,
    });
  const endTime = sim.run(scenario.timeLimit, (p) => progressReport(p.time, p.events));
  progressReport(endTime, sim.eventCount);
  const wallSeconds = (performance.now() - wallStart) / 1000;

  return {
    format: RUN_FORMAT,
    scenario: scenario.name,
    runner: "simulator",
    policy,
    tcpSetting: setting,
    allocator: binding.allocator,
    transport: binding.transport,
    completion: scenario.completion,
    seed,
    duration: endTime,
    finished: jobsDone === jobs.length && flowsDone === flows.length,
    jobs: jobs.map((j) => jobResult(j, fabric, binding.allocator === "netapprox")),
    exactFlows: flows.map((f): FlowResult => ({
      id: f.id,
      src: f.src,
      dst: f.dst,
      size: f.size,
      start: f.start,
      fct: Number.isNaN(fct[f.id]!) ? null : fct[f.id]!,
    })),
    drops: dropTotals(fabric),
    links: linkResults(fabric, endTime),
    runnerInfo: {
      events: sim.eventCount,
      wallSeconds,
      eventsPerSecond: wallSeconds > 0 ? sim.eventCount / wallSeconds : 0,
      peakPackets: fabric.peakLive,
      connections,
      reallocations,
      demandReallocations,
      queueMode: settings.queueMode,
      hostQueues: scenario.hosts.queues,
      exactDemand: settings.exactDemand,
    },
  };
}

interface JobState {
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

interface TcpConnection {
  sender: TcpSender;
  receiver: TcpReceiver;
  /** Per message: what to do when it is acknowledged, and when its receiver holds more. */
  ends: Map<number, () => void>;
  progress: Map<number, () => void>;
}

function jobResult(j: JobState, f: Fabric, meters: boolean): JobResult {
  let colours: JobResult["colours"] = null;
  if (meters) {
    colours = { green: 0, yellow: 0, red: 0 };
    for (let s = 0; s < f.S; s++) {
      const c = f.meterColours(j.index, s);
      if (c === null) continue;
      colours.green += c[0];
      colours.yellow += c[1];
      colours.red += c[2];
    }
  }
  const run = j.run;
  const plan = run.plan;
  const completed = run.completed;
  const timerWait = run.timerWait();
  const senders = run.senders();
  const delivered = senders.reduce((n, s) => n + s.deliveredChunks, 0);
  const total = senders.reduce((n, s) => n + s.totalChunks, 0);
  return {
    id: plan.id,
    name: plan.name,
    kind: plan.kind,
    start: plan.start,
    src: plan.src,
    dst: plan.dst,
    volume: plan.volume,
    fraction: plan.fraction,
    transfers: run.transferCount,
    transfersCompleted: run.transfersCompleted,
    completed,
    jct: completed ? run.endTime! - plan.start - timerWait : null,
    timerWait,
    senders,
    deliveredFraction: total > 0 ? delivered / total : 0,
    bytesSent: f.jobSent[j.index]!,
    bytesDelivered: f.jobDelivered[j.index]!,
    bytesDropped: f.jobDropped[j.index]!,
    colours,
  };
}

function dropTotals(f: Fabric): RunResult["drops"] {
  const out: RunResult["drops"] = {};
  DROP_REASONS.forEach((reason, r) => {
    let packets = 0;
    let bytes = 0;
    for (let l = 0; l < f.L; l++) {
      packets += f.dropPackets[l * DROP_REASONS.length + r]!;
      bytes += f.dropBytes[l * DROP_REASONS.length + r]!;
    }
    out[reason] = { packets, bytes };
  });
  return out;
}

function linkResults(f: Fabric, duration: number): LinkResult[] {
  const out: LinkResult[] = [];
  for (let l = 0; l < f.L; l++) {
    const bytes: Record<string, number> = {};
    let total = 0;
    CLASS_NAMES.forEach((name, c) => {
      bytes[name] = f.txBytes[l * 4 + c]!;
      total += f.txBytes[l * 4 + c]!;
    });
    const drops: Record<string, number> = {};
    DROP_REASONS.forEach(
      (reason, r) => (drops[reason] = f.dropPackets[l * DROP_REASONS.length + r]!),
    );
    out.push({
      name: f.net.linkName(l),
      capacity: f.net.linkCapacity[l]!,
      utilisation: duration > 0 ? total / (f.capacity[l]! * duration) : 0,
      bytes,
      drops,
      meanQueueDelay: f.waitCount[l]! > 0 ? f.waitSum[l]! / f.waitCount[l]! : 0,
    });
  }
  return out;
}

/** How many of a group's transfers `host` sends. */
function transfersFrom(transfers: readonly TransferPlan[], host: string): number {
  let n = 0;
  for (const t of transfers) if (t.src === host) n++;
  return Math.max(1, n);
}
