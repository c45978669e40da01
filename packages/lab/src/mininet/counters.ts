// The switches' own counters around a run: transmitted packets and bytes per port and
// traffic class, drops per port and reason, packets per meter cell and colour. Meter cells
// are numbered per switch in the order of the jobs metered there (pipeline/translate.ts), so
// a cell belongs to one job only while the set of jobs stays the same.
// Read over P4Runtime (Read needs no arbitration, so this runs beside the controller)
// before the traffic starts and after it ends; the difference is the run's. Turning
// counts into link results is pure and separate from the reading.
import { P4RuntimeClient } from "@netapprox/p4runtime/client.js";
import { decodeEntity, encodeEntity } from "@netapprox/p4runtime/entities.js";
import type { P4Schema } from "@netapprox/p4runtime/p4info.js";
import {
  COUNTER_LAYOUT,
  DROP_REASON_COUNT,
  DropReason,
  MeterColor,
  TRAFFIC_CLASS_COUNT,
  TrafficClass,
  jobColorIndex,
  pipelineContract,
  portClassIndex,
  portDropIndex,
} from "@netapprox/model/pipeline/contract.js";
import type { JobResult, LinkResult, RunResult } from "../experiment/results.js";
import { Network } from "@netapprox/model/topology/network.js";
import type { Topology } from "@netapprox/model/topology/types.js";

export interface Count {
  packets: number;
  bytes: number;
}

/** One switch's counters, keyed "<counter>|<index>". */
export interface SwitchCounters {
  switch: string;
  counts: Map<string, Count>;
}

/** The names results use, in the order of the pipeline's class numbers. */
export const CLASS_NAMES: Record<number, string> = {
  [TrafficClass.EXACT]: "exact",
  [TrafficClass.APPROX_GUARANTEED]: "approximate_guaranteed",
  [TrafficClass.APPROX_BEST_EFFORT]: "approximate_best_effort",
  [TrafficClass.CONTROL]: "control",
};

export const DROP_NAMES: Record<number, string> = {
  [DropReason.METER_RED]: "meter-red",
  [DropReason.LE_THRESHOLD]: "le-threshold",
  [DropReason.NO_ROUTE]: "no-route",
  [DropReason.TTL_EXPIRED]: "ttl-expired",
  [DropReason.NOT_IPV4]: "not-ipv4",
};

/** LE_THRESHOLD is counted on the egress port; every other reason on the ingress port. */
const EGRESS_REASONS = new Set<number>([DropReason.LE_THRESHOLD]);

const key = (kind: "class" | "drop" | "job", index: number) => `${kind}|${index}`;

/** The counter cells of a switch's ports and of its first `meterCells` meter cells. */
export function counterCells(
  ports: readonly number[],
  meterCells: number,
): { kind: "class" | "drop" | "job"; index: number }[] {
  const cells: { kind: "class" | "drop" | "job"; index: number }[] = [];
  for (const port of ports) {
    for (let c = 0; c < TRAFFIC_CLASS_COUNT; c++)
      cells.push({ kind: "class", index: portClassIndex(port, c) });
    for (let r = 0; r < DROP_REASON_COUNT; r++)
      cells.push({ kind: "drop", index: portDropIndex(port, r) });
  }
  for (let job = 0; job < meterCells; job++) {
    for (const color of [MeterColor.GREEN, MeterColor.YELLOW, MeterColor.RED])
      cells.push({ kind: "job", index: jobColorIndex(job, color) });
  }
  return cells;
}

