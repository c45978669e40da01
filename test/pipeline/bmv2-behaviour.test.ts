// The v1model program on a real BMv2 (simple_switch_grpc), driven through the
// project's P4Runtime client with the names of the pipeline contract. Skips, with
// one line saying why, where BMv2 or root is not available (CI).
//
// One switch, three ports: port 1 is an edge port (host h1 sends), ports 2 and 3
// lead to hosts h2 and h3 and are core ports. Frames are raw Ethernet, sent and
// captured inside network namespaces the test creates.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeEntity, type EntitySpec, type UpdateSpec } from "@netapprox/p4runtime/entities.js";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";
import { Switch, pipelineCookie } from "@netapprox/p4runtime/switch.js";
import {
  CONTRACTS,
  DropReason,
  Dscp,
  MeterColor,
  TrafficClass,
  jobColorIndex,
  portClassIndex,
  portDropIndex,
} from "@netapprox/model/pipeline/contract.js";
import { Bmv2Net, bmv2Unavailable, pushPipeline, type Frame } from "./fixtures/bmv2-net.js";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const C = CONTRACTS.v1model;
const T = C.tables;
const A = C.actions;

const unavailable = bmv2Unavailable();
if (unavailable) process.stderr.write(`BMv2 behaviour test skipped: ${unavailable}\n`);
const describeBmv2 = unavailable ? describe.skip : describe;

const hostMac = (port: number) => `02:00:00:00:00:0${port}`;
const switchMac = (port: number) => `02:00:00:00:01:0${port}`;
const hostIp = (port: number) => `10.0.${port}.${port}`;
const JOB = 7;
const QUEUE = { LE: 0, EXACT: 5, CONTROL: 7 } as const;

function table(
  name: string,
  spec: Omit<Extract<EntitySpec, { kind: "tableEntry" }>, "kind" | "table">,
): UpdateSpec {
  return { type: "insert", entity: { kind: "tableEntry", table: name, ...spec } };
}

/** The entries the controller's translation would install for this little network. */
function entries(): UpdateSpec[] {
  const member = (memberId: number, port: number): UpdateSpec => ({
    type: "insert",
    entity: {
      kind: "actionProfileMember",
      actionProfile: C.actionProfiles.ecmp_selector.name,
      memberId,
      action: {
        name: A.set_next_hop.name,
        params: { port, smac: switchMac(port), dmac: hostMac(port) },
      },
    },
  });
  return [
    table(T.port_role.name, {
      match: { ingress_port: 1 },
      action: { name: A.mark_edge_port.name },
    }),
    ...(
      [
        [Dscp.LE, TrafficClass.APPROX_BEST_EFFORT],
        [Dscp.AF11, TrafficClass.APPROX_GUARANTEED],
        [Dscp.CS6, TrafficClass.CONTROL],
      ] as const
    ).map(([dscp, tc]) =>
      table(T.dscp_class.name, {
        match: { dscp },
        action: { name: A.set_traffic_class.name, params: { traffic_class: tc } },
      }),
    ),
    table(T.color_action.name, {
      match: { color: MeterColor.GREEN },
      action: {
        name: A.set_dscp_and_class.name,
        params: { dscp: Dscp.AF11, traffic_class: TrafficClass.APPROX_GUARANTEED },
      },
    }),
    table(T.color_action.name, {
      match: { color: MeterColor.YELLOW },
      action: {
        name: A.set_dscp_and_class.name,
        params: { dscp: Dscp.LE, traffic_class: TrafficClass.APPROX_BEST_EFFORT },
      },
    }),
    table(T.color_action.name, {
      match: { color: MeterColor.RED },
      action: { name: A.drop_meter_red.name },
    }),
    ...(
      [
        [Dscp.CS6, QUEUE.CONTROL],
        [Dscp.AF11, QUEUE.EXACT],
        [Dscp.LE, QUEUE.LE],
      ] as const
    ).map(([dscp, queue]) =>
      table(T.queue_map.name, {
        match: { dscp },
        action: { name: A.set_queue.name, params: { queue } },
      }),
    ),
    {
      type: "modify",
      entity: {
        kind: "tableEntry",
        table: T.queue_map.name,
        isDefault: true,
        action: { name: A.set_queue.name, params: { queue: QUEUE.EXACT } },
      },
    },
    // Classifier: one approximate job, one legacy exact port, one legacy control port.
    table(T.classifier.name, {
      match: {
        dst_addr: `${hostIp(2)}&&&255.255.255.255`,
        protocol: "17&&&255",
        l4_dst_port: "6000..6000",
      },
      priority: 10,
      action: { name: A.classify_approx.name, params: { job_id: JOB } },
    }),
    table(T.classifier.name, {
      match: { l4_dst_port: "7000..7000" },
      priority: 10,
      action: { name: A.classify_exact.name },
    }),
    table(T.classifier.name, {
      match: { l4_dst_port: "7100..7100" },
      priority: 10,
      action: { name: A.classify_control.name },
    }),
    // Routing: hosts, an ECMP prefix over ports 2 and 3, a blackhole.
    member(1, 1),
    member(2, 2),
    member(3, 3),
    {
      type: "insert",
      entity: {
        kind: "actionProfileMember",
        actionProfile: C.actionProfiles.ecmp_selector.name,
        memberId: 4,
        action: { name: A.drop_no_route.name },
      },
    },
    {
      type: "insert",
      entity: {
        kind: "actionProfileGroup",
        actionProfile: C.actionProfiles.ecmp_selector.name,
        groupId: 1,
        members: [{ memberId: 2 }, { memberId: 3 }],
        maxSize: 16,
      },
    },
    ...[1, 2, 3].map((p) =>
      table(T.routing_v4.name, { match: { dst_addr: `${hostIp(p)}/32` }, member: p }),
    ),
    table(T.routing_v4.name, { match: { dst_addr: "10.0.9.0/24" }, group: 1 }),
    table(T.routing_v4.name, { match: { dst_addr: "10.0.66.0/24" }, member: 4 }),
  ];
}

