// What tests on a real Mininet network share: why they cannot run here (one line), and
// how to collect a host program's JSON result.
import { spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findExecutable } from "@netapprox/model/util/executables.js";
import { MininetNetwork } from "@netapprox/lab/mininet/launcher.js";
import type { LaunchPlan } from "@netapprox/lab/mininet/plan.js";

export const ROOT = join(import.meta.dirname, "..", "..");
export const PYTHON = process.env.NETAPPROX_PYTHON ?? "/usr/bin/python3";
export const CLI = join(ROOT, "bin", "netapprox.js");

/** Why Mininet with BMv2 cannot run here, or undefined when it can. */
export function mininetUnavailable(tools: readonly string[] = []): string | undefined {
  if (process.getuid?.() !== 0) return "Mininet needs root";
  for (const tool of ["simple_switch_grpc", "mnexec", "ip", "iptables", "ethtool", ...tools]) {
    if (findExecutable(tool) === undefined) return `${tool} not on PATH`;
  }
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  if (spawnSync(PYTHON, ["-c", "import mininet.net"]).status !== 0)
    return `${PYTHON} cannot import mininet (Debian: apt install mininet)`;
  if (!existsSync(join(ROOT, "p4", "build", "netapprox.json")))
    return "p4/build/netapprox.json not built (npm run p4:build)";
  if (!existsSync(join(ROOT, "packages", "cli", "dist", "main.js")))
    return "the controller is not built (npm run build)";
  return undefined;
}

/** Runs a host program to its end and returns the JSON object of its last line. */
export function result(child: ChildProcess): Promise<Record<string, unknown>> {
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  return new Promise((resolve, reject) =>
    child.once("close", () => {
      try {
        resolve(JSON.parse(out.trim().split("\n").pop()!) as Record<string, unknown>);
      } catch {
        reject(new Error(`no JSON result: ${out} ${err}`));
      }
    }),
  );
}

/** Writes the plan into `dir` and brings its network up with mininet/launch.py. */
export async function launch(plan: LaunchPlan, dir: string): Promise<MininetNetwork> {
  const planFile = join(dir, "plan.json");
  writeFileSync(planFile, JSON.stringify(plan));
  return MininetNetwork.start({
    python: PYTHON,
    script: join(ROOT, "mininet", "launch.py"),
    planFile,
    runDir: dir,
    readyTimeout: 90,
  });
}
