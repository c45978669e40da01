// A BMv2 switch whose Thrift port does not answer: reported once, not at every sync or
// poll, with its reason in /status, and reported again when it works.
import { createLogger } from "@netapprox/controller/runtime/log.js";
import type { QueueConfigurator } from "@netapprox/controller/runtime/agent.js";
import { eventually } from "../helpers/events.js";
import { controllerFor, startTestbed } from "../helpers/testbed.js";

it("reports an unreachable Thrift port once, keeps syncing the switch, and says when it works again", async () => {
  const bed = await startTestbed("topologies/dumbbell.yaml");
  const lines: string[] = [];
  let reachable = false;
  let attempts = 0;
  const queues = (): QueueConfigurator => ({
    setQueueRate: async () => {
      attempts++;
      if (!reachable)
        throw new Error("cannot reach the Thrift server at 127.0.0.1:9090: connect ECONNREFUSED");
    },
    setQueueDepth: async () => undefined,
    close: () => undefined,
  });
  const c = controllerFor(bed, "policies/dumbbell.yaml", {
    logger: createLogger({ format: "text", write: (l) => lines.push(l) }),
    queueConfigurator: queues,
    pollIntervalMs: 50,
    retryMs: { initial: 50, max: 100 },
  });
  try {
    await c.start();
    await eventually(
      () => [...c.agents.values()].every((a) => a.stats.fullSyncs > 0),
      5_000,
      "synced",
    );
    // Two seconds of polls, syncs and retries every 50 to 100 ms.
    await new Promise((r) => setTimeout(r, 2_000));
    const failed = lines.filter((l) => l.includes("queue settings failed"));
    expect(failed).toHaveLength(2); // once per switch
    expect(lines.filter((l) => l.includes("still failing"))).toHaveLength(0);
    // Attempts back off (0.5 s, 1 s, ...) instead of one per sync or retry.
    expect(attempts).toBeLessThan(12);
    // ... and without reading the whole switch again each time (retries are incremental).
    for (const a of c.agents.values()) expect(a.stats.fullSyncs).toBe(1);
    const s1 = c.status().switches.find((s) => s.name === "s1")!;
    expect(s1.state).toBe("ready");
    expect(s1.reason).toContain("cannot reach the Thrift server");
    reachable = true;
    await eventually(
      () => lines.filter((l) => l.includes("queue settings works again")).length === 2,
      5_000,
      "reported working again",
    );
    await eventually(
      () => c.status().switches.every((s) => s.reason === null),
      3_000,
      "reason cleared",
    );
  } finally {
    await c.stop();
    await bed.stop();
  }
});
