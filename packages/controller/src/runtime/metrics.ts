// The controller's Prometheus metrics, by Prometheus's naming conventions: base units
// (bytes, seconds) named in the metric, counters ending in `_total`, `_ratio` for
// fractions, `approx_job` for the job label (Prometheus adds its own `job` to every
// series it scrapes), and every series present from the start (at 0), so that a
// dashboard and rate() see a switch, a port or a job before anything happens to it.
// prom-client does the exposition; this module only defines the families.
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type LabelValues,
} from "prom-client";
import { DropReason, TrafficClass } from "@netapprox/model/pipeline/contract.js";
import type { SyncReport } from "./agent.js";

/** Traffic class names as they appear in labels ("exact", "approx_guaranteed", ...). */
export const CLASS_LABELS: Readonly<Record<number, string>> = {
  [TrafficClass.EXACT]: "exact",
  [TrafficClass.APPROX_GUARANTEED]: "approx_guaranteed",
  [TrafficClass.APPROX_BEST_EFFORT]: "approx_best_effort",
  [TrafficClass.CONTROL]: "control",
};

/** Drop reasons as they appear in labels and in /status ("meter_red", "le_threshold", ...). */
export const REASON_LABELS: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(DropReason).map(([k, v]) => [v, k.toLowerCase()]),
);

export const COLOR_LABELS = ["green", "yellow", "red"] as const;
export const SYNC_KINDS = ["full", "incremental"] as const;
export const SWITCH_STATES = [
  "idle",
  "connecting",
  "arbitrating",
  "configuring",
  "ready",
  "down",
  "stopped",
  "unresponsive",
] as const;
export const POLICY_RESULTS = ["applied", "rejected", "held"] as const;

export interface MetricsSetup {
  version: string;
  /** Switches with the ports they use. */
  switches: readonly { name: string; ports: readonly number[] }[];
  /** process_* and nodejs_* metrics (default true). */
  processMetrics?: boolean;
}

