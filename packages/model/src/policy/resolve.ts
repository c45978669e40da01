// Checks a policy against a topology and resolves its names: every host name, address or
// prefix a job or exact flow mentions must denote hosts of the topology. Errors point into
// the policy file.
import { ConfigError, type ConfigIssue, type ConfigPath } from "../config/errors.js";
import { formatPrefix, parsePrefix, prefixContains } from "../topology/addresses.js";
import type { Network } from "../topology/network.js";
import type { ApproximateJob, ExactFlow, Policy } from "./types.js";

export interface ResolvedJob {
  job: ApproximateJob;
  /** Network host indexes, ascending. */
  srcHosts: number[];
  dstHosts: number[];
  /** The match as prefixes, for classifier entries (host names become /32s). */
  srcPrefixes: string[];
  dstPrefixes: string[];
}

export interface ResolvedFlow {
  srcHost: number;
  dstHost: number;
  rate: number;
}

export interface ResolvedPolicy {
  /** Sorted by job id. */
  jobs: ResolvedJob[];
  flows: ResolvedFlow[];
}

export type Report = (path: ConfigPath, message: string) => void;

/** Collects issues about a policy, located in its file when it came from one. */
export function policyReporter(policy: Policy): { issues: ConfigIssue[]; report: Report } {
  const issues: ConfigIssue[] = [];
  const report = (path: ConfigPath, message: string) => {
    const file = policy.origin?.file ?? "policy";
    const pos = policy.origin?.locate(path);
    issues.push({
      file,
      path,
      ...(pos === undefined ? {} : { line: pos.line, column: pos.column }),
      message,
    });
  };
  return { issues, report };
}

/** Resolves the jobs and the declared exact flows; throws a ConfigError on any problem. */
export function resolvePolicy(policy: Policy, network: Network): ResolvedPolicy {
  const { issues, report } = policyReporter(policy);
  const jobs = resolveJobs(policy, network, report);
  const flows: ResolvedFlow[] = [];
  resolveFlows(policy.exact.flows, network, report, ["exact", "flows"], (srcHost, dstHost, rate) =>
    flows.push({ srcHost, dstHost, rate }),
  );
  if (issues.length > 0) throw new ConfigError(issues);
  return { jobs, flows };
}

/** The policy's jobs with their hosts, sorted by id; problems go to `report`. */
export function resolveJobs(policy: Policy, network: Network, report: Report): ResolvedJob[] {
  // One prefix string per host, however many jobs name it.
  const hostPrefix = new Array<string | undefined>(network.hostCount);
  const prefixOfHost = (h: number) =>
    (hostPrefix[h] ??= formatPrefix({ address: network.hostIpv4[h]!, length: 32 }));

  /** Hosts an entry denotes, and the prefix to classify it by. */
  const resolveEntry = (
    entry: string,
    path: ConfigPath,
  ): { hosts: number[]; prefix: string } | undefined => {
    const named = network.hostIndex.get(entry);
    if (named !== undefined) return { hosts: [named], prefix: prefixOfHost(named) };
    if (!/^[0-9./]+$/.test(entry)) {
      report(
        path,
        `no host named "${entry}"; expected a host of the topology, an address or a prefix`,
      );
      return undefined;
    }
    const parsed = parsePrefix(entry);
    if (!parsed.ok) {
      report(path, `expected ${parsed.reason}, got ${JSON.stringify(entry)}`);
      return undefined;
    }
    const hosts: number[] = [];
    network.hostIpv4.forEach((ip, h) => {
      if (prefixContains(parsed.prefix, ip)) hosts.push(h);
    });
    if (hosts.length === 0) {
      report(path, `no host of the topology has an address in ${formatPrefix(parsed.prefix)}`);
      return undefined;
    }
    return { hosts, prefix: formatPrefix(parsed.prefix) };
  };

  const side = (entries: string[], path: ConfigPath) => {
    if (entries.length === 1) {
      // The common case, a single host: no sets, and one prefix string per host.
      const h = network.hostIndex.get(entries[0]!);
      if (h !== undefined) return { hosts: [h], prefixes: [prefixOfHost(h)] };
    }
    const hosts = new Set<number>();
    const prefixes: string[] = [];
    let ok = true;
    entries.forEach((entry, i) => {
      const r = resolveEntry(entry, entries.length === 1 ? path : [...path, i]);
      if (r === undefined) ok = false;
      else {
        r.hosts.forEach((h) => hosts.add(h));
        prefixes.push(r.prefix);
      }
    });
    return ok
      ? { hosts: [...hosts].sort((a, b) => a - b), prefixes: [...new Set(prefixes)] }
      : undefined;
  };

  const jobs: ResolvedJob[] = [];
  policy.jobs.forEach((job, i) => {
    const src = side(job.match.src, ["jobs", i, "match", "src"]);
    const dst = side(job.match.dst, ["jobs", i, "match", "dst"]);
    if (src === undefined || dst === undefined) return;
    if (src.hosts.length === 1 && dst.hosts.length === 1 && src.hosts[0] === dst.hosts[0]) {
      report(
        ["jobs", i, "match", "dst"],
        `the job's only source and destination are the same host (${network.hosts[src.hosts[0]!]!.name}); expected traffic that crosses the network`,
      );
      return;
    }
    jobs.push({
      job,
      srcHosts: src.hosts,
      dstHosts: dst.hosts,
      srcPrefixes: src.prefixes,
      dstPrefixes: dst.prefixes,
    });
  });

  const ids = new Map<number, number>();
  policy.jobs.forEach((job, i) => {
    const first = ids.get(job.id);
    if (first !== undefined) {
      report(
        ["jobs", i, "id"],
        `duplicate job id ${job.id} (also used by jobs[${first}]); each job needs its own meter`,
      );
    } else ids.set(job.id, i);
  });
  return jobs.sort((a, b) => a.job.id - b.job.id);
}

/**
 * Exact flows between hosts named by name or address, handed to `sink` one by one (no
 * list is built: there may be 100,000 of them); problems go to `report` with paths under
 * `base`.
 */
export function resolveFlows(
  flows: readonly ExactFlow[],
  network: Network,
  report: Report,
  base: ConfigPath,
  sink: (srcHost: number, dstHost: number, rate: number) => void,
): void {
  let byIp: Map<number, number> | undefined;
  const hostOf = (entry: string, i: number, side: "src" | "dst"): number | undefined => {
    const named = network.hostIndex.get(entry);
    if (named !== undefined) return named;
    if (byIp === undefined) {
      byIp = new Map();
      network.hostIpv4.forEach((ip, h) => byIp!.set(ip, h));
    }
    const parsed = parsePrefix(entry);
    const h =
      parsed.ok && parsed.prefix.length === 32 ? byIp.get(parsed.prefix.address) : undefined;
    if (h === undefined)
      report([...base, i, side], `no host named or addressed "${entry}" in the topology`);
    return h;
  };
  for (let i = 0; i < flows.length; i++) {
    const flow = flows[i]!;
    const srcHost = hostOf(flow.src, i, "src");
    const dstHost = hostOf(flow.dst, i, "dst");
    if (srcHost === undefined || dstHost === undefined) continue;
    if (srcHost === dstHost) {
      report([...base, i, "dst"], "the flow's source and destination are the same host");
    } else if (!(flow.rate >= 0) || !Number.isFinite(flow.rate)) {
      report([...base, i, "rate"], `expected a bit rate >= 0, got ${flow.rate}`);
    } else sink(srcHost, dstHost, flow.rate);
  }
}
