// Per-allocator behaviour and per-port settings: which classes map to which queue, how a
// port's capacity is divided between its priority queues, and the early-drop thresholds.
//
// BMv2 paces every priority queue by its own rate and has no aggregate port rate, and a
// busy high queue does not starve a low one, so the division of a link between queues is
// set here: control gets its share, the best-effort queue what the allocation gave
// approximate jobs beyond their guarantees, and the exact queue (exact traffic plus
// guarantees) the rest, including any slack. The rates sum to the link capacity (in bits:
// control packets are paced at their own, smaller size).
// On Tofino the traffic manager does strict priority itself; the plan carries the shaping
// rate, priorities and colour-drop limits for the deployment's TM configuration.
import type { AllocatorName, Policy } from "../policy/types.js";
import type { Network } from "../topology/network.js";
import { HOST_SIDE } from "../topology/network.js";
import type { Target } from "../topology/types.js";
import type {
  ClassName,
  ClassPlan,
  Features,
  PortPlan,
  QueuePlan,
  TofinoPortPlan,
} from "./types.js";

export function featuresOf(allocator: AllocatorName): Features {
  switch (allocator) {
    case "netapprox":
      return { meters: true, earlyDrop: true, classify: "meter", transport: "approximate" };
    case "priority-only":
      // Approximate packets go to the low queue, nothing limits them there.
      return {
        meters: false,
        earlyDrop: false,
        classify: "mark-best-effort",
        transport: "approximate",
      };
    case "oblivious":
      // The network treats approximate traffic as exact; the application approximates over TCP.
      return { meters: false, earlyDrop: false, classify: "none", transport: "tcp" };
    case "udp-blast":
      // Line-rate UDP with no support from the network at all.
      return { meters: false, earlyDrop: false, classify: "none", transport: "udp-line-rate" };
  }
}

/** Whether approximate DSCP values get their own treatment (else they ride as exact). */
function approximateAware(allocator: AllocatorName): boolean {
  return allocator === "netapprox" || allocator === "priority-only";
}

export function buildClassPlan(policy: Policy): ClassPlan {
  const c = policy.classes;
  const aware = approximateAware(policy.allocator);
  const dscp = [
    { dscp: c.control.dscp, class: "control" as const, queue: c.control.queue },
    { dscp: c.exact.dscp, class: "exact" as const, queue: c.exact.queue },
    {
      dscp: c.guaranteed.dscp,
      class: (aware ? "approximate_guaranteed" : "exact") as ClassName,
      queue: c.exact.queue,
    },
    {
      dscp: c.bestEffort.dscp,
      class: (aware ? "approximate_best_effort" : "exact") as ClassName,
      queue: aware ? c.bestEffort.queue : c.exact.queue,
    },
  ].sort((a, b) => a.dscp - b.dscp);
  return {
    dscp,
    defaultQueue: c.exact.queue,
    guaranteedDscp: c.guaranteed.dscp,
    bestEffortDscp: c.bestEffort.dscp,
    priorityQueues: Math.max(c.control.queue, c.exact.queue, c.bestEffort.queue) + 1,
  };
}

/** Bytes per control-class packet for BMv2 queue pacing (feedback: 224 B at the IP layer). */
export const CONTROL_PACKET_BYTES = 256;

/** Share of a link's data rate that a BMv2 queue with traffic mapped to it keeps at least. */
export const IDLE_QUEUE_SHARE = 0.01;

// Shared by every port plan (thousands of them): treat as read-only.
const BEST_EFFORT_CLASSES: ClassName[] = ["approximate_best_effort"];
const NO_CLASSES: ClassName[] = [];
const EXACT_CLASSES: ClassName[] = ["exact", "approximate_guaranteed"];
const CONTROL_CLASSES: ClassName[] = ["control"];

export interface PortInput {
  network: Network;
  /** The directed link leaving this port. */
  link: number;
  port: number;
  target: Target;
  policy: Policy;
  /** bit/s */
  exactLoad: number;
  /** Data capacity minus exact load. */
  residual: number;
  /** Sum of guarantees on the link (netapprox). */
  guaranteed: number;
  /** Allocated beyond guarantees on the link (netapprox). */
  bestEffort: number;
  /** Approximate jobs whose traffic crosses the link. */
  approximateJobs: number;
}

