import fc from "fast-check";
import { status as Code } from "@grpc/grpc-js";
import { encodeEntity, type EntitySpec } from "@netapprox/p4runtime/entities.js";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";
import {
  planReconciliation,
  reconciliationReads,
} from "@netapprox/controller/runtime/reconcile.js";
import { DeviceState } from "@netapprox/controller/testswitch/device.js";
import { Update_Type } from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";

const schema = P4Schema.fromFile("test/fixtures/p4info/basic.p4info.json");

/** A random but consistent desired state: members, groups using them, entries using groups. */
const desiredState = fc
  .record({
    routes: fc.uniqueArray(
      fc.record({ net: fc.integer({ min: 0, max: 40 }), port: fc.integer({ min: 0, max: 3 }) }),
      { selector: (r) => r.net, maxLength: 12 },
    ),
    members: fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 6 }),
    groupCount: fc.integer({ min: 0, max: 3 }),
    meters: fc.uniqueArray(
      fc.record({ index: fc.integer({ min: 0, max: 20 }), rate: fc.integer({ min: 1, max: 5 }) }),
      { selector: (m) => m.index, maxLength: 6 },
    ),
    defaultDrop: fc.boolean(),
  })
  .map(({ routes, members, groupCount, meters, defaultDrop }) => {
    const specs: EntitySpec[] = [];
    for (const r of routes) {
      specs.push({
        kind: "tableEntry",
        table: "ipv4_lpm",
        match: { "hdr.ipv4.dst_addr": `10.${r.net}.0.0/16` },
        action: { name: "set_next_hop", params: { port: r.port, smac: 1, dmac: 2 } },
      });
    }
    for (const m of members) {
      specs.push({
        kind: "actionProfileMember",
        actionProfile: "ecmp_selector",
        memberId: m,
        action: { name: "set_next_hop", params: { port: m, smac: 1, dmac: 2 } },
      });
    }
    const groups = members.length ? Math.min(groupCount, 3) : 0;
    for (let g = 1; g <= groups; g++) {
      specs.push({
        kind: "actionProfileGroup",
        actionProfile: "ecmp_selector",
        groupId: g,
        members: members.filter((_, i) => i % g === 0).map((memberId) => ({ memberId })),
      });
      specs.push({
        kind: "tableEntry",
        table: "ecmp_routes",
        match: { "hdr.ipv4.dst_addr": `20.${g}.0.0/16` },
        group: g,
      });
    }
    for (const m of meters) {
      specs.push({
        kind: "meterEntry",
        meter: "job_meter",
        index: m.index,
        config: { cir: m.rate * 1000, cburst: 1500, pir: m.rate * 2000, pburst: 3000 },
      });
    }
    if (defaultDrop)
      specs.push({
        kind: "tableEntry",
        table: "ipv4_lpm",
        isDefault: true,
        action: { name: "drop" },
      });
    return specs.map((s) => encodeEntity(schema, s));
  });

function install(device: DeviceState, desired: ReturnType<typeof encodeEntity>[]): number {
  const plan = planReconciliation(schema, desired, readAll(device));
  for (const phase of plan.phases) {
    for (const u of phase) {
      const status = device.apply(u);
      if (status.code !== Code.OK) throw new Error(`update failed: ${status.message}`);
    }
  }
  return plan.inserts + plan.modifies + plan.deletes;
}

function readAll(device: DeviceState) {
  return reconciliationReads(schema).flatMap((r) => device.read(r));
}

describe("planReconciliation", () => {
  it("takes any installed state to any desired state in dependency order, then plans nothing", () => {
    fc.assert(
      fc.property(desiredState, desiredState, (before, after) => {
        const device = new DeviceState(schema);
        install(device, before);
        install(device, after); // throws if any phase violates a dependency
        const again = planReconciliation(schema, after, readAll(device));
        expect(again.phases).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("writes nothing when the switch already holds the desired state", () => {
    const device = new DeviceState(schema);
    const desired = [
      encodeEntity(schema, {
        kind: "tableEntry",
        table: "ipv4_lpm",
        match: { "hdr.ipv4.dst_addr": "10.0.0.0/8" },
        action: { name: "drop" },
      }),
      encodeEntity(schema, {
        kind: "meterEntry",
        meter: "job_meter",
        index: 3,
        config: { cir: 1, cburst: 1, pir: 2, pburst: 1 },
      }),
    ];
    expect(install(device, desired)).toBe(2);
    const plan = planReconciliation(schema, desired, readAll(device));
    expect(plan).toMatchObject({ phases: [], inserts: 0, modifies: 0, deletes: 0 });
  });

  it("modifies a changed entry, resets an unwanted meter and deletes stale entries after their users", () => {
    const device = new DeviceState(schema);
    const member: EntitySpec = {
      kind: "actionProfileMember",
      actionProfile: "ecmp_selector",
      memberId: 1,
      action: { name: "set_next_hop", params: { port: 1, smac: 1, dmac: 2 } },
    };
    const group: EntitySpec = {
      kind: "actionProfileGroup",
      actionProfile: "ecmp_selector",
      groupId: 1,
      members: [{ memberId: 1 }],
    };
    const viaGroup: EntitySpec = {
      kind: "tableEntry",
      table: "ecmp_routes",
      match: { "hdr.ipv4.dst_addr": "20.0.0.0/8" },
      group: 1,
    };
    const route = (port: number): EntitySpec => ({
      kind: "tableEntry",
      table: "ipv4_lpm",
      match: { "hdr.ipv4.dst_addr": "10.0.0.0/8" },
      action: { name: "set_next_hop", params: { port, smac: 1, dmac: 2 } },
    });
    const meter: EntitySpec = {
      kind: "meterEntry",
      meter: "job_meter",
      index: 5,
      config: { cir: 1, cburst: 1, pir: 2, pburst: 1 },
    };
    install(
      device,
      [member, group, viaGroup, route(1), meter].map((s) => encodeEntity(schema, s)),
    );

    const plan = planReconciliation(schema, [encodeEntity(schema, route(2))], readAll(device));
    const kinds = plan.phases.map((p) =>
      p.map((u) => `${Update_Type[u.type]} ${u.entity!.entity.case}`),
    );
    expect(kinds).toEqual([
      ["MODIFY tableEntry"],
      ["MODIFY meterEntry"],
      ["DELETE tableEntry"],
      ["DELETE actionProfileGroup"],
      ["DELETE actionProfileMember"],
    ]);
    expect(plan).toMatchObject({ inserts: 0, modifies: 2, deletes: 3 });
  });
});
