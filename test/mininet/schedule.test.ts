import { parseArgs } from "node:util";
import { expandWorkload } from "@netapprox/lab/experiment/workload.js";
import {
  accessCapacity,
  markingCommands,
  markingRestoreInput,
  scheduleRun,
  unsupportedSettings,
  withRate,
  withStartAt,
  withTimeLeft,
} from "@netapprox/lab/mininet/schedule.js";
import { DEFAULT_CLASSES } from "@netapprox/model/policy/types.js";
import { exactGenOptions, jobCoordinatorOptions, SPECS } from "@netapprox/transport/cli-options.js";
import { planFlows } from "@netapprox/transport/arrivals.js";
import { testScenario } from "./fixtures.js";

const scenario = testScenario();
const plan = expandWorkload(scenario, 7);
const schedule = (transport: Parameters<typeof scheduleRun>[0]["transport"]) =>
  scheduleRun({ scenario, plan, transport, timeLimit: 30 });

/** A flag's value in an argument list. */
const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];

describe("Mininet run schedule", () => {
  test("every transfer gets a receiver on its destination and a sender to it", () => {
    const s = schedule("approximate");
    const transfers = plan.jobs.flatMap((j) => j.phases.flatMap((p) => p.transfers));
    const receivers = s.phases.flatMap((p) => p.receivers);
    const senders = s.phases.flatMap((p) => p.senders);
    expect(receivers).toHaveLength(transfers.length);
    expect(senders).toHaveLength(transfers.length);
    transfers.forEach((t, i) => {
      expect(receivers[i]!.host).toBe(t.dst);
      expect(receivers[i]!.args.slice(0, 3)).toEqual(["approx-recv", "--bind", `:${t.port}`]);
      expect(senders[i]!.host).toBe(t.src);
      const ip = scenario.topology.hosts.find((h) => h.name === t.dst)!.ipv4;
      expect(flag(senders[i]!.args, "--to")).toBe(`${ip}:${t.port}`);
      expect(flag(senders[i]!.args, "--bytes")).toBe(String(t.bytes));
    });
    expect(new Set([...receivers, ...senders].map((p) => p.id)).size).toBe(2 * transfers.length);
  });

  test("phases keep their start: fixed times, or after the previous round", () => {
    const s = schedule("approximate");
    expect(s.phases.map((p) => [p.job, p.phase, p.start])).toEqual([
      [1, 0, 0],
      [2, 0, 1],
      [2, 1, null],
      [3, 0, 0.5],
      [3, 1, 1.5],
    ]);
  });

  test("approximate senders start at their access link's rate with the job's fraction", () => {
    const perTransfer = { ...scenario, completion: "transfer" as const };
    const sender = scheduleRun({
      scenario: perTransfer,
      plan,
      transport: "approximate",
      timeLimit: 30,
    }).phases[0]!.senders[0]!;
    expect(sender.args[0]).toBe("approx-send");
    expect(flag(sender.args, "--rate")).toBe(`${accessCapacity(scenario.topology, "h1")}bps`);
    expect(flag(sender.args, "--fraction")).toBe("0.9");
    expect(flag(sender.args, "--chunk-size")).toBe("1000");
    expect(flag(sender.args, "--timeout")).toBe("30000ms");
    const hinted = scheduleRun({
      scenario,
      plan,
      transport: "approximate",
      timeLimit: 30,
      rateHints: new Map([[1, 2_500_000]]),
    });
    expect(flag(hinted.phases[0]!.senders[0]!.args, "--rate")).toBe("2500000bps");
  });

  test("job-level completion: a coordinator per job on its first receiving host", () => {
    const s = schedule("approximate");
    expect(s.completion).toBe("coordinated");
    expect(s.coordinators.map((c) => [c.job, c.program.host, c.address])).toEqual([
      [1, "h5", "10.0.2.1:20999"],
      [2, "h2", "10.0.1.2:20998"],
      [3, "h8", "10.0.2.4:20997"],
    ]);
    // The ring's coordinator knows both rounds: six transfers each, sender and chunks.
    const ring = s.coordinators[1]!.program;
    const { values } = parseArgs({ args: ring.args.slice(1), options: SPECS["job-coordinator"] });
    const o = jobCoordinatorOptions(values);
    expect(o.bind.port).toBe(20998);
    expect(o.spec.fraction).toBe(0.8);
    expect(o.spec.groups).toHaveLength(2);
    expect(o.spec.groups[0]!.map((t) => t.sender)).toEqual(["h2", "h2", "h6", "h6", "h7", "h7"]);
    expect(o.spec.groups[0]!.every((t) => t.totalChunks === 100)).toBe(true);
    // Receivers report to it, numbered as the coordinator numbers their transfers; senders
    // aim for all of their chunks and are stopped by the job's completion.
    const round2 = s.phases.find((p) => p.job === 2 && p.phase === 1)!;
    const recv = round2.receivers[3]!;
    expect(flag(recv.args, "--coordinator")).toBe("10.0.1.2:20998");
    expect([flag(recv.args, "--group"), flag(recv.args, "--transfer")]).toEqual(["1", "3"]);
    expect(flag(round2.senders[3]!.args, "--fraction")).toBe("1");
    // Its port is marked as control on every host.
    expect(s.controlPorts).toEqual([20999, 20998, 20997]);
    const rules = markingCommands(s.markedPorts, DEFAULT_CLASSES, s.controlPorts).map((c) =>
      c.join(" "),
    );
    expect(rules).toContain(
      "iptables -t mangle -A OUTPUT -p udp --sport 20998 -j DSCP --set-dscp 48",
    );
    expect(rules).toContain(
      "iptables -t mangle -A OUTPUT -p udp --dport 20998 -j DSCP --set-dscp 48",
    );
  });

  test("the marking rules as one iptables-restore input; senders told when to begin", () => {
    const s = schedule("approximate");
    const input = markingRestoreInput(s.markedPorts, DEFAULT_CLASSES, s.controlPorts)!;
    const lines = input.trim().split("\n");
    expect(lines[0]).toBe("*mangle");
    expect(lines.at(-1)).toBe("COMMIT");
    expect(lines).toContain("-A OUTPUT -p udp --dport 21000 -j DSCP --set-dscp 1");
    expect(lines).toContain("-A OUTPUT -p udp --sport 20998 -j DSCP --set-dscp 48");
    expect(lines).toHaveLength(
      2 + markingCommands(s.markedPorts, DEFAULT_CLASSES, s.controlPorts).length,
    );
    expect(markingRestoreInput([], DEFAULT_CLASSES)).toBeNull();
    const sender = s.phases[0]!.senders[0]!;
    expect(withStartAt(sender, 1_700_000_000_123.4).slice(-2)).toEqual([
      "--start-at",
      "1700000000123",
    ]);
    expect(withStartAt(s.phases[0]!.receivers[0]!, 5)).toEqual(s.phases[0]!.receivers[0]!.args);
  });

  test("per-sender TCP sampling and UDP blast are not coordinated; receiver-drop is", () => {
    expect(schedule("tcp-sender-sampling").coordinators).toEqual([]);
    expect(schedule("udp-blast").completion).toBe("at-end");
    const drop = schedule("tcp-receiver-drop");
    expect(drop.coordinators).toHaveLength(3);
    expect(flag(drop.phases[0]!.receivers[0]!.args, "--coordinator")).toBe("10.0.2.1:20999");
    expect(flag(drop.phases[0]!.senders[0]!.args, "--fraction")).toBe("1");
    expect(flag(schedule("tcp-sender-sampling").phases[0]!.senders[0]!.args, "--fraction")).toBe(
      "0.9",
    );
  });

  test("every receiver's data and control port is marked on the hosts", () => {
    const s = schedule("approximate");
    const ports = new Set(
      s.phases.flatMap((p) => p.receivers.map((r) => Number(flag(r.args, "--bind")!.slice(1)))),
    );
    expect(new Set(s.markedPorts.map((p) => p.dataPort))).toEqual(ports);
    expect(s.markedPorts.every((p) => p.controlPort === p.dataPort + 1)).toBe(true);
    const rules = markingCommands(s.markedPorts, DEFAULT_CLASSES).map((c) => c.join(" "));
    expect(rules).toContain(
      "iptables -t mangle -A OUTPUT -p udp --dport 21000 -j DSCP --set-dscp 1",
    );
    expect(rules).toContain(
      "iptables -t mangle -A OUTPUT -p udp --sport 21001 -j DSCP --set-dscp 48",
    );
    expect(markingCommands([], DEFAULT_CLASSES)).toEqual([]);
  });

  test("TCP baselines: the mode and a seed per transfer, nothing to mark", () => {
    const s = schedule("tcp-sender-sampling");
    const senders = s.phases.flatMap((p) => p.senders);
    expect(senders.every((p) => p.args[0] === "tcp-send")).toBe(true);
    expect(senders.every((p) => flag(p.args, "--mode") === "sender-sampling")).toBe(true);
    expect(new Set(senders.map((p) => flag(p.args, "--seed"))).size).toBe(senders.length);
    expect(s.phases[0]!.receivers[0]!.args[0]).toBe("tcp-recv");
    expect(s.markedPorts).toEqual([]);
    expect(flag(schedule("tcp-receiver-drop").phases[0]!.senders[0]!.args, "--mode")).toBe(
      "receiver-drop",
    );
  });

  test("UDP blast: line rate and the scenario's drain on both ends", () => {
    const s = schedule("udp-blast");
    const [recv, send] = [s.phases[0]!.receivers[0]!, s.phases[0]!.senders[0]!];
    expect(recv.args[0]).toBe("blast-recv");
    expect(flag(recv.args, "--drain")).toBe("300ms");
    expect(send.args[0]).toBe("blast-send");
    expect(flag(send.args, "--rate")).toBe("10000000bps");
    expect(flag(send.args, "--drain")).toBe("300ms");
  });

  test("one sink per exact destination, expecting the flows the plan sends it", () => {
    const s = schedule("approximate");
    expect(s.sinks.map((p) => p.host)).toEqual(["h5", "h6"]);
    for (const sink of s.sinks) {
      const expected = plan.exactFlows.filter((f) => f.dst === sink.host).length;
      expect(flag(sink.args, "--flows")).toBe(String(expected));
      expect(flag(sink.args, "--bind")).toBe(":19500");
    }
  });

  test("exact-gen given the generator's flags plans exactly the workload's flows", () => {
    const s = schedule("approximate");
    expect(s.generators).toHaveLength(plan.exactSources.length);
    for (const g of s.generators) {
      const source = plan.exactSources[g.program.exactSource!]!;
      expect(g.program.host).toBe(source.src);
      const { values } = parseArgs({ args: g.program.args.slice(1), options: SPECS["exact-gen"] });
      const options = exactGenOptions(values);
      const flows = planFlows({ ...options, destinations: options.destinations.length }).flows;
      const expected = plan.exactFlows.filter((f) => f.src === source.src);
      expect(flows.map((f) => [f.sizeBytes, source.dsts[f.destination]])).toEqual(
        expected.map((f) => [f.size, f.dst]),
      );
      expect(flows.map((f) => f.startMs / 1000 + source.start)).toEqual(
        expected.map((f) => f.start),
      );
    }
    // Flow ids continue from one source to the next.
    const ids = s.generators.map((g) => Number(flag(g.program.args, "--first-id")));
    expect(ids[0]).toBe(0);
    expect(ids[1]).toBe(plan.exactFlows.filter((f) => f.src === plan.exactSources[0]!.src).length);
  });
});

