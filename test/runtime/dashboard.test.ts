// The shipped Grafana dashboard asks only for metrics the controller exposes.
import { readFileSync } from "node:fs";
import { ControllerMetrics } from "@netapprox/controller/runtime/metrics.js";

const dashboard = JSON.parse(readFileSync("dashboards/netapprox.json", "utf8")) as {
  panels: { title: string; targets: { expr: string }[] }[];
};

describe("dashboards/netapprox.json", () => {
  it("queries only metrics the controller exposes, with their labels", async () => {
    const m = new ControllerMetrics({ version: "0", switches: [{ name: "s1", ports: [1] }] });
    m.setJobs([{ name: "j", guaranteed: 1, allocated: 1 }]);
    const text = await m.render();
    const families = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((x) => x[1]!));
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) {
      for (const [name] of expr.matchAll(/\b(?:netapprox|process|nodejs)_[a-z0-9_]+/g)) {
        const family = name.replace(/_(bucket|sum|count)$/, "");
        expect({ expr, name, known: families.has(family) }).toEqual({ expr, name, known: true });
      }
      for (const [, label] of expr.matchAll(/by \(([^)]*)\)/g))
        for (const l of label!.split(",").map((s) => s.trim()))
          expect({ expr, label: l, seen: l === "le" || text.includes(`${l}="`) }).toEqual({
            expr,
            label: l,
            seen: true,
          });
    }
  });
});
