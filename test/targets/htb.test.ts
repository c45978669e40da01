// The htb trees that stand in for a traffic manager on Mininet links: built from the
// allocation, checked, turned into tc commands, read back from what tc prints, and
// compared so that only differences are written.
import { allocate } from "@netapprox/model/allocation/allocate.js";
import { pipelineContract } from "@netapprox/model/pipeline/contract.js";
import { translateAll, type PortScheduling } from "@netapprox/model/pipeline/translate.js";
import { loadPolicyFile } from "@netapprox/model/policy/load.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import {
  checkTree,
  EMPTY,
  HtbError,
  linkCommands,
  minorOf,
  observedOf,
  parseObserved,
  parseTcRate,
  strictTree,
  treeCommands,
  weightedTree,
  type HtbTree,
} from "@netapprox/controller/targets/htb.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";

const topology = loadTopologyFile("topologies/dumbbell.yaml");
const routing = computeRoutes(topology);
const contract = pipelineContract("v1model");

function scheduling(policyFile = "policies/dumbbell.yaml") {
  const allocation = allocate(topology, routing, {}, loadPolicyFile(policyFile));
  const states = translateAll(allocation, routing.tables(), () => contract);
  return states.find((s) => s.switch === "s1")!.scheduling;
}

describe("htb trees from the allocation", () => {
  const s = scheduling();
  const bottleneck = s.ports.find((p) => p.port === 5)!;
  const tree = weightedTree(s, bottleneck);
  const byQueue = (q: number) => tree.classes.find((c) => c.queue === q)!;

  test("control first at its share; exact and best effort share the rest by the port's weights", () => {
    // policies/dumbbell.yaml: control queue 2 (2% share), exact queue 1, best effort queue 0;
    // a 3.2 Mbit/s guarantee crosses s1:5, so best effort weighs 3.2 / 9.8 of the data capacity.
    expect(tree.rate).toBe(10e6);
    const control = byQueue(2);
    const exact = byQueue(1);
    const le = byQueue(0);
    expect(control).toMatchObject({ prio: 0, rate: 0.2e6, ceil: 10e6, minor: 4 });
    expect(exact.prio).toBe(1);
    expect(le.prio).toBe(1);
    expect(le.rate / (le.rate + exact.rate)).toBeCloseTo(3.2 / 9.8, 6);
    expect(control.rate + exact.rate + le.rate).toBeCloseTo(10e6, 3);
    // Every class may borrow the whole link: work conservation.
    for (const c of tree.classes) expect(c.ceil).toBe(10e6);
    // Borrowing is shared by quantum, in proportion to the rates.
    expect(exact.quantum / le.quantum).toBeCloseTo(exact.rate / le.rate, 1);
  });

  test("the best-effort leaf holds the LE threshold (early drop), the others the buffer", () => {
    expect(byQueue(0).limit).toBe(8); // le_threshold of policies/dumbbell.yaml
    expect(byQueue(1).limit).toBe(64);
    expect(byQueue(2).limit).toBe(64);
  });

  test("packets go to their queue's class by DSCP, unknown DSCPs to the exact class", () => {
    expect(tree.defaultMinor).toBe(minorOf(1));
    expect(tree.filters).toEqual([
      { dscp: 1, minor: minorOf(0) },
      { dscp: 48, minor: minorOf(2) },
    ]);
  });

  test("a port without guarantees: best effort at a token rate below the exact class", () => {
    const idle = s.ports.find((p) => p.port === 4)!; // h4 sends exact traffic only
    const t = weightedTree(s, idle);
    const le = t.classes.find((c) => c.queue === 0)!;
    const exact = t.classes.find((c) => c.queue === 1)!;
    expect(le.prio).toBeGreaterThan(exact.prio);
    expect(le.rate).toBe(10_000);
    expect(exact.rate).toBeCloseTo(10e6 - 0.2e6 - 10_000, 3);
  });

  test("hosts: strict priority by queue, every class borrowing the link", () => {
    const t = strictTree(s, 10e6, 1000);
    expect(t.classes.map((c) => [c.queue, c.prio])).toEqual([
      [0, 2],
      [1, 1],
      [2, 0],
    ]);
    for (const c of t.classes) {
      expect(c.rate).toBe(10_000);
      expect(c.ceil).toBe(10e6);
      expect(c.limit).toBe(1000);
    }
    expect(t.defaultMinor).toBe(minorOf(1));
  });

  test("a bad rate is a clear error naming the link, the class and the value", () => {
    const broken: PortScheduling = { ...bottleneck, capacity: Number.NaN };
    expect(() => checkTree(weightedTree(s, broken), "s1 port 5 (s1-eth5)")).toThrow(
      new HtbError("s1 port 5 (s1-eth5): link rate NaN bit/s is not a positive number"),
    );
    const negative: HtbTree = {
      ...tree,
      classes: tree.classes.map((c) => (c.queue === 0 ? { ...c, rate: -5 } : c)),
    };
    expect(() => checkTree(negative, "s1 port 5")).toThrow(
      /s1 port 5: class of queue 0: rate -5 bit\/s is not a positive number/,
    );
    const over: HtbTree = {
      ...tree,
      classes: tree.classes.map((c) => (c.queue === 1 ? { ...c, ceil: 2e7 } : c)),
    };
    expect(() => checkTree(over, "s1 port 5")).toThrow(/ceil 20000000 bit\/s is not in/);
    expect(checkTree(tree, "s1 port 5")).toBe(tree);
  });
});