/** Reads every switch's cells; a switch that cannot be read is reported, not skipped. */
export async function readCounters(
  topology: Topology,
  schema: P4Schema,
  meterCells: number,
): Promise<SwitchCounters[]> {
  const contract = pipelineContract("v1model");
  const names = {
    class: contract.counters.port_class_tx.names,
    drop: contract.counters.port_drops.names,
    job: contract.counters.job_colors.names,
  };
  return Promise.all(
    topology.switches.map(async (sw) => {
      const client = new P4RuntimeClient({
        address: sw.address,
        deviceId: sw.deviceId,
        rpcTimeoutMs: 15_000,
      });
      try {
        const cells = counterCells(sw.ports, meterCells);
        const kindOf = new Map<string, "class" | "drop" | "job">();
        const entities = cells.flatMap((c) =>
          names[c.kind].map((counter) => {
            kindOf.set(counter, c.kind);
            return encodeEntity(schema, { kind: "counterEntry", counter, index: c.index });
          }),
        );
        const counts = new Map<string, Count>();
        for (const e of await client.readAll(entities)) {
          const spec = decodeEntity(schema, e);
          if (spec.kind !== "counterEntry" || spec.index === undefined) continue;
          const k = key(kindOf.get(spec.counter)!, spec.index);
          const prev = counts.get(k) ?? { packets: 0, bytes: 0 };
          counts.set(k, {
            packets: prev.packets + Number(spec.data?.packetCount ?? 0n),
            bytes: prev.bytes + Number(spec.data?.byteCount ?? 0n),
          });
        }
        return { switch: sw.name, counts };
      } finally {
        client.close();
      }
    }),
  );
}

/** after - before, per switch and cell (a counter that went backwards counts from zero). */
export function counterDelta(
  before: readonly SwitchCounters[],
  after: readonly SwitchCounters[],
): SwitchCounters[] {
  return after.map((a) => {
    const b = before.find((x) => x.switch === a.switch);
    const counts = new Map<string, Count>();
    for (const [k, v] of a.counts) {
      const old = b?.counts.get(k);
      const reset = old !== undefined && (v.packets < old.packets || v.bytes < old.bytes);
      counts.set(
        k,
        old === undefined || reset
          ? v
          : { packets: v.packets - old.packets, bytes: v.bytes - old.bytes },
      );
    }
    return { switch: a.switch, counts };
  });
}

export type Colours = NonNullable<JobResult["colours"]>;

export interface CounterResults {
  links: LinkResult[];
  drops: RunResult["drops"];
  /** Packets by colour per switch and meter cell. */
  meterColours: Map<string, Map<number, Colours>>;
  /** Over every switch and cell. */
  colourTotals: Colours;
}

/**
 * Link results from a run's counter deltas. Bytes by class are those transmitted on the
 * link's source port; drops are charged to the link they happened on: egress reasons to
 * the link leaving the port, ingress reasons to the link arriving at it. BMv2 exposes no
 * queueing delay to the program, so `meanQueueDelay` is null.
 */
export function counterResults(
  topology: Topology,
  delta: readonly SwitchCounters[],
  duration: number,
): CounterResults {
  const net = new Network(topology);
  const get = (sw: string, k: string): Count =>
    delta.find((d) => d.switch === sw)?.counts.get(k) ?? { packets: 0, bytes: 0 };
  const links: LinkResult[] = [];
  for (let l = 0; l < net.linkCount; l++) {
    const from = net.linkFrom[l]!;
    const to = net.linkTo[l]!;
    const bytes: Record<string, number> = {};
    const drops: Record<string, number> = {};
    for (const reason of Object.values(DROP_NAMES)) drops[reason] = 0;
    let total = 0;
    if (!net.isHostNode(from)) {
      const sw = net.nodeName(from);
      const port = net.linkFromPort[l]!;
      for (let c = 0; c < TRAFFIC_CLASS_COUNT; c++) {
        const b = get(sw, key("class", portClassIndex(port, c))).bytes;
        bytes[CLASS_NAMES[c]!] = b;
        total += b;
      }
      for (const r of EGRESS_REASONS)
        drops[DROP_NAMES[r]!]! += get(sw, key("drop", portDropIndex(port, r))).packets;
    }
    if (!net.isHostNode(to)) {
      const sw = net.nodeName(to);
      const port = net.linkToPort[l]!;
      for (let r = 0; r < DROP_REASON_COUNT; r++) {
        if (EGRESS_REASONS.has(r)) continue;
        drops[DROP_NAMES[r]!]! += get(sw, key("drop", portDropIndex(port, r))).packets;
      }
    }
    const capacity = net.linkCapacity[l]!;
    links.push({
      name: net.linkName(l),
      capacity,
      utilisation: duration > 0 && !net.isHostNode(from) ? (8 * total) / (capacity * duration) : 0,
      bytes,
      drops,
      meanQueueDelay: null,
    });
  }

  const drops: RunResult["drops"] = {};
  for (const [r, name] of Object.entries(DROP_NAMES)) {
    let packets = 0;
    let bytes = 0;
    for (const d of delta) {
      for (const [k, v] of d.counts) {
        const [kind, index] = k.split("|");
        if (kind !== "drop" || Number(index) % COUNTER_LAYOUT.portDropStride !== Number(r))
          continue;
        packets += v.packets;
        bytes += v.bytes;
      }
    }
    drops[name] = { packets, bytes };
  }

  const meterColours = new Map<string, Map<number, Colours>>();
  const colourTotals: Colours = { green: 0, yellow: 0, red: 0 };
  for (const d of delta) {
    const cells = new Map<number, Colours>();
    for (const [k, v] of d.counts) {
      const [kind, indexText] = k.split("|");
      if (kind !== "job") continue;
      const index = Number(indexText);
      const cell = Math.floor(index / COUNTER_LAYOUT.jobColorStride);
      const c = cells.get(cell) ?? { green: 0, yellow: 0, red: 0 };
      const color = index % COUNTER_LAYOUT.jobColorStride;
      const name =
        color === MeterColor.GREEN
          ? "green"
          : color === MeterColor.YELLOW
            ? "yellow"
            : color === MeterColor.RED
              ? "red"
              : undefined;
      if (name === undefined) continue;
      c[name] += v.packets;
      colourTotals[name] += v.packets;
      cells.set(cell, c);
    }
    meterColours.set(d.switch, cells);
  }
  return { links, drops, meterColours, colourTotals };
}

