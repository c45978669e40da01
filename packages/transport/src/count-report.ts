// A receiver's reports to its job's coordinator, on a UDP socket of their own: the edge
// around CountReporter. The receiver (approximate or TCP) says when its count grew; the
// reports go at most every interval while it grows and every keepalive otherwise, so the
// coordinator learns the receiver's address early. A JOB-DONE for the receiver's group is
// handed to the receiver once and acknowledged every time it comes (the last ack may have
// been lost). When the receiver ends, its last count goes out at once and the socket stays
// open a little longer to acknowledge a JOB-DONE still on its way.
import type dgram from "node:dgram";
import { CountReporter } from "./job-completion.js";
import { formatHostPort, type HostPort } from "./units.js";
import {
  anyAddressFor,
  bindUdp,
  closeUdp,
  drainSendQueue,
  epochMs,
  nowMs,
  resolveHost,
  WakeTimer,
} from "./udp-socket.js";
import { decode, encodeCount, type CountMessage, type JobDoneMessage } from "./wire.js";

/** Where and how a receiver reports (the flags --coordinator, --group, --transfer). */
export interface ReportTarget {
  coordinator: HostPort;
  group: number;
  transfer: number;
  /** Reports at most this often while the count grows (default: the feedback interval)... */
  intervalMs?: number;
  /** ...and at least this often otherwise (default 50 ms). */
  keepaliveMs?: number;
}

export interface ReportOptions extends ReportTarget {
  jobId: number;
  intervalMs: number;
  keepaliveMs: number;
  /** Distinct chunks the receiver holds, and its transfer's chunks (0 while unknown). */
  progress(): { uniqueChunks: number; totalChunks: number };
  /** The coordinator says the group is complete (called once). */
  onJobDone(m: JobDoneMessage, nowMs: number): void;
}

export interface ReportSummary {
  coordinator: string;
  group: number;
  transfer: number;
  reportsSent: number;
  /** When JOB-DONE first arrived, ms since the epoch; null when it never did. */
  jobDoneAtEpochMs: number | null;
  jobDoneReceived: number;
  sendErrors: number;
}

export interface ReportHandle {
  /** The count grew: a report may be due. */
  poke(): void;
  /** Whether the coordinator said the group is complete. */
  readonly stopped: boolean;
  /** Sends the last count, answers JOB-DONE for `lingerMs` more, then closes. */
  close(lingerMs?: number): Promise<ReportSummary>;
}

export async function startCountReports(o: ReportOptions): Promise<ReportHandle> {
  const reporter = new CountReporter({
    jobId: o.jobId,
    group: o.group,
    transfer: o.transfer,
    intervalMs: o.intervalMs,
    keepaliveMs: o.keepaliveMs,
  });
  const to = await resolveHost(o.coordinator);
  const socket: dgram.Socket = await bindUdp(anyAddressFor(to));
  let reportsSent = 0;
  let sendErrors = 0;
  let jobDoneReceived = 0;
  let jobDoneAt: number | null = null;
  let closing = false;
  let closed = false;

  const send = (m: CountMessage | null): void => {
    if (m === null || closed) return;
    // A receiver that has not seen data yet does not know its total: report 0 of 0.
    const bytes = encodeCount({ ...m, uniqueChunks: Math.min(m.uniqueChunks, m.totalChunks) });
    reportsSent++;
    socket.send(bytes, to.port, to.host, (err) => {
      if (err) sendErrors++;
    });
  };
  const wake = (): void => {
    const now = nowMs();
    const { uniqueChunks, totalChunks } = o.progress();
    send(reporter.poll(uniqueChunks, totalChunks, now));
    if (!closing) timer.arm(reporter.nextWakeMs(uniqueChunks, nowMs()));
  };
  const timer = new WakeTimer(wake);
  socket.on("message", (msg: Buffer) => {
    const d = decode(msg);
    if (d.kind !== "ok" || d.message.type !== "jobDone") return;
    const now = nowMs();
    const first = reporter.onJobDone(d.message);
    if (d.message.jobId === o.jobId && d.message.group === o.group) jobDoneReceived++;
    if (first) {
      jobDoneAt = now;
      o.onJobDone(d.message, now);
    }
    wake(); // the acknowledgement
  });
  socket.on("error", () => sendErrors++);
  timer.arm(nowMs());

  return {
    poke: () => {
      if (closing) return;
      const next = reporter.nextWakeMs(o.progress().uniqueChunks, nowMs());
      timer.armNoLaterThan(next);
    },
    get stopped() {
      return reporter.stopped;
    },
    close: async (lingerMs = 200) => {
      if (!closing) {
        closing = true;
        timer.cancel();
        const { uniqueChunks, totalChunks } = o.progress();
        send(reporter.finalReport(uniqueChunks, totalChunks, nowMs()));
        await new Promise((r) => setTimeout(r, lingerMs));
        await drainSendQueue(socket);
        closed = true;
        socket.removeAllListeners("message");
        await closeUdp(socket);
      }
      return {
        coordinator: formatHostPort(o.coordinator),
        group: o.group,
        transfer: o.transfer,
        reportsSent,
        jobDoneAtEpochMs: jobDoneAt === null ? null : epochMs(jobDoneAt),
        jobDoneReceived,
        sendErrors,
      };
    },
  };
}
