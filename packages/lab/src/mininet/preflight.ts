// What the machine must offer a Mininet run, checked before the first network: a BMv2 whose
// priority queues are configured as asked, and a kernel with what a TCP setting needs.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import type { TcpSettingName } from "../experiment/scenario.js";

/**
 * The first BMv2 release whose per-priority queue rates and depths reach the priority they
 * name: before p4lang/behavioral-model PR 1276 (November 2024; first released in 1.15.1) a
 * setting for priority p also applied to the mirror-image priority (queues - 1 - p).
 */
export const PRIORITY_QUEUE_FIX = [1, 15, 1] as const;

export interface Bmv2VersionCheck {
  /** As printed, e.g. "1.15.5-9674187f"; null when it could not be read. */
  version: string | null;
  /** Stops the experiment. */
  error: string | null;
  /** Said, and the run goes on. */
  warning: string | null;
}

/**
 * Whether BMv2's `--version` output is good for the link mode. Paced links set each priority
 * queue's rate and depth, which older releases mix up; htb links leave every BMv2 queue
 * unpaced, so any version works.
 */
export function checkBmv2Version(output: string | null, queues: "htb" | "paced"): Bmv2VersionCheck {
  const m = output === null ? null : /(\d+)\.(\d+)\.(\d+)(\S*)/.exec(output);
  if (m === null)
    return {
      version: null,
      error: null,
      warning:
        queues === "paced"
          ? `could not read BMv2's version; paced queues need ${PRIORITY_QUEUE_FIX.join(".")} or newer (p4lang/behavioral-model PR 1276)`
          : null,
    };
  const version = m[0];
  const parts = [Number(m[1]), Number(m[2]), Number(m[3])];
  const cmp = compare(parts, PRIORITY_QUEUE_FIX);
  if (queues === "htb" || cmp >= 0) return { version, error: null, warning: null };
  const fixed = PRIORITY_QUEUE_FIX.join(".");
  const sameBase = compare(parts, [1, 15, 0]) === 0;
  return sameBase
    ? {
        version,
        error: null,
        warning: `BMv2 ${version} may predate the fix of its priority-queue settings (p4lang/behavioral-model PR 1276, released in ${fixed}); a build from before November 2024 paces the wrong priority queues`,
      }
    : {
        version,
        error: `BMv2 ${version} applies each priority queue's rate to the mirror-image priority as well (fixed by p4lang/behavioral-model PR 1276, released in ${fixed}); update BMv2 or use --bmv2-queues htb`,
        warning: null,
      };
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** `binary --version`, or null when it does not answer. */
export function readBmv2Version(binary: string): Promise<string | null> {
  return new Promise((resolve) =>
    execFile(binary, ["--version"], { timeout: 10_000 }, (err, stdout) =>
      resolve(err === null ? stdout.trim() : null),
    ),
  );
}

/**
 * Why a TCP setting cannot run on this machine's hosts, or null. dctcp needs the kernel's
 * DCTCP, allowed in network namespaces (net.ipv4.tcp_allowed_congestion_control), and a link
 * that marks ECN at the exact queue's threshold: the P4 program marks from BMv2's queue
 * depth, which only paced links fill (htb links keep BMv2's queues empty, and marking at an
 * htb leaf needs RED with ECN).
 */
export function tcpSettingSkipReason(
  setting: TcpSettingName,
  congestionControls: readonly string[],
  allowed: readonly string[],
  queues: "htb" | "paced",
): string | null {
  if (setting !== "dctcp") return null;
  if (!congestionControls.includes("dctcp"))
    return `dctcp: this kernel has no DCTCP (net.ipv4.tcp_available_congestion_control lists ${congestionControls.join(", ") || "nothing"}; module tcp_dctcp)`;
  if (!allowed.includes("dctcp"))
    return `dctcp: the hosts' namespaces may not select DCTCP (net.ipv4.tcp_allowed_congestion_control lists ${allowed.join(", ") || "nothing"}; add dctcp to it)`;
  if (queues === "htb")
    return "dctcp: ECN marking at the exact queue is not emulated on htb links (the P4 program marks from BMv2's queue depth, which htb keeps empty); run with --bmv2-queues paced";
  return null;
}

function readList(file: string): string[] {
  try {
    return readFileSync(file, "utf8")
      .trim()
      .split(/\s+/)
      .filter((s) => s !== "");
  } catch {
    return [];
  }
}

/** The congestion controls a network namespace may select. */
export function allowedCongestionControls(): string[] {
  return readList("/proc/sys/net/ipv4/tcp_allowed_congestion_control");
}

/** The congestion controls the kernel offers, after trying to load tcp_dctcp. */
export async function availableCongestionControls(): Promise<string[]> {
  const read = () => readList("/proc/sys/net/ipv4/tcp_available_congestion_control");
  const before = read();
  if (before.includes("dctcp")) return before;
  await new Promise<void>((resolve) =>
    execFile("modprobe", ["tcp_dctcp"], { timeout: 10_000 }, () => resolve()),
  );
  return read();
}
