// The controller's htb links on real interfaces: veth pairs in a network namespace the test
// makes (root and tc needed; skipped with the reason elsewhere). Reconciled like entities:
// written once, a restarted controller writes nothing, a recreated namespace is restored,
// a bad rate is a clear error.
import { execFileSync, spawnSync } from "node:child_process";
import { allocate } from "@netapprox/model/allocation/allocate.js";
import { pipelineContract } from "@netapprox/model/pipeline/contract.js";
import { translateAll, type LinkScheduling } from "@netapprox/model/pipeline/translate.js";
import { loadPolicyFile } from "@netapprox/model/policy/load.js";
import type { NetapproxController } from "@netapprox/controller/runtime/controller.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import {
  execTc,
  HtbLinks,
  mininetLinkInterfaces,
  type LinkInterface,
  type TcRunner,
} from "@netapprox/controller/targets/tc-links.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import { eventually } from "../helpers/events.js";
import { controllerFor, policyCopy, startTestbed, type Testbed } from "../helpers/testbed.js";

function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (network namespaces)";
  if (spawnSync("tc", ["-V"]).status !== 0) return "tc (iproute2) not on PATH";
  if (spawnSync("ip", ["-V"]).status !== 0) return "ip (iproute2) not on PATH";
  return undefined;
}
const skip = unavailable();
if (skip) process.stderr.write(`htb link tests skipped: ${skip}\n`);
const describeRoot = skip ? describe.skip : describe;

const NS = `napx-htb-${process.pid}`;
const ip = (...args: string[]) => execFileSync("ip", args, { stdio: "pipe" });

/** A fresh namespace with veth pairs veth<i>/peer<i>, i = 0 .. n-1. */
function makeNamespace(n: number): void {
  spawnSync("ip", ["netns", "del", NS]);
  ip("netns", "add", NS);
  for (let i = 0; i < n; i++) {
    ip("-n", NS, "link", "add", `veth${i}`, "type", "veth", "peer", "name", `peer${i}`);
    ip("-n", NS, "link", "set", `veth${i}`, "up");
  }
}

/** Runs tc for real and remembers every command that is not a show. */
function recording(): { run: TcRunner; writes: string[][] } {
  const writes: string[][] = [];
  return {
    writes,
    run: (ns, args, input) => {
      if (args[0] === "-batch")
        for (const line of (input ?? "").trim().split("\n")) writes.push(line.split(" "));
      else if (!args.includes("show")) writes.push(args);
      return execTc(ns, args, input);
    },
  };
}

const topology = loadTopologyFile("topologies/dumbbell.yaml");
const routing = computeRoutes(topology);
function schedulingOf(policyFile: string, switchName = "s1"): LinkScheduling {
  const a = allocate(topology, routing, {}, loadPolicyFile(policyFile));
  return translateAll(a, routing.tables(), () => pipelineContract("v1model")).find(
    (s) => s.switch === switchName,
  )!.scheduling;
}
const onlyPort = (s: LinkScheduling, port: number): LinkScheduling => ({
  ...s,
  ports: s.ports.filter((p) => p.port === port),
});
const classes = () =>
  execFileSync("tc", ["-n", NS, "-d", "class", "show", "dev", "veth0"], { encoding: "utf8" });

