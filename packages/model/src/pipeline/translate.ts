// Translation: an allocation and the routes become, per switch, the P4Runtime
// entities of the netapprox pipeline (through the contract's names for the
// switch's target) and the target settings P4Runtime cannot carry (BMv2 queue
// rates and depths; Tofino traffic-manager settings).
//
// Pure and deterministic: same allocation and routes, same entities in the same
// order (member ids, priorities and group ids derive from sorted inputs).
import type {
  Allocation,
  ClassName,
  JobAllocation,
  PortPlan,
  QueuePlan,
  SwitchPlan,
  TofinoPortPlan,
} from "../allocation/types.js";
import type { ActionSpec, EntitySpec } from "@netapprox/p4runtime/entities.js";
import type { NextHop, SwitchRoutes } from "../routing/routing.js";
import {
  COUNTER_LAYOUT,
  MeterColor,
  TrafficClass,
  WIDTHS,
  checkQueue,
  PipelineValueError,
  type PipelineContract,
} from "./contract.js";

/** One BMv2 priority queue of one port (set over Thrift). */
export interface QueueSetting {
  port: number;
  priority: number;
  ratePps: number;
  depthPackets: number;
}

/**
 * One BMv2 egress port's scheduling where the link is a work-conserving traffic manager
 * (Linux htb on Mininet veths, targets/htb.ts): control first, the other queues sharing the
 * link by their weights, the best-effort queue's leaf limited to the LE threshold.
 */
export interface PortScheduling {
  port: number;
  /** bit/s */
  capacity: number;
  /** bit/s of the link the control class is guaranteed (the policy's control share). */
  controlRate: number;
  /** Best-effort packets above this depth are dropped (packets); null: no early drop. */
  leThreshold: number | null;
  /** The port's queues as the allocation plans them (weights, depths, classes). */
  queues: readonly QueuePlan[];
}

/** How a switch's egress links are scheduled by DSCP, for targets that do it outside BMv2. */
export interface LinkScheduling {
  /** DSCP values with a queue of their own; every other value goes to defaultQueue. */
  dscp: { dscp: number; queue: number }[];
  defaultQueue: number;
  ports: PortScheduling[];
}

/** Everything one switch should hold. */
export interface SwitchDesiredState {
  switch: string;
  entities: EntitySpec[];
  /** BMv2 only: per-priority queue rates and depths. */
  queues: QueueSetting[];
  /** Tofino only: traffic-manager settings per port, for the deployment's TM config. */
  trafficManager: { port: number; plan: TofinoPortPlan }[];
  /** BMv2 only: each egress link's scheduling, for a traffic manager outside BMv2 (htb). */
  scheduling: LinkScheduling;
  /** Which job_meter cell (and job_colors slot) meters which job at this switch. */
  meterIndexes: { jobId: number; index: number }[];
}

const CLASS_NUMBER: Record<ClassName, number> = {
  exact: TrafficClass.EXACT,
  approximate_guaranteed: TrafficClass.APPROX_GUARANTEED,
  approximate_best_effort: TrafficClass.APPROX_BEST_EFFORT,
  control: TrafficClass.CONTROL,
};

/**
 * Meter index for "best effort, not metered": the pipeline meters only job ids
 * inside its meter array and colours the packets of any other job YELLOW, which
 * color_action turns into LE / best effort (p4/v1model/netapprox.p4).
 */
export const UNMETERED_JOB_ID = COUNTER_LAYOUT.jobs;

/** Highest classifier priority; jobs get decreasing priorities by id. */
const CLASSIFIER_TOP_PRIORITY = 1 << 20;

const QDEPTH_MAX = 2 ** WIDTHS.qdepth - 1;

const ternaryOfPrefix = new Map<string, string>();

/** "10.0.1.0/24" as a ternary value&&&mask string, or "" for /0 (a wildcard). Memoised. */
function prefixAsTernary(prefix: string): string {
  let out = ternaryOfPrefix.get(prefix);
  if (out === undefined) {
    const [addr, lenText] = prefix.split("/");
    const len = lenText === undefined ? 32 : Number(lenText);
    const mask = len === 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0;
    out =
      len === 0
        ? ""
        : `${addr}&&&${[mask >>> 24, (mask >>> 16) & 255, (mask >>> 8) & 255, mask & 255].join(".")}`;
    ternaryOfPrefix.set(prefix, out);
  }
  return out;
}

