// What the controller measures: per-port transmit rates by traffic class, drops by reason,
// edge-meter colours per job and queue depths, from successive counter polls. It turns
// the switches' counters into rates (for the allocation and /status) and mirrors them into
// the Prometheus counters. No I/O: the controller reads the switches and hands the samples
// in.
import {
  decodeJobColorIndex,
  decodePortClassIndex,
  decodePortDropIndex,
  TrafficClass,
} from "@netapprox/model/pipeline/contract.js";
import { CLASS_LABELS, COLOR_LABELS, REASON_LABELS, type ControllerMetrics } from "./metrics.js";
import { rateBetween, type CounterSample, type Rate } from "./rates.js";

/** Which counter a sample comes from: port transmit by class, port drops, job colours. */
export type CounterKind = "class" | "drop" | "job";

/** One switch's counters at one poll, keyed `${kind}|${index}`. */
export type PollSamples = ReadonlyMap<string, CounterSample>;

export function sampleKey(kind: CounterKind, index: number): string {
  return `${kind}|${index}`;
}

export interface PortMeasurement {
  switch: string;
  port: number;
  /** Transmit rate by traffic class name (bit/s); empty before two polls. */
  txBps: Record<string, number>;
  /** Drop rate by reason (packets/s) over the last poll interval. */
  dropsPps: Record<string, number>;
  /** Drops by reason since the switch's counters started (packets). */
  dropsTotal: Record<string, number>;
  /** Depth of each priority queue in packets; null where the switch does not let it be read. */
  queueDepth: Record<string, number> | null;
}

export interface JobColours {
  green: Rate;
  yellow: Rate;
  red: Rate;
  /** Bytes the meters have seen of the job, all colours, since the controller started. */
  bytes: number;
}

interface Snapshot {
  time: number;
  samples: PollSamples;
}

export class Telemetry {
  private readonly snapshots = new Map<string, Snapshot>();
  /** "sw|port|class" -> rate */
  private readonly portRates = new Map<string, Rate>();
  /** "sw|port|reason" -> packets/s */
  private readonly dropRates = new Map<string, number>();
  /** "sw|port|reason" -> packets since the switch's counters started */
  private readonly dropTotals = new Map<string, number>();
  /** "sw|jobId|color" -> rate */
  private readonly jobRates = new Map<string, Rate>();
  /** jobId -> bytes seen at the meters (green + yellow + red) */
  private readonly jobBytes = new Map<number, number>();
  /** "sw|port" -> queue -> packets */
  private readonly queueDepths = new Map<string, Record<string, number>>();

  constructor(private readonly metrics: ControllerMetrics) {}

  /**
   * One poll of a switch's counters. `jobOf` names the job of a meter index (jobs change
   * with the policy). Rates need two polls; the Prometheus counters take the increase
   * (after a switch restart, the new value: its counters started again from zero).
   */
  recordPoll(
    sw: string,
    time: number,
    samples: PollSamples,
    jobOf: (meterIndex: number) => { id: number; name: string } | undefined,
  ): void {
    const before = this.snapshots.get(sw);
    this.snapshots.set(sw, { time, samples });
    const dt = before === undefined ? 0 : (time - before.time) / 1000;
    for (const [key, sample] of samples) {
      const bar = key.indexOf("|");
      const kind = key.slice(0, bar) as CounterKind;
      const index = Number(key.slice(bar + 1));
      const previous = before?.samples.get(key);
      const increase = counterIncrease(previous, sample);
      const rate = before === undefined ? undefined : rateBetween(previous, sample, dt);
      if (kind === "class") {
        const { port, trafficClass } = decodePortClassIndex(index);
        const labels = { switch: sw, port: String(port), class: classLabel(trafficClass) };
        this.metrics.portTransmitBytes.inc(labels, increase.bytes);
        this.metrics.portTransmitPackets.inc(labels, increase.packets);
        if (rate) this.portRates.set(`${sw}|${port}|${trafficClass}`, rate);
      } else if (kind === "drop") {
        const d = decodePortDropIndex(index);
        if (d === undefined) continue;
        const labels = { switch: sw, port: String(d.port), reason: reasonLabel(d.reason) };
        this.metrics.portDroppedPackets.inc(labels, increase.packets);
        this.metrics.portDroppedBytes.inc(labels, increase.bytes);
        this.dropTotals.set(`${sw}|${d.port}|${d.reason}`, Number(sample.packets));
        if (rate) this.dropRates.set(`${sw}|${d.port}|${d.reason}`, rate.pps);
      } else {
        const j = decodeJobColorIndex(index);
        const job = j === undefined ? undefined : jobOf(j.jobId);
        if (j === undefined || job === undefined) continue;
        const labels = { approx_job: job.name, color: COLOR_LABELS[j.color] ?? String(j.color) };
        this.metrics.jobPackets.inc(labels, increase.packets);
        this.metrics.jobBytes.inc(labels, increase.bytes);
        this.jobBytes.set(job.id, (this.jobBytes.get(job.id) ?? 0) + increase.bytes);
        if (rate) this.jobRates.set(`${sw}|${job.id}|${j.color}`, rate);
      }
    }
  }

