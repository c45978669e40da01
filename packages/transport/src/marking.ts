// DSCP marking of the approximate transport's packets.
//
// Node 20 cannot set IP_TOS on a socket (dgram and net expose no such option, and
// setsockopt is out of reach without a native addon), so the host programs do not
// mark their own packets. Instead every port has one role, and the host marks by
// port in the kernel (iptables' mangle table, DSCP target), which is what Mininet
// hosts run anyway:
//   - data goes to the receiver's data port                  -> LE  (DSCP 1)
//   - the sender's control messages go to the receiver's control port -> CS6 (DSCP 48)
//   - the receiver's feedback leaves from its control port  -> CS6 (DSCP 48)
// The rules are the same on every host, so a launcher installs them once per host.
import { DSCP } from "./wire.js";

export interface ApproxPorts {
  dataPort: number;
  controlPort: number;
}

export interface MarkingOptions {
  dataDscp?: number;
  controlDscp?: number;
  /** iptables binary, e.g. "iptables-legacy" on hosts without nftables. */
  iptables?: string;
  /** Ports that carry control messages only (a job coordinator's): marked both ways. */
  controlPorts?: readonly number[];
}

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`${name} must be a port in [1, 65535], got ${port}`);
  }
}

function checkDscp(name: string, dscp: number): void {
  if (!Number.isInteger(dscp) || dscp < 0 || dscp > 63) {
    throw new RangeError(`${name} must be a DSCP value in [0, 63], got ${dscp}`);
  }
}

/** The (port, dscp, direction) rules for a set of approximate jobs' ports. */
export function markingRules(
  jobs: readonly ApproxPorts[],
  options: MarkingOptions = {},
): { match: "--dport" | "--sport"; port: number; dscp: number }[] {
  const dataDscp = options.dataDscp ?? DSCP.lowerEffort;
  const controlDscp = options.controlDscp ?? DSCP.control;
  checkDscp("data DSCP", dataDscp);
  checkDscp("control DSCP", controlDscp);
  const dataPorts = new Set<number>();
  const controlPorts = new Set<number>();
  for (const p of options.controlPorts ?? []) {
    checkPort("control port", p);
    controlPorts.add(p);
  }
  for (const j of jobs) {
    checkPort("data port", j.dataPort);
    checkPort("control port", j.controlPort);
    if (j.dataPort === j.controlPort) {
      throw new RangeError(`data and control port are both ${j.dataPort}`);
    }
    dataPorts.add(j.dataPort);
    controlPorts.add(j.controlPort);
  }
  for (const p of dataPorts) {
    if (controlPorts.has(p)) throw new RangeError(`port ${p} is both a data and a control port`);
  }
  const rules: { match: "--dport" | "--sport"; port: number; dscp: number }[] = [];
  for (const p of [...dataPorts].sort((a, b) => a - b)) {
    rules.push({ match: "--dport", port: p, dscp: dataDscp });
  }
  for (const p of [...controlPorts].sort((a, b) => a - b)) {
    rules.push({ match: "--dport", port: p, dscp: controlDscp });
    rules.push({ match: "--sport", port: p, dscp: controlDscp });
  }
  return rules;
}

/**
 * iptables invocations (argv arrays) that install (`add`) or remove (`delete`) the
 * marking rules in the mangle table's OUTPUT chain of the host they run on.
 */
export function iptablesCommands(
  jobs: readonly ApproxPorts[],
  action: "add" | "delete",
  options: MarkingOptions = {},
): string[][] {
  const binary = options.iptables ?? "iptables";
  return markingRules(jobs, options).map((r) => [
    binary,
    "-t",
    "mangle",
    action === "add" ? "-A" : "-D",
    "OUTPUT",
    "-p",
    "udp",
    r.match,
    String(r.port),
    "-j",
    "DSCP",
    "--set-dscp",
    String(r.dscp),
  ]);
}

/** One shell line per command (arguments need no quoting: they are plain words). */
export function toShell(commands: readonly string[][]): string {
  return commands.map((c) => c.join(" ")).join("\n");
}

/**
 * The same rules as iptables-restore input (one process installs them all, however many
 * ports: `iptables-restore --noflush FILE`).
 */
export function iptablesRestoreInput(
  jobs: readonly ApproxPorts[],
  options: MarkingOptions = {},
): string {
  const lines = markingRules(jobs, options).map(
    (r) => `-A OUTPUT -p udp ${r.match} ${r.port} -j DSCP --set-dscp ${r.dscp}`,
  );
  return ["*mangle", ...lines, "COMMIT", ""].join("\n");
}
