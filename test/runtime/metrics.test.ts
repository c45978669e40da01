import { ControllerMetrics } from "@netapprox/controller/runtime/metrics.js";

const setup = {
  version: "9.9.9",
  switches: [{ name: "s1", ports: [1, 5] }],
  processMetrics: false,
};

describe("Prometheus metrics", () => {
  it("has every switch and port series from the start, at 0, with base units and _total", async () => {
    const text = await new ControllerMetrics(setup).render();
    expect(text).toContain(
      `netapprox_build_info{version="9.9.9",node_version="${process.version}"} 1`,
    );
    expect(text).toContain('netapprox_switch_up{switch="s1"} 0');
    expect(text).toContain('netapprox_switch_state{switch="s1",state="ready"} 0');
    expect(text).toContain('netapprox_syncs_total{switch="s1",kind="full"} 0');
    expect(text).toContain(
      'netapprox_port_transmit_bytes_total{switch="s1",port="5",class="approx_best_effort"} 0',
    );
    expect(text).toContain(
      'netapprox_port_dropped_packets_total{switch="s1",port="1",reason="le_threshold"} 0',
    );
    expect(text).toContain('netapprox_policy_reloads_total{result="rejected"} 0');
    expect(text).toMatch(/# TYPE netapprox_port_dropped_packets_total counter/);
    expect(text).toMatch(/# TYPE netapprox_sync_duration_seconds histogram/);
    expect(text).toMatch(/# TYPE netapprox_poll_duration_seconds histogram/);
    expect(text).toMatch(/# TYPE netapprox_allocation_duration_seconds histogram/);
    // No rate gauges and no label named `job` (Prometheus's own).
    expect(text).not.toMatch(/_bps\b|_pps\b/);
    expect(text).not.toMatch(/[{,]job="/);
  });

  it("names jobs with approx_job, adds a new job's series at 0 and removes a job that is gone", async () => {
    const m = new ControllerMetrics(setup);
    m.setJobs([{ name: "kafka", guaranteed: 8e6, allocated: 16e6 }]);
    let text = await m.render();
    expect(text).toContain('netapprox_job_guaranteed_bytes_per_second{approx_job="kafka"} 1000000');
    expect(text).toContain('netapprox_job_allocated_bytes_per_second{approx_job="kafka"} 2000000');
    expect(text).toContain('netapprox_job_packets_total{approx_job="kafka",color="red"} 0');
    m.jobPackets.inc({ approx_job: "kafka", color: "red" }, 3);
    m.setJobs([
      { name: "kafka", guaranteed: 8e6, allocated: 8e6 },
      { name: "spark", guaranteed: null, allocated: null },
    ]);
    text = await m.render();
    expect(text).toContain('netapprox_job_packets_total{approx_job="kafka",color="red"} 3');
    expect(text).toContain('netapprox_job_bytes_total{approx_job="spark",color="green"} 0');
    m.setJobs([{ name: "spark", guaranteed: null, allocated: null }]);
    text = await m.render();
    expect(text).not.toContain('approx_job="kafka"');
  });

  it("exposes process and runtime metrics unless told not to", async () => {
    const text = await new ControllerMetrics({ ...setup, processMetrics: true }).render();
    expect(text).toContain("process_cpu_seconds_total");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
  });

  it("gives link capacity, allocation and utilisation as bytes per second and a ratio", async () => {
    const m = new ControllerMetrics(setup);
    m.setLinks([{ name: "s1:5->s2:5", capacity: 10e6, exactLoad: 2e6, allocated: 4e6 }]);
    const text = await m.render();
    expect(text).toContain('netapprox_link_capacity_bytes_per_second{link="s1:5->s2:5"} 1250000');
    expect(text).toContain(
      'netapprox_link_exact_allocated_bytes_per_second{link="s1:5->s2:5"} 250000',
    );
    expect(text).toContain('netapprox_link_utilisation_ratio{link="s1:5->s2:5"} 0');
  });
});
