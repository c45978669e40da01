// Hysteresis: between two allocation rounds, meters, LE/ECN thresholds and queue
// rates that moved by less than the margin keep their current values, so small
// fluctuations of measured demand do not turn into a stream of writes. Anything
// structural (routes, classifier entries, new or removed meters) changes at once.
// Pure.
import type { EntitySpec } from "@netapprox/p4runtime/entities.js";
import type { QueueSetting, SwitchDesiredState } from "@netapprox/model/pipeline/translate.js";
import { movedBeyond } from "@netapprox/model/allocation/smoothing.js";

type MeterSpec = Extract<EntitySpec, { kind: "meterEntry" }>;
type TableSpec = Extract<EntitySpec, { kind: "tableEntry" }>;

function meterKey(e: MeterSpec): string {
  return `${e.meter}[${e.index}]`;
}

function num(v: unknown): number {
  return typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : Number.NaN;
}

/** The table entry's key as text, for entries identified by their match. */
function matchKey(e: TableSpec): string {
  return `${e.table}|${JSON.stringify(e.match ?? {}, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}|${e.priority ?? 0}`;
}

/**
 * `next`, except that each meter config, threshold entry and queue rate whose
 * change from `current` is within `margin` (relative) keeps its current value.
 * `thresholdTable` names the table whose action parameters are thresholds.
 */
export function applyHysteresis(
  current: SwitchDesiredState | undefined,
  next: SwitchDesiredState,
  margin: number,
  thresholdTable: string,
): SwitchDesiredState {
  if (current === undefined || margin <= 0) return next;
  const meters = new Map<string, MeterSpec>();
  const thresholds = new Map<string, TableSpec>();
  for (const e of current.entities) {
    if (e.kind === "meterEntry") meters.set(meterKey(e), e);
    else if (e.kind === "tableEntry" && e.table === thresholdTable) thresholds.set(matchKey(e), e);
  }
  const entities = next.entities.map((e): EntitySpec => {
    if (e.kind === "meterEntry" && e.config) {
      const old = meters.get(meterKey(e));
      if (old?.config === undefined) return e;
      const moved =
        movedBeyond(num(old.config.cir), num(e.config.cir), margin) ||
        movedBeyond(num(old.config.pir), num(e.config.pir), margin);
      return moved ? e : old;
    }
    if (e.kind === "tableEntry" && e.table === thresholdTable && e.action?.params) {
      const old = thresholds.get(matchKey(e));
      if (old?.action?.params === undefined || old.action.name !== e.action.name) return e;
      const moved = Object.keys(e.action.params).some((p) =>
        movedBeyond(num(old.action!.params![p]), num(e.action!.params![p]), margin),
      );
      return moved ? e : old;
    }
    return e;
  });
  const queues = new Map(current.queues.map((q) => [`${q.port}/${q.priority}`, q]));
  const keep = (q: QueueSetting): QueueSetting => {
    const old = queues.get(`${q.port}/${q.priority}`);
    if (old === undefined) return q;
    const rateMoved = movedBeyond(old.ratePps, q.ratePps, margin);
    return rateMoved || old.depthPackets !== q.depthPackets ? q : old;
  };
  return { ...next, entities, queues: next.queues.map(keep) };
}
