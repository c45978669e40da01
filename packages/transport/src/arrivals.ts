// The exact-traffic plan: Poisson flow arrivals whose sizes come from a distribution,
// at a rate that offers a target fraction of a link's capacity
// (arrival rate = load * capacity / mean flow size). Pure: the generator executes it.
import { Rng } from "./random.js";
import type { SizeDistribution } from "./size-distributions.js";

export interface PlannedFlow {
  id: number;
  /** Start time relative to the beginning of the run. */
  startMs: number;
  sizeBytes: number;
  /** Index into the destinations list. */
  destination: number;
}

export interface FlowPlanRequest {
  distribution: SizeDistribution;
  /** Offered load as a fraction of the capacity, in (0, 1] (above 1 is allowed: overload). */
  load: number;
  capacityBitsPerSec: number;
  /** Stop after this many flows... */
  flows?: number;
  /** ...or at the first arrival at or after this time. */
  durationMs?: number;
  destinations: number;
  seed: number;
  /** Flow ids start here (several generators can share a sink). */
  firstId?: number;
}

export interface FlowPlan {
  flows: PlannedFlow[];
  arrivalsPerSec: number;
  meanSizeBytes: number;
}

/** Hard bound on one plan, so a typo in --duration cannot exhaust memory. */
export const MAX_PLANNED_FLOWS = 1_000_000;

export function planFlows(req: FlowPlanRequest): FlowPlan {
  if (!(req.load > 0)) throw new RangeError(`load must be positive, got ${req.load}`);
  if (!(req.capacityBitsPerSec > 0)) {
    throw new RangeError(`capacity must be positive, got ${req.capacityBitsPerSec}`);
  }
  if (!Number.isInteger(req.destinations) || req.destinations < 1) {
    throw new RangeError(`at least one destination is needed`);
  }
  if (req.flows === undefined && req.durationMs === undefined) {
    throw new RangeError(`give a number of flows or a duration`);
  }
  if (req.flows !== undefined && (!Number.isInteger(req.flows) || req.flows < 0)) {
    throw new RangeError(`number of flows must be a non-negative integer, got ${req.flows}`);
  }
  const meanSizeBytes = req.distribution.mean();
  const arrivalsPerSec = (req.load * req.capacityBitsPerSec) / 8 / meanSizeBytes;
  // Separate streams for sizes, gaps and destinations: changing the number of
  // destinations does not change the sizes or the arrival times of a seed.
  const gaps = new Rng(req.seed);
  const sizes = new Rng(req.seed ^ 0x5bd1e995);
  const places = new Rng(req.seed ^ 0x27d4eb2f);
  const limit = Math.min(req.flows ?? MAX_PLANNED_FLOWS, MAX_PLANNED_FLOWS);
  const flows: PlannedFlow[] = [];
  let t = 0;
  const firstId = req.firstId ?? 0;
  while (flows.length < limit) {
    t += gaps.exponential(arrivalsPerSec) * 1000;
    if (req.durationMs !== undefined && t >= req.durationMs) break;
    flows.push({
      id: firstId + flows.length,
      startMs: t,
      sizeBytes: req.distribution.sample(sizes),
      destination: req.destinations === 1 ? 0 : places.int(req.destinations),
    });
  }
  return { flows, arrivalsPerSec, meanSizeBytes };
}

/** Size classes of the usual FCT breakdown: small < 100 KB <= medium < 10 MB <= large. */
export function sizeClass(sizeBytes: number): "small" | "medium" | "large" {
  if (sizeBytes < 100_000) return "small";
  if (sizeBytes < 10_000_000) return "medium";
  return "large";
}
