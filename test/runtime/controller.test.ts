// The controller against networks of P4Runtime test switches over real gRPC.
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { status as Code } from "@grpc/grpc-js";
import { filter, firstValueFrom, timeout } from "rxjs";
import { CONTROL_PACKET_BYTES } from "@netapprox/model/allocation/ports.js";
import { encodeEntity, wildcard } from "@netapprox/p4runtime/entities.js";
import { jobColorIndex } from "@netapprox/model/pipeline/contract.js";
import type {
  ControllerEvent,
  NetapproxController,
} from "@netapprox/controller/runtime/controller.js";
import {
  planReconciliation,
  reconciliationReads,
} from "@netapprox/controller/runtime/reconcile.js";
import type { TestSwitch } from "@netapprox/controller/testswitch/server.js";
import { eventually } from "../helpers/events.js";
import { BMV2_QUIRKS } from "@netapprox/controller/testswitch/device.js";
import {
  controllerFor,
  policyCopy,
  RecordingQueues,
  startTestbed,
  v1modelBundle,
  type Testbed,
} from "../helpers/testbed.js";

const schema = v1modelBundle.schema;
const beds: Testbed[] = [];
const controllers: NetapproxController[] = [];

afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop()));
  await Promise.all(beds.splice(0).map((b) => b.stop()));
});

async function bed(topology: string, options?: Parameters<typeof startTestbed>[1]) {
  const b = await startTestbed(topology, options);
  beds.push(b);
  return b;
}

function start(c: NetapproxController) {
  controllers.push(c);
  return c.start().then(() => c);
}

/** True when the test switch holds exactly what the agent wants it to hold. */
function inSync(c: NetapproxController, name: string, ts: TestSwitch): boolean {
  const desired = c.agents.get(name)!.desiredState;
  if (desired === undefined || ts.device === undefined) return false;
  const installed = reconciliationReads(schema).flatMap((r) => ts.device!.read(r));
  const plan = planReconciliation(
    schema,
    desired.entities.map((e) => encodeEntity(schema, e)),
    installed,
  );
  return plan.phases.length === 0;
}

async function allInSync(c: NetapproxController, b: Testbed, ms = 5_000) {
  await eventually(
    () => [...b.switches].every(([name, ts]) => inSync(c, name, ts)),
    ms,
    "every switch in sync",
  );
}

