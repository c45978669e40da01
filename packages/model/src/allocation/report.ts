// Human-readable tables of an allocation: one row per job, one per link.
import { formatBitRate } from "../config/units.js";
import type { Allocation, LinkSummary } from "./types.js";

/** Left-aligned text columns, right-aligned numbers, two spaces between columns. */
export function table(header: string[], rows: string[][], numeric: boolean[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const rate = (v: number | null) => (v === null ? "-" : formatBitRate(v));
const percent = (v: number) => `${(v * 100).toFixed(1)}%`;

export interface ReportOptions {
  /** Include links that carry nothing. */
  allLinks: boolean;
}

export function formatAllocation(
  allocation: Allocation,
  options: ReportOptions = { allLinks: false },
): string {
  const out: string[] = [];
  const f = allocation.features;
  out.push(
    `allocator: ${allocation.allocator} (meters ${f.meters ? "on" : "off"}, early drop ${f.earlyDrop ? "on" : "off"}, hosts send with ${f.transport})`,
  );
  out.push("");
  out.push(`jobs (${allocation.jobs.length}):`);
  if (allocation.jobs.length === 0) out.push("  none");
  else {
    out.push(
      table(
        ["id", "job", "weight", "requested", "guaranteed", "allocated", "PIR", "bottleneck"],
        allocation.jobs.map((j) => [
          String(j.id),
          j.name,
          String(j.weight),
          rate(j.requestedGuarantee),
          rate(j.guaranteed),
          rate(j.allocated),
          rate(j.allocated === null ? null : j.allocated * (1 + allocation.knobs.headroom)),
          j.bottleneck ?? "-",
        ]),
        [true, false, true, true, true, true, true, false],
      ),
    );
  }
  out.push("");
  const busy = (l: LinkSummary) => l.exactLoad > 0 || l.jobs > 0;
  const shown = options.allLinks ? allocation.links : allocation.links.filter(busy);
  const hidden = allocation.links.length - shown.length;
  out.push(
    `links (${shown.length}${hidden > 0 ? ` carrying traffic; ${hidden} idle not shown, --all-links shows them` : ""}):`,
  );
  out.push(
    table(
      ["link", "capacity", "exact", "guaranteed", "allocated", "utilisation", "jobs"],
      shown.map((l) => [
        l.name,
        rate(l.capacity),
        rate(l.exactLoad),
        rate(l.guaranteed),
        rate(l.allocated),
        percent(l.utilisation),
        String(l.jobs),
      ]),
      [false, true, true, true, true, true, true],
    ),
  );
  return out.join("\n");
}
