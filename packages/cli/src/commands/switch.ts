// `netapprox switch read SWITCH [NAME]`: what a switch of a topology holds, by name. It
// connects as a read-only observer (no election id, so it never takes or disturbs the
// primary's seat), uses the P4Info the switch runs, and prints every entity with table,
// action, field and parameter names instead of ids.
import {
  decodeEntity,
  wildcard,
  type ActionSpec,
  type EntitySpec,
} from "@netapprox/p4runtime/entities.js";
import type { P4Schema } from "@netapprox/p4runtime/p4info.js";
import { describeSpec, Switch } from "@netapprox/p4runtime/switch.js";
import { bigintToBytes, formatValue } from "@netapprox/p4runtime/values.js";
import { reconciliationReads } from "@netapprox/controller/runtime/reconcile.js";
import { tlsOptionsOf } from "@netapprox/controller/runtime/switch-tls.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import type { Entity } from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import { CliError, didYouMean, parseOptions, type Command } from "../command.js";

const USAGE = "read SWITCH [NAME] --topology FILE [--timeout T] [--json]";

export const command: Command = {
  usage: USAGE,
  description: [
    "read    connects to SWITCH of the topology as a read-only observer (it never becomes",
    "        primary) and prints what it holds, by name: every table entry (defaults",
    "        included), action profile member and group, and configured meter. NAME limits",
    "        it to one table, action profile, meter, counter or register (counters and",
    "        registers are read only when named). --json prints the entities as JSON.",
    "        --timeout (default 10s) bounds the wait for the switch.",
  ].join("\n"),
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== "read")
      throw new CliError(
        sub === undefined
          ? `missing subcommand; usage: netapprox switch ${USAGE}`
          : `unknown subcommand "${sub}"${didYouMean(sub, ["read"]) ? "; did you mean read?" : "; expected read"}`,
      );
    const { values, positionals } = parseOptions(
      rest,
      {
        topology: { type: "string" },
        timeout: { type: "string", default: "10s" },
        json: { type: "boolean", default: false },
      },
      true,
    );
    if (values.topology === undefined) throw new CliError("--topology FILE is required");
    const [name, object, extra] = positionals;
    if (name === undefined) throw new CliError("expected the name of a switch of the topology");
    if (extra !== undefined) throw new CliError(`unexpected argument "${extra}"`);
    const timeoutMs = durationMs(values.timeout);
    const topology = loadTopologyFile(values.topology);
    const sw = topology.switches.find((s) => s.name === name);
    if (sw === undefined) {
      const guess = didYouMean(
        name,
        topology.switches.map((s) => s.name),
      );
      throw new CliError(
        `no switch named "${name}" in ${values.topology}${guess ? `; did you mean ${guess}?` : `; it has ${topology.switches.map((s) => s.name).join(", ")}`}`,
      );
    }
    const client = new Switch({
      name: sw.name,
      address: sw.address,
      deviceId: sw.deviceId,
      connectTimeoutMs: timeoutMs,
      arbitrationTimeoutMs: timeoutMs,
      ...(sw.tls ? { tls: tlsOptionsOf(sw) } : {}),
    });
    client.start();
    try {
      try {
        await client.whenReady({ timeoutMs });
      } catch (err) {
        throw new CliError(
          `cannot read ${sw.name} at ${sw.address} (device ${sw.deviceId}): ${(err as Error).message}`,
          1,
        );
      }
      const schema = client.schema;
      const entities = await client.read(readsFor(schema, object));
      const specs = entities
        .map((e) => decodeEntity(schema, e))
        .filter((e) => !(e.kind === "meterEntry" && e.config === undefined));
      if (values.json) {
        console.log(
          JSON.stringify(
            { switch: sw.name, address: sw.address, deviceId: sw.deviceId, entities: specs },
            (_k, v) =>
              typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? [...v] : v,
            2,
          ),
        );
      } else console.log(formatEntities(sw.name, sw.address, specs, schema));
      return 0;
    } finally {
      await client.stop();
    }
  },
};

