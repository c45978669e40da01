// SimpleSwitchQueues against a real simple_switch_grpc on loopback: queue settings
// are accepted, and the start time read over Thrift stays the same for one process
// and changes when the switch restarts (what the controller's queue memory relies
// on). Runs where simple_switch_grpc is on PATH; says in one line why it skipped
// elsewhere.
import { findExecutable } from "@netapprox/model/util/executables.js";
import {
  startLoopbackBmv2,
  type LoopbackBmv2,
} from "@netapprox/controller/targets/bmv2-process.js";
import { sameSwitchStart, SimpleSwitchQueues } from "@netapprox/controller/targets/thrift.js";

const binary = findExecutable("simple_switch_grpc");
const skip = binary === undefined ? "simple_switch_grpc not on PATH" : undefined;
if (skip) process.stderr.write(`BMv2 Thrift test skipped: ${skip}\n`);
const describeBmv2 = skip ? describe.skip : describe;

describeBmv2(`SimpleSwitchQueues on a real BMv2${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let bmv2: LoopbackBmv2 | undefined;
  afterEach(async () => {
    await bmv2?.stop();
    bmv2 = undefined;
  });

  it("sets queues, reads a stable start time, and a new one after a restart", async () => {
    const before = Date.now() * 1000;
    bmv2 = await startLoopbackBmv2(binary!);
    const q = new SimpleSwitchQueues("127.0.0.1", bmv2.thriftPort);
    try {
      await q.setQueueRate(1, 0, 1_000);
      await q.setQueueDepth(1, 0, 64);
      const a = (await q.startTime())!;
      expect(a).toBeDefined();
      // It started after we spawned it and before we asked (clocks of one machine).
      expect(Number(a.us)).toBeGreaterThanOrEqual(before - 1_000);
      expect(Number(a.us)).toBeLessThanOrEqual(Date.now() * 1000);
      await new Promise((r) => setTimeout(r, 300));
      const b = (await q.startTime())!;
      expect(sameSwitchStart(a, b)).toBe(true);

      // Same ports, new process: the controller must send its queue settings again.
      const { grpcPort, thriftPort } = bmv2;
      await bmv2.stop();
      bmv2 = await startLoopbackBmv2(binary!, { grpcPort, thriftPort });
      q.close(); // the old connection died with the old process
      const c = (await q.startTime())!;
      expect(sameSwitchStart(a, c)).toBe(false);
      expect(c.us).toBeGreaterThan(a.us);
    } finally {
      q.close();
    }
  });
});
