import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  changeConvention,
  csv,
  formatChange,
  formatSeconds,
  percentiles,
  renderFigures,
  renderMarkdown,
  summaryTable,
  writeResults,
  writeRun,
} from "@netapprox/lab/experiment/report.js";
import { summarize } from "@netapprox/lab/experiment/results.js";
import { run } from "./fixtures.js";

/** The figures a report draws, each as SVG with its CSV data, sorted by name. */
const FIGURE_FILES = [
  "delivered.csv",
  "delivered.svg",
  "fct-cdf.csv",
  "fct-cdf.svg",
  "fct.csv",
  "fct.svg",
  "jct.csv",
  "jct.svg",
];

describe("formatting", () => {
  it("picks a time unit, with µs for microseconds, and signs changes", () => {
    expect(formatSeconds(12.345)).toBe("12.3 s");
    expect(formatSeconds(0.0456)).toBe("45.6 ms");
    expect(formatSeconds(0.0000123)).toBe("12.3 µs");
    expect(formatSeconds(null)).toBe("n/a");
    expect(formatChange(0.354)).toBe("+35%");
    expect(formatChange(-0.12)).toBe("-12%");
    expect(formatChange(null)).toBe("n/a");
  });

  it("writes CSV by RFC 4180", () => {
    expect(
      csv(
        ["a", "b"],
        [
          ["x,y", 'say "hi"'],
          [1, null],
        ],
      ),
    ).toBe('a,b\n"x,y","say ""hi"""\n1,\n');
  });

  it("keeps 101 percentiles of a sample", () => {
    const p = percentiles(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(p).toHaveLength(101);
    expect([p[0], p[50], p[99], p[100]]).toEqual([1, 500, 990, 1000]);
    expect(percentiles([])).toEqual([]);
  });
});

describe("report", () => {
  const runs = [
    run("netapprox", 1, [1, 3], [0.01, 0.03]),
    run("tcp-sender-sampling", 1, [2, 4], [0.1, 0.3]),
    { ...run("udp-blast", 1, [null, null], [1, null]), finished: false },
  ];
  const summary = summarize(runs);

  it("tabulates every policy with how netapprox compares with it, (netapprox - other) / other", () => {
    const table = summaryTable(summary);
    expect(table[0]).toBe(
      "| policy | approx JCT mean | approx JCT p99 | jobs done | delivered fraction | exact FCT mean | exact FCT p99 | flows done | netapprox vs this: JCT mean / p99 | netapprox vs this: FCT mean / p99 |",
    );
    // In brackets: the least and the most a single sender delivered.
    expect(table[2]).toBe(
      "| netapprox | 2 s | 3 s | 2/2 | 0.900 (0.900-0.900) | 20 ms | 30 ms | 2/2 | - | - |",
    );
    // netapprox's 2 s against 3 s: (2 - 3) / 3 = -33%; its 20 ms FCT against 200 ms: -90%.
    expect(table[3]).toBe(
      "| tcp-sender-sampling | 3 s | 4 s | 2/2 | 0.900 (0.900-0.900) | 200 ms | 300 ms | 2/2 | -33% / -25% | -90% / -90% |",
    );
    // No job of udp-blast completed: marked, and no JCT to compare with.
    expect(table[4]).toBe(
      "| udp-blast * | never reached its fraction | - | 0/2 | 0.500 (0.500-0.500) | 1 s | 1 s | 1/2 | n/a / n/a | -98% / -97% |",
    );
  });

  it("writes a Markdown report with the sign convention, drops, unfinished runs and notes", () => {
    const md = renderMarkdown(summary, runs, {
      description: "A test.",
      notes: ["something was ignored"],
    });
    expect(md).toContain("# s: simulator results");
    expect(md).toContain("A test.");
    expect(md).toContain(changeConvention("netapprox"));
    expect(md).toContain("| policy | meter-red | le-threshold | approximate data lost |");
    expect(md).toContain("| netapprox | 3 | 1 | 10.0% |");
    expect(md).toContain("Runs that reached the time limit with work left: udp-blast (seed 1).");
    expect(md).toContain("Note: something was ignored");
    expect(md).toContain("[approximate JCT](jct.svg) ([csv](jct.csv))");
  });

  it("draws every figure as SVG with its CSV, saying what the data and the marks are", () => {
    const figures = renderFigures(summary, { queueModes: ["strict"] });
    expect(Object.keys(figures).sort()).toEqual(FIGURE_FILES);
    for (const [name, text] of Object.entries(figures)) {
      if (!name.endsWith(".svg")) continue;
      expect(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(text.trim().endsWith("</svg>")).toBe(true);
      expect(text).toContain("s · simulator (strict) · 1 seed (1)");
    }
    const jct = figures["jct.svg"]!;
    expect(jct).toContain("job completion time (s)");
    expect(jct).toContain(">99th percentile<");
    // udp-blast completed nothing: hatched, and says so instead of drawing a short bar.
    expect(jct).toContain("no job completed (0/2)");
    expect(jct).toContain('fill="url(#hatch)"');
    expect(figures["fct-cdf.svg"]).toContain("flow completion time (ms, log scale)");
    expect(figures["fct-cdf.svg"]).toContain(">netapprox<");
    expect(figures["fct-cdf.svg"]).toContain("1 to 2 completed flows per row");
    expect(figures["delivered.svg"]).toContain("required 0.9");
    expect(figures["jct.csv"]!.split("\n")[0]).toBe(
      "policy,tcp_setting,jobs,jobs_completed,jct_count,jct_mean_s,jct_p50_s,jct_p99_s,jct_max_s",
    );
    expect(figures["jct.csv"]).toContain("\nnetapprox,,2,2,2,2,1,3,3\n");
    expect(figures["jct.csv"]).toContain("\nudp-blast,,2,0,0,,,,\n");
  });

  it("writes run files, the summary, the report, the figures and their CSV", () => {
    const dir = mkdtempSync(join(tmpdir(), "netapprox-report-"));
    for (const r of runs) writeRun(dir, r);
    const { files } = writeResults(dir, runs);
    expect(readdirSync(join(dir, "runs")).sort()).toEqual([
      "netapprox-seed1.json",
      "tcp-sender-sampling-seed1.json",
      "udp-blast-seed1.json",
    ]);
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual([
      ...FIGURE_FILES,
      "report.md",
      "summary.json",
    ]);
    const stored = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
    expect(stored.format).toBe("netapprox-summary/1");
    expect(stored.policies[0].fctSamples).toBeUndefined();
    expect(stored.policies[0].fctPercentiles).toHaveLength(101);
    expect(JSON.parse(readFileSync(join(dir, "runs", "netapprox-seed1.json"), "utf8"))).toEqual(
      runs[0],
    );
  });
});
