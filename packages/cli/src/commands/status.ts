// `netapprox status`: what a running controller reports on /status, as tables.
import { table as alignedTable } from "@netapprox/model/allocation/report.js";
import { formatBitRate } from "@netapprox/model/config/units.js";
import type { ControllerStatus } from "@netapprox/controller/runtime/controller.js";
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
  const now = Date.now();
  out.push(
    table(
      [
        "switch",
        "address",
        "device",
        "target",
        "state",
        "role",
        "entities",
        "last sync",
        "written",
        "failed",
        "why not ready / last error",
      ],
      s.switches.map((w) => [
        w.name,
        w.address,
        w.deviceId === undefined ? "-" : String(w.deviceId),
        w.target,
        w.state === "ready" || w.stateSince === undefined
          ? w.state
          : `${w.state} for ${Math.max(0, Math.round((now - Date.parse(w.stateSince)) / 1000))} s`,
        w.role,
        w.entities === null ? "-" : String(w.entities),
        w.lastSync
          ? `${w.lastSync.kind} +${w.lastSync.inserts} ~${w.lastSync.modifies} -${w.lastSync.deletes}`
          : "-",
        String(w.updatesWritten),
        String(w.updatesFailed),
        w.reason ?? w.lastError ?? "",
      ]),
    ),
  );
  out.push("", "jobs (rates in bit/s; GREEN, YELLOW, RED at the edge meters):");
  out.push(
    table(
      ["id", "job", "guaranteed", "allocated", "bottleneck", "GREEN", "YELLOW", "RED", "progress"],
      s.jobs.map((j) => [
        String(j.id),
        j.name,
        rate(j.guaranteedBps),
        rate(j.allocatedBps),
        j.bottleneck ?? "-",
        j.measuredBps ? rate(j.measuredBps.green) : "-",
        j.measuredBps ? rate(j.measuredBps.yellow) : "-",
        j.measuredBps ? rate(j.measuredBps.red) : "-",
        j.progress === null || j.progress === undefined ? "-" : `${(100 * j.progress).toFixed(0)}%`,
      ]),
    ),
  );
  out.push("", "links:");
  out.push(
    table(
      [
        "link",
        "capacity",
        "exact allocated",
        "exact measured",
        "approx allocated",
        "approx measured",
        "utilisation",
        "drops/s by reason",
      ],
      s.links
        .filter((l) => l.allocated || l.exactLoad || l.measuredBps)
        .map((l) => [
          l.name,
          rate(l.capacity),
          rate(l.exactLoad),
          rate(l.measuredExactBps),
          rate(l.allocated),
          rate(l.measuredApproxBps),
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
  description: [
    "Shows a running controller's switches (state, and why one is not ready: its last error,",
    "the reason its session ended, or that it does not answer), per-job allocation with the",
    "meter colours, and per-link allocated and measured rates, utilisation and drops by",
    "reason. Rates are bit/s. The same data is the controller's /status (--json); its web",
    "view is at the same address.",
  ].join("\n"),
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
