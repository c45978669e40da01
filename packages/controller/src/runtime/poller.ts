// Counter polling: every poll interval, each ready switch's port, drop and job-colour
// counters and its queue depths are read and handed to Telemetry (which turns them into
// rates and metrics). Each switch is polled on its own: one that does not answer is not
// polled again until it does and is reported unresponsive after a few intervals.
import { decodeEntity, encodeEntity } from "@netapprox/p4runtime/entities.js";
import type { P4Schema } from "@netapprox/p4runtime/p4info.js";
import {
  DropReason,
  jobColorIndex,
  portClassIndex,
  portDropIndex,
} from "@netapprox/model/pipeline/contract.js";
import { SimpleSwitchRegisters } from "../targets/bmv2-registers.js";
import type { TargetCapabilities } from "../targets/capabilities.js";
import type { Switch as TopologySwitch } from "@netapprox/model/topology/types.js";
import type { SwitchAgent } from "./agent.js";
import { FailureReport } from "./failure-report.js";
import type { Logger } from "./log.js";
import { SWITCH_STATES, type ControllerMetrics } from "./metrics.js";
import {
  p4runtimeQueueDepths,
  queueDepthRegister,
  thriftQueueDepths,
  type QueueDepthSource,
} from "./queue-depth.js";
import type { CounterSample } from "./rates.js";
import { sampleKey, type CounterKind, type Telemetry } from "./telemetry.js";

export interface CounterPollerOptions {
  switches: readonly TopologySwitch[];
  agents: ReadonlyMap<string, SwitchAgent>;
  telemetry: Telemetry;
  metrics: ControllerMetrics;
  logger: Logger;
  /** A job of the current allocation, by id. */
  job(id: number): { id: number; name: string } | undefined;
}

/** Where a switch's queue depths are read, and how that fares. */
interface QueueDepthReader {
  source: QueueDepthSource;
  failures: FailureReport;
}

export class CounterPoller {
  /** The poll interval, ms (set when the controller starts). */
  pollMs = 1_000;
  private readonly options: CounterPollerOptions;
  private readonly log: Logger;
  private readonly agents: ReadonlyMap<string, SwitchAgent>;
  private readonly telemetry: Telemetry;
  private readonly metrics: ControllerMetrics;
  private polling = false;
  /** Where a switch's queue depths come from, and how reading them fares. */
  private readonly depthReaders = new Map<string, QueueDepthReader>();
  /** Switch → when its counter poll still unanswered was sent. */
  private readonly pollsInFlight = new Map<string, number>();
  /** Switches whose polls go unanswered: switch → since when (ms). */
  private readonly unresponsive = new Map<string, number>();

  constructor(options: CounterPollerOptions) {
    this.options = options;
    this.log = options.logger;
    this.agents = options.agents;
    this.telemetry = options.telemetry;
    this.metrics = options.metrics;
  }

  /** Since when (ms) a switch's counter polls go unanswered; undefined while it answers. */
  unresponsiveSince(name: string): number | undefined {
    return this.unresponsive.get(name);
  }

  /**
   * Where this switch's queue depths can be read, if anywhere: its registers over
   * P4Runtime, or over Thrift unless queue settings go elsewhere (`thriftOwned` false).
   */
  addDepthReader(
    sw: TopologySwitch,
    caps: TargetCapabilities,
    schema: P4Schema,
    thriftOwned: boolean,
  ): void {
    const register = queueDepthRegister(schema);
    if (register === undefined) return;
    let source: QueueDepthSource | undefined;
    if (caps.registersOverP4Runtime) {
      source = p4runtimeQueueDepths(schema, register, (entities) =>
        this.agents.get(sw.name)!.switch.read(entities),
      );
    } else if (sw.thriftPort !== null && thriftOwned) {
      const host = sw.address.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
      source = thriftQueueDepths(new SimpleSwitchRegisters(host, sw.thriftPort), register);
    }
    if (source === undefined) return;
    this.depthReaders.set(sw.name, {
      source,
      failures: new FailureReport(this.log, "reading queue depths", { switch: sw.name }),
    });
  }

  /** Stops the queue-depth readers. */
  close(): void {
    for (const r of this.depthReaders.values()) r.source.close();
  }

  /** Counter cells this switch reports on: ports in use, jobs metered here. */
  private counterReads(agent: SwitchAgent, sw: TopologySwitch) {
    const c = agent.contract;
    const ports = sw.ports;
    const reads: { kind: CounterKind; counter: string; index: number }[] = [];
    for (const port of ports) {
      for (let cls = 0; cls < 4; cls++)
        for (const name of c.counters.port_class_tx.names)
          reads.push({ kind: "class", counter: name, index: portClassIndex(port, cls) });
      for (const reason of Object.values(DropReason))
        for (const name of c.counters.port_drops.names)
          reads.push({ kind: "drop", counter: name, index: portDropIndex(port, reason) });
    }
    for (const { index } of agent.desiredState?.meterIndexes ?? []) {
      for (let color = 0; color < 3; color++) {
        for (const name of c.counters.job_colors.names)
          reads.push({ kind: "job", counter: name, index: jobColorIndex(index, color) });
      }
    }
    return reads;
  }

