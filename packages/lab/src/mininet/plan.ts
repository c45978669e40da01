// The launch plan: everything the Mininet launcher (mininet/launch.py, Python on
// Mininet's API) needs to build one network of BMv2 switches, as a plain JSON document.
// The TypeScript side resolves the topology (units, defaults, checks) once and hands the
// launcher names it can use as they are: interface names, switch command-line options,
// host addresses, the commands every host runs before traffic (DSCP marking) and how to
// start and watch the controller. Pure: no I/O here.
import { interfaceName } from "@netapprox/model/topology/interface-names.js";
import type { Host, Switch, Topology } from "@netapprox/model/topology/types.js";

export const PLAN_FORMAT = "netapprox-mininet-plan/1";

/** BMv2 queues 0..7: the controller maps traffic classes onto them. */
export const PRIORITY_QUEUES = 8;

export interface SwitchPort {
  port: number;
  interface: string;
}

export interface SwitchPlan {
  name: string;
  deviceId: number;
  /** P4Runtime gRPC address the switch listens on, host:port. */
  grpcAddress: string;
  thriftPort: number;
  cpuPort: number | null;
  ports: SwitchPort[];
}

export interface HostPlan {
  name: string;
  ipv4: string;
  mac: string;
  interface: string;
  switch: string;
  port: number;
  /** Commands (argv) this host runs after its interface is configured (qdisc, TCP settings). */
  commands: string[][];
}

export interface LinkEnd {
  node: string;
  interface: string;
  /** The switch port; null for a host's end. */
  port: number | null;
}

export interface LinkPlan {
  ends: [LinkEnd, LinkEnd];
}

export interface ControllerPlan {
  /** The command that runs the controller, e.g. [node, bin/netapprox.js, controller, ...]. */
  argv: string[];
  cwd: string;
  /** The controller's /status URL: the launcher waits until it shows every switch synced. */
  statusUrl: string;
  /** Seconds to wait for every switch to be ready and synced. */
  readyTimeout: number;
}

export interface Bmv2Plan {
  /** simple_switch_grpc, by path or name on PATH. */
  binary: string;
  /** BMv2 log level for the per-switch log file: trace, debug, info, warn, error, off. */
  logLevel: string;
  priorityQueues: number;
  /** Seconds to wait for a switch's gRPC and Thrift ports. */
  startTimeout: number;
  /**
   * Bytes of send buffer each BMv2 packet socket needs (net.core.wmem_default while the
   * switches start; null: as the system has it). Frames a link's htb holds count against
   * the socket that sent them, and a full socket blocks BMv2's egress thread, whose queues
   * then block its ingress: every packet, control too, would wait in BMv2's FIFO input buffer.
   */
  socketBuffer: number | null;
}

export interface LaunchPlan {
  format: typeof PLAN_FORMAT;
  /** For messages. */
  topologyFile: string;
  /** Folder for the per-switch and controller logs. */
  runDir: string;
  switches: SwitchPlan[];
  hosts: HostPlan[];
  links: LinkPlan[];
  /** Commands (argv) every host runs after its interface is configured. */
  hostCommands: string[][];
  bmv2: Bmv2Plan;
  controller: ControllerPlan | null;
}

export interface PlanOptions {
  topologyFile: string;
  runDir: string;
  hostCommands?: string[][];
  /** Commands one host runs of its own (its interface's qdisc, TCP settings). */
  hostSetup?: (host: HostPlan, capacity: number) => string[][];
  bmv2?: Partial<Bmv2Plan>;
  controller?: ControllerPlan | null;
}

export const DEFAULT_BMV2: Bmv2Plan = {
  binary: "simple_switch_grpc",
  logLevel: "warn",
  priorityQueues: PRIORITY_QUEUES,
  startTimeout: 30,
  socketBuffer: null,
};

/** What the kernel charges a socket for one full-size frame it sent, at most (skb truesize). */
export const FRAME_CHARGE = 4096;

/** Thrown when a topology cannot be run on Mininet; names the topology file. */
export class PlanError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = "PlanError";
  }
}

