// Queue depths for the operator's view. The v1model program records, per (egress port,
// priority queue), the depth the last dequeued packet left behind in its `queue_depth`
// register (index port * 8 + queue, packets). The controller reads it over P4Runtime where
// the switch serves registers, and over BMv2's Thrift service where it does not; the TNA
// program has no such register (Tofino's depths are the traffic manager's), so there is
// nothing to read.
import { decodeEntity, encodeEntity } from "@netapprox/p4runtime/entities.js";
import type { P4Schema } from "@netapprox/p4runtime/p4info.js";
import type { SimpleSwitchRegisters } from "../targets/bmv2-registers.js";

export const QUEUE_DEPTH_REGISTER = "queue_depth";
/** Register cells per port: one per priority queue (p4/v1model/netapprox.p4). */
export const QUEUES_PER_PORT = 8;

export interface QueueCell {
  port: number;
  queue: number;
}

export interface QueueDepthSource {
  /** Depth per cell, keyed "port|queue" (packets). */
  read(cells: readonly QueueCell[]): Promise<Map<string, number>>;
  close(): void;
}

export function queueDepthIndex(cell: QueueCell): number {
  return cell.port * QUEUES_PER_PORT + cell.queue;
}

/** The register's name in this P4Info, or undefined when the program has none. */
export function queueDepthRegister(schema: P4Schema): string | undefined {
  return schema.registers.find(QUEUE_DEPTH_REGISTER)?.name;
}

/** Reads over P4Runtime: one read of every cell. */
export function p4runtimeQueueDepths(
  schema: P4Schema,
  register: string,
  read: (entities: ReturnType<typeof encodeEntity>[]) => Promise<ReturnType<typeof encodeEntity>[]>,
): QueueDepthSource {
  return {
    async read(cells) {
      const byIndex = new Map(cells.map((c) => [queueDepthIndex(c), c]));
      const entities = await read(
        [...byIndex.keys()].map((index) =>
          encodeEntity(schema, { kind: "registerEntry", register, index }),
        ),
      );
      const out = new Map<string, number>();
      for (const e of entities) {
        const spec = decodeEntity(schema, e);
        if (spec.kind !== "registerEntry" || spec.index === undefined) continue;
        const cell = byIndex.get(spec.index);
        if (cell !== undefined) out.set(`${cell.port}|${cell.queue}`, Number(spec.value ?? 0n));
      }
      return out;
    },
    close: () => undefined,
  };
}

/** Reads over BMv2's Thrift service, one cell per call. */
export function thriftQueueDepths(
  registers: SimpleSwitchRegisters,
  register: string,
): QueueDepthSource {
  return {
    async read(cells) {
      const out = new Map<string, number>();
      for (const c of cells)
        out.set(`${c.port}|${c.queue}`, Number(await registers.read(register, queueDepthIndex(c))));
      return out;
    },
    close: () => registers.close(),
  };
}
