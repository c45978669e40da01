// Reliability figures of the controller against P4Runtime test switches running as
// separate processes (`netapprox test-switch`), with the controller's production
// settings (the BMv2 target's capabilities: backoff, reconnects, deadlines):
//
//   - restore: a switch process is killed (SIGKILL: all its state is lost) and started
//     again on the same port after a pause; measured from the moment it listens again
//     to the moment a Read shows its whole desired state, and the entities still
//     missing 5 s after it came back;
//   - failover: the primary controller stops; measured from then to the backup being
//     primary on every switch, on spec-compliant switches and on switches with BMv2's
//     arbitration (--bmv2-quirks);
//   - unresponsive: a switch process is frozen (SIGSTOP); measured until /status reports
//     it unresponsive, and after SIGCONT until it is ready again with no error.
//
// Target: restore under 1 s with 0 entities missing.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { encodeEntity } from "@netapprox/p4runtime/entities.js";
import { P4RuntimeClient } from "@netapprox/p4runtime/client.js";
import { loadPolicyFile } from "@netapprox/model/policy/load.js";
import { NetapproxController } from "@netapprox/controller/runtime/controller.js";
import { silentLogger } from "@netapprox/controller/runtime/log.js";
import { loadPipeline } from "@netapprox/controller/runtime/pipelines.js";
import {
  planReconciliation,
  reconciliationReads,
} from "@netapprox/controller/runtime/reconcile.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import type { Topology } from "@netapprox/model/topology/types.js";
import { packageRoot } from "@netapprox/model/util/package-root.js";

const root = packageRoot();
const RESTORE_PAUSES_MS = [200, 1_000, 3_000, 6_000, 11_000];
const POLL_MS = 200;

interface SwitchProcess {
  child: ChildProcess;
  address: string;
}

/** Starts one test switch process; resolves when it listens. */
async function startSwitch(port: number, deviceId: number, bmv2 = false): Promise<SwitchProcess> {
  const args = [`${root}/bin/netapprox.js`, "test-switch", "--port", String(port)];
  args.push("--device-id", String(deviceId), ...(bmv2 ? ["--bmv2-quirks"] : []));
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const address = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) =>
      resolve((JSON.parse(line) as { address: string }).address),
    );
    child.once("exit", (code) => reject(new Error(`test switch exited with ${code}`)));
  });
  return { child, address };
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(5);
  }
  return false;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function network(bmv2 = false) {
  const base = loadTopologyFile(`${root}/topologies/dumbbell.yaml`);
  const switches = new Map<string, SwitchProcess>();
  for (const sw of base.switches) switches.set(sw.name, await startSwitch(0, sw.deviceId, bmv2));
  const topology: Topology = {
    ...base,
    switches: base.switches.map((s) => ({
      ...s,
      address: switches.get(s.name)!.address,
      thriftPort: null,
    })),
  };
  return { topology, switches };
}

function controller(topology: Topology, electionId: bigint): NetapproxController {
  const policyFile = `${root}/policies/dumbbell.yaml`;
  return new NetapproxController({
    topology,
    policyFile,
    policy: loadPolicyFile(policyFile),
    pipelines: { v1model: loadPipeline(root, "v1model") },
    electionId,
    logger: silentLogger,
    watchPolicy: false,
    pollIntervalMs: POLL_MS,
    queueConfigurator: () => undefined,
  });
}

/** Entities of the desired state that a Read of the switch does not show as desired. */
async function missing(c: NetapproxController, name: string, reader: P4RuntimeClient) {
  const agent = c.agents.get(name)!;
  const desired = agent.desiredState!.entities.map((e) => encodeEntity(agent.schema, e));
  let installed;
  try {
    installed = await reader.readAll(reconciliationReads(agent.schema));
  } catch {
    return desired.length; // no pipeline yet: nothing is there
  }
  const plan = planReconciliation(agent.schema, desired, installed);
  return plan.inserts + plan.modifies;
}