/** Queue depth in the pipeline's unit: packets on BMv2, 80-byte cells on Tofino. */
function depthUnits(packets: number, contract: PipelineContract, meanPacketSize: number): number {
  const units =
    contract.qdepthUnit === "cells" ? packets * Math.ceil(meanPacketSize / 80) : packets;
  return Math.min(QDEPTH_MAX, Math.max(0, Math.round(units)));
}

/**
 * Appends the classifier entries of one job to `out`, one per (source, destination) prefix
 * pair in string order: its packets get `meterIndex` as their job id in the pipeline.
 */
function pushClassifierEntries(
  out: EntitySpec[],
  contract: PipelineContract,
  job: JobAllocation,
  meterIndex: number,
): void {
  const t = contract.tables.classifier.name;
  const action = { name: contract.actions.classify_approx.name, params: { job_id: meterIndex } };
  const srcs = ternariesOf(job.match.src);
  const dsts = ternariesOf(job.match.dst);
  // The protocol and ports are the same in all of the job's entries: their text once.
  const { protocol, srcPort, dstPort } = job.match;
  const protocolText = protocol !== null ? `${protocol}&&&255` : undefined;
  const srcPortText = srcPort ? `${srcPort.from}..${srcPort.to}` : undefined;
  const dstPortText = dstPort ? `${dstPort.from}..${dstPort.to}` : undefined;
  const priority = CLASSIFIER_TOP_PRIORITY - job.id;
  for (let i = 0; i < srcs.length; i++) {
    for (let k = 0; k < dsts.length; k++) {
      const match: Record<string, string> = {};
      if (srcs[i] !== "") match.src_addr = srcs[i]!;
      if (dsts[k] !== "") match.dst_addr = dsts[k]!;
      if (protocolText !== undefined) match.protocol = protocolText;
      if (srcPortText !== undefined) match.l4_src_port = srcPortText;
      if (dstPortText !== undefined) match.l4_dst_port = dstPortText;
      out.push({ kind: "tableEntry", table: t, match, action, priority });
    }
  }
}

/** Prefixes in string order as ternary values ("" for a wildcard); no prefix: a wildcard. */
function ternariesOf(prefixes: readonly string[]): string[] {
  if (prefixes.length === 0) return [""];
  let sorted = prefixes;
  for (let i = 1; i < prefixes.length; i++) {
    if (prefixes[i - 1]! > prefixes[i]!) {
      sorted = [...prefixes].sort();
      break;
    }
  }
  return sorted.map(prefixAsTernary);
}

function thresholdEntry(
  contract: PipelineContract,
  port: PortPlan,
  meanPacketSize: number,
): EntitySpec | undefined {
  if (port.leThreshold === null && port.ecnThreshold === null) return undefined;
  return {
    kind: "tableEntry",
    table: contract.tables.port_thresholds.name,
    match: { egress_port: port.port },
    action: {
      name: contract.actions.set_thresholds.name,
      params: {
        // No early drop but ECN marking: an LE threshold nothing reaches.
        le_depth:
          port.leThreshold === null
            ? QDEPTH_MAX
            : depthUnits(port.leThreshold, contract, meanPacketSize),
        ecn_depth:
          port.ecnThreshold === null
            ? 0
            : Math.max(1, depthUnits(port.ecnThreshold, contract, meanPacketSize)),
      },
    },
  };
}