describeBmv2(`BMv2 behaviour${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  let net: Bmv2Net;
  let sw: Switch;
  let tag = 100;

  beforeAll(async () => {
    const schema = P4Schema.fromFile(join(root, C.artifacts.p4info));
    const deviceConfig = readFileSync(join(root, C.artifacts.deviceConfig[0]!));
    net = await Bmv2Net.start([1, 2, 3], 8);
    const pipeline = { schema, deviceConfig };
    await pushPipeline(net.grpcAddress, 1n, { ...pipeline, cookie: pipelineCookie(pipeline) });
    sw = new Switch({
      name: "s1",
      address: net.grpcAddress,
      deviceId: 1,
      electionId: 2n,
      pipeline,
    });
    sw.start();
    await sw.whenReady({ primary: true, timeoutMs: 15_000 });
    await sw.write(entries());
  }, 40_000);

  afterAll(async () => {
    await sw?.stop();
    await net?.close();
  });

  async function counter(name: string, index: number): Promise<{ packets: number; bytes: number }> {
    const entity = encodeEntity(sw.schema, { kind: "counterEntry", counter: name, index });
    const [read] = await sw.readSpecs([entity]);
    if (read?.kind !== "counterEntry" || read.data === undefined)
      throw new Error(`no data for ${name}[${index}]`);
    return { packets: Number(read.data.packetCount), bytes: Number(read.data.byteCount) };
  }

  /** Counter deltas across `during`, for several indices of one counter. */
  /** One packet delta per index, typed as a tuple of the indices' length. */
  async function deltas<const I extends readonly number[]>(
    name: string,
    indices: I,
    during: () => Promise<void>,
  ): Promise<{ [K in keyof I]: number }> {
    const before = await Promise.all(indices.map((i) => counter(name, i)));
    await during();
    const after = await Promise.all(indices.map((i) => counter(name, i)));
    return after.map((a, k) => a.packets - before[k]!.packets) as { [K in keyof I]: number };
  }

  const drops = (port: number, reason: number) => portDropIndex(port, reason);
  const dropsCounter = C.counters.port_drops.names[0]!;
  const txCounter = C.counters.port_class_tx.names[0]!;
  const count = (frames: Frame[], pick: (f: Frame) => boolean) => frames.filter(pick).length;

  test("forwards by LPM: egress port, MAC rewrite, TTL decrement, valid checksum; counts tx per class", async () => {
    const t = ++tag;
    const [tx] = await deltas(txCounter, [portClassIndex(2, TrafficClass.EXACT)], async () => {
      await net.send(1, t, { dstIp: hostIp(2), count: 20, dscp: 0, ttl: 64 });
      await net.waitFor([2], t, 20, 3000);
    });
    const got = net.received(2, t);
    expect(got).toHaveLength(20);
    expect(net.received(3, t)).toHaveLength(0);
    for (const f of got) {
      expect([f.src_mac, f.dst_mac, f.ttl, f.checksum_ok, f.dscp]).toEqual([
        switchMac(2),
        hostMac(2),
        63,
        true,
        0,
      ]);
    }
    expect(tx).toBe(20);
  });

  test("spreads an ECMP prefix over both members and keeps each 5-tuple on one path", async () => {
    const t = ++tag;
    await net.send(1, t, { dstIp: "10.0.9.9", sportCount: 200, count: 200, rate: 500 });
    await net.waitFor([2, 3], t, 200, 3000);
    const [a, b] = [net.received(2, t).length, net.received(3, t).length];
    expect(a + b).toBe(200);
    expect(Math.min(a, b)).toBeGreaterThan(40);

    const u = ++tag;
    await net.send(1, u, { dstIp: "10.0.9.9", sport: 4321, count: 30, rate: 500 });
    await net.waitFor([2, 3], u, 30, 3000);
    expect([net.received(2, u).length, net.received(3, u).length].sort()).toEqual([0, 30]);
  });

  test("drops and counts by reason: no route, blackhole, TTL expired, not IPv4", async () => {
    const t = ++tag;
    const reasons = [DropReason.NO_ROUTE, DropReason.TTL_EXPIRED, DropReason.NOT_IPV4];
    const d = await deltas(
      dropsCounter,
      reasons.map((r) => drops(1, r)),
      async () => {
        await net.send(1, t, { dstIp: "10.99.0.1", count: 10 });
        await net.send(1, t, { dstIp: "10.0.66.1", count: 5 });
        await net.send(1, t, { dstIp: hostIp(2), ttl: 1, count: 7 });
        await net.send(1, t, { dstIp: hostIp(2), ttl: 0, count: 1 });
        await net.send(1, t, { ethertype: 0x86dd, count: 4 });
        await net.send(1, t, { ethertype: 0x0806, count: 2 });
        await new Promise((r) => setTimeout(r, 300));
      },
    );
    expect(d).toEqual([15, 8, 6]);
    expect([2, 3].map((p) => net.received(p, t).length)).toEqual([0, 0]);
  });

  test("classifies at the edge and trusts DSCP in the core", async () => {
    const t = ++tag;
    const classes = [
      TrafficClass.EXACT,
      TrafficClass.APPROX_GUARANTEED,
      TrafficClass.APPROX_BEST_EFFORT,
      TrafficClass.CONTROL,
    ];
    const tx = await deltas(
      txCounter,
      classes.map((c) => portClassIndex(2, c)),
      async () => {
        await net.send(1, t, { dstIp: hostIp(2), dport: 7000, dscp: Dscp.LE, count: 5 }); // legacy exact: DSCP 0
        await net.send(1, t, { dstIp: hostIp(2), dport: 7100, count: 5 }); // legacy control: CS6
        await net.send(1, t, { dstIp: hostIp(2), dport: 5000, dscp: Dscp.AF11, count: 5 }); // AF11 without a job: LE
        await net.send(3, t, { dstIp: hostIp(2), dport: 5000, dscp: Dscp.AF11, count: 5 }); // core port: kept
        await net.waitFor([2], t, 20, 3000);
      },
    );
    const got = net.received(2, t);
    const dscpOf = (dport: number, src: string) => [
      ...new Set(got.filter((f) => f.dport === dport && f.src === src).map((f) => f.dscp)),
    ];
    expect(dscpOf(7000, "10.0.1.1")).toEqual([Dscp.DEFAULT]);
    expect(dscpOf(7100, "10.0.1.1")).toEqual([Dscp.CS6]);
    expect(count(got, (f) => f.dport === 5000 && f.dscp === Dscp.LE)).toBe(5);
    expect(count(got, (f) => f.dport === 5000 && f.dscp === Dscp.AF11)).toBe(5);
    expect(tx).toEqual([5, 5, 5, 5]);
  });

  test("meters a job at the edge: GREEN re-marked AF11, YELLOW LE, RED dropped at ingress", async () => {
    const t = ++tag;
    // 1000-byte frames at 300/s (300 kB/s) against CIR 50 kB/s and PIR 100 kB/s.
    await sw.write([
      {
        type: "modify",
        entity: {
          kind: "meterEntry",
          meter: C.meters.job_meter.name,
          index: JOB,
          config: { cir: 50_000, cburst: 2_000, pir: 100_000, pburst: 2_000 },
        },
      },
    ]);
    const colors = [MeterColor.GREEN, MeterColor.YELLOW, MeterColor.RED];
    let red = 0;
    const jc = await deltas(
      C.counters.job_colors.names[0]!,
      colors.map((c) => jobColorIndex(JOB, c)),
      async () => {
        [red] = await deltas(dropsCounter, [drops(1, DropReason.METER_RED)], async () => {
          await net.send(1, t, {
            dstIp: hostIp(2),
            dport: 6000,
            dscp: Dscp.LE,
            size: 1000,
            count: 600,
            rate: 300,
          });
          await new Promise((r) => setTimeout(r, 500));
        });
      },
    );
    const [green, yellow, redSeen] = jc as [number, number, number];
    expect(green + yellow + redSeen).toBe(600);
    expect(redSeen).toBe(red);
    // 2 s at the rates above: about 100 GREEN, 100 YELLOW, 400 RED (plus the bursts).
    expect(green).toBeGreaterThan(70);
    expect(green).toBeLessThan(150);
    expect(yellow).toBeGreaterThan(70);
    expect(yellow).toBeLessThan(150);
    const got = net.received(2, t);
    expect(count(got, (f) => f.dscp === Dscp.AF11)).toBe(green);
    expect(count(got, (f) => f.dscp === Dscp.LE)).toBe(yellow);
    expect(got).toHaveLength(600 - red);
  }, 20_000);

  test("drops best-effort packets above the port's LE threshold, leaving exact traffic alone", async () => {
    const t = ++tag;
    const u = ++tag;
    // Port 2's lowest queue drains at 100 packets/s; admit LE while it holds <= 5.
    net.cli([`set_queue_rate 100 2 ${QUEUE.LE}`]);
    await sw.write([
      table(T.port_thresholds.name, {
        match: { egress_port: 2 },
        action: { name: A.set_thresholds.name, params: { le_depth: 5, ecn_depth: 0 } },
      }),
    ]);
    try {
      const [le] = await deltas(dropsCounter, [drops(2, DropReason.LE_THRESHOLD)], async () => {
        await Promise.all([
          net.send(3, t, { dstIp: hostIp(2), dscp: Dscp.LE, count: 600, rate: 1000 }),
          net.send(1, u, { dstIp: hostIp(2), dport: 5001, count: 60, rate: 100 }),
        ]);
        await net.waitFor([2], u, 60, 2000);
        await new Promise((r) => setTimeout(r, 400)); // the LE queue drains
      });
      const delivered = net.received(2, t).length;
      expect(le).toBeGreaterThan(400);
      // Nothing else was lost: the threshold kept the queue far below BMv2's 64 slots.
      expect(delivered + le).toBe(600);
      expect(net.received(2, u)).toHaveLength(60);
    } finally {
      net.cli([`set_queue_rate 1000000 2 ${QUEUE.LE}`]);
    }
  }, 20_000);

  test("marks CE on ECN-capable exact traffic above the ECN threshold, never on non-ECT", async () => {
    const t = ++tag;
    const u = ++tag;
    net.cli([`set_queue_rate 200 3 ${QUEUE.EXACT}`]);
    await sw.write([
      table(T.port_thresholds.name, {
        match: { egress_port: 3 },
        action: { name: A.set_thresholds.name, params: { le_depth: 1000, ecn_depth: 3 } },
      }),
    ]);
    try {
      await net.send(1, t, { dstIp: hostIp(3), ecn: 2, count: 50, rate: 1000 });
      await net.send(1, u, { dstIp: hostIp(3), ecn: 0, count: 20, rate: 1000 });
      await net.waitFor([3], t, 50, 3000);
      await net.waitFor([3], u, 20, 3000);
      const ect = net.received(3, t).sort((a, b) => a.seq! - b.seq!);
      expect(ect).toHaveLength(50);
      expect(ect[0]!.ecn).toBe(2);
      expect(count(ect, (f) => f.ecn === 3)).toBeGreaterThan(25);
      expect(net.received(3, u).map((f) => f.ecn)).toEqual(Array(20).fill(0));
    } finally {
      net.cli([`set_queue_rate 1000000 3 ${QUEUE.EXACT}`]);
    }
  }, 20_000);
});
