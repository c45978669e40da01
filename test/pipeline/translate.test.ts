import { allocate } from "@netapprox/model/allocation/allocate.js";
import { CONTROL_PACKET_BYTES } from "@netapprox/model/allocation/ports.js";
import { encodeEntity, type EntitySpec } from "@netapprox/p4runtime/entities.js";
import { pipelineContract, TrafficClass, MeterColor } from "@netapprox/model/pipeline/contract.js";
import {
  translateAll,
  translateSwitch,
  UNMETERED_JOB_ID,
} from "@netapprox/model/pipeline/translate.js";
import { loadPolicyFile } from "@netapprox/model/policy/load.js";
import type { Policy } from "@netapprox/model/policy/types.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import { schemaFromContract } from "../helpers/contract-schema.js";

const topology = loadTopologyFile("topologies/dumbbell.yaml");
const policy = loadPolicyFile("policies/dumbbell.yaml");
const routing = computeRoutes(topology);
const contract = pipelineContract("v1model");
const schema = schemaFromContract(contract);

function desired(p: Policy = policy) {
  const allocation = allocate(topology, routing, {}, p);
  return { allocation, states: translateAll(allocation, routing.tables(), () => contract) };
}

const byTable = (entities: EntitySpec[], logical: keyof typeof contract.tables) =>
  entities.filter(
    (e) => e.kind === "tableEntry" && e.table === contract.tables[logical].name,
  ) as Extract<EntitySpec, { kind: "tableEntry" }>[];

describe("translation of the dumbbell allocation", () => {
  const { allocation, states } = desired();
  const s1 = states.find((s) => s.switch === "s1")!;
  const s2 = states.find((s) => s.switch === "s2")!;

  it("produces entities that encode against the pipeline's names and widths", () => {
    for (const s of states)
      for (const e of s.entities) expect(() => encodeEntity(schema, e)).not.toThrow();
  });

  it("marks host-facing ports as edge ports", () => {
    expect(byTable(s1.entities, "port_role").map((e) => e.match!.ingress_port)).toEqual([
      1, 2, 3, 4,
    ]);
  });

  it("classifies and meters each job at the switch where it enters", () => {
    const cls = byTable(s1.entities, "classifier");
    // training-shards: h1 -> h5 udp 7000; log-sample: {h2,h3} -> h6 udp 9000-9100.
    expect(
      cls.map((e) => [
        e.match!.src_addr,
        e.match!.dst_addr,
        e.match!.l4_dst_port,
        e.action!.params!.job_id,
      ]),
    ).toEqual([
      ["10.0.1.1&&&255.255.255.255", "10.0.2.1&&&255.255.255.255", "7000..7000", 0],
      ["10.0.1.2&&&255.255.255.255", "10.0.2.2&&&255.255.255.255", "9000..9100", 1],
      ["10.0.1.3&&&255.255.255.255", "10.0.2.2&&&255.255.255.255", "9000..9100", 1],
    ]);
    expect(new Set(cls.map((e) => e.priority)).size).toBe(2); // one priority per job
    expect(s1.meterIndexes).toEqual([
      { jobId: 1, index: 0 },
      { jobId: 2, index: 1 },
    ]);
    expect(byTable(s2.entities, "classifier")).toHaveLength(0); // nothing enters at s2
    const meters = s1.entities.filter((e) => e.kind === "meterEntry");
    const job1 = allocation.jobs.find((j) => j.id === 1)!;
    const m1 = job1.ingress[0]!.meter!;
    expect(meters).toContainEqual({
      kind: "meterEntry",
      meter: contract.meters.job_meter.name,
      index: 0, // meter cells are numbered per switch, jobs in id order
      config: {
        cir: Math.round(m1.cir),
        cburst: Math.round(m1.cbs),
        pir: Math.round(m1.pir),
        pburst: Math.round(m1.pbs),
      },
    });
  });

  it("maps meter colours, DSCPs to classes and queues, with a default queue", () => {
    expect(
      byTable(s1.entities, "color_action").map((e) => [
        e.match!.color,
        e.action!.name,
        e.action!.params,
      ]),
    ).toEqual([
      [
        MeterColor.GREEN,
        contract.actions.set_dscp_and_class.name,
        { dscp: 10, traffic_class: TrafficClass.APPROX_GUARANTEED },
      ],
      [
        MeterColor.YELLOW,
        contract.actions.set_dscp_and_class.name,
        { dscp: 1, traffic_class: TrafficClass.APPROX_BEST_EFFORT },
      ],
      [MeterColor.RED, contract.actions.drop_meter_red.name, undefined],
    ]);
    expect(
      byTable(s1.entities, "dscp_class").map((e) => [
        e.match!.dscp,
        e.action!.params!.traffic_class,
      ]),
    ).toEqual([
      [0, TrafficClass.EXACT],
      [1, TrafficClass.APPROX_BEST_EFFORT],
      [10, TrafficClass.APPROX_GUARANTEED],
      [48, TrafficClass.CONTROL],
    ]);
    const queues = byTable(s1.entities, "queue_map");
    expect(
      queues.filter((e) => !e.isDefault).map((e) => [e.match!.dscp, e.action!.params!.queue]),
    ).toEqual([
      [0, 1],
      [1, 0],
      [10, 1],
      [48, 2],
    ]);
    expect(queues.find((e) => e.isDefault)!.action!.params!.queue).toBe(1);
  });

  it("sets LE thresholds per port and BMv2 queue rates that sum to each link's capacity", () => {
    const thresholds = byTable(s1.entities, "port_thresholds");
    expect(thresholds.map((e) => e.match!.egress_port)).toEqual([1, 2, 3, 4, 5]);
    expect(
      thresholds.every(
        (e) => e.action!.params!.le_depth === 8 && e.action!.params!.ecn_depth === 0,
      ),
    ).toBe(true);
    const port5 = s1.queues.filter((q) => q.port === 5);
    // In bits: data queues in 1500-byte packets, the control queue (priority 2) in control-sized ones.
    const bits = port5.reduce(
      (sum, q) => sum + 8 * q.ratePps * (q.priority === 2 ? CONTROL_PACKET_BYTES : 1500),
      0,
    );
    expect(Math.abs(bits - 10e6)).toBeLessThan(8 * 1500);
    expect(s1.trafficManager).toEqual([]);
  });

  it("routes with one member per next hop and one entry per destination", () => {
    const members = s1.entities.filter((e) => e.kind === "actionProfileMember");
    const routes = byTable(s1.entities, "routing_v4");
    expect(members.length).toBe(5); // four hosts and the bottleneck
    expect(routes.length).toBeGreaterThanOrEqual(2);
    const ids = new Set(members.map((m) => (m as { memberId: number }).memberId));
    for (const r of routes) expect(r.member === undefined ? true : ids.has(r.member)).toBe(true);
  });

  it("is deterministic", () => {
    expect(JSON.stringify(desired().states)).toBe(JSON.stringify(states));
  });
});