  /**
   * How long a counter poll may go unanswered before the switch is reported
   * unresponsive: a few poll intervals, and never less than a second.
   */
  private get unresponsiveAfterMs(): number {
    return Math.max(3 * this.pollMs, 1_000);
  }

  /**
   * One poll: read counters of every ready switch and hand them to telemetry. Resolves
   * to how many switches answered, or undefined when the previous round still runs (a
   * slow round is not stacked on). Each switch is polled on its own: one that does not answer (frozen, overloaded) is
   * not polled again until it does, is reported unresponsive after a few intervals, and
   * never holds up the others (the round waits at most one interval for it).
   */
  async round(): Promise<number | undefined> {
    if (this.polling) return undefined;
    this.polling = true;
    try {
      const now = Date.now();
      const polled = await Promise.all(
        this.options.switches.map(async (sw) => {
          const agent = this.agents.get(sw.name)!;
          const since = this.pollsInFlight.get(sw.name);
          if (since !== undefined) {
            if (now - since >= this.unresponsiveAfterMs) this.markUnresponsive(sw.name, since);
            this.updateSwitchGauges(sw.name, agent);
            return false;
          }
          this.updateSwitchGauges(sw.name, agent);
          if (agent.switch.state !== "ready") return false;
          this.pollsInFlight.set(sw.name, now);
          const poll = this.pollSwitch(agent, sw).then(
            () => {
              this.markResponsive(sw.name);
              return true;
            },
            (err: Error) => {
              this.log.warn("counter poll failed", { switch: sw.name, error: err.message });
              return false;
            },
          );
          void poll.finally(() => this.pollsInFlight.delete(sw.name));
          return Promise.race([poll, sleep(this.pollMs).then(() => false)]);
        }),
      );
      return polled.filter(Boolean).length;
    } finally {
      this.polling = false;
    }
  }

  private updateSwitchGauges(name: string, agent: SwitchAgent): void {
    const state = this.unresponsive.has(name) ? "unresponsive" : agent.switch.state;
    this.metrics.switchUp.set({ switch: name }, state === "ready" ? 1 : 0);
    this.metrics.switchPrimary.set({ switch: name }, agent.switch.isPrimary ? 1 : 0);
    for (const s of SWITCH_STATES)
      this.metrics.switchState.set({ switch: name, state: s }, s === state ? 1 : 0);
  }

  private markUnresponsive(name: string, since: number): void {
    if (this.unresponsive.has(name)) return;
    this.unresponsive.set(name, since);
    this.metrics.switchUnresponsive.inc({ switch: name });
    this.log.error("switch does not answer: counter poll unanswered", {
      switch: name,
      waitedMs: Date.now() - since,
    });
  }

  private markResponsive(name: string): void {
    const since = this.unresponsive.get(name);
    if (since === undefined) return;
    this.unresponsive.delete(name);
    this.log.info("switch answers again", { switch: name, unresponsiveMs: Date.now() - since });
  }

  private async pollSwitch(agent: SwitchAgent, sw: TopologySwitch): Promise<void> {
    const reads = this.counterReads(agent, sw);
    if (reads.length === 0) return;
    const entities = reads.map((r) =>
      encodeEntity(agent.schema, { kind: "counterEntry", counter: r.counter, index: r.index }),
    );
    const started = performance.now();
    const now = Date.now();
    const [result] = await Promise.all([agent.switch.read(entities), this.pollQueueDepths(sw)]);
    this.metrics.pollDuration.observe((performance.now() - started) / 1000);
    const kindOf = new Map(reads.map((r) => [r.counter, r.kind]));
    const samples = new Map<string, CounterSample>();
    for (const e of result) {
      const spec = decodeEntity(agent.schema, e);
      if (spec.kind !== "counterEntry" || spec.index === undefined || spec.data === undefined)
        continue;
      const key = sampleKey(kindOf.get(spec.counter) ?? "class", spec.index);
      const prev = samples.get(key); // port_drops may span two arrays on Tofino: sum them
      samples.set(
        key,
        prev
          ? {
              packets: prev.packets + spec.data.packetCount,
              bytes: prev.bytes + spec.data.byteCount,
            }
          : { packets: spec.data.packetCount, bytes: spec.data.byteCount },
      );
    }
    const meters = agent.desiredState?.meterIndexes ?? [];
    this.telemetry.recordPoll(sw.name, now, samples, (index) => {
      const id = meters.find((m) => m.index === index)?.jobId;
      const job = id === undefined ? undefined : this.options.job(id);
      return job === undefined ? undefined : { id: job.id, name: job.name };
    });
  }

  /** The depths of the queues in use on a switch's ports, where they can be read. */
  private async pollQueueDepths(sw: TopologySwitch): Promise<void> {
    const reader = this.depthReaders.get(sw.name);
    const queues = this.agents.get(sw.name)!.desiredState?.queues ?? [];
    if (reader === undefined || queues.length === 0 || !reader.failures.shouldAttempt()) return;
    try {
      const depths = await reader.source.read(
        queues.map((q) => ({ port: q.port, queue: q.priority })),
      );
      this.telemetry.recordQueueDepths(sw.name, depths);
      reader.failures.succeeded();
    } catch (err) {
      reader.failures.failed((err as Error).message);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
