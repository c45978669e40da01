// `netapprox report` and `netapprox sweep`: render results folders again, and a load sweep.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeRun } from "@netapprox/lab/experiment/report.js";
import { normaliseSummary } from "@netapprox/lab/experiment/results-dir.js";
import { exactLoad } from "@netapprox/lab/experiment/sweep.js";
import { loadScenarioFile } from "@netapprox/lab/experiment/load.js";
import { cli } from "../helpers/cli.js";
import { run } from "../experiment/fixtures.js";

const tmp = () => mkdtempSync(join(tmpdir(), "netapprox-report-cli-"));

describe("netapprox report", () => {
  it("renders a folder of run files again, rows in the runners' order, keeping the description and notes", async () => {
    const dir = tmp();
    // Written in an order the file names do not keep.
    for (const r of [
      run("oblivious", 1, [1], [0.1]),
      run("netapprox", 1, [2], [0.01]),
      { ...run("tcp-receiver-drop", 1, [3], [0.2]), tcpSetting: "dctcp" as const },
    ])
      writeRun(dir, r);
    writeFileSync(
      join(dir, "report.md"),
      "# s: simulator results\n\nWhat it is.\n\nSeeds: 1.\n\nNote: kept\n",
    );
    const r = await cli("report", dir);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
    expect(r.out).toBe(`${dir}: from 3 run files, wrote 10 files`);
    const md = readFileSync(join(dir, "report.md"), "utf8");
    expect(md).toContain("What it is.");
    expect(md).toContain("Note: kept");
    const rows = md.split("\n").filter((l) => /^\| (netapprox|oblivious|tcp)/.test(l));
    expect(rows.slice(0, 3).map((l) => l.split(" | ")[0])).toEqual([
      "| netapprox",
      "| tcp-receiver-drop (dctcp)",
      "| oblivious",
    ]);
    for (const f of ["summary.json", "jct.csv", "fct.svg", "fct-cdf.csv", "delivered.svg"])
      expect(existsSync(join(dir, f))).toBe(true);
  });

  it("renders an older summary.json without runs, and says which old figure it cannot redraw", async () => {
    const dir = tmp();
    cpSync("test/experiment/fixtures/older-summary-fat-tree-8.json", join(dir, "summary.json"));
    writeFileSync(join(dir, "fct-cdf.svg"), "<svg/>");
    const r = await cli("report", dir, "--scenario", "experiments/fat-tree-8.yaml");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${dir}: from summary.json, wrote 7 files`);
    expect(r.out).toContain(`note: ${join(dir, "fct-cdf.svg")} is from an older renderer`);
    const md = readFileSync(join(dir, "report.md"), "utf8");
    expect(md).toContain("fat-tree");
    expect(md).not.toContain("fct-cdf.svg");
  });

  it("says what is wrong with a folder that holds no results", async () => {
    const dir = tmp();
    expect((await cli("report", dir)).err).toBe(
      `netapprox report: ${dir}: neither run files (runs/*.json) nor a summary.json: not a results folder of netapprox simulate or netapprox experiment`,
    );
  });
});

describe("older summaries", () => {
  it("get labels, empty sender fractions and no flow samples", () => {
    const old = JSON.parse(
      readFileSync("test/experiment/fixtures/older-summary-fat-tree-8.json", "utf8"),
    );
    const s = normaliseSummary(old, "x.json");
    expect(s.policies[0]).toMatchObject({
      label: "netapprox",
      tcpSetting: null,
      senderFraction: null,
      fctSamples: [],
    });
  });
});

describe("netapprox sweep", () => {
  it("reads each point's exact load from its scenario", () => {
    expect(exactLoad(loadScenarioFile("experiments/leaf-spine-144-light.yaml")).load).toBeCloseTo(
      0.3,
    );
    const incast = exactLoad(loadScenarioFile("experiments/incast-144.yaml"));
    expect(incast.load).toBeCloseTo(0.3);
    expect(incast.others).toEqual(["into-aggregators: fixed:10MB flows at 5 Gbit/s in all"]);
  });

  it("draws JCT and FCT against load for a scenario family, with CSV", async () => {
    const out = tmp();
    const dirs = ["leaf-spine-144-light", "leaf-spine-144", "leaf-spine-144-heavy"].map(
      (d) => `results/examples/simulator/${d}`,
    );
    const r = await cli("sweep", ...dirs, "--out", out);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
    expect(r.out).toContain("| policy | JCT mean at 30% | JCT mean at 50% | JCT mean at 70% |");
    expect(r.out).toMatch(
      /^\| netapprox \| 32\.2 ms \| 45\.8 ms \| 61 ms \| 2\.6 ms \| 3\.82 ms \| 5\.27 ms \|$/m,
    );
    const table = readFileSync(join(out, "sweep.csv"), "utf8").split("\n");
    expect(table[0]).toBe(
      "scenario,exact_load,policy,jobs,jobs_completed,jct_mean_s,jct_p99_s,flows,flows_completed,fct_mean_s,fct_p99_s",
    );
    expect(table).toHaveLength(1 + 3 * 10 + 1);
    expect(readFileSync(join(out, "sweep-jct.svg"), "utf8")).toContain(
      "exact load (% of every host",
    );
    // Its files are not replaced without --force.
    expect((await cli("sweep", ...dirs, "--out", out)).err).toContain(
      "already exists; not replacing it (--force replaces it)",
    );
    // One folder per load.
    expect((await cli("sweep", dirs[0]!, dirs[0]!, "--out", tmp())).err).toContain(
      "the same exact load",
    );
  });
});