export function buildLaunchPlan(topology: Topology, options: PlanOptions): LaunchPlan {
  const file = options.topologyFile;
  const bmv2Switches = topology.switches.filter((s) => s.target === "bmv2");
  const others = topology.switches.filter((s) => s.target !== "bmv2");
  if (others.length > 0) {
    throw new PlanError(
      `${file}: switches ${others.map((s) => `${s.name} (target ${s.target})`).join(", ")} cannot run in Mininet; expected every switch to have target bmv2`,
    );
  }
  const missingThrift = bmv2Switches.filter((s) => s.thriftPort === null);
  if (missingThrift.length > 0) {
    throw new PlanError(
      `${file}: switches ${missingThrift.map((s) => s.name).join(", ")} have no thrift_port; expected one per BMv2 switch (the controller sets queue rates over Thrift)`,
    );
  }
  const tls = bmv2Switches.filter((s) => s.tls !== null);
  if (tls.length > 0) {
    throw new PlanError(
      `${file}: switches ${tls.map((s) => s.name).join(", ")} ask for TLS; the Mininet launcher starts BMv2 without certificates, expected no tls section`,
    );
  }
  checkUnique(
    file,
    "gRPC address",
    bmv2Switches.map((s) => [s.name, grpcListenAddress(s)]),
  );
  checkUnique(
    file,
    "Thrift port",
    bmv2Switches.map((s) => [s.name, String(s.thriftPort)]),
  );
  checkUnique(
    file,
    "device id",
    bmv2Switches.map((s) => [s.name, String(s.deviceId)]),
  );

  const switchIndex = new Map(topology.switches.map((s, i) => [s.name, i]));
  const hostIndex = new Map(topology.hosts.map((h, i) => [h.name, i]));
  const switchIntf = (name: string, port: number) =>
    interfaceName(name, switchIndex.get(name)!, port, "switch");
  const hostIntf = (h: Host) => interfaceName(h.name, hostIndex.get(h.name)!, 0, "host");

  // Ports that carry a link, per switch: BMv2 gets an interface for each of them.
  const linked = new Map<string, Set<number>>(topology.switches.map((s) => [s.name, new Set()]));
  const links: LinkPlan[] = topology.links.map((link) => {
    const ends = link.endpoints.map((e): LinkEnd => {
      if (e.kind === "switch") {
        linked.get(e.name)!.add(e.port);
        return { node: e.name, interface: switchIntf(e.name, e.port), port: e.port };
      }
      const host = topology.hosts.find((h) => h.name === e.name)!;
      return { node: host.name, interface: hostIntf(host), port: null };
    });
    return { ends: [ends[0]!, ends[1]!] };
  });
  for (const h of topology.hosts) {
    const hasLink = links.some((l) => l.ends.some((e) => e.node === h.name));
    if (!hasLink) {
      throw new PlanError(
        `${file}: host ${h.name} has no link; expected a link from it to ${h.switch} port ${h.port}`,
      );
    }
  }
  const names = new Set<string>();
  for (const l of links) {
    for (const e of l.ends) {
      if (names.has(e.interface)) {
        throw new PlanError(
          `${file}: interface name ${e.interface} would be used twice; expected each node and port to be linked once`,
        );
      }
      names.add(e.interface);
    }
  }

  const switches = bmv2Switches.map((s): SwitchPlan => ({
    name: s.name,
    deviceId: s.deviceId,
    grpcAddress: grpcListenAddress(s),
    thriftPort: s.thriftPort!,
    cpuPort: s.cpuPort,
    ports: [...linked.get(s.name)!]
      .sort((a, b) => a - b)
      .map((port) => ({ port, interface: switchIntf(s.name, port) })),
  }));
  const hosts = topology.hosts.map((h): HostPlan => {
    const plan: HostPlan = {
      name: h.name,
      ipv4: h.ipv4,
      mac: h.mac,
      interface: hostIntf(h),
      switch: h.switch,
      port: h.port,
      commands: [],
    };
    const link = topology.links.find((l) =>
      l.endpoints.some((e) => e.kind === "host" && e.name === h.name),
    )!;
    plan.commands = options.hostSetup?.(plan, link.capacity) ?? [];
    return plan;
  });
  return {
    format: PLAN_FORMAT,
    topologyFile: file,
    runDir: options.runDir,
    switches,
    hosts,
    links,
    hostCommands: options.hostCommands ?? [],
    bmv2: {
      ...DEFAULT_BMV2,
      // A link's queues (control, exact, best effort) hold at most three buffers of frames.
      socketBuffer: 3 * Math.max(...topology.links.map((l) => l.buffer)) * FRAME_CHARGE,
      ...options.bmv2,
    },
    controller: options.controller ?? null,
  };
}

/**
 * Where simple_switch_grpc listens: the topology's address is where the controller dials;
 * a host name other than a loopback or wildcard address is kept (the user may have given
 * the address of an interface of this machine).
 */
export function grpcListenAddress(s: Switch): string {
  return s.address.replace(/^localhost:/, "127.0.0.1:");
}

function checkUnique(file: string, what: string, entries: [string, string][]): void {
  const seen = new Map<string, string>();
  for (const [name, value] of entries) {
    const other = seen.get(value);
    if (other !== undefined) {
      throw new PlanError(
        `${file}: switches ${other} and ${name} share the ${what} ${value}; expected one per switch`,
      );
    }
    seen.set(value, name);
  }
}