export function portPlan(input: PortInput): PortPlan {
  const { network: net, link: l, policy } = input;
  const k = policy.knobs;
  const c = policy.classes;
  const capacity = net.linkCapacity[l]!;
  const buffer = net.linkBuffer[l]!;
  const allocator = policy.allocator;

  // Bit rate the best-effort queue needs, by allocator. Priority-only gives it the residual,
  // but only where approximate jobs go: elsewhere the exact queue (which also carries what
  // no one declared, such as the acknowledgements of exact flows) keeps the link.
  const lowBits =
    allocator === "netapprox"
      ? input.bestEffort
      : allocator === "priority-only" && input.approximateJobs > 0
        ? input.residual
        : 0;
  const bitsPerPacket = 8 * k.meanPacketSize;
  // BMv2 paces in packets. Control packets (the approximate transport's feedback and
  // acknowledgements) are a few hundred bytes, not data-sized: their share in bits is
  // converted at their own size, else the control queue would pass a fraction of the
  // packets its share pays for.
  const control = Math.max(1, Math.round((capacity * k.controlShare) / (8 * CONTROL_PACKET_BYTES)));
  const data = Math.max(2, Math.round((capacity * (1 - k.controlShare)) / bitsPerPacket));
  const lowClasses = approximateAware(allocator) ? BEST_EFFORT_CLASSES : NO_CLASSES;
  const highClasses = EXACT_CLASSES;
  // A queue that traffic is mapped to keeps at least IDLE_QUEUE_SHARE of the data rate even
  // when the allocation gives it nothing: BMv2 fixes a packet's departure time when it is
  // enqueued, so at 1 packet/s whatever nobody declared (a host sending LE on its own, an
  // exact flow's acknowledgements) would wait a second per packet. A queue nothing is mapped
  // to keeps 1 packet/s: a rate of 0 would mean "unpaced" to BMv2.
  const floorOf = (classes: readonly string[]) =>
    classes.length > 0 ? Math.max(1, Math.round(data * IDLE_QUEUE_SHARE)) : 1;
  const low = Math.min(
    Math.max(floorOf(lowClasses), Math.round(lowBits / bitsPerPacket)),
    data - floorOf(highClasses),
  );
  const high = data - low;

  // Weighted scheduling: the best-effort queue's share of the port is the guarantees of
  // the jobs crossing it (so a job's guarantee is sized by how many of its senders converge
  // here), at most beta of the link; the exact queue has the rest. Each may use what the
  // other leaves idle, so with no guarantees this is strict priority.
  const dataCapacity = capacity * (1 - k.controlShare);
  const lowWeight =
    allocator === "netapprox" && dataCapacity > 0
      ? Math.min(k.beta, input.guaranteed / dataCapacity)
      : 0;
  const queues: QueuePlan[] = [
    {
      queue: c.bestEffort.queue,
      classes: lowClasses,
      ratePps: low,
      depthPackets: buffer,
      weight: lowWeight,
    },
    {
      queue: c.exact.queue,
      classes: highClasses,
      ratePps: high,
      depthPackets: buffer,
      weight: 1 - lowWeight,
    },
    {
      queue: c.control.queue,
      classes: CONTROL_CLASSES,
      ratePps: control,
      depthPackets: buffer,
      weight: 0,
    },
  ];

  const earlyDrop = allocator === "netapprox";
  const leThreshold = earlyDrop ? Math.min(k.leThreshold, buffer) : null;
  let tofino: TofinoPortPlan | null = null;
  if (input.target === "tofino") {
    // A best-effort queue with a share runs at the exact queue's priority under DWRR;
    // without one it is a lower priority, served from what exact traffic leaves.
    const shared = lowWeight > 0;
    const percent = (w: number) => Math.round(w * 1000) / 10;
    tofino = {
      shapingRate: capacity,
      queues: [
        {
          queue: c.bestEffort.queue,
          priority: shared ? c.exact.queue : c.bestEffort.queue,
          weight: percent(lowWeight),
          classes: lowClasses,
          minRate: Math.max(lowBits, lowWeight * dataCapacity),
          depthPackets: buffer,
          yellowLimitPackets: leThreshold,
        },
        {
          queue: c.exact.queue,
          priority: c.exact.queue,
          weight: percent(1 - lowWeight),
          classes: highClasses,
          minRate: input.exactLoad + (earlyDrop ? input.guaranteed : 0),
          depthPackets: buffer,
          yellowLimitPackets: null,
        },
        {
          queue: c.control.queue,
          priority: c.control.queue,
          weight: 100,
          classes: CONTROL_CLASSES,
          minRate: capacity * k.controlShare,
          depthPackets: buffer,
          yellowLimitPackets: null,
        },
      ],
    };
  }
  const toPort = net.linkToPort[l]!;
  return {
    port: input.port,
    peer: net.nodeName(net.linkTo[l]!),
    peerPort: toPort === HOST_SIDE ? null : toPort,
    capacity,
    buffer,
    leThreshold,
    ecnThreshold: k.ecnThreshold === null ? null : Math.min(k.ecnThreshold, buffer),
    queues,
    tofino,
  };
}