describe("tc commands and read-back", () => {
  const s = scheduling();
  const tree = weightedTree(
    s,
    s.ports.find((p) => p.port === 5)!,
  );

  test("from nothing: root qdisc, root class, leaves with their FIFOs, DSCP filters", () => {
    const cmds = treeCommands("s1-eth5", tree).map((c) => c.join(" "));
    expect(cmds[0]).toBe("qdisc replace dev s1-eth5 root handle 1: htb default 3");
    expect(cmds[1]).toBe(
      "class replace dev s1-eth5 parent 1: classid 1:1 htb rate 10000000bit ceil 10000000bit",
    );
    expect(cmds.find((c) => c.includes("classid 1:2 "))).toMatch(
      /^class replace dev s1-eth5 parent 1:1 classid 1:2 htb rate \d+bit ceil 10000000bit prio 1 quantum \d+$/,
    );
    expect(cmds).toContain("qdisc replace dev s1-eth5 parent 1:2 handle 10: pfifo limit 8");
    expect(cmds).toContain(
      "filter add dev s1-eth5 parent 1: protocol ip prio 1 u32 match ip dsfield 0xc0 0xfc flowid 1:4",
    );
    expect(cmds).toHaveLength(2 + 2 * 3 + 2);
  });

  test("an interface that holds the tree needs nothing", () => {
    expect(linkCommands("s1-eth5", tree, observedOf(tree))).toEqual([]);
  });

  test("a weight that moved changes its classes only", () => {
    const moved: HtbTree = {
      ...tree,
      classes: tree.classes.map((c) =>
        c.queue === 0 ? { ...c, rate: c.rate * 1.5, quantum: c.quantum + 1 } : c,
      ),
    };
    const cmds = linkCommands("s1-eth5", moved, observedOf(tree)).map((c) => c.join(" "));
    expect(cmds).toHaveLength(1);
    expect(cmds[0]).toMatch(/^class replace dev s1-eth5 parent 1:1 classid 1:2 /);
  });

  test("rates within tc's rounding are equal; a new default class rebuilds the root", () => {
    const shown = observedOf(tree);
    for (const c of shown.classes.values()) c.rate = Math.floor(c.rate / 1000) * 1000;
    expect(linkCommands("x", tree, shown)).toEqual([]);
    const cmds = linkCommands("x", { ...tree, defaultMinor: minorOf(0) }, observedOf(tree));
    expect(cmds[0]!.join(" ")).toBe("qdisc del dev x root");
    expect(cmds[1]!.join(" ")).toBe("qdisc replace dev x root handle 1: htb default 2");
    expect(cmds.length).toBe(1 + treeCommands("x", tree).length);
  });

  test("filters that differ are replaced; classes nobody wants are deleted", () => {
    const observed = observedOf(tree);
    observed.filters = [{ dscp: 1, minor: minorOf(1) }];
    observed.classes.set(9, { rate: 1e6, ceil: 1e7, prio: 3, quantum: 1514 });
    const cmds = linkCommands("x", tree, observed);
    expect(cmds[0]!.join(" ")).toBe("filter del dev x parent 1:");
    expect(cmds[1]!.join(" ")).toBe("class del dev x classid 1:9");
    expect(cmds.filter((c) => c[0] === "filter" && c[1] === "add")).toHaveLength(2);
  });

  test("what tc 6.1 prints is read back as the tree", () => {
    const qdiscs =
      '[{"kind":"htb","handle":"1:","root":true,"refcnt":3,"options":{"r2q":10,"default":"0x3","direct_packets_stat":0,"direct_qlen":1000}},' +
      '{"kind":"pfifo","handle":"10:","parent":"1:2","options":{"limit":8}},' +
      '{"kind":"pfifo","handle":"11:","parent":"1:3","options":{"limit":64}}]';
    const classes = [
      "class htb 1:1 root rate 10Mbit ceil 10Mbit linklayer ethernet burst 1600b/1 mpu 0b cburst 1600b/1 mpu 0b level 7 ",
      "class htb 1:2 parent 1:1 leaf 10: prio 1 quantum 40000 rate 3200Kbit ceil 10Mbit linklayer ethernet burst 1600b/1 mpu 0b cburst 1600b/1 mpu 0b level 0 ",
      "class htb 1:3 parent 1:1 leaf 11: prio 1 quantum 82500 rate 6600Kbit ceil 10Mbit linklayer ethernet burst 1598b/1 mpu 0b cburst 1600b/1 mpu 0b level 0 ",
    ].join("\n");
    const filters =
      '[{"parent":"1:","protocol":"ip","pref":1,"kind":"u32","chain":0},' +
      '{"parent":"1:","protocol":"ip","pref":1,"kind":"u32","chain":0,"options":{"fh":"800:","ht_divisor":1}},' +
      '{"parent":"1:","protocol":"ip","pref":1,"kind":"u32","chain":0,"options":{"fh":"800::800","order":2048,"key_ht":"800","bkt":"0","flowid":"1:2","not_in_hw":true,"match":{"value":"40000","mask":"fc0000","offmask":"","off":0}}}]';
    const o = parseObserved(qdiscs, classes, filters);
    expect(o.root).toEqual({ defaultMinor: 3 });
    expect(o.rootClass).toEqual({ rate: 10e6, ceil: 10e6 });
    expect(o.classes.get(2)).toEqual({ rate: 3.2e6, ceil: 10e6, prio: 1, quantum: 40000 });
    expect(o.leaves.get(3)).toEqual({ kind: "pfifo", limit: 64 });
    expect(o.filters).toEqual([{ dscp: 1, minor: 2 }]);
    expect(parseObserved("[]", "", "[]")).toEqual({ ...EMPTY, filters: [] });
    expect(parseTcRate("123456bit")).toBe(123456);
    expect(parseTcRate("1.5Gbit")).toBe(1.5e9);
    expect(parseTcRate("fast")).toBeNull();
    expect(() => parseObserved("Error", "", "")).toThrow(
      /tc qdisc show printed something that is not JSON/,
    );
  });
});