describe("the controller on test switches", () => {
  it("installs the whole desired state on the dumbbell, and queue settings per priority", async () => {
    const b = await bed("topologies/dumbbell.yaml");
    const queues = new RecordingQueues();
    const c = await start(
      controllerFor(b, "policies/dumbbell.yaml", { queueConfigurator: () => queues }),
    );
    await allInSync(c, b);
    const s1 = b.switches.get("s1")!.device!;
    expect(s1.entryCount).toBeGreaterThan(10);
    expect(s1.meterConfig("NetapproxIngress.job_meter", 0)?.pir).toBeGreaterThan(0n);
    await eventually(() => queues.rates.size > 0, 2_000, "queue rates");
    // The bottleneck's queues sum to its capacity in bits: data queues in 1500-byte packets,
    // the control queue (priority 2) in control-sized ones.
    const bits = [...queues.rates]
      .filter(([k]) => k.startsWith("5/"))
      .reduce((s, [k, v]) => s + 8 * v * (k === "5/2" ? CONTROL_PACKET_BYTES : 1500), 0);
    expect(Math.abs(bits - 10e6)).toBeLessThan(8 * 1500);
    const status = c.status();
    expect(status.switches.map((s) => [s.name, s.state, s.role])).toEqual([
      ["s1", "ready", "primary"],
      ["s2", "ready", "primary"],
    ]);
    expect(status.jobs.map((j) => j.name)).toEqual(["training-shards", "log-sample"]);
  });

  it("installs the leaf-spine with ECMP groups on the leaves", async () => {
    const b = await bed("topologies/leaf-spine.yaml");
    const c = await start(controllerFor(b, "policies/leaf-spine.yaml"));
    await allInSync(c, b, 10_000);
    const leaf = [...b.switches.entries()].find(([n]) => n.startsWith("leaf"))![1];
    const groups = leaf.device!.read(wildcard.actionProfileGroups());
    expect(groups.length).toBeGreaterThan(0);
  });

  // How fast restore and failover are is measured by `npm run bench -- reliability`;
  // these tests check that they happen.
  it("restores a switch that restarts mid-run (checked by Read)", async () => {
    const b = await bed("topologies/dumbbell.yaml");
    const c = await start(controllerFor(b, "policies/dumbbell.yaml"));
    await allInSync(c, b);
    const s2 = b.switches.get("s2")!;
    const before = s2.device!.entryCount;
    s2.kill();
    await new Promise((r) => setTimeout(r, 300));
    await s2.start();
    await eventually(() => inSync(c, "s2", s2), 10_000, "s2 restored");
    expect(s2.device!.entryCount).toBe(before);
  });

  it("writes nothing when a restarted controller finds the network correct", async () => {
    const b = await bed("topologies/dumbbell.yaml");
    const first = await start(controllerFor(b, "policies/dumbbell.yaml"));
    await allInSync(first, b);
    await first.stop();
    controllers.splice(controllers.indexOf(first), 1);
    for (const ts of b.switches.values()) ts.resetStats();
    const second = await start(controllerFor(b, "policies/dumbbell.yaml", { electionId: 11n }));
    const synced = new Set<string>();
    second.events$.subscribe((e) => e.type === "synced" && synced.add(e.switch));
    await eventually(() => synced.size === 2, 5_000, "both switches reconciled");
    for (const ts of b.switches.values()) {
      expect(ts.stats.updates).toBe(0);
      expect(ts.stats.pipelinePushes).toBe(0);
      expect(ts.stats.readRpcs).toBeGreaterThan(0);
    }
  });

  it.each([
    ["spec-compliant switches (the backup bids)", {}],
    ["switches with BMv2's arbitration", { quirks: BMV2_QUIRKS }],
  ] as const)("makes the backup primary when the primary dies, on %s", async (_n, quirks) => {
    const b = await bed("topologies/dumbbell.yaml", () => quirks);
    const primary = await start(controllerFor(b, "policies/dumbbell.yaml", { electionId: 20n }));
    await allInSync(primary, b);
    const backup = await start(controllerFor(b, "policies/dumbbell.yaml", { electionId: 10n }));
    await eventually(
      () =>
        [...backup.agents.values()].every(
          (a) => a.switch.state === "ready" && a.switch.role === "backup",
        ),
      3_000,
      "backup ready",
    );
    await primary.stop();
    controllers.splice(controllers.indexOf(primary), 1);
    await eventually(
      () => [...backup.agents.values()].every((a) => a.switch.isPrimary),
      10_000,
      "backup promoted",
    );
    await allInSync(backup, b);
  });

  it("re-sends no queue settings after a controller restart, all of them after a switch restart", async () => {
    const b = await bed("topologies/dumbbell.yaml");
    const stateDir = mkdtempSync(join(tmpdir(), "netapprox-state-"));
    // One recorder per switch, each "started" at its own time, as two BMv2 processes.
    const queues = new Map(
      [...b.switches.keys()].map((name, i) => {
        const q = new RecordingQueues();
        q.start = { us: 1_700_000_000_000_000n + BigInt(i), uncertaintyUs: 500n };
        return [name, q] as const;
      }),
    );
    const options = { stateDir, queueConfigurator: (sw: { name: string }) => queues.get(sw.name) };
    const first = await start(controllerFor(b, "policies/dumbbell.yaml", options));
    await allInSync(first, b);
    await eventually(
      () => [...first.agents.values()].every((a) => a.stats.queueWrites > 0),
      3_000,
      "queue settings sent",
    );
    const settings = (q: RecordingQueues) =>
      [...q.rates.keys()].length + [...q.depths.keys()].length;
    const sent = [...queues.values()].map((q) => q.calls);
    expect(sent.every((n) => n > 0)).toBe(true);
    expect([...queues.values()].map(settings)).toEqual(sent); // one call per rate and per depth
    await first.stop();
    controllers.splice(controllers.indexOf(first), 1);
    expect(readFileSync(join(stateDir, "bmv2-queues.json"), "utf8")).toContain('"startUs"');

    // A restarted controller on a correct network: no P4Runtime writes, no Thrift settings.
    for (const ts of b.switches.values()) ts.resetStats();
    for (const q of queues.values()) q.calls = 0;
    const second = await start(
      controllerFor(b, "policies/dumbbell.yaml", { ...options, electionId: 11n }),
    );
    const synced = new Set<string>();
    second.events$.subscribe((e) => e.type === "synced" && synced.add(e.switch));
    await eventually(() => synced.size === 2, 5_000, "both switches reconciled");
    for (const ts of b.switches.values()) expect(ts.stats.updates).toBe(0);
    expect([...queues.values()].map((q) => q.calls)).toEqual([0, 0]);

    // s2 restarts (new process, new start time): its queue settings go again, all of them.
    const s2 = b.switches.get("s2")!;
    const q2 = queues.get("s2")!;
    s2.kill();
    q2.start = { us: q2.start!.us + 60_000_000n, uncertaintyUs: 500n };
    await new Promise((r) => setTimeout(r, 300));
    await s2.start();
    await eventually(() => q2.calls === sent[1], 5_000, "s2's queue settings sent again");
    expect(queues.get("s1")!.calls).toBe(0);

    // A switch that cannot say when it started: everything again, and nothing remembered
    // for it (the settings could not be tied to a switch process).
    q2.calls = 0;
    q2.start = undefined;
    s2.kill();
    await new Promise((r) => setTimeout(r, 300));
    await s2.start();
    await eventually(() => q2.calls === sent[1], 5_000, "s2's queue settings sent once more");
    await eventually(
      () => !readFileSync(join(stateDir, "bmv2-queues.json"), "utf8").includes('"s2"'),
      2_000,
      "s2 forgotten",
    );
    expect(readFileSync(join(stateDir, "bmv2-queues.json"), "utf8")).toContain('"s1"');
  });

  it("keeps the old policy in force when an edit is invalid, and applies a valid edit live", async () => {
    const b = await bed("topologies/dumbbell.yaml");
    const file = policyCopy("policies/dumbbell.yaml");
    const c = await start(controllerFor(b, file, { watchPolicy: true }));
    await allInSync(c, b);
    const meterBefore = b.switches.get("s1")!.device!.meterConfig("NetapproxIngress.job_meter", 0);

    const rejected = firstValueFrom(
      c.events$.pipe(
        filter((e) => e.type === "policy_rejected"),
        timeout(5_000),
      ),
    );
    writeFileSync(file, "allocator: netapprox\nknobs:\n  beta: 7\n");
    const event = await rejected;
    expect(event.type === "policy_rejected" && event.error).toContain("knobs.beta");
    expect(c.status().lastPolicyError).toContain("knobs.beta");
    expect(c.currentPolicy.jobs).toHaveLength(2);
    expect(b.switches.get("s1")!.device!.meterConfig("NetapproxIngress.job_meter", 0)).toEqual(
      meterBefore,
    );

    const applied = firstValueFrom(
      c.events$.pipe(
        filter((e) => e.type === "policy_applied"),
        timeout(5_000),
      ),
    );
    writeFileSync(file, policyTextWithWeight(4));
    await applied;
    await allInSync(c, b);
    expect(b.switches.get("s1")!.device!.meterConfig("NetapproxIngress.job_meter", 0)).not.toEqual(
      meterBefore,
    );
    expect(c.status().lastPolicyError).toBeNull();
  });

  it("refuses a policy file emptied or cut short mid-run, and deletes nothing", async () => {
    const b = await bed("topologies/dumbbell.yaml");
    const file = policyCopy("policies/dumbbell.yaml");
    const c = await start(controllerFor(b, file, { watchPolicy: true, policySettleMs: 300 }));
    await allInSync(c, b);
    const entries = [...b.switches.values()].map((ts) => ts.device!.entryCount);
    for (const ts of b.switches.values()) ts.resetStats();

    const rejected = () => nextControllerEvent(c, "policy_rejected");
    let event = rejected();
    writeFileSync(file, ""); // what `> policy.yaml` leaves
    expect((await event).error).toContain("the file is empty");
    event = rejected();
    writeFileSync(file, "allocator: netapprox\n"); // cut short mid-save
    expect((await event).error).toContain("no jobs");
    await new Promise((r) => setTimeout(r, 600)); // longer than the settle period
    expect(c.currentPolicy.jobs).toHaveLength(2);
    expect(c.status().lastPolicyError).toContain("no jobs");
    for (const ts of b.switches.values()) expect(ts.stats.updates).toBe(0);
    expect([...b.switches.values()].map((ts) => ts.device!.entryCount)).toEqual(entries);
  });

  it("holds a live edit that removes most jobs until the file settles, then applies it", async () => {
    const b = await bed("topologies/dumbbell.yaml");
    const file = policyCopy("policies/dumbbell.yaml");
    const original = readFileSync(file, "utf8");
    const c = await start(controllerFor(b, file, { watchPolicy: true, policySettleMs: 400 }));
    await allInSync(c, b);
    const s1 = b.switches.get("s1")!;
    const before = s1.device!.entryCount;
    s1.resetStats();

    // A removal that is put back before it settles is never applied.
    let held = nextControllerEvent(c, "policy_held");
    writeFileSync(file, original.replace(/^jobs:[\s\S]*?^exact:/m, "jobs: []\nexact:"));
    expect(await held).toMatchObject({ removedJobs: 2, currentJobs: 2, settleMs: 400 });
    writeFileSync(file, original);
    await new Promise((r) => setTimeout(r, 700));
    expect(c.currentPolicy.jobs).toHaveLength(2);
    expect(s1.stats.updates).toBe(0);

    // A removal that stays is applied once the file has said the same for the settle period.
    held = nextControllerEvent(c, "policy_held");
    const applied = nextControllerEvent(c, "policy_applied");
    const t0 = Date.now();
    writeFileSync(file, original.replace(/^jobs:[\s\S]*?^exact:/m, "jobs: []\nexact:"));
    await held;
    expect(s1.stats.updates).toBe(0);
    await applied;
    // The settle period (400 ms) passed first; Node's timers may fire a millisecond or two
    // early by the wall clock, so allow that much.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(395);
    expect(c.currentPolicy.jobs).toHaveLength(0);
    await allInSync(c, b);
    expect(s1.device!.entryCount).toBeLessThan(before);
  });

  it("follows edits saved by writing a new file and renaming it over the old one", async () => {
    const b = await bed("topologies/dumbbell.yaml");
    const file = policyCopy("policies/dumbbell.yaml");
    const c = await start(controllerFor(b, file, { watchPolicy: true }));
    await allInSync(c, b);
    // How vim, VS Code, `sed -i` and Kubernetes ConfigMaps save: the old file is replaced.
    const atomicSave = (text: string) => {
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
    };
    const meter = () =>
      b.switches.get("s1")!.device!.meterConfig("NetapproxIngress.job_meter", 0)?.pir;
    const first = meter();
    let applied = nextControllerEvent(c, "policy_applied");
    atomicSave(policyTextWithWeight(4));
    await applied;
    await allInSync(c, b);
    expect(meter()).not.toEqual(first);
    // Later edits are still seen, an invalid one included.
    const rejected = nextControllerEvent(c, "policy_rejected");
    atomicSave("allocator: netapprox\nknobs:\n  beta: 7\njobs: []\n");
    expect((await rejected).error).toContain("knobs.beta");
    expect(c.status().lastPolicyError).toContain("knobs.beta");
    applied = nextControllerEvent(c, "policy_applied");
    atomicSave(policyTextWithWeight(1));
    await applied;
    expect(c.status().lastPolicyError).toBeNull();
    // And so are in-place writes after renames.
    applied = nextControllerEvent(c, "policy_applied");
    writeFileSync(file, policyTextWithWeight(3));
    await applied;
    expect(c.currentPolicy.jobs[0]!.weight).toBe(3);
  });

  it("refuses a live edit that gives two jobs the same classifier, before recomputing anything", async () => {
    const b = await bed("topologies/dumbbell.yaml");
    const file = policyCopy("policies/dumbbell.yaml");
    const c = await start(controllerFor(b, file, { watchPolicy: true }));
    await allInSync(c, b);
    for (const ts of b.switches.values()) ts.resetStats();
    const rejected = nextControllerEvent(c, "policy_rejected");
    writeFileSync(
      file,
      policyTextWithWeight(2).replace(
        'match: {src: [h2, h3], dst: h6, protocol: udp, dst_port: "9000-9100"}',
        "match: {src: h1, dst: h5, protocol: udp, dst_port: 7000}",
      ),
    );
    expect((await rejected).error).toContain("jobs[1].match: the same classifier as jobs[0]");
    await new Promise((r) => setTimeout(r, 300));
    for (const ts of b.switches.values()) expect(ts.stats.updates).toBe(0);
    expect(c.currentPolicy.jobs[1]!.match.src).toEqual(["h2", "h3"]);
  });

  it("does not let a switch that refuses every write stop the others", async () => {
    const b = await bed("topologies/dumbbell.yaml", (name) =>
      name === "s1"
        ? {
            writeFault: () => ({ code: Code.RESOURCE_EXHAUSTED, message: "table full (injected)" }),
          }
        : {},
    );
    const c = await start(controllerFor(b, "policies/dumbbell.yaml"));
    await eventually(() => inSync(c, "s2", b.switches.get("s2")!), 5_000, "s2 in sync");
    const s1 = c.agents.get("s1")!;
    await eventually(() => s1.stats.updatesFailed > 0, 5_000, "s1 failures recorded");
    expect(s1.stats.lastError).toContain("table full (injected)");
    expect(c.status().switches.find((s) => s.name === "s1")!.updatesFailed).toBeGreaterThan(0);
    // It keeps retrying rather than giving up silently.
    const failedOnce = s1.stats.updatesFailed;
    await eventually(() => s1.stats.updatesFailed > failedOnce, 3_000, "a retry");
  });

  it("clears a switch's last error once a sync puts everything in place", async () => {
    let refuse = true;
    const b = await bed("topologies/dumbbell.yaml", (name) =>
      name === "s1"
        ? {
            writeFault: () =>
              refuse ? { code: Code.UNAVAILABLE, message: "busy (injected)" } : undefined,
          }
        : {},
    );
    const c = await start(controllerFor(b, "policies/dumbbell.yaml"));
    const s1 = () => c.status().switches.find((s) => s.name === "s1")!;
    await eventually(() => (s1().lastError ?? "").includes("busy (injected)"), 5_000, "error");
    refuse = false;
    await eventually(() => inSync(c, "s1", b.switches.get("s1")!), 5_000, "s1 in sync");
    await eventually(() => s1().lastError === null, 2_000, "error cleared");
  });

  it("re-allocates from measured exact load and pushes only what moved beyond the hysteresis", async () => {
    const b = await bed("topologies/dumbbell.yaml");
    const file = policyCopy("policies/dumbbell.yaml", (t) =>
      t.replace("source: declared", "source: measured"),
    );
    // No polls in this test: measurements are injected.
    const c = await start(controllerFor(b, file, { pollIntervalMs: 600_000 }));
    await allInSync(c, b);
    const s1 = b.switches.get("s1")!;
    const before = s1.device!.meterConfig("NetapproxIngress.job_meter", 1)!;
    s1.resetStats();
    // A busy exact flow appears on the bottleneck: 6 Mbit/s measured at s1 port 5.
    c.injectMeasuredExact(new Map([["s1:5", 6e6]]));
    await allInSync(c, b);
    const after = s1.device!.meterConfig("NetapproxIngress.job_meter", 1)!;
    expect(after.pir).toBeLessThan(before.pir);
    expect(s1.stats.updates).toBeGreaterThan(0);
    expect(s1.stats.updates).toBeLessThan(10); // meters (and maybe thresholds), not the whole state
    // A change within the margin writes nothing.
    s1.resetStats();
    c.injectMeasuredExact(new Map([["s1:5", 6.01e6]]));
    await new Promise((r) => setTimeout(r, 200));
    expect(s1.stats.updates).toBe(0);
  });

  it("gives the share of an idle job to a job limited by the network, from its meter counters", async () => {
    const b = await bed("topologies/dumbbell.yaml");
    const c = await start(controllerFor(b, "policies/dumbbell.yaml"));
    await allInSync(c, b);
    const before = c.currentAllocation!.jobs.map((j) => [j.name, j.allocated!] as const);
    const s1 = b.switches.get("s1")!.device!;
    // training-shards (meter index 0 at s1) offers 20 Mbit/s, far above its peak rate:
    // green, yellow and red packets counted by its meter; log-sample (index 1) sends nothing.
    const feed = setInterval(() => {
      for (const color of [0, 1, 2])
        s1.addCounter("NetapproxIngress.job_colors", jobColorIndex(0, color), 80n, 83_333n);
    }, 20);
    try {
      await eventually(
        () =>
          c.currentAllocation!.jobs.find((j) => j.name === "training-shards")!.allocated! >
          1.3 * before[0]![1],
        5_000,
        "the busy job's allocation grows",
      );
    } finally {
      clearInterval(feed);
    }
    const idle = c.currentAllocation!.jobs.find((j) => j.name === "log-sample")!;
    expect(idle.allocated!).toBeLessThan(before[1]![1]);
    await allInSync(c, b);
    const meter = s1.meterConfig("NetapproxIngress.job_meter", 0)!;
    expect(Number(meter.pir) * 8).toBeGreaterThan(1.3 * before[0]![1]);
  });

  it("reports a switch that stops answering as unresponsive, keeps polling the others, and clears it on recovery", async () => {
    const b = await bed("topologies/dumbbell.yaml");
    const c = await start(controllerFor(b, "policies/dumbbell.yaml"));
    await allInSync(c, b);
    const s2 = () => c.status().switches.find((s) => s.name === "s2")!;
    expect(s2()).toMatchObject({ state: "ready", lastError: null });
    // As a process under SIGSTOP: the connection stays up, nothing is answered.
    b.switches.get("s2")!.freeze();
    await eventually(() => s2().state === "unresponsive", 3_000, "s2 reported unresponsive");
    expect(s2().lastError).toMatch(/^no answer to counter polls for \d+\.\d s$/);
    expect(await c.metrics.render()).toContain('netapprox_switch_up{switch="s2"} 0');
    expect(await c.metrics.render()).toContain(
      'netapprox_switch_state{switch="s2",state="unresponsive"} 1',
    );
    // s1 is still polled while s2 hangs.
    const polls = await firstValueFrom(
      c.events$.pipe(
        filter((e) => e.type === "poll" && e.switches === 1),
        timeout(2_000),
      ),
    );
    expect(polls.type).toBe("poll");
    b.switches.get("s2")!.thaw();
    await eventually(() => s2().state === "ready" && s2().lastError === null, 3_000, "s2 back");
    await eventually(
      async () => (await c.metrics.render()).includes('netapprox_switch_up{switch="s2"} 1'),
      2_000,
      "s2 up again in the metrics",
    );
  });

  it("polls counters into rates per port and class", async () => {
    const b = await bed("topologies/dumbbell.yaml");
    const c = await start(controllerFor(b, "policies/dumbbell.yaml"));
    await allInSync(c, b);
    const s1 = b.switches.get("s1")!.device!;
    const polls = () =>
      firstValueFrom(
        c.events$.pipe(
          filter((e) => e.type === "poll" && e.switches === 2),
          timeout(3_000),
        ),
      );
    await polls();
    // 125,000 bytes in ~0.1 s of exact traffic on the bottleneck port 5 (class 0 at index 5*4+0).
    s1.addCounter("NetapproxEgress.port_class_tx", 20, 100n, 125_000n);
    await polls();
    const link = c.status().links.find((l) => l.name.startsWith("s1:5"))!;
    expect(link.measuredBps).toBeGreaterThan(1e6);
    expect(link.measuredExactBps).toBeGreaterThan(1e6);
    // The switch's counter as a Prometheus counter, in bytes.
    expect(await c.metrics.render()).toContain(
      'netapprox_port_transmit_bytes_total{switch="s1",port="5",class="exact"} 125000',
    );
  });
});

/** The next controller event of a type (rejects after 5 s, saying which was awaited). */
function nextControllerEvent<T extends ControllerEvent["type"]>(
  c: NetapproxController,
  type: T,
): Promise<Extract<ControllerEvent, { type: T }>> {
  return firstValueFrom(
    c.events$.pipe(
      filter((e): e is Extract<ControllerEvent, { type: T }> => e.type === type),
      timeout({
        first: 5_000,
        with: () => {
          throw new Error(`no '${type}' controller event within 5 s`);
        },
      }),
    ),
  );
}

function policyTextWithWeight(weight: number): string {
  return `allocator: netapprox
jobs:
  - {name: training-shards, id: 1, match: {src: h1, dst: h5, protocol: udp, dst_port: 7000}, volume: 30MB, fraction: 0.8, weight: ${weight}, deadline: 60s}
  - {name: log-sample, id: 2, match: {src: [h2, h3], dst: h6, protocol: udp, dst_port: "9000-9100"}, volume: 1GB, fraction: 0.5, weight: 1}
exact:
  source: declared
  flows:
    - {src: h4, dst: h8, rate: 3Mbit}
`;
}