/** Seconds buckets from 1 ms to 10 s: syncs, polls and allocations all fall in there. */
const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ControllerMetrics {
  readonly registry = new Registry();

  readonly buildInfo: Gauge<"version" | "node_version">;
  readonly switchUp: Gauge<"switch">;
  readonly switchPrimary: Gauge<"switch">;
  readonly switchState: Gauge<"switch" | "state">;
  readonly switchUnresponsive: Counter<"switch">;
  readonly updatesWritten: Counter<"switch">;
  readonly updatesFailed: Counter<"switch">;
  readonly syncs: Counter<"switch" | "kind">;
  readonly syncDuration: Histogram<"kind">;
  readonly pollDuration: Histogram;
  readonly allocationDuration: Histogram;
  readonly policyReloads: Counter<"result">;
  readonly portTransmitBytes: Counter<"switch" | "port" | "class">;
  readonly portTransmitPackets: Counter<"switch" | "port" | "class">;
  readonly portDroppedPackets: Counter<"switch" | "port" | "reason">;
  readonly portDroppedBytes: Counter<"switch" | "port" | "reason">;
  readonly portQueueDepth: Gauge<"switch" | "port" | "queue">;
  readonly jobPackets: Counter<"approx_job" | "color">;
  readonly jobBytes: Counter<"approx_job" | "color">;
  readonly jobGuaranteed: Gauge<"approx_job">;
  readonly jobAllocated: Gauge<"approx_job">;
  readonly linkCapacity: Gauge<"link">;
  readonly linkExactAllocated: Gauge<"link">;
  readonly linkApproxAllocated: Gauge<"link">;
  readonly linkUtilisation: Gauge<"link">;

  private jobNames = new Set<string>();
  private linkNames = new Set<string>();

  constructor(setup: MetricsSetup) {
    const registers = [this.registry];
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Histogram<L>({ name, help, labelNames, buckets: SECONDS_BUCKETS, registers });

    this.buildInfo = gauge("netapprox_build_info", "The controller's version; always 1", [
      "version",
      "node_version",
    ]);
    this.buildInfo.set({ version: setup.version, node_version: process.version }, 1);
    if (setup.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });

    this.switchUp = gauge("netapprox_switch_up", "1 when the switch session is ready and answers", [
      "switch",
    ]);
    this.switchPrimary = gauge(
      "netapprox_switch_primary",
      "1 when this controller is the switch's primary",
      ["switch"],
    );
    this.switchState = gauge(
      "netapprox_switch_state",
      "1 for the state the switch session is in, 0 for the others",
      ["switch", "state"],
    );
    this.switchUnresponsive = counter(
      "netapprox_switch_unresponsive_total",
      "Times a switch stopped answering counter polls",
      ["switch"],
    );
    this.updatesWritten = counter(
      "netapprox_p4runtime_updates_written_total",
      "P4Runtime updates the switch accepted",
      ["switch"],
    );
    this.updatesFailed = counter(
      "netapprox_p4runtime_updates_failed_total",
      "P4Runtime updates the switch refused",
      ["switch"],
    );
    this.syncs = counter("netapprox_syncs_total", "Reconciliations of a switch, by kind", [
      "switch",
      "kind",
    ]);
    this.syncDuration = histogram(
      "netapprox_sync_duration_seconds",
      "Time to bring a switch to its desired state (read if full, plan, write)",
      ["kind"],
    );
    this.pollDuration = histogram(
      "netapprox_poll_duration_seconds",
      "Time a switch took to answer a counter poll",
      [],
    );
    this.allocationDuration = histogram(
      "netapprox_allocation_duration_seconds",
      "Time to compute an allocation and translate it into every switch's entities",
      [],
    );
    this.policyReloads = counter(
      "netapprox_policy_reloads_total",
      "Live policy edits: applied, rejected as invalid, or held until the file settles",
      ["result"],
    );
    this.portTransmitBytes = counter(
      "netapprox_port_transmit_bytes_total",
      "Bytes transmitted per egress port and traffic class (the switch's counter)",
      ["switch", "port", "class"],
    );
    this.portTransmitPackets = counter(
      "netapprox_port_transmit_packets_total",
      "Packets transmitted per egress port and traffic class (the switch's counter)",
      ["switch", "port", "class"],
    );
    this.portDroppedPackets = counter(
      "netapprox_port_dropped_packets_total",
      "Packets dropped per port and reason (the switch's counter)",
      ["switch", "port", "reason"],
    );
    this.portDroppedBytes = counter(
      "netapprox_port_dropped_bytes_total",
      "Bytes dropped per port and reason (the switch's counter)",
      ["switch", "port", "reason"],
    );
    this.portQueueDepth = gauge(
      "netapprox_port_queue_depth_packets",
      "Depth of an egress priority queue as the last packet left it (where the switch lets it be read)",
      ["switch", "port", "queue"],
    );
    this.jobPackets = counter(
      "netapprox_job_packets_total",
      "Packets of an approximate job at its edge meters, by colour",
      ["approx_job", "color"],
    );
    this.jobBytes = counter(
      "netapprox_job_bytes_total",
      "Bytes of an approximate job at its edge meters, by colour",
      ["approx_job", "color"],
    );
    this.jobGuaranteed = gauge(
      "netapprox_job_guaranteed_bytes_per_second",
      "Rate guaranteed to an approximate job",
      ["approx_job"],
    );
    this.jobAllocated = gauge(
      "netapprox_job_allocated_bytes_per_second",
      "Rate allocated to an approximate job (guarantee included)",
      ["approx_job"],
    );
    this.linkCapacity = gauge("netapprox_link_capacity_bytes_per_second", "Link capacity", [
      "link",
    ]);
    this.linkExactAllocated = gauge(
      "netapprox_link_exact_allocated_bytes_per_second",
      "Exact load the allocation assumed on a link",
      ["link"],
    );
    this.linkApproxAllocated = gauge(
      "netapprox_link_approx_allocated_bytes_per_second",
      "Approximate rate allocated on a link (guarantees included)",
      ["link"],
    );
    this.linkUtilisation = gauge(
      "netapprox_link_utilisation_ratio",
      "Measured transmit rate of a link over its capacity (0 to 1)",
      ["link"],
    );

    for (const sw of setup.switches) this.initSwitch(sw.name, sw.ports);
    for (const result of POLICY_RESULTS) this.policyReloads.inc({ result }, 0);
  }

  /** Every series of a switch at 0. */
  private initSwitch(name: string, ports: readonly number[]): void {
    const zero = <L extends string>(m: Counter<L> | Gauge<L>, labels: LabelValues<L>) =>
      m instanceof Counter ? m.inc(labels, 0) : m.set(labels, 0);
    zero(this.switchUp, { switch: name });
    zero(this.switchPrimary, { switch: name });
    for (const state of SWITCH_STATES) zero(this.switchState, { switch: name, state });
    zero(this.switchUnresponsive, { switch: name });
    zero(this.updatesWritten, { switch: name });
    zero(this.updatesFailed, { switch: name });
    for (const kind of SYNC_KINDS) zero(this.syncs, { switch: name, kind });
    for (const port of ports) {
      const p = String(port);
      for (const cls of Object.values(CLASS_LABELS)) {
        zero(this.portTransmitBytes, { switch: name, port: p, class: cls });
        zero(this.portTransmitPackets, { switch: name, port: p, class: cls });
      }
      for (const reason of Object.values(REASON_LABELS)) {
        zero(this.portDroppedPackets, { switch: name, port: p, reason });
        zero(this.portDroppedBytes, { switch: name, port: p, reason });
      }
    }
  }

  /** One sync of a switch: updates written and failed, its kind and duration. */
  recordSync(r: SyncReport): void {
    const labels = { switch: r.switch };
    this.updatesWritten.inc(labels, r.inserts + r.modifies + r.deletes - r.failed);
    this.updatesFailed.inc(labels, r.failed);
    this.syncs.inc({ ...labels, kind: r.kind });
    this.syncDuration.observe({ kind: r.kind }, r.durationMs / 1000);
  }

  /** The jobs of a new allocation: their series appear at 0; those of jobs gone are removed. */
  setJobs(jobs: readonly { name: string; guaranteed: number | null; allocated: number | null }[]) {
    const names = new Set(jobs.map((j) => j.name));
    for (const gone of this.jobNames) {
      if (names.has(gone)) continue;
      this.jobGuaranteed.remove({ approx_job: gone });
      this.jobAllocated.remove({ approx_job: gone });
      for (const color of COLOR_LABELS) {
        this.jobPackets.remove({ approx_job: gone, color });
        this.jobBytes.remove({ approx_job: gone, color });
      }
    }
    for (const j of jobs) {
      if (!this.jobNames.has(j.name))
        for (const color of COLOR_LABELS) {
          this.jobPackets.inc({ approx_job: j.name, color }, 0);
          this.jobBytes.inc({ approx_job: j.name, color }, 0);
        }
      this.jobGuaranteed.set({ approx_job: j.name }, (j.guaranteed ?? 0) / 8);
      this.jobAllocated.set({ approx_job: j.name }, (j.allocated ?? 0) / 8);
    }
    this.jobNames = names;
  }

  /** The links of a new allocation (rates in bit/s, shown in bytes/s). */
  setLinks(
    links: readonly {
      name: string;
      capacity: number;
      exactLoad: number;
      allocated: number | null;
    }[],
  ): void {
    for (const l of links) {
      this.linkCapacity.set({ link: l.name }, l.capacity / 8);
      this.linkExactAllocated.set({ link: l.name }, l.exactLoad / 8);
      this.linkApproxAllocated.set({ link: l.name }, (l.allocated ?? 0) / 8);
      if (!this.linkNames.has(l.name)) this.linkUtilisation.set({ link: l.name }, 0);
    }
    this.linkNames = new Set(links.map((l) => l.name));
  }

  /** The text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
