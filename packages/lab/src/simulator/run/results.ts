// A simulated run's results from its jobs' records and the fabric's counters, in the shared
// format (packages/lab/src/experiment/results.ts).
import type { JobResult, LinkResult, RunResult } from "../../experiment/results.js";
import { CLASS_NAMES, DROP_REASONS, type Fabric } from "../fabric.js";
import type { JobState } from "./context.js";

export function jobResult(j: JobState, f: Fabric, meters: boolean): JobResult {
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

export function dropTotals(f: Fabric): RunResult["drops"] {
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

export function linkResults(f: Fabric, duration: number): LinkResult[] {
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