/**
 * Per-job colours when every job was metered for the whole run (a static allocation): at
 * each switch, the jobs entering there hold the meter cells in the order of their ids.
 * `entering` lists, per switch, the ids of the jobs whose senders attach there.
 */
export function jobColours(
  meterColours: ReadonlyMap<string, ReadonlyMap<number, Colours>>,
  entering: ReadonlyMap<string, readonly number[]>,
): Map<number, Colours> {
  const out = new Map<number, Colours>();
  for (const [sw, jobs] of entering) {
    const cells = meterColours.get(sw);
    [...jobs]
      .sort((a, b) => a - b)
      .forEach((job, cell) => {
        const c = cells?.get(cell);
        if (c === undefined) return;
        const sum = out.get(job) ?? { green: 0, yellow: 0, red: 0 };
        out.set(job, {
          green: sum.green + c.green,
          yellow: sum.yellow + c.yellow,
          red: sum.red + c.red,
        });
      });
  }
  return out;
}

/** Packets a switch port's own queue dropped (a leaf of the link's htb), with the reason. */
export interface QueueDrops {
  switch: string;
  port: number;
  reason: string;
  packets: number;
}

/**
 * Adds drops that happened in the links' queues rather than in the P4 program (htb leaves on
 * Mininet links: the best-effort leaf's limit is the LE threshold) to the link leaving each
 * port and to the run's totals. Only packets are known there; bytes stay as counted.
 */
export function withQueueDrops(
  topology: Topology,
  results: CounterResults,
  drops: readonly QueueDrops[],
): CounterResults {
  const net = new Network(topology);
  const links = results.links.map((l) => ({ ...l, drops: { ...l.drops } }));
  const totals: RunResult["drops"] = Object.fromEntries(
    Object.entries(results.drops).map(([k, v]) => [k, { ...v }]),
  );
  for (const d of drops) {
    if (d.packets === 0) continue;
    let l = 0;
    while (
      l < net.linkCount &&
      !(net.nodeName(net.linkFrom[l]!) === d.switch && net.linkFromPort[l] === d.port)
    )
      l++;
    if (l === net.linkCount) continue;
    const link = links.find((x) => x.name === net.linkName(l));
    if (link !== undefined) link.drops[d.reason] = (link.drops[d.reason] ?? 0) + d.packets;
    const t = (totals[d.reason] ??= { packets: 0, bytes: 0 });
    t.packets += d.packets;
  }
  return { ...results, links, drops: totals };
}
