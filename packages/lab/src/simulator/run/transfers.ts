// The jobs' side of a simulated run: each job's groups (rounds, batches) started on time or
// after their predecessor, each transfer over the policy's host transport (the approximate
// transport, UDP blast, or a TCP baseline's connection) and, with job-level completion,
// reporting to the job's coordinator.
import { startRate } from "../../experiment/start-rate.js";
import type { PhasePlan, TransferPlan } from "../../experiment/workload.js";
import { DEFAULT_RECEIVER_TIMING } from "@netapprox/transport/approx-receiver-core.js";
import { chunkLayout, neededChunks } from "@netapprox/transport/chunks.js";
import { Rng } from "@netapprox/transport/random.js";
import { DATA_HEADER_BYTES, STREAM_HELLO_BYTES } from "@netapprox/transport/wire.js";
import {
  ApproxReceiver,
  ApproxSender,
  BlastSender,
  type ApproxTransferConfig,
} from "../hosts/approx.js";
import {
  SimJobCoordinator,
  type ReportChannel,
  type ReportedReceiver,
} from "../hosts/coordination.js";
import { TcpReceiver } from "../hosts/tcp-receiver.js";
import { TcpSender, type TcpFlowConfig } from "../hosts/tcp.js";
import { JobRun, type CompletionMode } from "../jobs.js";
import type { RateHints, RunController } from "./control.js";
import {
  connectionHashes,
  hostIndex,
  TCP,
  UDP,
  type JobState,
  type RunContext,
  type TcpConnection,
} from "./context.js";

