// `netapprox status`: what a running controller reports on /status, as tables.
import { table as alignedTable } from "../../allocation/report.js";
import { formatBitRate } from "../../config/units.js";
import type { ControllerStatus } from "../../runtime/controller.js";
import { CliError, parseOptions, type Command } from "../command.js";

const rate = (bps: number | null | undefined): string =>
  bps === null || bps === undefined ? "-" : formatBitRate(bps);

/** Numbers right-aligned, text left-aligned (columns whose cells look numeric). */
function table(header: string[], rows: string[][]): string {
  const numeric = header.map(
    (_, c) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.]+( \S+)?$|^-$/.test(r[c] ?? "")),
  );
  return alignedTable(header, rows, numeric);
}

export function formatStatus(s: ControllerStatus): string {
  const out: string[] = [];
  out.push(
    `controller: election id ${s.electionId}${s.role ? `, role ${s.role}` : ""}, allocator ${s.allocator}, policy ${s.policyFile}, up since ${s.startedAt}`,
  );
  if (s.lastPolicyError)
    out.push(`last policy edit REJECTED (previous policy in force): ${s.lastPolicyError}`);
  out.push("", "switches:");
  out.push(
    table(
      [
        "switch",
        "address",
        "target",
        "state",
        "role",
        "entities",
        "last sync",
        "written",
        "failed",
        "last error",
      ],
      s.switches.map((w) => [
        w.name,
        w.address,
        w.target,
        w.state,
        w.role,
        w.entities === null ? "-" : String(w.entities),
        w.lastSync
          ? `${w.lastSync.kind} +${w.lastSync.inserts} ~${w.lastSync.modifies} -${w.lastSync.deletes}`
          : "-",
        String(w.updatesWritten),
        String(w.updatesFailed),
        w.lastError ?? "",
      ]),
    ),
  );
  out.push("", "jobs:");
  out.push(
    table(
      ["id", "job", "guaranteed", "allocated", "bottleneck", "green pps", "yellow pps", "red pps"],
      s.jobs.map((j) => [
        String(j.id),
        j.name,
        rate(j.guaranteedBps),
        rate(j.allocatedBps),
        j.bottleneck ?? "-",
        j.measuredPps ? j.measuredPps.green.toFixed(0) : "-",
        j.measuredPps ? j.measuredPps.yellow.toFixed(0) : "-",
        j.measuredPps ? j.measuredPps.red.toFixed(0) : "-",
      ]),
    ),
  );
  out.push("", "links:");
  out.push(
    table(
      [
        "link",
        "capacity",
        "exact (alloc)",
        "allocated",
        "measured",
        "utilisation",
        "drops/s by reason",
      ],
      s.links
        .filter((l) => l.allocated || l.exactLoad || l.measuredBps)
        .map((l) => [
          l.name,
          rate(l.capacity),
          rate(l.exactLoad),
          rate(l.allocated),
          rate(l.measuredBps),
          l.utilisation === null ? "-" : `${(100 * l.utilisation).toFixed(1)}%`,
          Object.entries(l.dropsPps)
            .map(([r, v]) => `${r} ${v.toFixed(1)}`)
            .join(", "),
        ]),
    ),
  );
  return out.join("\n");
}

export const command: Command = {
  usage: "[--url http://127.0.0.1:9464] [--json]",
  description:
    "Shows a running controller's switch states, per-job allocation, per-link utilisation and drops by reason.",
  async run(argv) {
    const { values } = parseOptions(argv, {
      url: { type: "string", default: "http://127.0.0.1:9464" },
      json: { type: "boolean", default: false },
    });
    let response: Response;
    try {
      response = await fetch(`${values.url.replace(/\/$/, "")}/status`, {
        signal: AbortSignal.timeout(5_000),
      });
    } catch (err) {
      throw new CliError(
        `cannot reach a controller at ${values.url}: ${(err as Error).message} (is \`netapprox controller\` running with --http there?)`,
        1,
      );
    }
    if (!response.ok)
      throw new CliError(`${values.url}/status answered HTTP ${response.status}`, 1);
    const status = (await response.json()) as ControllerStatus;
    console.log(values.json ? JSON.stringify(status, null, 2) : formatStatus(status));
    return 0;
  },
};
