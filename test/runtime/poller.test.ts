// The counter poller against stand-in agents whose reads the test answers or leaves hanging.
import type { Entity } from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import { pipelineContract } from "@netapprox/model/pipeline/contract.js";
import type { SwitchAgent } from "@netapprox/controller/runtime/agent.js";
import { createLogger } from "@netapprox/controller/runtime/log.js";
import { ControllerMetrics } from "@netapprox/controller/runtime/metrics.js";
import { CounterPoller } from "@netapprox/controller/runtime/poller.js";
import { Telemetry } from "@netapprox/controller/runtime/telemetry.js";
import type { Switch as TopologySwitch } from "@netapprox/model/topology/types.js";
import { v1modelBundle } from "../helpers/testbed.js";

const sw = { name: "s1", ports: [1, 2] } as unknown as TopologySwitch;

/** An agent whose counter reads wait until the test answers them. */
function standIn() {
  const pending: { entities: Entity[]; answer: (e: Entity[]) => void }[] = [];
  const agent = {
    name: "s1",
    schema: v1modelBundle.schema,
    contract: pipelineContract("v1model"),
    desiredState: undefined,
    switch: {
      state: "ready",
      isPrimary: true,
      read: (entities: Entity[]) =>
        new Promise<Entity[]>((answer) => pending.push({ entities, answer })),
    },
  } as unknown as SwitchAgent;
  return { agent, pending };
}

function poller(agent: SwitchAgent, lines: string[] = []) {
  const metrics = new ControllerMetrics({
    version: "test",
    switches: [sw],
    processMetrics: false,
  });
  const p = new CounterPoller({
    switches: [sw],
    agents: new Map([["s1", agent]]),
    telemetry: new Telemetry(metrics),
    metrics,
    logger: createLogger({ write: (line) => lines.push(line), level: "info" }),
    job: () => undefined,
  });
  p.pollMs = 20;
  return { p, metrics };
}

describe("CounterPoller", () => {
  it("reads every port's class and drop counters of a ready switch", async () => {
    const { agent, pending } = standIn();
    const { p } = poller(agent);
    const round = p.round();
    expect(pending).toHaveLength(1);
    // 2 ports x (4 classes + every drop reason), one counter array each on v1model
    expect(pending[0]!.entities.length).toBeGreaterThan(2 * 4);
    pending[0]!.answer([]);
    await expect(round).resolves.toBe(1);
  });

  it("does not stack a round on one still running", async () => {
    const { agent, pending } = standIn();
    const { p } = poller(agent);
    const first = p.round();
    await expect(p.round()).resolves.toBeUndefined();
    pending[0]!.answer([]);
    await first;
  });

  it("reports a switch whose poll goes unanswered, and when it answers again", async () => {
    const { agent, pending } = standIn();
    const lines: string[] = [];
    const { p, metrics } = poller(agent, lines);
    await expect(p.round()).resolves.toBe(0); // the round waits one interval, no longer
    expect(p.unresponsiveSince("s1")).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1_050)); // unresponsive after 1 s at the least
    await p.round();
    expect(p.unresponsiveSince("s1")).toBeDefined();
    expect(pending).toHaveLength(1); // not polled again while the first poll is unanswered
    expect((await metrics.switchUnresponsive.get()).values[0]?.value).toBe(1);
    pending[0]!.answer([]);
    await new Promise((r) => setTimeout(r, 0));
    expect(p.unresponsiveSince("s1")).toBeUndefined();
    expect(lines.join("\n")).toMatch(/switch does not answer[\s\S]*switch answers again/);
  });

  it("skips a switch that is not ready", async () => {
    const { agent, pending } = standIn();
    (agent.switch as unknown as { state: string }).state = "connecting";
    const { p } = poller(agent);
    await expect(p.round()).resolves.toBe(0);
    expect(pending).toHaveLength(0);
  });
});
