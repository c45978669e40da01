// A scenario's policy: a policy file, an inline policy, or the defaults, with the scenario's
// policy_overrides of classes and knobs merged on top as data and validated once. Every
// problem is located where its value was written: in the overrides, inline, or the file.
import { existsSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { ConfigError, type ConfigIssue, type ConfigPath } from "@netapprox/model/config/errors.js";
import { MergedSource, type Located } from "@netapprox/model/config/source.js";
import { YamlSource } from "@netapprox/model/config/yaml-source.js";
import { policyFromSource } from "@netapprox/model/policy/load.js";
import type { Policy } from "@netapprox/model/policy/types.js";
import type { Report } from "./load-reader.js";

export function relativeTo(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** True when `path` is a readable file; else reports at `at` why not. */
export function isFile(path: string, at: ConfigPath, what: string, report: Report): boolean {
  if (!existsSync(path)) report(at, `cannot read the ${what} file ${path}: no such file`);
  else if (!statSync(path).isFile()) report(at, `the ${what} path ${path} is not a file`);
  else return true;
  return false;
}

type Mapping = Record<string, unknown>;

/**
 * The scenario's policy. Jobs and exact flows come from the workload, so any the policy
 * declares are dropped (with a note in `notes`). Problems go to `report` (the scenario's
 * own paths) and `push` (already located, possibly in the policy file).
 */
export function scenarioPolicy(
  source: YamlSource,
  raw: { policy?: string | Mapping; policy_overrides?: Mapping },
  baseDir: string,
  notes: string[],
  report: Report,
  push: (issue: ConfigIssue) => void,
): { policy: Policy | undefined; policyFile: string | null } {
  let base: Mapping = {};
  let fileSource: YamlSource | null = null;
  let policyFile: string | null = null;
  if (typeof raw.policy === "string") {
    policyFile = relativeTo(baseDir, raw.policy);
    if (!isFile(policyFile, ["policy"], "policy", report)) return { policy: undefined, policyFile };
    fileSource = YamlSource.read(policyFile);
    // The file must be a valid policy on its own; its problems are reported against it.
    policyFromSource(fileSource, { jobsRequired: false });
    base = { ...((fileSource.data ?? {}) as Mapping) };
  } else if (raw.policy !== undefined) {
    base = { ...raw.policy };
  }
  for (const key of ["jobs", "exact"] as const) {
    if (base[key] !== undefined) {
      notes.push(
        `the policy's ${key === "jobs" ? "jobs" : "exact flows"} are ignored: a scenario's approximate jobs and exact traffic come from its workload`,
      );
      delete base[key];
    }
  }
  const overrides = raw.policy_overrides ?? {};
  const merged: Mapping = { ...base };
  for (const key of ["classes", "knobs"] as const) {
    const o = overrides[key] as Mapping | undefined;
    if (o !== undefined) merged[key] = { ...((base[key] as Mapping | undefined) ?? {}), ...o };
  }

  /** Where a path of the merged policy was written: in the overrides, inline, or the file. */
  const locate = (path: ConfigPath): Located => {
    const [section, key] = path;
    const overridden =
      (section === "classes" || section === "knobs") &&
      typeof key === "string" &&
      (overrides[section] as Mapping | undefined)?.[key] !== undefined;
    if (overridden || fileSource === null) {
      const p = [overridden ? "policy_overrides" : "policy", ...path];
      return { file: source.file, path: p, position: source.position(p) };
    }
    return { file: fileSource.file, path, position: fileSource.position(path) };
  };

  const label = policyFile ?? source.file;
  try {
    const policy = policyFromSource(new MergedSource(label, merged, locate), {
      jobsRequired: false,
    });
    // Later checks (against the topology) locate their problems where the policy came from.
    policy.origin =
      fileSource !== null
        ? { file: label, locate: (path) => fileSource.position(path) }
        : { file: label, locate: (path) => source.position(["policy", ...path]) };
    return { policy, policyFile };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const issue of err.issues) push(issue);
    return { policy: undefined, policyFile };
  }
}