  /** Queue depths of a switch, "port|queue" -> packets. */
  recordQueueDepths(sw: string, depths: ReadonlyMap<string, number>): void {
    for (const [key, packets] of depths) {
      const [port, queue] = key.split("|") as [string, string];
      const cell = (this.queueDepths.get(`${sw}|${port}`) ?? {}) as Record<string, number>;
      cell[queue] = packets;
      this.queueDepths.set(`${sw}|${port}`, cell);
      this.metrics.portQueueDepth.set({ switch: sw, port, queue }, packets);
    }
  }

  /** A switch restarted or was replaced: its old counters say nothing about the new ones. */
  forgetSwitch(sw: string): void {
    this.snapshots.delete(sw);
  }

  /** Measured exact traffic per egress port ("switch:port" -> bit/s). */
  exactLoads(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, rate] of this.portRates) {
      const [sw, port, cls] = key.split("|");
      if (Number(cls) === TrafficClass.EXACT) out.set(`${sw}:${port}`, rate.bps);
    }
    return out;
  }

  /** Offered load per job (all meter colours, summed over its ingress switches), bit/s. */
  offeredByJob(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [key, rate] of this.jobRates) {
      const job = Number(key.split("|")[1]);
      out.set(job, (out.get(job) ?? 0) + rate.bps);
    }
    return out;
  }

  /** A job's meter colours summed over its ingress switches; null before two polls. */
  jobColours(jobId: number): JobColours | null {
    const sum: Rate[] = [0, 1, 2].map(() => ({ pps: 0, bps: 0 }));
    let seen = false;
    for (const [key, rate] of this.jobRates) {
      const [, job, color] = key.split("|");
      if (Number(job) !== jobId) continue;
      seen = true;
      sum[Number(color)]!.pps += rate.pps;
      sum[Number(color)]!.bps += rate.bps;
    }
    return seen
      ? { green: sum[0]!, yellow: sum[1]!, red: sum[2]!, bytes: this.jobBytes.get(jobId) ?? 0 }
      : null;
  }

  /** Transmit rates of an egress port by class name; null before two polls. */
  portTx(sw: string, port: number): Record<string, number> | null {
    const out: Record<string, number> = {};
    let seen = false;
    for (const cls of Object.keys(CLASS_LABELS)) {
      const r = this.portRates.get(`${sw}|${port}|${cls}`);
      if (r === undefined) continue;
      out[classLabel(Number(cls))] = r.bps;
      seen = true;
    }
    return seen ? out : null;
  }

  /** Everything measured at one port. */
  port(sw: string, port: number): PortMeasurement {
    const dropsPps: Record<string, number> = {};
    const dropsTotal: Record<string, number> = {};
    for (const reason of Object.keys(REASON_LABELS)) {
      const name = reasonLabel(Number(reason));
      const pps = this.dropRates.get(`${sw}|${port}|${reason}`);
      if (pps !== undefined && pps > 0) dropsPps[name] = pps;
      const total = this.dropTotals.get(`${sw}|${port}|${reason}`);
      if (total !== undefined && total > 0) dropsTotal[name] = total;
    }
    return {
      switch: sw,
      port,
      txBps: this.portTx(sw, port) ?? {},
      dropsPps,
      dropsTotal,
      queueDepth: this.queueDepths.get(`${sw}|${port}`) ?? null,
    };
  }
}

function classLabel(trafficClass: number): string {
  return CLASS_LABELS[trafficClass] ?? String(trafficClass);
}

function reasonLabel(reason: number): string {
  return REASON_LABELS[reason] ?? String(reason);
}

/** How much a switch counter grew; after a reset (a restart), all of its new value. */
export function counterIncrease(
  before: CounterSample | undefined,
  after: CounterSample,
): { packets: number; bytes: number } {
  const reset =
    before === undefined || after.packets < before.packets || after.bytes < before.bytes;
  return reset
    ? { packets: Number(after.packets), bytes: Number(after.bytes) }
    : {
        packets: Number(after.packets - before.packets),
        bytes: Number(after.bytes - before.bytes),
      };
}
