// `netapprox controller --dry-run`: what the controller would write to each switch, found
// the way it finds it when it runs (read what is installed, plan the difference), but
// read as an observer that never becomes primary and never writes anything.
import { equals } from "@bufbuild/protobuf";
import { encodeEntity } from "@netapprox/p4runtime/entities.js";
import type { P4Schema } from "@netapprox/p4runtime/p4info.js";
import { describeUpdate, Switch } from "@netapprox/p4runtime/switch.js";
import type { SwitchDesiredState } from "@netapprox/model/pipeline/translate.js";
import { P4InfoSchema } from "@netapprox/p4runtime/proto/p4/config/v1/p4info_pb.js";
import type { Switch as TopologySwitch } from "@netapprox/model/topology/types.js";
import { planReconciliation, reconciliationReads } from "./reconcile.js";
import { tlsOptionsOf } from "./switch-tls.js";

export interface SwitchDryRun {
  switch: string;
  address: string;
  /** Why the switch could not be read; then everything would be written. */
  unreachable: string | null;
  /** The switch runs another program (or none): the controller would push its pipeline. */
  pushesPipeline: boolean;
  inserts: number;
  modifies: number;
  deletes: number;
  /** One line per update, in the order they would be written. */
  updates: string[];
  /** BMv2 queue settings or a Tofino traffic-manager file the controller would apply. */
  queueSettings: number;
}

/** Plans one switch: reads it (without arbitrating for primary) and compares. */
export async function dryRunSwitch(
  sw: TopologySwitch,
  desired: SwitchDesiredState,
  schema: P4Schema,
  timeoutMs: number,
): Promise<SwitchDryRun> {
  const desiredEntities = desired.entities.map((e) => encodeEntity(schema, e));
  const queueSettings = desired.queues.length + desired.trafficManager.length;
  const everything = (unreachable: string | null, pushesPipeline: boolean): SwitchDryRun => {
    const plan = planReconciliation(schema, desiredEntities, []);
    return {
      switch: sw.name,
      address: sw.address,
      unreachable,
      pushesPipeline,
      inserts: plan.inserts,
      modifies: plan.modifies,
      deletes: plan.deletes,
      updates: plan.phases.flat().map((u) => describeUpdate(schema, u)),
      queueSettings,
    };
  };
  const observer = new Switch({
    name: sw.name,
    address: sw.address,
    deviceId: sw.deviceId,
    connectTimeoutMs: timeoutMs,
    arbitrationTimeoutMs: timeoutMs,
    backoff: { initialMs: timeoutMs, maxMs: timeoutMs, factor: 1 },
    ...(sw.tls ? { tls: tlsOptionsOf(sw) } : {}),
  });
  // A switch that answers but cannot be read (no pipeline yet, say) ends the session at
  // once: its reason is the answer, without waiting for the timeout.
  let answered = false;
  let refused: ((reason: string) => void) | undefined;
  const down = new Promise<string>((resolve) => (refused = resolve));
  const events = observer.events$.subscribe((e) => {
    if (e.type === "channel_up") answered = true;
    if (e.type === "down" && answered) refused?.(e.reason);
  });
  observer.start();
  try {
    const outcome = await Promise.race([
      observer.whenReady({ timeoutMs }).then(
        () => null,
        (err: Error) => err.message,
      ),
      down,
    ]);
    if (outcome !== null) return everything(outcome, true);
    if (!equals(P4InfoSchema, observer.schema.p4info, schema.p4info)) return everything(null, true);
    const installed = await observer.read(reconciliationReads(schema));
    const plan = planReconciliation(schema, desiredEntities, installed);
    return {
      switch: sw.name,
      address: sw.address,
      unreachable: null,
      pushesPipeline: false,
      inserts: plan.inserts,
      modifies: plan.modifies,
      deletes: plan.deletes,
      updates: plan.phases.flat().map((u) => describeUpdate(schema, u)),
      queueSettings,
    };
  } finally {
    events.unsubscribe();
    await observer.stop();
  }
}

/** The dry run as text: per switch a summary line, then its updates (at most `limit`). */
export function formatDryRun(runs: readonly SwitchDryRun[], limit = 50): string {
  const out: string[] = [];
  for (const r of runs) {
    const head =
      r.inserts + r.modifies + r.deletes === 0 && !r.pushesPipeline
        ? "in sync: nothing to write"
        : `would write ${r.inserts} inserts, ${r.modifies} modifies, ${r.deletes} deletes` +
          (r.pushesPipeline ? " after pushing the netapprox pipeline" : "");
    out.push(`${r.switch} (${r.address}): ${head}`);
    if (r.unreachable !== null) out.push(`  (could not read it: ${r.unreachable})`);
    for (const u of r.updates.slice(0, limit)) out.push(`  ${u}`);
    if (r.updates.length > limit) out.push(`  ... and ${r.updates.length - limit} more`);
    if (r.queueSettings > 0)
      out.push(`  and ${r.queueSettings} queue settings (set every time the controller starts)`);
  }
  return out.join("\n");
}
