import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";

describe("netapprox demo (npm start)", () => {
  it("runs the controller against test switches and the default scenario in the simulator, and writes the report", async () => {
    const out = mkdtempSync(join(tmpdir(), "netapprox-demo-"));
    const r = await cli("demo", "--out", out);
    expect(r.err).not.toContain("internal error");
    expect(r.code).toBe(0);
    expect(r.out).toContain("1. The controller against P4Runtime test switches");
    expect(r.out).toMatch(/s1\s+127\.0\.0\.1:\d+\s+1\s+bmv2\s+ready\s+primary/);
    expect(r.out).toContain("| netapprox |");
    for (const setting of ["linux-default", "dc-tuned", "dctcp"])
      expect(r.out).toContain(`| tcp-sender-sampling (${setting}) |`);
    for (const f of [
      "report.md",
      "summary.json",
      "jct.svg",
      "fct-cdf.svg",
      "delivered.svg",
      "installed-entities.json",
    ]) {
      expect(existsSync(join(out, f))).toBe(true);
    }
    const installed = JSON.parse(
      readFileSync(join(out, "installed-entities.json"), "utf8"),
    ) as Record<string, { kind: string; table?: string }[]>;
    expect(installed.s1!.some((e) => e.kind === "meterEntry")).toBe(true);
    expect(installed.s1!.some((e) => e.table?.endsWith(".classifier"))).toBe(true);
  }, 60_000);

  it("names the file when the scenario does not exist", async () => {
    const r = await cli(
      "demo",
      "--scenario",
      "experiments/missing.yaml",
      "--out",
      mkdtempSync(join(tmpdir(), "netapprox-demo-")),
    );
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("experiments/missing.yaml");
  });
});
