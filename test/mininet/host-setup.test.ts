import { DEFAULT_TCP, tcpSetting } from "@netapprox/lab/experiment/scenario.js";
import {
  hostSetupCommands,
  hostTree,
  tcpCommands,
  tcpNotes,
  withTcBatch,
} from "@netapprox/lab/mininet/host-setup.js";
import type { HostPlan } from "@netapprox/lab/mininet/plan.js";
import { strictTree } from "@netapprox/controller/targets/htb.js";

const host: HostPlan = {
  name: "h1",
  ipv4: "10.0.1.1",
  mac: "00:00:0a:00:01:01",
  interface: "h1-eth0",
  switch: "s1",
  port: 1,
  commands: [],
};
const scheduling = {
  dscp: [
    { dscp: 0, queue: 1 },
    { dscp: 1, queue: 0 },
    { dscp: 10, queue: 1 },
    { dscp: 48, queue: 2 },
  ],
  defaultQueue: 1,
  bestEffortDscp: 1,
  bestEffortShare: 0.1,
};
const line = (cmds: string[][]) => cmds.map((c) => c.join(" "));

describe("Mininet host setup", () => {
  test("linux-default: Reno, ECN only when asked, Linux's own RTOs", () => {
    expect(line(tcpCommands(host, tcpSetting("linux-default", DEFAULT_TCP)))).toEqual([
      "sysctl -q -w net.ipv4.tcp_congestion_control=reno",
      "sysctl -q -w net.ipv4.tcp_ecn=2",
    ]);
    expect(tcpNotes(tcpSetting("linux-default", DEFAULT_TCP), "linux-default")).toEqual([]);
  });

  test("dc-tuned: a 5 ms minimum RTO on the host's routes; the initial RTO is a note", () => {
    const tcp = tcpSetting("dc-tuned", DEFAULT_TCP);
    expect(line(tcpCommands(host, tcp))).toContain(
      "ip route replace default dev h1-eth0 rto_min 5ms",
    );
    expect(tcpNotes(tcp, "dc-tuned")[0]).toMatch(/initial RTO 10 ms is not applied.*BPF/);
  });

  test("dctcp: DCTCP with ECN", () => {
    expect(line(tcpCommands(host, tcpSetting("dctcp", DEFAULT_TCP))).slice(0, 2)).toEqual([
      "sysctl -q -w net.ipv4.tcp_congestion_control=dctcp",
      "sysctl -q -w net.ipv4.tcp_ecn=1",
    ]);
  });

  test("the interface serves its queues by priority, then the TCP setting is applied", () => {
    const cmds = line(
      hostSetupCommands(host, 10e6, { scheduling, queueLimit: 1000, tcp: DEFAULT_TCP }),
    );
    expect(cmds[0]).toBe("tc qdisc replace dev h1-eth0 root handle 1: htb default 3");
    // Control (queue 2) first, exact (1), best effort (0) last; LE and CS6 filtered by DSCP.
    expect(cmds).toContain(
      "tc class replace dev h1-eth0 parent 1:1 classid 1:4 htb rate 10000bit ceil 10000000bit prio 0 quantum 1514",
    );
    // Best effort is assured 10% of the link, exact the rest less control's token rate.
    expect(cmds).toContain(
      "tc class replace dev h1-eth0 parent 1:1 classid 1:2 htb rate 1000000bit ceil 10000000bit prio 2 quantum 1514",
    );
    expect(cmds).toContain(
      "tc class replace dev h1-eth0 parent 1:1 classid 1:3 htb rate 8990000bit ceil 10000000bit prio 1 quantum 1514",
    );
    expect(cmds).toContain(
      "tc filter add dev h1-eth0 parent 1: protocol ip prio 1 u32 match ip dsfield 0x04 0xfc flowid 1:2",
    );
    expect(cmds).toContain("tc qdisc replace dev h1-eth0 parent 1:3 handle 11: pfifo limit 1000");
    expect(cmds.at(-1)).toBe("sysctl -q -w net.ipv4.tcp_ecn=2");
    // A FIFO interface: TCP settings only.
    expect(
      hostSetupCommands(host, 10e6, { scheduling: null, queueLimit: 1000, tcp: DEFAULT_TCP }),
    ).toHaveLength(2);
  });

  test("without a best-effort share the host is strictly by priority", () => {
    const tree = hostTree({ ...scheduling, bestEffortShare: 0 }, 10e6, 100);
    expect(tree).toEqual(strictTree(scheduling, 10e6, 100));
    const shared = hostTree(scheduling, 10e6, 100);
    expect(shared.classes.reduce((sum, c) => sum + c.rate, 0)).toBeLessThanOrEqual(10e6);
  });

  test("a host's tc commands run as one batch", () => {
    const cmds = hostSetupCommands(host, 10e6, { scheduling, queueLimit: 100, tcp: DEFAULT_TCP });
    const { commands, batch } = withTcBatch(cmds, "/run/h1.tc");
    expect(commands[0]).toEqual(["tc", "-batch", "/run/h1.tc"]);
    expect(commands.slice(1)).toEqual(cmds.filter((c) => c[0] !== "tc"));
    const lines = batch!.trim().split("\n");
    expect(lines).toHaveLength(cmds.filter((c) => c[0] === "tc").length);
    expect(lines[0]).toBe("qdisc replace dev h1-eth0 root handle 1: htb default 3");
    expect(withTcBatch([["sysctl", "x"]], "/f")).toEqual({
      commands: [["sysctl", "x"]],
      batch: null,
    });
  });
});