describe("time left", () => {
  const s = scheduleRun({ scenario, plan, transport: "approximate", timeLimit: 30 });
  test("a program's timeout is cut to the time left in the run, and never below 1 s", () => {
    const sender = s.phases[0]!.senders[0]!;
    expect(flag(withTimeLeft(sender, 12.5), "--timeout")).toBe("12500ms");
    expect(flag(withTimeLeft(sender, 100), "--timeout")).toBe("30000ms");
    expect(flag(withTimeLeft(sender, -3), "--timeout")).toBe("1000ms");
    expect(sender.args).toContain("30000ms"); // the schedule itself is left alone
  });

  test("a generator's timeout counts from its last flow, so its duration comes off", () => {
    const gen = s.generators[0]!.program;
    // 4 s of arrivals: 20 s left in the run leave 16 s for the last flows.
    expect(flag(withTimeLeft(gen, 20), "--timeout")).toBe("16000ms");
  });
});

describe("rate hints", () => {
  test("a sender starts at the hint, never above the rate it was scheduled with", () => {
    const sender = scheduleRun({ scenario, plan, transport: "approximate", timeLimit: 30 })
      .phases[0]!.senders[0]!;
    // The hint is where it starts; its access link stays its maximum, as in the simulator.
    expect(flag(withRate(sender, 2.5e6), "--start-rate")).toBe("2500000bps");
    expect(flag(withRate(sender, 2.5e6), "--rate")).toBe("10000000bps");
    expect(flag(withRate(sender, 50e6), "--start-rate")).toBe("10000000bps");
    const blast = scheduleRun({ scenario, plan, transport: "udp-blast", timeLimit: 30 }).phases[0]!
      .senders[0]!;
    expect(withRate(blast, 1e6)).toEqual(blast.args);
    const recv = scheduleRun({ scenario, plan, transport: "approximate", timeLimit: 30 }).phases[0]!
      .receivers[0]!;
    expect(withRate(recv, 1e6)).toEqual(recv.args);
  });
});

describe("settings the host programs cannot take", () => {
  test("timers other than the feedback interval are reported when they differ", () => {
    expect(unsupportedSettings(scenario)).toEqual([]);
    const changed = {
      ...scenario,
      transport: {
        ...scenario.transport,
        approximate: { ...scenario.transport.approximate, feedbackInterval: 0.02, silence: 0.3 },
      },
    };
    expect(unsupportedSettings(changed)).toEqual([
      expect.stringMatching(/^transport\.approximate\.silence \(0\.3 s\) has no host-program flag/),
    ]);
  });
});
