// Checks of a policy against its network that the file's own validation cannot make:
// two jobs whose classifiers are the same (refused: the second job's packets would all be
// metered as the first's), two that overlap (a warning: packets in the overlap are
// metered as the lower-id job's, whose classifier entries have the higher priority), and
// exact traffic declared above a link's capacity (a warning: approximate jobs there get
// only their floor). Run where a policy is accepted (controller start and live edits,
// `netapprox alloc`), not in every allocation round. Pure.
import { ConfigError, type ConfigIssue } from "../config/errors.js";
import { formatBitRate } from "../config/units.js";
import type { Allocation } from "../allocation/types.js";
import type { Network } from "../topology/network.js";
import { policyReporter, resolveJobs, type ResolvedJob } from "./resolve.js";
import type { PortRange, Policy } from "./types.js";

export interface PolicyChecks {
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** Throws a ConfigError for what cannot be right; returns the warnings. */
export function vetPolicy(
  policy: Policy,
  network: Network,
  allocation?: Allocation,
): ConfigIssue[] {
  const checks = checkPolicy(policy, network, allocation);
  if (checks.errors.length > 0) throw new ConfigError(checks.errors);
  return checks.warnings;
}

export function checkPolicy(
  policy: Policy,
  network: Network,
  allocation?: Allocation,
): PolicyChecks {
  const errors = policyReporter(policy);
  const warnings = policyReporter(policy);
  // Problems resolving hosts are the allocation's to report; here they only skip a job.
  const jobs = resolveJobs(policy, network, () => undefined);
  const index = new Map(policy.jobs.map((j, i) => [j.id, i]));
  for (const [a, b] of overlappingPairs(jobs)) {
    const [first, second] = a.job.id < b.job.id ? [a, b] : [b, a];
    const i = index.get(first.job.id)!;
    const j = index.get(second.job.id)!;
    const other = `jobs[${i}] (${first.job.name})`;
    if (sameClassifier(first, second)) {
      errors.report(
        ["jobs", j, "match"],
        `the same classifier as ${other}: every packet of this job would be metered as ${first.job.name}'s; ` +
          "give the two jobs different hosts, protocols or ports",
      );
    } else {
      warnings.report(
        ["jobs", j, "match"],
        `overlaps the classifier of ${other} (${overlapText(first, second, network)}): ` +
          `packets in the overlap are metered as ${first.job.name}'s (the lower job id)`,
      );
    }
  }
  for (const link of allocation?.links ?? []) {
    if (link.exactLoad > link.capacity && policy.exact.source === "declared") {
      warnings.report(
        ["exact", "flows"],
        `exact traffic declared across ${link.name} is ${formatBitRate(link.exactLoad)}, above its ` +
          `capacity of ${formatBitRate(link.capacity)}: approximate jobs on it get only their floor`,
      );
    }
  }
  return { errors: errors.issues, warnings: warnings.issues };
}

/** Pairs of jobs whose classifiers match some packet in common (indexed by source host). */
function overlappingPairs(jobs: readonly ResolvedJob[]): [ResolvedJob, ResolvedJob][] {
  const bySource = new Map<number, ResolvedJob[]>();
  for (const j of jobs) {
    for (const h of j.srcHosts) {
      const list = bySource.get(h) ?? [];
      list.push(j);
      bySource.set(h, list);
    }
  }
  const seen = new Set<string>();
  const pairs: [ResolvedJob, ResolvedJob][] = [];
  for (const list of bySource.values()) {
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const [a, b] = [list[x]!, list[y]!];
        const key = a.job.id < b.job.id ? `${a.job.id}/${b.job.id}` : `${b.job.id}/${a.job.id}`;
        if (seen.has(key) || !overlap(a, b)) continue;
        seen.add(key);
        pairs.push([a, b]);
      }
    }
  }
  return pairs;
}

function intersects(a: readonly number[], b: readonly number[]): boolean {
  const set = new Set(a);
  return b.some((x) => set.has(x));
}

function rangesMeet(a: PortRange | null, b: PortRange | null): boolean {
  return a === null || b === null || (a.from <= b.to && b.from <= a.to);
}

function overlap(a: ResolvedJob, b: ResolvedJob): boolean {
  const ma = a.job.match;
  const mb = b.job.match;
  return (
    intersects(a.dstHosts, b.dstHosts) &&
    (ma.protocol === null || mb.protocol === null || ma.protocol === mb.protocol) &&
    rangesMeet(ma.srcPort, mb.srcPort) &&
    rangesMeet(ma.dstPort, mb.dstPort)
  );
}

function sameRange(a: PortRange | null, b: PortRange | null): boolean {
  return a === null || b === null ? a === b : a.from === b.from && a.to === b.to;
}

function sameClassifier(a: ResolvedJob, b: ResolvedJob): boolean {
  const ma = a.job.match;
  const mb = b.job.match;
  const same = (x: readonly number[], y: readonly number[]) =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    same(a.srcHosts, b.srcHosts) &&
    same(a.dstHosts, b.dstHosts) &&
    ma.protocol === mb.protocol &&
    sameRange(ma.srcPort, mb.srcPort) &&
    sameRange(ma.dstPort, mb.dstPort)
  );
}

/** "from h1 to h5, udp, destination ports 7000-7100": what both classifiers match. */
function overlapText(a: ResolvedJob, b: ResolvedJob, network: Network): string {
  const names = (x: readonly number[], y: readonly number[]) => {
    const common = x.filter((h) => y.includes(h)).map((h) => network.hosts[h]!.name);
    return common.length > 3
      ? `${common.slice(0, 3).join(", ")} and ${common.length - 3} more`
      : common.join(", ");
  };
  const protocol = a.job.match.protocol ?? b.job.match.protocol;
  const range = (x: PortRange | null, y: PortRange | null) => {
    if (x === null && y === null) return undefined;
    const from = Math.max(x?.from ?? 0, y?.from ?? 0);
    const to = Math.min(x?.to ?? 65535, y?.to ?? 65535);
    return from === to ? `${from}` : `${from}-${to}`;
  };
  const parts = [`from ${names(a.srcHosts, b.srcHosts)} to ${names(a.dstHosts, b.dstHosts)}`];
  if (protocol !== null)
    parts.push(protocol === 6 ? "tcp" : protocol === 17 ? "udp" : `protocol ${protocol}`);
  const src = range(a.job.match.srcPort, b.job.match.srcPort);
  const dst = range(a.job.match.dstPort, b.job.match.dstPort);
  if (src !== undefined) parts.push(`source ports ${src}`);
  if (dst !== undefined) parts.push(`destination ports ${dst}`);
  return parts.join(", ");
}