/** Routing: one action-profile member per distinct next hop, groups for ECMP, one entry per prefix. */
function routingEntities(contract: PipelineContract, routes: SwitchRoutes): EntitySpec[] {
  const profile = contract.actionProfiles.ecmp_selector.name;
  const setNextHop = contract.actions.set_next_hop.name;
  // Members are distinct (port, smac, dmac) values. Routes share next-hop objects, so each
  // object's value key is made once and its member id found by identity afterwards.
  const keyOf = new Map<NextHop, string>();
  const memberIds = new Map<string, number>();
  const hops: { key: string; port: number; smac: string; dmac: string }[] = [];
  const note = (h: NextHop) => {
    if (keyOf.has(h)) return;
    const key = `${h.port}|${h.smac}|${h.dmac}`;
    keyOf.set(h, key);
    if (!memberIds.has(key)) {
      memberIds.set(key, -1);
      hops.push({ key, port: h.port, smac: h.smac, dmac: h.dmac });
    }
  };
  const { groups, routes: list } = routes;
  for (let g = 0; g < groups.length; g++) {
    const members = groups[g]!.members;
    for (let m = 0; m < members.length; m++) note(members[m]!);
  }
  for (let r = 0; r < list.length; r++) {
    const action = list[r]!.action;
    if (action.kind === "port") note(action.nextHop);
  }
  hops.sort(
    (a, b) => a.port - b.port || a.dmac.localeCompare(b.dmac) || a.smac.localeCompare(b.smac),
  );
  hops.forEach((h, i) => memberIds.set(h.key, i + 1));
  const memberOf = new Map<NextHop, number>();
  for (const [hop, key] of keyOf) memberOf.set(hop, memberIds.get(key)!);

  const out: EntitySpec[] = hops.map((h) => ({
    kind: "actionProfileMember",
    actionProfile: profile,
    memberId: memberIds.get(h.key)!,
    action: { name: setNextHop, params: { port: h.port, smac: h.smac, dmac: h.dmac } },
  }));
  for (const g of sortedBy(groups, (x) => x.id)) {
    out.push({
      kind: "actionProfileGroup",
      actionProfile: profile,
      groupId: g.id,
      members: g.members.map((m) => ({ memberId: memberOf.get(m)!, weight: 1 })),
    });
  }
  const table = contract.tables.routing_v4.name;
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!;
    const match = { dst_addr: r.prefix };
    out.push(
      r.action.kind === "port"
        ? { kind: "tableEntry", table, match, member: memberOf.get(r.action.nextHop)! }
        : { kind: "tableEntry", table, match, group: r.action.group },
    );
  }
  return out;
}

/**
 * `list` ordered by a numeric key, stably; the list itself when it already is (the
 * allocation and the routes come sorted), so the usual case copies nothing.
 */
function sortedBy<T>(list: readonly T[], key: (item: T) => number): readonly T[] {
  for (let i = 1; i < list.length; i++) {
    if (key(list[i - 1]!) > key(list[i]!)) return [...list].sort((a, b) => key(a) - key(b));
  }
  return list;
}

const jobIndexes = new WeakMap<Allocation, Map<number, JobAllocation>>();

/** The allocation's jobs by id, built once per allocation (not once per switch). */
function jobIndex(allocation: Allocation): Map<number, JobAllocation> {
  let index = jobIndexes.get(allocation);
  if (index === undefined) {
    index = new Map(allocation.jobs.map((j) => [j.id, j]));
    jobIndexes.set(allocation, index);
  }
  return index;
}

