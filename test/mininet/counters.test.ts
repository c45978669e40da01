import {
  counterCells,
  counterDelta,
  counterResults,
  jobColours,
  withQueueDrops,
  type SwitchCounters,
} from "@netapprox/lab/mininet/counters.js";
import { leafDrops } from "@netapprox/controller/targets/htb.js";
import {
  DropReason,
  MeterColor,
  TrafficClass,
  jobColorIndex,
  portClassIndex,
  portDropIndex,
} from "@netapprox/model/pipeline/contract.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";

const dumbbell = loadTopologyFile("topologies/dumbbell.yaml");

const counters = (sw: string, cells: [string, number, number][]): SwitchCounters => ({
  switch: sw,
  counts: new Map(cells.map(([k, packets, bytes]) => [k, { packets, bytes }])),
});

describe("switch counters around a run", () => {
  test("the cells read are every port's classes and drop reasons and the meter cells' colours", () => {
    const cells = counterCells([1, 5], 3);
    expect(cells).toHaveLength(2 * (4 + 5) + 3 * 3);
    expect(cells).toContainEqual({ kind: "class", index: portClassIndex(5, TrafficClass.CONTROL) });
    expect(cells).toContainEqual({ kind: "drop", index: portDropIndex(1, DropReason.NOT_IPV4) });
    expect(cells).toContainEqual({ kind: "job", index: jobColorIndex(2, MeterColor.RED) });
  });

  test("the delta is after minus before; a counter that went back (switch restart) counts from zero", () => {
    const before = [
      counters("s1", [
        ["class|21", 10, 15_000],
        ["drop|40", 4, 6000],
      ]),
    ];
    const after = [
      counters("s1", [
        ["class|21", 30, 45_000],
        ["drop|40", 1, 1500],
        ["job|8", 7, 700],
      ]),
    ];
    const d = counterDelta(before, after)[0]!;
    expect(d.counts.get("class|21")).toEqual({ packets: 20, bytes: 30_000 });
    expect(d.counts.get("drop|40")).toEqual({ packets: 1, bytes: 1500 });
    expect(d.counts.get("job|8")).toEqual({ packets: 7, bytes: 700 });
  });

  test("bytes by class on the link leaving a port; drops on the link they happened on", () => {
    const s1 = counters("s1", [
      [`class|${portClassIndex(5, TrafficClass.EXACT)}`, 100, 150_000],
      [`class|${portClassIndex(5, TrafficClass.APPROX_BEST_EFFORT)}`, 50, 75_000],
      [`drop|${portDropIndex(5, DropReason.LE_THRESHOLD)}`, 9, 13_500],
      [`drop|${portDropIndex(1, DropReason.METER_RED)}`, 4, 6000],
      [`job|${jobColorIndex(1, MeterColor.GREEN)}`, 40, 0],
      [`job|${jobColorIndex(1, MeterColor.RED)}`, 4, 0],
    ]);
    const s2 = counters("s2", [[`drop|${portDropIndex(5, DropReason.NOT_IPV4)}`, 2, 140]]);
    const r = counterResults(dumbbell, [s1, s2], 2);
    const link = (name: string) => r.links.find((l) => l.name === name)!;

    const bottleneck = link("s1:5->s2:5");
    expect(bottleneck.bytes).toEqual({
      exact: 150_000,
      approximate_guaranteed: 0,
      approximate_best_effort: 75_000,
      control: 0,
    });
    // 225 kB in 2 s over 10 Mbit/s.
    expect(bottleneck.utilisation).toBeCloseTo((8 * 225_000) / (10e6 * 2));
    expect(bottleneck.drops["le-threshold"]).toBe(9);
    // NOT_IPV4 is counted at s2's ingress port 5: the link arriving there.
    expect(bottleneck.drops["not-ipv4"]).toBe(2);
    expect(bottleneck.meanQueueDelay).toBeNull();
    // METER_RED at s1's ingress port 1: the link from h1.
    expect(link("h1->s1:1").drops["meter-red"]).toBe(4);
    expect(link("h1->s1:1").utilisation).toBe(0);
    expect(link("s2:5->s1:5").drops["not-ipv4"]).toBe(0);

    expect(r.drops["le-threshold"]).toEqual({ packets: 9, bytes: 13_500 });
    expect(r.drops["meter-red"]).toEqual({ packets: 4, bytes: 6000 });
    expect(r.drops["no-route"]).toEqual({ packets: 0, bytes: 0 });
    expect(r.meterColours.get("s1")!.get(1)).toEqual({ green: 40, yellow: 0, red: 4 });
    expect(r.colourTotals).toEqual({ green: 40, yellow: 0, red: 4 });
    expect(r.links).toHaveLength(2 * dumbbell.links.length);
  });
});

describe("drops in the links' own queues (htb leaves)", () => {
  test("read from tc -s per leaf queue, added to the link leaving the port and to the totals", () => {
    const shown =
      '[{"kind":"htb","handle":"1:","root":true,"options":{"default":"0x3"},"drops":0},' +
      '{"kind":"pfifo","handle":"10:","parent":"1:2","options":{"limit":32},"bytes":9,"packets":3,"drops":17},' +
      '{"kind":"pfifo","handle":"11:","parent":"1:3","options":{"limit":64},"drops":2}]';
    expect(leafDrops(shown)).toEqual(
      new Map([
        [0, 17],
        [1, 2],
      ]),
    );
    const base = counterResults(
      dumbbell,
      [counters("s1", [[`drop|${portDropIndex(5, DropReason.LE_THRESHOLD)}`, 1, 1500]])],
      1,
    );
    const r = withQueueDrops(dumbbell, base, [
      { switch: "s1", port: 5, reason: "le-threshold", packets: 17 },
      { switch: "s1", port: 5, reason: "queue-full", packets: 2 },
      { switch: "s2", port: 1, reason: "queue-full", packets: 0 },
    ]);
    const bottleneck = r.links.find((l) => l.name === "s1:5->s2:5")!;
    expect(bottleneck.drops["le-threshold"]).toBe(18);
    expect(bottleneck.drops["queue-full"]).toBe(2);
    expect(r.drops["le-threshold"]).toEqual({ packets: 18, bytes: 1500 });
    expect(r.drops["queue-full"]).toEqual({ packets: 2, bytes: 0 });
    // The counters themselves are left as they were.
    expect(base.drops["le-threshold"]).toEqual({ packets: 1, bytes: 1500 });
  });
});

describe("meter cells to jobs", () => {
  test("at each switch the jobs entering there hold the cells in id order", () => {
    const cells = new Map([
      [
        "s1",
        new Map([
          [0, { green: 1, yellow: 10, red: 0 }],
          [1, { green: 2, yellow: 20, red: 1 }],
        ]),
      ],
      ["s2", new Map([[0, { green: 5, yellow: 0, red: 0 }]])],
    ]);
    const entering = new Map([
      ["s1", [7, 3]],
      ["s2", [7]],
    ]);
    expect(jobColours(cells, entering)).toEqual(
      new Map([
        [3, { green: 1, yellow: 10, red: 0 }],
        [7, { green: 7, yellow: 20, red: 1 }],
      ]),
    );
  });
});
