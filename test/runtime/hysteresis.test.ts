import type { EntitySpec } from "@netapprox/p4runtime/entities.js";
import type { SwitchDesiredState } from "@netapprox/model/pipeline/translate.js";
import { applyHysteresis } from "@netapprox/controller/runtime/hysteresis.js";

const T = "NetapproxIngress.port_thresholds";
const meter = (index: number, cir: number, pir: number): EntitySpec => ({
  kind: "meterEntry",
  meter: "job_meter",
  index,
  config: { cir, cburst: 1500, pir, pburst: 3000 },
});
const threshold = (port: number, le: number): EntitySpec => ({
  kind: "tableEntry",
  table: T,
  match: { egress_port: port },
  action: { name: "set_thresholds", params: { le_depth: le, ecn_depth: 0 } },
});
const route = (port: number): EntitySpec => ({
  kind: "tableEntry",
  table: "routing_v4",
  match: { dst_addr: "10.0.0.0/8" },
  member: port,
});
const state = (entities: EntitySpec[], rate = 800): SwitchDesiredState => ({
  switch: "s1",
  entities,
  queues: [{ port: 1, priority: 0, ratePps: rate, depthPackets: 64 }],
  trafficManager: [],
  scheduling: { dscp: [], defaultQueue: 1, ports: [] },
  meterIndexes: [],
});

describe("hysteresis", () => {
  const current = state([meter(1, 1000, 2000), threshold(1, 8), route(1)]);

  it("keeps meters, thresholds and queue rates that moved less than the margin", () => {
    const next = applyHysteresis(
      current,
      state([meter(1, 1030, 2040), threshold(1, 8), route(1)], 820),
      0.05,
      T,
    );
    expect(next.entities[0]).toBe(current.entities[0]);
    expect(next.queues[0]!.ratePps).toBe(800);
  });

  it("takes values that moved beyond the margin, and structural changes at once", () => {
    const next = applyHysteresis(
      current,
      state([meter(1, 1100, 2000), threshold(1, 12), route(2), meter(2, 5, 10)], 900),
      0.05,
      T,
    );
    expect(next.entities).toEqual([
      meter(1, 1100, 2000),
      threshold(1, 12),
      route(2),
      meter(2, 5, 10),
    ]);
    expect(next.queues[0]!.ratePps).toBe(900);
  });

  it("does nothing without a current state or with a zero margin", () => {
    const next = state([meter(1, 1001, 2000)]);
    expect(applyHysteresis(undefined, next, 0.05, T)).toBe(next);
    expect(applyHysteresis(current, next, 0, T)).toBe(next);
  });
});