describeRoot(`htb links on veths in a namespace${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const iface = new Map<number, LinkInterface>([[5, { name: "veth0", namespace: NS }]]);
  beforeEach(() => makeNamespace(1));
  afterAll(() => spawnSync("ip", ["netns", "del", NS]));

  test("written once, then a restarted controller reads it back and writes nothing", async () => {
    const s = onlyPort(schedulingOf("policies/dumbbell.yaml"), 5);
    const first = recording();
    expect(await new HtbLinks("s1", iface, first.run).apply(s, true)).toBe(1);
    expect(first.writes.length).toBeGreaterThan(5);
    expect(classes()).toMatch(
      /class htb 1:4 parent 1:1 leaf 12: prio 0 quantum 2500 rate 200Kbit ceil 10Mbit/,
    );
    const again = recording();
    expect(await new HtbLinks("s1", iface, again.run).apply(s, true)).toBe(0);
    expect(again.writes).toEqual([]);
  });

  test("a new allocation changes only the classes whose weight moved", async () => {
    const links = new HtbLinks("s1", iface, recording().run);
    await links.apply(onlyPort(schedulingOf("policies/dumbbell.yaml"), 5), true);
    // Without job 1's deadline nothing is guaranteed: best effort drops to a token rate.
    const edited = policyCopy("policies/dumbbell.yaml", (t) =>
      t.replace("    deadline: 60s\n", ""),
    );
    const r = recording();
    const moved = new HtbLinks("s1", iface, r.run);
    expect(await moved.apply(onlyPort(schedulingOf(edited), 5), true)).toBe(1);
    expect(r.writes.map((w) => `${w[0]} ${w[1]} ${w[7]}`)).toEqual([
      "class replace 1:2",
      "class replace 1:3",
    ]);
    expect(classes()).toMatch(
      /class htb 1:2 parent 1:1 leaf 10: prio 2 quantum 1514 rate 10Kbit ceil 10Mbit/,
    );
  });

  test("restored after its namespace is recreated", async () => {
    const links = new HtbLinks("s1", iface);
    const s = onlyPort(schedulingOf("policies/dumbbell.yaml"), 5);
    await links.apply(s, true);
    makeNamespace(1);
    expect(classes()).toBe("");
    // An incremental pass trusts what it wrote; a full one reads back and rebuilds.
    expect(await links.apply(s, false)).toBe(0);
    expect(await links.apply(s, true)).toBe(1);
    expect(classes()).toMatch(/class htb 1:3 parent 1:1/);
  });

  test("a bad rate or a missing interface is a clear error; the other links are still done", async () => {
    const s = onlyPort(schedulingOf("policies/dumbbell.yaml"), 5);
    const bad: LinkScheduling = { ...s, ports: [{ ...s.ports[0]!, capacity: -1 }] };
    await expect(new HtbLinks("s1", iface).apply(bad, true)).rejects.toThrow(
      "s1 port 5 (veth0): link rate -1 bit/s is not a positive number",
    );
    const two = schedulingOf("policies/dumbbell.yaml");
    const some = new Map(iface).set(4, { name: "nosuch0", namespace: NS });
    const partial = onlyPort(two, 5);
    partial.ports.push(two.ports.find((p) => p.port === 4)!);
    await expect(new HtbLinks("s1", some).apply(partial, true)).rejects.toThrow(
      `s1 port 4 (nosuch0): interface nosuch0 does not exist in namespace ${NS}`,
    );
    expect(classes()).toMatch(/class htb 1:3/); // port 5 was done all the same
  });
});

describeRoot(`the controller with htb links${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let bed: Testbed | undefined;
  const controllers: NetapproxController[] = [];
  afterEach(async () => {
    await Promise.all(controllers.splice(0).map((c) => c.stop()));
    await bed?.stop();
    spawnSync("ip", ["netns", "del", NS]);
  });

  test("every link gets its tree; a restart writes nothing; a recreated namespace is restored", async () => {
    makeNamespace(10);
    bed = await startTestbed("topologies/dumbbell.yaml");
    // The Mininet names of every linked port, mapped onto the namespace's veths.
    const names = [
      ...mininetLinkInterfaces(topology, "s1"),
      ...mininetLinkInterfaces(topology, "s2"),
    ];
    expect(names.map(([, i]) => i.name).slice(0, 2)).toEqual(["s1-eth5", "s1-eth1"]);
    const map = new Map(names.map(([, i], k) => [i.name, `veth${k}`]));
    const linkInterfaces = (sw: { name: string }) =>
      new Map(
        [...mininetLinkInterfaces(topology, sw.name)].map(([port, i]) => [
          port,
          { name: map.get(i.name)!, namespace: NS },
        ]),
      );
    const first = recording();
    const c1 = controllerFor(bed, "policies/dumbbell.yaml", {
      bmv2Queues: "htb",
      linkInterfaces,
      tcRunner: first.run,
    });
    controllers.push(c1);
    await c1.start();
    await eventually(
      () => [...c1.agents.values()].every((a) => a.stats.lastSync !== undefined),
      5_000,
      "both switches synced",
    );
    const roots = first.writes.filter((w) => w[0] === "qdisc" && w.includes("root"));
    expect(roots).toHaveLength(10);
    await c1.stop();
    controllers.splice(0);

    const second = recording();
    const c2 = controllerFor(bed, "policies/dumbbell.yaml", {
      bmv2Queues: "htb",
      linkInterfaces,
      tcRunner: second.run,
      electionId: 11n,
      linkCheckMs: 200,
    });
    controllers.push(c2);
    await c2.start();
    await eventually(
      () => [...c2.agents.values()].every((a) => a.stats.lastSync !== undefined),
      5_000,
      "both switches reconciled",
    );
    expect(second.writes).toEqual([]);
    // No error stays. On a starved machine the 30 tc reads of the reconcile can hold the
    // counter polls' answers past the 1 s alarm for a moment ("no answer to counter
    // polls"), which clears with the next answered poll.
    const errors = () => c2.status().switches.map((s) => s.lastError);
    await eventually(() => errors().every((e) => e === null), 5_000, "no switch error").catch(() =>
      expect(errors()).toEqual([null, null]),
    );

    makeNamespace(10); // every link loses its tree under the running switches
    await eventually(
      () => second.writes.filter((w) => w[0] === "qdisc" && w.includes("root")).length === 10,
      5_000,
      "every link restored by the periodic check",
    );
    expect(classes()).toMatch(/class htb 1:1 root rate 10Mbit ceil 10Mbit/);
  });
});
