// Agent wiring: one switch of the topology → its SwitchAgent, with the session settings
// its target's capabilities call for, where its queue settings go (Thrift, htb links or
// a Tofino traffic-manager file) and where its queue depths are read.
import { join } from "node:path";
import type { SwitchOptions } from "@netapprox/p4runtime/switch.js";
import { pipelineContract } from "@netapprox/model/pipeline/contract.js";
import { capabilitiesOf } from "../targets/capabilities.js";
import type { QueueMemory } from "../targets/queue-memory.js";
import { HtbLinks, mininetLinkInterfaces } from "../targets/tc-links.js";
import { SimpleSwitchQueues } from "../targets/thrift.js";
import type { Switch as TopologySwitch } from "@netapprox/model/topology/types.js";
import { writeFileAtomic } from "@netapprox/model/util/files.js";
import { SwitchAgent, type QueueConfigurator } from "./agent.js";
import { tlsOptionsOf } from "./switch-tls.js";
import type { ControllerOptions } from "./controller.js";
import type { Logger } from "./log.js";
import type { CounterPoller } from "./poller.js";

/** What the agents of one controller share. */
export interface AgentDeps {
  logger: Logger;
  queueMemory: QueueMemory;
  poller: CounterPoller;
}

export function createSwitchAgent(
  sw: TopologySwitch,
  options: ControllerOptions,
  deps: AgentDeps,
): SwitchAgent {
  const htb = sw.target === "bmv2" && options.bmv2Queues === "htb";
  const caps = capabilitiesOf(sw.target, {
    ...(htb ? { queueConfig: "linux-htb" as const } : {}),
    ...options.capabilities?.(sw),
  });
  const bundle = options.pipelines[caps.pipeline];
  if (bundle === undefined) {
    throw new Error(
      `switch ${sw.name} is a ${sw.target} switch, but no ${caps.pipeline} pipeline was loaded`,
    );
  }
  const tls = tlsOptionsOf(sw);
  const switchOptions: SwitchOptions = {
    name: sw.name,
    address: sw.address,
    deviceId: sw.deviceId,
    electionId: options.electionId,
    role: options.role ?? "",
    ...(tls ? { tls } : {}),
    pipeline: { schema: bundle.schema, deviceConfig: bundle.deviceConfig },
    rpcTimeoutMs: caps.rpcTimeoutMs,
    keepaliveMs: caps.keepaliveMs,
    backoff: caps.backoff,
    reconnectBackoffMs: caps.reconnectBackoffMs,
    ...options.switchOverrides?.(sw),
  };
  let queues: QueueConfigurator | undefined;
  if (caps.queueConfig === "bmv2-thrift" || caps.queueConfig === "linux-htb") {
    if (options.queueConfigurator) queues = options.queueConfigurator(sw);
    else if (sw.thriftPort !== null)
      queues = new SimpleSwitchQueues(
        sw.address.replace(/:\d+$/, "").replace(/^\[|\]$/g, ""),
        sw.thriftPort,
      );
    else
      deps.logger.warn(
        "no thrift_port for this BMv2 switch: its queue rates and depths stay as they are",
        { switch: sw.name },
      );
  }
  deps.poller.addDepthReader(sw, caps, bundle.schema, options.queueConfigurator === undefined);
  const dir = options.trafficManagerDir ?? "tm-config";
  return new SwitchAgent({
    switchOptions,
    schema: bundle.schema,
    contract: pipelineContract(caps.pipeline),
    capabilities: caps,
    logger: deps.logger,
    ...(queues ? { queues } : {}),
    queueMemory: deps.queueMemory,
    ...(caps.queueConfig === "linux-htb"
      ? {
          links: new HtbLinks(
            sw.name,
            options.linkInterfaces?.(sw) ?? mininetLinkInterfaces(options.topology, sw.name),
            options.tcRunner,
          ),
          ...(options.linkCheckMs !== undefined ? { linkCheckMs: options.linkCheckMs } : {}),
        }
      : {}),
    writeTrafficManager: async (state) => {
      const file = join(dir, `${state.switch}.tm.json`);
      const doc = { switch: state.switch, generatedBy: "netapprox", ports: state.trafficManager };
      writeFileAtomic(file, JSON.stringify(doc, null, 2) + "\n", "traffic-manager config");
      deps.logger.info("wrote traffic-manager config", { switch: state.switch, file });
    },
    ...(options.retryMs ? { retryMs: options.retryMs } : {}),
  });
}