describe("translation of the baselines", () => {
  it("priority-only: no meters and no early drop; host-marked LE still rides the low queue", () => {
    const { states } = desired({ ...policy, allocator: "priority-only" });
    const s1 = states.find((s) => s.switch === "s1")!;
    expect(s1.entities.some((e) => e.kind === "meterEntry")).toBe(false);
    expect(byTable(s1.entities, "port_thresholds")).toHaveLength(0);
    const cls = byTable(s1.entities, "classifier");
    expect(cls.every((e) => e.action!.params!.job_id === UNMETERED_JOB_ID)).toBe(true);
    expect(
      byTable(s1.entities, "queue_map").find((e) => e.match?.dscp === 1)!.action!.params!.queue,
    ).toBe(0);
  });

  it("oblivious: approximate traffic is exact traffic", () => {
    const { states } = desired({ ...policy, allocator: "oblivious" });
    const s1 = states.find((s) => s.switch === "s1")!;
    expect(byTable(s1.entities, "classifier")).toHaveLength(0);
    expect(
      byTable(s1.entities, "dscp_class").every((e) =>
        [TrafficClass.EXACT, TrafficClass.CONTROL].includes(e.action!.params!.traffic_class as 0),
      ),
    ).toBe(true);
  });
});

describe("translation for Tofino", () => {
  it("uses the TNA names, counts thresholds in cells and emits TM settings instead of queue rates", () => {
    const tofinoTopology = {
      ...topology,
      switches: topology.switches.map((s) => ({ ...s, target: "tofino" as const })),
    };
    const r = computeRoutes(tofinoTopology);
    const allocation = allocate(tofinoTopology, r, {}, policy);
    const tna = pipelineContract("tna");
    const plan = allocation.switches.find((s) => s.name === "s1")!;
    const state = translateSwitch(
      allocation,
      plan,
      r.tables().find((t) => t.switch === "s1")!,
      tna,
    );
    const tnaSchema = schemaFromContract(tna);
    for (const e of state.entities) expect(() => encodeEntity(tnaSchema, e)).not.toThrow();
    expect(state.queues).toEqual([]);
    expect(state.trafficManager.map((t) => t.port)).toEqual([1, 2, 3, 4, 5]);
    const t = state.entities.find(
      (e) => e.kind === "tableEntry" && e.table === tna.tables.port_thresholds.name,
    ) as Extract<EntitySpec, { kind: "tableEntry" }>;
    expect(t.action!.params!.le_depth).toBe(8 * Math.ceil(1500 / 80));
  });
});
