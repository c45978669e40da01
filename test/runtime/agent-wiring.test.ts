import { loadPolicyFile } from "@netapprox/model/policy/load.js";
import { createSwitchAgent } from "@netapprox/controller/runtime/agent-wiring.js";
import type { ControllerOptions } from "@netapprox/controller/runtime/controller.js";
import { createLogger, silentLogger } from "@netapprox/controller/runtime/log.js";
import { ControllerMetrics } from "@netapprox/controller/runtime/metrics.js";
import { CounterPoller } from "@netapprox/controller/runtime/poller.js";
import { Telemetry } from "@netapprox/controller/runtime/telemetry.js";
import { QueueMemory } from "@netapprox/controller/targets/queue-memory.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import { v1modelBundle } from "../helpers/testbed.js";

const topology = loadTopologyFile("topologies/dumbbell.yaml");

function wire(options: Partial<ControllerOptions>, lines: string[] = []) {
  const logger = createLogger({ write: (line) => lines.push(line), level: "info" });
  const metrics = new ControllerMetrics({
    version: "test",
    switches: topology.switches,
    processMetrics: false,
  });
  const full: ControllerOptions = {
    topology,
    policyFile: "policies/dumbbell.yaml",
    policy: loadPolicyFile("policies/dumbbell.yaml"),
    pipelines: { v1model: v1modelBundle },
    electionId: 1n,
    logger,
    ...options,
  };
  const poller = new CounterPoller({
    switches: topology.switches,
    agents: new Map(),
    telemetry: new Telemetry(metrics),
    metrics,
    logger: silentLogger,
    job: () => undefined,
  });
  const sw = { ...topology.switches[0]!, thriftPort: null };
  return createSwitchAgent(sw, full, { logger, queueMemory: QueueMemory.inProcess(), poller });
}

describe("createSwitchAgent", () => {
  it("makes an agent with the switch's name, pipeline and election id", () => {
    const agent = wire({ electionId: 42n });
    expect(agent.name).toBe(topology.switches[0]!.name);
    expect(agent.schema).toBe(v1modelBundle.schema);
    expect(agent.capabilities.target).toBe(topology.switches[0]!.target);
  });

  it("names the switch and the pipeline missing when none was loaded for its target", () => {
    expect(() => wire({ pipelines: {} })).toThrow(
      new RegExp(
        `switch ${topology.switches[0]!.name} is a .* switch, but no .* pipeline was loaded`,
      ),
    );
  });

  it("warns that a BMv2 switch without a Thrift port keeps its queue settings", () => {
    const lines: string[] = [];
    wire({}, lines);
    expect(topology.switches[0]!.target).toBe("bmv2");
    expect(lines.join("\n")).toMatch(/no thrift_port for this BMv2 switch/);
  });
});