function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  if (m === null)
    throw new CliError(`--timeout: expected a duration such as 10s or 500ms, got '${text}'`);
  return Number(m[1]) * (m[2] === "s" ? 1000 : 1);
}

/** What to read: everything the controller installs, or the one object named. */
function readsFor(schema: P4Schema, name: string | undefined): Entity[] {
  if (name === undefined) return reconciliationReads(schema);
  if (schema.tables.find(name))
    return [wildcard.tableEntries(schema, name), wildcard.defaultEntry(schema, name)];
  if (schema.actionProfiles.find(name))
    return [
      wildcard.actionProfileMembers(schema, name),
      ...(schema.actionProfiles.get(name).withSelector
        ? [wildcard.actionProfileGroups(schema, name)]
        : []),
    ];
  if (schema.meters.find(name)) return [wildcard.meterEntries(schema, name)];
  if (schema.counters.find(name)) return [wildcard.counterEntries(schema, name)];
  if (schema.registers.find(name)) return [wildcard.registerEntries(schema, name)];
  const known = [
    ...[...schema.tables].map((t) => t.name),
    ...[...schema.actionProfiles].map((p) => p.name),
    ...[...schema.meters].map((m) => m.name),
    ...[...schema.counters].map((c) => c.name),
    ...[...schema.registers].map((r) => r.name),
  ];
  const guess = didYouMean(
    name,
    known.flatMap((k) => [k, k.split(".").pop()!]),
  );
  throw new CliError(
    `the switch's P4Info has no table, action profile, meter, counter or register "${name}"${guess ? `; did you mean ${guess}?` : ""}`,
  );
}

/** Entities grouped by what they belong to, one line each. */
export function formatEntities(
  name: string,
  address: string,
  specs: readonly EntitySpec[],
  schema: P4Schema,
): string {
  const groups = new Map<string, string[]>();
  for (const s of specs) {
    const key =
      s.kind === "tableEntry"
        ? `table ${s.table}`
        : s.kind === "actionProfileMember" || s.kind === "actionProfileGroup"
          ? `action profile ${s.actionProfile}`
          : s.kind === "meterEntry"
            ? `meter ${s.meter}`
            : s.kind === "counterEntry"
              ? `counter ${s.counter}`
              : s.kind === "registerEntry"
                ? `register ${s.register}`
                : s.kind;
    const line = describeSpec(s, schema);
    const detail =
      s.kind === "tableEntry"
        ? s.action
          ? ` -> ${actionText(schema, s.action)}`
          : s.member !== undefined
            ? ` -> member ${s.member}`
            : s.group !== undefined
              ? ` -> group ${s.group}`
              : ""
        : s.kind === "actionProfileMember"
          ? ` -> ${actionText(schema, s.action)}`
          : s.kind === "actionProfileGroup"
            ? `: members ${s.members.map((m) => m.memberId).join(", ")}`
            : s.kind === "meterEntry" && s.config
              ? ` cir ${s.config.cir} B/s cburst ${s.config.cburst} B, pir ${s.config.pir} B/s pburst ${s.config.pburst} B`
              : s.kind === "counterEntry" && s.data
                ? ` ${s.data.packetCount} packets, ${s.data.byteCount} bytes`
                : "";
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(`  ${line}${detail}`);
  }
  const out = [`${name} (${address}): ${specs.length} entities`];
  for (const [key, lines] of [...groups].sort(([a], [b]) => a.localeCompare(b)))
    out.push("", `${key} (${lines.length}):`, ...lines);
  return out.join("\n");
}

/** "set_next_hop(port=2, dmac=00:00:0a:00:02:01)" with each value shown for its type. */
function actionText(schema: P4Schema, action: ActionSpec): string {
  const info = schema.actions.find(action.name);
  const params = Object.entries(action.params ?? {}).map(([k, v]) => {
    const width = info?.params.find(k)?.bitwidth;
    const text =
      typeof v === "bigint" && width !== undefined
        ? formatValue(bigintToBytes(v), width)
        : v instanceof Uint8Array && width !== undefined
          ? formatValue(v, width)
          : String(v);
    return `${k}=${text}`;
  });
  return `${action.name.split(".").pop()}(${params.join(", ")})`;
}
