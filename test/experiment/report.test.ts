import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  formatChange,
  formatSeconds,
  renderMarkdown,
  renderPlots,
  summaryTable,
  writeResults,
  writeRun,
} from "../../controller/src/experiment/report.js";
import { summarize } from "../../controller/src/experiment/results.js";
import { run } from "./fixtures.js";

describe("formatting", () => {
  it("picks a time unit and signs changes", () => {
    expect(formatSeconds(12.345)).toBe("12.3 s");
    expect(formatSeconds(0.0456)).toBe("45.6 ms");
    expect(formatSeconds(0.0000123)).toBe("12.3 us");
    expect(formatSeconds(null)).toBe("n/a");
    expect(formatChange(0.354)).toBe("+35%");
    expect(formatChange(-0.12)).toBe("-12%");
    expect(formatChange(null)).toBe("n/a");
  });
});

describe("report", () => {
  const runs = [
    run("netapprox", 1, [1, 3], [0.01, 0.03]),
    run("tcp-sender-sampling", 1, [2, 4], [0.1, 0.3]),
    { ...run("udp-blast", 1, [null, null], [1, null]), finished: false },
  ];
  const summary = summarize(runs);

  it("tabulates every policy with its changes against netapprox", () => {
    const table = summaryTable(summary);
    expect(table[0]).toMatch(
      /^\| policy \| approx JCT mean \| approx JCT p99 \| JCT mean vs netapprox/,
    );
    expect(table[2]).toBe(
      "| netapprox | 2 s | 3 s | - | - | 2/2 | 0.900 | 20 ms | 30 ms | - | - | 2/2 |",
    );
    expect(table[3]).toBe(
      "| tcp-sender-sampling | 3 s | 4 s | +50% | +33% | 2/2 | 0.900 | 200 ms | 300 ms | +900% | +900% | 2/2 |",
    );
    expect(table[4]).toBe(
      "| udp-blast | n/a | n/a | n/a | n/a | 0/2 | 0.500 | 1 s | 1 s | +4900% | +3233% | 1/2 |",
    );
  });

  it("writes a Markdown report with drops, unfinished runs and notes", () => {
    const md = renderMarkdown(summary, runs, {
      description: "A test.",
      notes: ["something was ignored"],
    });
    expect(md).toContain("# s: simulator results");
    expect(md).toContain("A test.");
    expect(md).toContain("| policy | meter-red | le-threshold | approximate data lost |");
    expect(md).toContain("| netapprox | 6 | 2 | 10.0% |".replace("6 | 2", "3 | 1"));
    expect(md).toContain("Runs that reached the time limit with work left: udp-blast (seed 1).");
    expect(md).toContain("Note: something was ignored");
  });

  it("draws the three plots as SVG", () => {
    const plots = renderPlots(summary);
    expect(Object.keys(plots).sort()).toEqual(["delivered.svg", "fct-cdf.svg", "jct.svg"]);
    for (const svg of Object.values(plots)) {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.trim().endsWith("</svg>")).toBe(true);
    }
    expect(plots["jct.svg"]).toContain("JCT (s)");
    expect(plots["jct.svg"]).toContain("0/2 done");
    expect(plots["fct-cdf.svg"]).toContain("FCT (ms, log scale)");
    expect(plots["fct-cdf.svg"]).toContain("netapprox (2)");
    expect(plots["delivered.svg"]).toContain("required 0.9");
  });

  it("writes run files, the summary, the report and the plots", () => {
    const dir = mkdtempSync(join(tmpdir(), "netapprox-report-"));
    for (const r of runs) writeRun(dir, r);
    const { files } = writeResults(dir, runs);
    expect(readdirSync(join(dir, "runs")).sort()).toEqual([
      "netapprox-seed1.json",
      "tcp-sender-sampling-seed1.json",
      "udp-blast-seed1.json",
    ]);
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual([
      "delivered.svg",
      "fct-cdf.svg",
      "jct.svg",
      "report.md",
      "summary.json",
    ]);
    const stored = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
    expect(stored.format).toBe("netapprox-summary/1");
    expect(stored.policies[0].fctSamples).toBeUndefined();
    expect(JSON.parse(readFileSync(join(dir, "runs", "netapprox-seed1.json"), "utf8"))).toEqual(
      runs[0],
    );
  });
});