/** Everything switch `plan` should hold under `allocation`, with routes `routes`. */
export function translateSwitch(
  allocation: Allocation,
  plan: SwitchPlan,
  routes: SwitchRoutes,
  contract: PipelineContract,
): SwitchDesiredState {
  const { classes, features, knobs } = allocation;
  const tables = contract.tables;
  const actions = contract.actions;
  const entities: EntitySpec[] = [];

  // Edge ports: where classification and metering happen.
  for (const hp of sortedBy(plan.hostPorts, (p) => p.port)) {
    entities.push({
      kind: "tableEntry",
      table: tables.port_role.name,
      match: { ingress_port: hp.port },
      action: { name: actions.mark_edge_port.name },
    });
  }

  // DSCP -> class, DSCP -> queue (the default queue is the exact traffic's).
  for (const m of classes.dscp) {
    entities.push({
      kind: "tableEntry",
      table: tables.dscp_class.name,
      match: { dscp: m.dscp },
      action: {
        name: actions.set_traffic_class.name,
        params: { traffic_class: CLASS_NUMBER[m.class] },
      },
    });
    entities.push({
      kind: "tableEntry",
      table: tables.queue_map.name,
      match: { dscp: m.dscp },
      action: { name: actions.set_queue.name, params: { queue: checkQueue(contract, m.queue) } },
    });
  }
  entities.push({
    kind: "tableEntry",
    table: tables.queue_map.name,
    isDefault: true,
    action: {
      name: actions.set_queue.name,
      params: { queue: checkQueue(contract, classes.defaultQueue) },
    },
  });

  // What a meter colour means: GREEN keeps its guarantee in the high queue, YELLOW
  // goes best effort, RED is dropped at this first switch.
  const colors: [number, ActionSpec][] = [
    [
      MeterColor.GREEN,
      {
        name: actions.set_dscp_and_class.name,
        params: { dscp: classes.guaranteedDscp, traffic_class: TrafficClass.APPROX_GUARANTEED },
      },
    ],
    [
      MeterColor.YELLOW,
      {
        name: actions.set_dscp_and_class.name,
        params: { dscp: classes.bestEffortDscp, traffic_class: TrafficClass.APPROX_BEST_EFFORT },
      },
    ],
    [MeterColor.RED, { name: actions.drop_meter_red.name }],
  ];
  for (const [color, action] of colors) {
    entities.push({
      kind: "tableEntry",
      table: tables.color_action.name,
      match: { color },
      action,
    });
  }

  // Approximate jobs entering here: classifier entries and, with meters, the job's
  // meter. Meter cells are numbered per switch (jobs in id order), so a network
  // can run more jobs than one switch has meters, as long as each switch meters
  // at most its array's size.
  const jobsById = jobIndex(allocation);
  const meterIndexes: { jobId: number; index: number }[] = [];
  if (features.classify !== "none") {
    for (const c of sortedBy(plan.classifiers, (c) => c.jobId)) {
      const job = jobsById.get(c.jobId);
      if (job === undefined) continue;
      const metered = features.meters && c.action === "meter" && c.meter !== null;
      let index: number = UNMETERED_JOB_ID;
      if (metered) {
        index = meterIndexes.length;
        if (index >= contract.meters.job_meter.size) {
          throw new PipelineValueError(
            `switch ${plan.name}: more than ${contract.meters.job_meter.size} metered jobs enter here, the size of its job_meter array`,
          );
        }
        meterIndexes.push({ jobId: c.jobId, index });
        const m = c.meter!;
        entities.push({
          kind: "meterEntry",
          meter: contract.meters.job_meter.name,
          index,
          config: {
            cir: Math.round(m.cir),
            cburst: Math.round(m.cbs),
            pir: Math.round(Math.max(m.pir, m.cir)),
            pburst: Math.round(m.pbs),
          },
        });
      }
      pushClassifierEntries(entities, contract, job, index);
    }
  }

  // Early drop and ECN thresholds per egress port.
  for (const port of sortedBy(plan.ports, (p) => p.port)) {
    const t = thresholdEntry(contract, port, knobs.meanPacketSize);
    if (t) entities.push(t);
  }

  entities.push(...routingEntities(contract, routes));

  const queues: QueueSetting[] = [];
  const trafficManager: SwitchDesiredState["trafficManager"] = [];
  const scheduled: PortScheduling[] = [];
  for (const port of sortedBy(plan.ports, (p) => p.port)) {
    if (port.tofino) trafficManager.push({ port: port.port, plan: port.tofino });
    else {
      for (const q of port.queues)
        queues.push({
          port: port.port,
          priority: q.queue,
          ratePps: q.ratePps,
          depthPackets: q.depthPackets,
        });
      scheduled.push({
        port: port.port,
        capacity: port.capacity,
        controlRate: port.capacity * knobs.controlShare,
        leThreshold: port.leThreshold,
        queues: port.queues,
      });
    }
  }
  const scheduling: LinkScheduling = {
    dscp: classes.dscp.map((d) => ({ dscp: d.dscp, queue: d.queue })),
    defaultQueue: classes.defaultQueue,
    ports: scheduled,
  };
  return { switch: plan.name, entities, queues, trafficManager, scheduling, meterIndexes };
}

/** Desired state of every switch of the allocation (routes by switch name). */
export function translateAll(
  allocation: Allocation,
  routes: readonly SwitchRoutes[],
  contractOf: (plan: SwitchPlan) => PipelineContract,
): SwitchDesiredState[] {
  const bySwitch = new Map(routes.map((r) => [r.switch, r]));
  return allocation.switches.map((plan) => {
    const r = bySwitch.get(plan.name) ?? {
      switch: plan.name,
      deviceId: plan.deviceId,
      routes: [],
      groups: [],
    };
    return translateSwitch(allocation, plan, r, contractOf(plan));
  });
}
