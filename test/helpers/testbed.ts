// A network of P4Runtime test switches standing in for a topology's switches, and
// a netapprox controller wired to them, for tests of the runtime.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipelineContract } from "@netapprox/model/pipeline/contract.js";
import { loadPolicyFile } from "@netapprox/model/policy/load.js";
import {
  NetapproxController,
  type ControllerOptions,
  type PipelineBundle,
} from "@netapprox/controller/runtime/controller.js";
import { silentLogger } from "@netapprox/controller/runtime/log.js";
import type { QueueConfigurator } from "@netapprox/controller/runtime/agent.js";
import type { SwitchStart } from "@netapprox/controller/targets/thrift.js";
import { TestSwitch, type TestSwitchOptions } from "@netapprox/controller/testswitch/server.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import type { Topology } from "@netapprox/model/topology/types.js";
import { schemaFromContract } from "./contract-schema.js";

export const v1modelBundle: PipelineBundle = {
  schema: schemaFromContract(pipelineContract("v1model")),
  deviceConfig: new TextEncoder().encode('{"netapprox": "test pipeline"}'),
};

export interface Testbed {
  topology: Topology;
  switches: Map<string, TestSwitch>;
  stop(): Promise<void>;
}

/** Starts one test switch per topology switch and rewrites the addresses to theirs. */
export async function startTestbed(
  topologyFile: string,
  options: (name: string) => TestSwitchOptions = () => ({}),
): Promise<Testbed> {
  const base = loadTopologyFile(topologyFile);
  const switches = new Map<string, TestSwitch>();
  for (const sw of base.switches) {
    const ts = new TestSwitch({ deviceId: sw.deviceId, ...options(sw.name) });
    await ts.start();
    switches.set(sw.name, ts);
  }
  const topology: Topology = {
    ...base,
    switches: base.switches.map((s) => ({
      ...s,
      address: switches.get(s.name)!.address,
      thriftPort: null,
    })),
  };
  return {
    topology,
    switches,
    stop: async () => void (await Promise.all([...switches.values()].map((s) => s.stop()))),
  };
}

/** A copy of a policy file in a temp folder, so tests can edit it. */
export function policyCopy(policyFile: string, edit: (text: string) => string = (t) => t): string {
  const dir = mkdtempSync(join(tmpdir(), "netapprox-policy-"));
  const file = join(dir, "policy.yaml");
  writeFileSync(file, edit(readFileSync(policyFile, "utf8")));
  return file;
}

/**
 * Records queue settings instead of calling a Thrift server. With `start`, it also
 * says when "the switch" started, as BMv2 does; change it to play a restart.
 */
export class RecordingQueues implements QueueConfigurator {
  readonly rates = new Map<string, number>();
  readonly depths = new Map<string, number>();
  calls = 0;
  readonly address = "127.0.0.1:9090";
  start: SwitchStart | undefined;
  async startTime() {
    return this.start;
  }
  async setQueueRate(port: number, priority: number, pps: number) {
    this.calls++;
    this.rates.set(`${port}/${priority}`, pps);
  }
  async setQueueDepth(port: number, priority: number, packets: number) {
    this.calls++;
    this.depths.set(`${port}/${priority}`, packets);
  }
  close() {}
}

export function controllerFor(
  bed: Testbed,
  policyFile: string,
  overrides: Partial<ControllerOptions> = {},
): NetapproxController {
  return new NetapproxController({
    topology: bed.topology,
    policyFile,
    policy: loadPolicyFile(policyFile),
    pipelines: { v1model: v1modelBundle },
    electionId: 10n,
    logger: silentLogger,
    watchPolicy: false,
    pollIntervalMs: 100,
    switchOverrides: () => ({
      backoff: { initialMs: 20, maxMs: 200, factor: 2 },
      connectTimeoutMs: 1_000,
      arbitrationTimeoutMs: 1_000,
    }),
    queueConfigurator: () => undefined,
    retryMs: { initial: 100, max: 500 },
    ...overrides,
  });
}
