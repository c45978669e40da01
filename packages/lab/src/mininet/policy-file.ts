// A policy written back as a policy file, for the controller of an experiment run: the
// scenario's classes and knobs, the run's allocator, and the approximate jobs and exact
// demands of the workload. The runner rewrites it as jobs start and end (the controller
// reloads a changed policy file), so the allocation follows the running jobs. Pure.
import { stringify } from "yaml";
import { bitRateText } from "@netapprox/model/config/units.js";
import type { ApproximateJob, PortRange, Policy } from "@netapprox/model/policy/types.js";

const ports = (range: PortRange | null): number | string | undefined =>
  range === null ? undefined : range.from === range.to ? range.from : `${range.from}-${range.to}`;

function jobDocument(job: ApproximateJob): Record<string, unknown> {
  const m = job.match;
  const match: Record<string, unknown> = { src: m.src, dst: m.dst };
  if (m.protocol !== null) match.protocol = m.protocol;
  const src = ports(m.srcPort);
  const dst = ports(m.dstPort);
  if (src !== undefined) match.src_port = src;
  if (dst !== undefined) match.dst_port = dst;
  const doc: Record<string, unknown> = {
    name: job.name,
    id: job.id,
    match,
    volume: job.volume,
    fraction: job.fraction,
    weight: job.weight,
  };
  if (job.deadline !== null) doc.deadline = job.deadline;
  return doc;
}

/** The policy as YAML in base units (bytes, bit/s with its unit, seconds), readable by loadPolicyFile. */
export function policyToYaml(policy: Policy, header: string[] = []): string {
  const c = policy.classes;
  const k = policy.knobs;
  const doc = {
    allocator: policy.allocator,
    classes: {
      control: { dscp: c.control.dscp, queue: c.control.queue },
      exact: { dscp: c.exact.dscp, queue: c.exact.queue },
      approximate_guaranteed: { dscp: c.guaranteed.dscp, queue: c.guaranteed.queue },
      approximate_best_effort: { dscp: c.bestEffort.dscp, queue: c.bestEffort.queue },
    },
    knobs: {
      beta: k.beta,
      headroom: k.headroom,
      guarantee_floor: bitRateText(k.guaranteeFloor),
      guarantee_per_sender: bitRateText(k.guaranteePerSender),
      job_weights: k.jobWeights,
      le_threshold: k.leThreshold,
      ecn_threshold: k.ecnThreshold,
      hysteresis: k.hysteresis,
      poll_interval: k.pollInterval,
      ewma_alpha: k.ewmaAlpha,
      mean_packet_size: k.meanPacketSize,
      mtu: k.mtu,
      control_share: k.controlShare,
      meter_burst: k.meterBurst,
    },
    jobs: policy.jobs.map(jobDocument),
    exact: {
      source: policy.exact.source,
      flows: policy.exact.flows.map((f) => ({ src: f.src, dst: f.dst, rate: bitRateText(f.rate) })),
    },
  };
  const comments = header.map((line) => `# ${line}\n`).join("");
  return comments + stringify(doc, { lineWidth: 0 });
}
