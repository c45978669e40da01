// What each kind of switch can do, as explicit flags (ONOS keeps target quirks the
// same way, instead of scattering `if (bmv2)` through the controller). The runtime
// asks these flags; it never tests the target's name.
import type { PipelineTarget } from "@netapprox/model/pipeline/contract.js";
import type { Target } from "@netapprox/model/topology/types.js";

export interface TargetCapabilities {
  readonly target: Target;
  /** Which P4 program (architecture) the switch runs. */
  readonly pipeline: PipelineTarget;
  /**
   * How queue rates and depths reach the switch: BMv2 over its Thrift runtime
   * service; Tofino through traffic-manager settings of the deployment, which the
   * controller writes to a file (P4Runtime cannot set either). "linux-htb": BMv2 on
   * Mininet with a work-conserving traffic manager on its links, an htb tree per egress
   * interface (targets/tc-links.ts), BMv2's own queues unpaced over Thrift.
   */
  readonly queueConfig: "bmv2-thrift" | "linux-htb" | "tm-config-file";
  /** How the pipeline's target bytes (p4_device_config) are packaged. */
  readonly deviceConfigFormat: "bmv2-json" | "tofino-pi" | "tofino-bfrt";
  /** P4Runtime register reads/writes work (BMv2's server answers UNIMPLEMENTED). */
  readonly registersOverP4Runtime: boolean;
  /** Meter entries are written with MODIFY and an explicit index only. */
  readonly meterWritesModifyOnly: boolean;
  /** Writes are CONTINUE_ON_ERROR only (no rollback or data-plane atomicity). */
  readonly atomicWrites: boolean;
  /** Unit of queue-depth thresholds in the data plane. */
  readonly qdepthUnit: "packets" | "cells";
  /** Sensible RPC deadline and reconnect backoff for this kind of switch. */
  readonly rpcTimeoutMs: number;
  readonly backoff: { initialMs: number; maxMs: number; factor: number };
  /**
   * gRPC's own reconnect back-off while the switch is unreachable: its longest step is
   * how late a switch that comes back can be noticed.
   */
  readonly reconnectBackoffMs: { initialMs: number; maxMs: number };
  /** HTTP/2 keepalive for the P4Runtime channel, 0 = off. */
  readonly keepaliveMs: number;
}

const BMV2: TargetCapabilities = {
  target: "bmv2",
  pipeline: "v1model",
  queueConfig: "bmv2-thrift",
  deviceConfigFormat: "bmv2-json",
  registersOverP4Runtime: false,
  meterWritesModifyOnly: true,
  atomicWrites: false,
  qdepthUnit: "packets",
  // Local software switches: fail fast, retry fast; a connection attempt to a local port
  // every 250 ms at most costs nothing and finds a restarted switch within that.
  rpcTimeoutMs: 10_000,
  backoff: { initialMs: 100, maxMs: 2_000, factor: 2 },
  reconnectBackoffMs: { initialMs: 50, maxMs: 250 },
  keepaliveMs: 0,
};

const TOFINO: TargetCapabilities = {
  target: "tofino",
  pipeline: "tna",
  queueConfig: "tm-config-file",
  // stratum_bfrt takes a BfPipelineConfig; a PI-based server (bf_switchd
  // --p4rt-server, stratum_bf) takes the PI packing: the topology may say which.
  deviceConfigFormat: "tofino-bfrt",
  registersOverP4Runtime: true,
  meterWritesModifyOnly: true,
  atomicWrites: false,
  qdepthUnit: "cells",
  // Hardware over a management network: pipeline pushes take seconds, links flap.
  rpcTimeoutMs: 30_000,
  backoff: { initialMs: 500, maxMs: 30_000, factor: 2 },
  reconnectBackoffMs: { initialMs: 200, maxMs: 2_000 },
  keepaliveMs: 30_000,
};

export function capabilitiesOf(
  target: Target,
  overrides: Partial<TargetCapabilities> = {},
): TargetCapabilities {
  return { ...(target === "tofino" ? TOFINO : BMV2), ...overrides };
}