async function restoreFigures(): Promise<void> {
  const { topology, switches } = await network();
  const c = controller(topology, 10n);
  await c.start();
  const s2 = topology.switches.find((s) => s.name === "s2")!;
  const reader = () => new P4RuntimeClient({ address: s2.address, deviceId: s2.deviceId });
  let r = reader();
  if (!(await until(async () => (await missing(c, "s2", r)) === 0, 20_000)))
    throw new Error("s2 never got its desired state");
  const total = c.agents.get("s2")!.desiredState!.entities.length;
  const times: number[] = [];
  const left: number[] = [];
  for (const pause of RESTORE_PAUSES_MS) {
    const old = switches.get("s2")!;
    old.child.kill("SIGKILL");
    await stopped(old.child);
    r.close();
    await sleep(pause);
    const port = Number(s2.address.split(":").pop());
    const next = await startSwitch(port, s2.deviceId);
    const t0 = performance.now();
    switches.set("s2", next);
    r = reader();
    const restored = await until(async () => (await missing(c, "s2", r)) === 0, 5_000);
    times.push(restored ? performance.now() - t0 : Number.NaN);
    left.push(await missing(c, "s2", r));
  }
  r.close();
  await c.stop();
  for (const p of switches.values()) p.child.kill("SIGKILL");
  console.log(
    `restore after a switch restart (SIGKILL, back on its port after ${RESTORE_PAUSES_MS.join(", ")} ms), ${total} entities:`,
  );
  console.log(
    `  time from listening again to the whole state read back: ${times.map((t) => t.toFixed(0)).join(", ")} ms ` +
      `(median ${median(times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms); ` +
      `entities missing after 5 s: ${left.join(", ")}`,
  );
}

async function failoverFigures(bmv2: boolean): Promise<void> {
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    const { topology, switches } = await network(bmv2);
    const primary = controller(topology, 20n);
    await primary.start();
    const backup = controller(topology, 10n);
    await backup.start();
    const agents = [...backup.agents.values()];
    await until(() => [...primary.agents.values()].every((a) => a.stats.fullSyncs > 0), 20_000);
    await until(() => agents.every((a) => a.switch.role === "backup"), 20_000);
    const t0 = performance.now();
    await primary.stop();
    const ok = await until(() => agents.every((a) => a.switch.isPrimary), 10_000);
    times.push(ok ? performance.now() - t0 : Number.NaN);
    await backup.stop();
    for (const p of switches.values()) p.child.kill("SIGKILL");
  }
  console.log(
    `failover (${bmv2 ? "switches with BMv2's arbitration" : "spec-compliant switches"}): backup primary on both switches after ` +
      `${times.map((t) => t.toFixed(0)).join(", ")} ms (median ${median(times).toFixed(0)} ms)`,
  );
}

async function unresponsiveFigures(): Promise<void> {
  const { topology, switches } = await network();
  const c = controller(topology, 10n);
  await c.start();
  const state = () => c.status().switches.find((s) => s.name === "s2")!;
  await until(() => state().state === "ready" && c.agents.get("s2")!.stats.fullSyncs > 0, 20_000);
  const child = switches.get("s2")!.child;
  const t0 = performance.now();
  child.kill("SIGSTOP");
  const seen = await until(() => state().state === "unresponsive", 20_000);
  const detected = performance.now() - t0;
  child.kill("SIGCONT");
  const t1 = performance.now();
  const back = await until(() => state().state === "ready" && state().lastError === null, 20_000);
  const recovered = performance.now() - t1;
  await c.stop();
  for (const p of switches.values()) p.child.kill("SIGKILL");
  console.log(
    `frozen switch (SIGSTOP), polls every ${POLL_MS} ms: reported unresponsive after ${seen ? detected.toFixed(0) : "never (20 s)"} ms; ` +
      `ready with no error ${back ? recovered.toFixed(0) : "never (20 s)"} ms after SIGCONT`,
  );
}

await restoreFigures();
await failoverFigures(false);
await failoverFigures(true);
await unresponsiveFigures();
