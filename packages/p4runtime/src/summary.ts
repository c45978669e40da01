// A printable summary of a P4Info: every object with its id, the match fields with
// their kinds and widths, action signatures, sizes, and what this library cannot encode.
// Pure.
import type { P4Param, P4Schema, P4Typed } from "./p4info.js";

function typeText(t: P4Typed): string {
  if (t.unsupported) return `${t.typeName || "?"} (not encodable)`;
  return t.typeName ? `${t.typeName}: bit<${t.bitwidth}>` : `bit<${t.bitwidth}>`;
}

function signature(name: string, params: Iterable<P4Param>): string {
  const list = [...params].map((p) => `${p.name}: ${typeText(p)}`);
  return list.length ? `${name}(${list.join(", ")})` : name;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** The summary as lines of text (`netapprox p4info FILE` prints it). */
export function describeSchema(schema: P4Schema): string {
  const lines: string[] = [];
  const name = schema.programName || "(unnamed program)";
  lines.push(
    `${name}${schema.arch ? ` (${schema.arch})` : ""}, from ${schema.source}: ` +
      [
        count(schema.tables.size, "table"),
        count(schema.actions.size, "action"),
        count(schema.actionProfiles.size, "action profile"),
        count(schema.counters.size + schema.directCounters.size, "counter"),
        count(schema.meters.size + schema.directMeters.size, "meter"),
        count(schema.registers.size, "register"),
        count(schema.digests.size, "digest"),
        count(schema.valueSets.size, "value set"),
      ].join(", "),
  );
  const unsupported: string[] = [];
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push("", `${title}:`, ...items);
  };

  section(
    "tables",
    [...schema.tables].flatMap((t) => {
      const props = [`id ${t.id}`, `size ${t.size}`];
      if (t.isConst) props.push("const");
      if (t.supportsIdleTimeout) props.push("idle timeout");
      if (t.implementationId)
        props.push(`action profile ${schema.actionProfiles.find(t.implementationId)?.name}`);
      const match = [...t.matchFields].map((f) => {
        if (f.unsupported) unsupported.push(`table ${t.name} field ${f.name}: ${f.unsupported}`);
        return `${f.name} ${f.matchType} ${typeText(f)}`;
      });
      const actions = t.actionRefs.map(
        (r) =>
          r.action.name +
          (r.scope === "table_only"
            ? " [table only]"
            : r.scope === "default_only"
              ? " [default only]"
              : ""),
      );
      const direct = t.directResourceIds.map(
        (id) => schema.directCounters.find(id)?.name ?? schema.directMeters.find(id)?.name ?? id,
      );
      return [
        `  ${t.name} (${props.join(", ")})`,
        `    match: ${match.length ? match.join(", ") : "(none: keyless)"}${t.needsPriority ? "; entries need a priority" : ""}`,
        `    actions: ${actions.join(", ")}`,
        ...(direct.length ? [`    direct resources: ${direct.join(", ")}`] : []),
      ];
    }),
  );
  section(
    "actions",
    [...schema.actions].map((a) => {
      for (const p of a.params)
        if (p.unsupported)
          unsupported.push(`action ${a.name} parameter ${p.name}: ${p.unsupported}`);
      return `  ${signature(a.name, a.params)} (id ${a.id})`;
    }),
  );
  section(
    "action profiles",
    [...schema.actionProfiles].map(
      (p) =>
        `  ${p.name} (id ${p.id}, ${p.withSelector ? "selector" : "profile"}, size ${p.size}` +
        `${p.maxGroupSize ? `, groups of up to ${p.maxGroupSize}` : ""}) for ${p.tableIds
          .map((id) => schema.tables.find(id)?.name ?? id)
          .join(", ")}`,
    ),
  );
  section("counters", [
    ...[...schema.counters].map((c) => `  ${c.name} (id ${c.id}, ${c.size} cells, ${c.unit})`),
    ...[...schema.directCounters].map(
      (c) =>
        `  ${c.name} (id ${c.id}, direct on ${schema.tables.find(c.directTableId)?.name}, ${c.unit})`,
    ),
  ]);
  section("meters", [
    ...[...schema.meters].map(
      (m) => `  ${m.name} (id ${m.id}, ${m.size} cells, ${m.unit}, ${m.type})`,
    ),
    ...[...schema.directMeters].map(
      (m) =>
        `  ${m.name} (id ${m.id}, direct on ${schema.tables.find(m.directTableId)?.name}, ${m.unit}, ${m.type})`,
    ),
  ]);
  section(
    "registers",
    [...schema.registers].map(
      (r) =>
        `  ${r.name} (id ${r.id}, ${r.size} cells${r.bitwidth === undefined ? ", not a bit<W> cell: read only as P4Data" : `, bit<${r.bitwidth}>`})`,
    ),
  );
  section(
    "digests",
    [...schema.digests].map(
      (d) => `  ${d.name} (id ${d.id}${d.typeName ? `, type ${d.typeName}` : ""})`,
    ),
  );
  section(
    "value sets",
    [...schema.valueSets].map((v) => {
      const fields = [...v.matchFields].map(
        (f) => `${f.name || `#${f.id}`} ${f.matchType} ${typeText(f)}`,
      );
      return `  ${v.name} (id ${v.id}, up to ${v.size} members): ${fields.join(", ")}`;
    }),
  );
  section(
    "controller packet metadata",
    [...schema.controllerPacketMetadata].map((c) => `  ${signature(c.name, c.metadata)}`),
  );
  section(
    "not encodable by this library (loaded; using them fails with this reason)",
    unsupported.map((u) => `  ${u}`),
  );
  return lines.join("\n");
}