/** The run's job states; `groupEnded` is told when one of a job's groups has ended. */
export function createJobStates(
  plans: readonly JobRun["plan"][],
  mode: CompletionMode,
  chunkSize: number,
  groupEnded: (job: JobState, group: number) => void,
): JobState[] {
  return plans.map((p, index) => {
    const state: JobState = {
      run: new JobRun(
        p,
        mode,
        (bytes) => chunkLayout(bytes, chunkSize).totalChunks,
        (group) => groupEnded(state, group),
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
}

export class JobTransfers {
  constructor(
    private readonly ctx: RunContext,
    private readonly hints: RateHints,
    private readonly controller: RunController,
    /** Called when a job is done (after the tally counts it). */
    private readonly jobDone: () => void,
  ) {}

  /** Schedules each job's start. */
  schedule(jobs: readonly JobState[]): void {
    for (const job of jobs) this.ctx.sim.at(job.run.plan.start, () => this.startJob(job));
  }

  private startJob(job: JobState): void {
    const { sim } = this.ctx;
    job.run.active = true;
    this.controller.requestReallocation();
    // After the reallocation (same time, scheduled first) so the meters are in place.
    sim.at(sim.now, () => {
      job.run.plan.phases.forEach((ph: PhasePlan, g) => {
        if (g === 0) this.startGroup(job, 0);
        else if (ph.start !== null) sim.at(ph.start, () => this.startGroup(job, g));
      });
    });
  }

  private startGroup(job: JobState, group: number): void {
    const transfers = job.run.plan.phases[group]!.transfers;
    transfers.forEach((t, i) => this.startTransfer(job, group, i, t, transfers.length));
    job.run.groupStarted(group, this.ctx.sim.now);
  }

  groupEnded(job: JobState, group: number): void {
    const { sim } = this.ctx;
    const phases = job.run.plan.phases;
    // Rounds that wait for their predecessor start now.
    if (group + 1 < phases.length && phases[group + 1]!.start === null) {
      sim.at(sim.now, () => this.startGroup(job, group + 1));
    }
    if (job.run.done) {
      job.run.active = false;
      this.ctx.tally.jobsDone++;
      this.controller.requestReallocation();
      this.jobDone();
    }
  }

  /** The job's coordinator, on its first receiving host (the aggregator). */
  private coordinatorOf(job: JobState): SimJobCoordinator {
    const { sim, scenario } = this.ctx;
    job.coordinator ??= new SimJobCoordinator(
      sim,
      hostIndex(this.ctx, job.run.plan.dst[0]!),
      {
        jobId: job.run.plan.id,
        fraction: job.run.plan.fraction,
        minSenderFraction: job.run.plan.minSenderFraction,
        groups: job.run.plan.phases.map((_, g) => job.run.completionTransfers(g)),
        retryMs: scenario.transport.approximate.doneRetry * 1000,
        attempts: DEFAULT_RECEIVER_TIMING.doneAttempts,
      },
      scenario.policy.classes.control.dscp,
      (group) => job.run.groupCompleted(group, sim.now),
    );
    return job.coordinator;
  }

  /** Reports a coordinated transfer's count to its job's coordinator. */
  private report(
    job: JobState,
    group: number,
    index: number,
    dst: number,
    port: number,
    receiver: ReportedReceiver,
  ): ReportChannel {
    const timing = this.ctx.scenario.transport.approximate;
    const coordinator = this.coordinatorOf(job);
    const h = connectionHashes(this.ctx, dst, coordinator.host, UDP, port + 1);
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
  }

  /** A TCP baseline's connection for a transfer: the baseline's setting, in the exact class. */
  private baselineFlow(
    job: JobState,
    t: TransferPlan,
    src: number,
    dst: number,
    bytes: number,
    doneBytes: number,
  ): TcpFlowConfig {
    const tcp = this.ctx.baselineTcp!;
    return {
      bytes,
      doneBytes,
      tcp,
      ecn: tcp.variant === "dctcp",
      dscp: this.ctx.scenario.policy.classes.exact.dscp,
      job: job.index,
      ...connectionHashes(this.ctx, src, dst, TCP, t.port),
    };
  }

  /**
   * The job's persistent TCP connection from t.src to t.dst (opened by its first message),
   * with a message of `bytes` for this round; `stopBytes`: where the receiver stops it.
   */
  private tcpConnection(
    job: JobState,
    t: TransferPlan,
    src: number,
    dst: number,
    bytes: number,
    stopBytes: number,
  ): TcpConnection & { message: number } {
    const { sim } = this.ctx;
    const key = `${t.src}\u0000${t.dst}`;
    const open = job.tcp.get(key);
    if (open !== undefined) return { ...open, message: open.sender.append(bytes, stopBytes) };
    const first = sim.reservePair();
    this.ctx.tally.connections++;
    const config: TcpFlowConfig = {
      ...this.baselineFlow(job, t, src, dst, bytes, stopBytes),
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
  }

  private startTransfer(
    job: JobState,
    group: number,
    index: number,
    t: TransferPlan,
    concurrent: number,
  ): void {
    const { sim } = this.ctx;
    const src = hostIndex(this.ctx, t.src);
    const dst = hostIndex(this.ctx, t.dst);
    const first = sim.reservePair();
    this.ctx.tally.connections++;
    const end = (completed: boolean) => {
      job.run.transferEnded(group, index, completed, sim.now);
    };
    const transport = this.ctx.binding.transport;
    if (transport === "approximate" || transport === "udp-blast")
      this.startDatagramTransfer(job, group, index, t, concurrent, src, dst, first, end);
    else this.startTcpTransfer(job, group, index, t, src, dst, first, end);
  }

  /** The approximate transport or UDP blast. */
  private startDatagramTransfer(
    job: JobState,
    group: number,
    index: number,
    t: TransferPlan,
    concurrent: number,
    src: number,
    dst: number,
    first: number,
    end: (completed: boolean) => void,
  ): void {
    const { sim, scenario, net, fabric } = this.ctx;
    const record = job.run.transfers[group]![index]!;
    const coordinated = job.run.mode === "coordinated";
    const classes = scenario.policy.classes;
    const rate = net.linkCapacity[net.hostUplink[src]!]!;
    // Where the sender starts: the rule the Mininet runner follows too.
    const hostSenders = transfersFrom(job.run.plan.phases[group]!.transfers, t.src);
    const share = startRate(job, src, hostSenders, concurrent, this.hints.headroom);
    const hint = this.hints.on && share !== null ? share : rate;
    const config: ApproxTransferConfig = {
      jobId: job.run.plan.id,
      job: job.index,
      bytes: t.bytes,
      chunkSize: scenario.transport.chunkSize,
      // With job-level completion a sender keeps delivering until its job is complete:
      // its own transfer's goal is all of its chunks.
      fraction: coordinated ? 1 : job.run.plan.fraction,
      lineRate: rate,
      initialRate: Math.min(rate, hint),
      dataDscp: classes.bestEffort.dscp,
      controlDscp: classes.control.dscp,
      meter: fabric.meterOf(job.index, net.hostSwitch[src]!),
      ...connectionHashes(this.ctx, src, dst, UDP, t.port),
      timeoutMs: Math.max(1000, (scenario.timeLimit - sim.now) * 1000),
      timing: scenario.transport.approximate,
    };
    const blast = this.ctx.binding.transport === "udp-blast";
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
    if (coordinated) receiver.channel = this.report(job, group, index, dst, t.port, receiver);
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
        this.hints.update(job);
        end(s.result!.completed);
      });
      sim.attach(sender);
      job.senders.add(sender);
      this.hints.update(job);
      sender.start();
    }
  }

  /** The TCP baselines: the same chunks as messages on a stream (see packages/transport/src/tcp-baseline.ts). */
  private startTcpTransfer(
    job: JobState,
    group: number,
    index: number,
    t: TransferPlan,
    src: number,
    dst: number,
    first: number,
    end: (completed: boolean) => void,
  ): void {
    const { sim } = this.ctx;
    const chunkSize = this.ctx.scenario.transport.chunkSize;
    const record = job.run.transfers[group]![index]!;
    const total = record.totalChunks;
    const needed = neededChunks(total, job.run.plan.fraction);
    const coordinated = job.run.mode === "coordinated";
    const layout = chunkLayout(t.bytes, chunkSize);
    const unit = DATA_HEADER_BYTES + chunkSize;
    const lastUnit = DATA_HEADER_BYTES + layout.payloadLength(total - 1);
    const sampling = this.ctx.binding.transport === "tcp-sender-sampling";
    let bytes: number;
    let doneBytes: number;
    if (sampling) {
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
    if (job.run.plan.phases.length > 1) {
      // Rounds and batches ride one persistent connection per sender and receiver, as the
      // applications keep them: one message per round.
      const conn = this.tcpConnection(job, t, src, dst, bytes, doneBytes);
      const m = conn.message;
      const mss = this.ctx.baselineTcp!.mss;
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
        const channel = this.report(job, group, index, dst, t.port, {
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
    const config = this.baselineFlow(job, t, src, dst, bytes, doneBytes);
    const receiver = new TcpReceiver(sim, first + 1, dst, src, config);
    const held = () => chunksIn(receiver.inOrderBytes);
    record.held = sampling
      ? () => (receiver.doneTime !== null ? needed : Math.min(needed, held()))
      : () => (receiver.inOrderBytes >= bytes ? total : held());
    if (coordinated) {
      const channel = this.report(job, group, index, dst, t.port, {
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
  }
}

/** How many of a group's transfers `host` sends. */
function transfersFrom(transfers: readonly TransferPlan[], host: string): number {
  let n = 0;
  for (const t of transfers) if (t.src === host) n++;
  return Math.max(1, n);
}
