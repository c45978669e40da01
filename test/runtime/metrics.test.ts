import { MetricsRegistry } from "../../controller/src/runtime/metrics.js";

describe("Prometheus metrics", () => {
  it("renders gauges and counters in the text exposition format", () => {
    const m = new MetricsRegistry();
    m.set("netapprox_link_utilisation", "Link utilisation", { link: "s1:3->s2:1" }, 0.5);
    m.inc("netapprox_writes_total", "Updates written", { switch: "s1" }, 3);
    m.inc("netapprox_writes_total", "Updates written", { switch: "s1" }, 2);
    m.set("netapprox_up", "Switch ready", {}, 1);
    expect(m.render()).toBe(
      [
        "# HELP netapprox_link_utilisation Link utilisation",
        "# TYPE netapprox_link_utilisation gauge",
        'netapprox_link_utilisation{link="s1:3->s2:1"} 0.5',
        "# HELP netapprox_up Switch ready",
        "# TYPE netapprox_up gauge",
        "netapprox_up 1",
        "# HELP netapprox_writes_total Updates written",
        "# TYPE netapprox_writes_total counter",
        'netapprox_writes_total{switch="s1"} 5',
        "",
      ].join("\n"),
    );
  });

  it("escapes label values and refuses bad names and type changes", () => {
    const m = new MetricsRegistry();
    m.set("x", "h", { a: 'q"\\\n' }, Infinity);
    expect(m.render()).toContain('x{a="q\\"\\\\\\n"} +Inf');
    expect(() => m.set("bad-name", "h", {}, 1)).toThrow("invalid metric name");
    expect(() => m.inc("x", "h", {})).toThrow("'x' is a gauge");
  });
});
