// What each Mininet host is set up with besides its address, for one run: a priority qdisc
// on its interface (its own exact traffic goes before its approximate data, which keeps an
// assured share, as the simulator's hosts do; an htb tree since `prio` is not in every
// kernel) and the TCP
// setting the run's TCP flows use. Pure: commands (argv) for the launcher to run inside the
// host's namespace.
import type { TcpSettings } from "../experiment/scenario.js";
import type { LinkScheduling } from "@netapprox/model/pipeline/translate.js";
import {
  checkTree,
  strictTree,
  treeCommands,
  type HtbTree,
} from "@netapprox/controller/targets/htb.js";
import type { HostPlan } from "./plan.js";

/** Linux's own minimum RTO: a route without rto_min has it. */
const LINUX_MIN_RTO = 0.2;
/** Linux's initial RTO, which only a BPF program can change (TCP_TIMEOUT_INIT). */
const LINUX_INITIAL_RTO = 1;

/** How a host's interface serves its queues: by priority, with an assured best-effort share. */
export interface HostScheduling extends Pick<LinkScheduling, "dscp" | "defaultQueue"> {
  /** The DSCP of approximate best-effort data (its queue gets the assured share). */
  bestEffortDscp: number;
  /** Share of the interface the best-effort queue keeps when exact traffic wants it all. */
  bestEffortShare: number;
}

export interface HostSetup {
  /** DSCP -> queue of the run's policy: the interface serves its queues by priority; null: FIFO. */
  scheduling: HostScheduling | null;
  /** Packets each of the interface's queues holds. */
  queueLimit: number;
  /** The TCP every TCP connection of the host uses in this run. */
  tcp: TcpSettings;
}

/**
 * The TCP setting as host configuration: the congestion control (Reno, as the simulator
 * models, or DCTCP) with ECN to match, and the minimum RTO on the host's routes (`rto_min`;
 * every other host is reached through the default route). Linux's own default is CUBIC, but a
 * network namespace may only pick what net.ipv4.tcp_allowed_congestion_control lists, which
 * is Reno and the kernel's default unless root adds more.
 */
export function tcpCommands(host: HostPlan, tcp: TcpSettings): string[][] {
  const dctcp = tcp.variant === "dctcp";
  const cmds = [
    ["sysctl", "-q", "-w", `net.ipv4.tcp_congestion_control=${dctcp ? "dctcp" : "reno"}`],
    // 1: ask for ECN and accept it (DCTCP needs it); 2, Linux's default: accept only.
    ["sysctl", "-q", "-w", `net.ipv4.tcp_ecn=${dctcp ? 1 : 2}`],
  ];
  if (Math.abs(tcp.minRto - LINUX_MIN_RTO) > 1e-9) {
    const ms = Math.max(1, Math.round(tcp.minRto * 1000));
    cmds.push(["ip", "route", "replace", "default", "dev", host.interface, "rto_min", `${ms}ms`]);
  }
  return cmds;
}

/** What a TCP setting asks that Linux hosts cannot do, for the report's notes. */
export function tcpNotes(tcp: TcpSettings, name: string): string[] {
  if (Math.abs(tcp.initialRto - LINUX_INITIAL_RTO) <= 1e-9) return [];
  return [
    `TCP setting ${name}: initial RTO ${tcp.initialRto * 1000} ms is not applied on the Mininet hosts (Linux changes its 1 s initial RTO only from a BPF program); the minimum RTO (${tcp.minRto * 1000} ms) is, with ip route rto_min.`,
  ];
}

/** Every command one host runs for the run, in order: its interface's qdisc, then TCP. */
export function hostSetupCommands(host: HostPlan, capacity: number, setup: HostSetup): string[][] {
  const cmds: string[][] = [];
  if (setup.scheduling !== null) {
    const tree = checkTree(
      hostTree(setup.scheduling, capacity, setup.queueLimit),
      `host ${host.name} (${host.interface})`,
    );
    cmds.push(...treeCommands(host.interface, tree).map((args) => ["tc", ...args]));
  }
  cmds.push(...tcpCommands(host, setup.tcp));
  return cmds;
}

/**
 * Strict priority by DSCP, except that the best-effort queue is assured its share of the
 * interface and the default (exact) queue the rest less the others' token rates: htb serves
 * assured rates first, then lends what is left by priority. The simulator's hosts (weighted
 * host uplinks, scenario `hosts.best_effort_share`) serve the same way.
 */
export function hostTree(scheduling: HostScheduling, capacity: number, limit: number): HtbTree {
  const tree = strictTree(scheduling, capacity, limit);
  const low = scheduling.dscp.find((d) => d.dscp === scheduling.bestEffortDscp)?.queue;
  const exact = scheduling.defaultQueue;
  if (low === undefined || low === exact || scheduling.bestEffortShare <= 0) return tree;
  const assured = Math.round(capacity * scheduling.bestEffortShare);
  const others = tree.classes
    .filter((c) => c.queue !== low && c.queue !== exact)
    .reduce((sum, c) => sum + c.rate, 0);
  const classes = tree.classes.map((c) =>
    c.queue === low
      ? { ...c, rate: Math.max(c.rate, assured) }
      : c.queue === exact
        ? { ...c, rate: Math.max(c.rate, Math.round(capacity - assured - others)) }
        : c,
  );
  return { ...tree, classes };
}

/**
 * The host's commands with its `tc` commands gathered into one `tc -batch FILE` (one process
 * instead of one per class and filter); the caller writes `batch` to `file`.
 */
export function withTcBatch(
  commands: readonly string[][],
  file: string,
): { commands: string[][]; batch: string | null } {
  const tc = commands.filter((c) => c[0] === "tc");
  if (tc.length === 0) return { commands: [...commands], batch: null };
  const rest = commands.filter((c) => c[0] !== "tc");
  return {
    commands: [["tc", "-batch", file], ...rest],
    batch: tc.map((c) => c.slice(1).join(" ")).join("\n") + "\n",
  };
}
