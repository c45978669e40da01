import { ControllerMetrics } from "@netapprox/controller/runtime/metrics.js";
import { counterIncrease, sampleKey, Telemetry } from "@netapprox/controller/runtime/telemetry.js";
import {
  jobColorIndex,
  portClassIndex,
  portDropIndex,
} from "@netapprox/model/pipeline/contract.js";

const sample = (packets: number, bytes: number) => ({
  packets: BigInt(packets),
  bytes: BigInt(bytes),
});

describe("Telemetry", () => {
  it("turns counter polls into rates and mirrors the counters' increase, across a switch restart", async () => {
    const metrics = new ControllerMetrics({
      version: "0",
      switches: [{ name: "s1", ports: [5] }],
      processMetrics: false,
    });
    const t = new Telemetry(metrics);
    const job = () => ({ id: 7, name: "kafka" });
    const poll = (time: number, exactBytes: number, dropped: number, green: number) =>
      t.recordPoll(
        "s1",
        time,
        new Map([
          [sampleKey("class", portClassIndex(5, 0)), sample(exactBytes / 1000, exactBytes)],
          [sampleKey("drop", portDropIndex(5, 1)), sample(dropped, dropped * 1500)],
          [sampleKey("job", jobColorIndex(0, 0)), sample(green / 1000, green)],
        ]),
        job,
      );
    poll(0, 1_000_000, 10, 500_000);
    expect(t.portTx("s1", 5)).toBeNull(); // one poll: no rate yet
    poll(1000, 2_250_000, 30, 1_500_000);
    expect(t.portTx("s1", 5)).toEqual({ exact: 10_000_000 });
    expect(t.exactLoads()).toEqual(new Map([["s1:5", 10_000_000]]));
    expect(t.port("s1", 5)).toMatchObject({
      dropsPps: { le_threshold: 20 },
      dropsTotal: { le_threshold: 30 },
      queueDepth: null,
    });
    expect(t.offeredByJob()).toEqual(new Map([[7, 8_000_000]]));
    expect(t.jobColours(7)).toMatchObject({ green: { bps: 8_000_000 }, bytes: 1_500_000 });
    // The switch restarts: its counters start again from zero, and count on from there.
    poll(2000, 500_000, 5, 0);
    const text = await metrics.render();
    expect(text).toContain(
      'netapprox_port_transmit_bytes_total{switch="s1",port="5",class="exact"} 2750000',
    );
    expect(text).toContain(
      'netapprox_port_dropped_packets_total{switch="s1",port="5",reason="le_threshold"} 35',
    );
    expect(text).toContain('netapprox_job_bytes_total{approx_job="kafka",color="green"} 1500000');
  });

  it("records queue depths per port and queue", async () => {
    const metrics = new ControllerMetrics({ version: "0", switches: [], processMetrics: false });
    const t = new Telemetry(metrics);
    t.recordQueueDepths(
      "s1",
      new Map([
        ["5|0", 12],
        ["5|2", 0],
      ]),
    );
    expect(t.port("s1", 5).queueDepth).toEqual({ "0": 12, "2": 0 });
    expect(await metrics.render()).toContain(
      'netapprox_port_queue_depth_packets{switch="s1",port="5",queue="0"} 12',
    );
  });

  it("counts a counter's increase, and all of it after a reset", () => {
    expect(counterIncrease(sample(10, 100), sample(15, 160))).toEqual({ packets: 5, bytes: 60 });
    expect(counterIncrease(sample(10, 100), sample(2, 30))).toEqual({ packets: 2, bytes: 30 });
    expect(counterIncrease(undefined, sample(2, 30))).toEqual({ packets: 2, bytes: 30 });
  });
});
