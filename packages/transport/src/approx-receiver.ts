// The approximate receiver on two UDP sockets: the edge around ApproxReceiverCore.
// The data port only receives data; the control port sends feedback and DONE and
// receives the sender's control messages, so every port has one traffic class and a
// host can mark DSCP by port (see marking.ts). With feedback off it is the UDP blast
// receiver.
import type dgram from "node:dgram";
import {
  ApproxReceiverCore,
  DEFAULT_RECEIVER_TIMING,
  type ApproxReceiverConfig,
  type ReceiverOutgoing,
  type ReceiverReport,
} from "./approx-receiver-core.js";
import {
  startCountReports,
  type ReportHandle,
  type ReportSummary,
  type ReportTarget,
} from "./count-report.js";
import { formatHostPort, type HostPort } from "./units.js";
import { bindUdp, boundAddress, closeUdp, drainSendQueue, nowMs, WakeTimer } from "./udp-socket.js";
import { encodeDone, encodeFeedback } from "./wire.js";

export interface ApproxRecvOptions {
  /** Data port address. */
  bind: HostPort;
  /** Control port; default data port + 1 (ephemeral when the data port is). */
  controlPort?: number;
  jobId: number;
  /** false: UDP blast receiver. */
  feedback?: boolean;
  timing?: Partial<Omit<ApproxReceiverConfig, "jobId" | "feedback">>;
  /** Called with each chunk the first time it arrives. */
  onChunk?: (chunk: number, payload: Uint8Array) => void;
  /**
   * Job-level completion: report the count to the job's coordinator and stop the sender
   * (the DONE handshake) when it says the group is complete.
   */
  report?: ReportTarget;
}

export interface ApproxRecvResult extends ReceiverReport {
  data: string;
  control: string;
  sender: string | null;
  sendErrors: number;
  /** The reports to the job's coordinator; null without one. */
  coordination: ReportSummary | null;
}

export interface ReceiverHandle {
  data: HostPort;
  control: HostPort;
  /** Resolves when the job is over and both sockets are closed. */
  result: Promise<ApproxRecvResult>;
  /** Ends the job now (e.g. on SIGINT). */
  stop(): void;
}

export async function startApproxReceiver(o: ApproxRecvOptions): Promise<ReceiverHandle> {
  const config: ApproxReceiverConfig = {
    ...DEFAULT_RECEIVER_TIMING,
    ...o.timing,
    jobId: o.jobId,
    feedback: o.feedback ?? true,
  };
  const controlPort = o.controlPort ?? (o.bind.port === 0 ? 0 : o.bind.port + 1);
  const dataSocket = await bindUdp(o.bind);
  let controlSocket: dgram.Socket;
  try {
    controlSocket = await bindUdp({ host: o.bind.host, port: controlPort });
  } catch (err) {
    await closeUdp(dataSocket);
    throw err;
  }
  const data = boundAddress(dataSocket);
  const control = boundAddress(controlSocket);
  const core = new ApproxReceiverCore(config, nowMs());
  let sender: dgram.RemoteInfo | null = null;
  let sendErrors = 0;
  let finished = false;
  let resolveResult!: (r: ApproxRecvResult) => void;
  const result = new Promise<ApproxRecvResult>((resolve) => (resolveResult = resolve));
  let reports: ReportHandle | null = null;

  const send = (messages: ReceiverOutgoing[]): void => {
    if (sender === null) return;
    for (const m of messages) {
      const bytes = m.type === "feedback" ? encodeFeedback(m) : encodeDone(m);
      controlSocket.send(bytes, sender.port, sender.address, (err) => {
        if (err) sendErrors++;
      });
    }
  };
  const finish = (): void => {
    if (finished) return;
    finished = true;
    timer.cancel();
    dataSocket.removeAllListeners("message");
    controlSocket.removeAllListeners("message");
    void drainSendQueue(controlSocket)
      .then(() => Promise.all([closeUdp(dataSocket), closeUdp(controlSocket)]))
      .then(() => reports?.close() ?? null)
      .then((coordination) =>
        resolveResult({
          ...core.report(),
          data: formatHostPort(data),
          control: formatHostPort(control),
          sender:
            sender === null ? null : formatHostPort({ host: sender.address, port: sender.port }),
          sendErrors,
          coordination,
        }),
      );
  };
  const wake = (): void => {
    const now = nowMs();
    send(core.tick(now));
    if (core.finished) finish();
    else timer.arm(core.nextWakeMs(nowMs()));
  };
  const timer = new WakeTimer(wake);
  const onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    const now = nowMs();
    const r = core.onDatagram(msg, now);
    if (r.fromSender) sender = rinfo;
    if (r.newChunk !== undefined) {
      o.onChunk?.(r.newChunk.chunk, r.newChunk.payload);
      reports?.poke();
    }
    send(r.replies);
    if (core.finished) finish();
    else timer.armNoLaterThan(core.nextWakeMs(now));
  };
  dataSocket.on("message", onMessage);
  controlSocket.on("message", onMessage);
  dataSocket.on("error", () => sendErrors++);
  controlSocket.on("error", () => sendErrors++);
  timer.arm(core.nextWakeMs(nowMs()));
  if (o.report !== undefined) {
    try {
      reports = await startCountReports({
        ...o.report,
        jobId: o.jobId,
        intervalMs: o.report.intervalMs ?? config.feedbackIntervalMs,
        keepaliveMs: o.report.keepaliveMs ?? config.keepaliveMs,
        progress: () => core.progress,
        onJobDone: (_m, now) => {
          // The job is complete across its transfers: stop this transfer's sender.
          send(core.completeJob(now));
          if (core.finished) finish();
          else timer.arm(core.nextWakeMs(nowMs()));
        },
      });
    } catch (err) {
      finish();
      await result;
      throw err;
    }
  }

  return {
    data,
    control,
    result,
    stop: () => {
      core.stop(nowMs());
      finish();
    },
  };
}
