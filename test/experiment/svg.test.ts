import {
  barChart,
  DASHES,
  escapeXml,
  lineChart,
  MARKERS,
  niceTicks,
  wrapLabel,
} from "@netapprox/lab/experiment/svg.js";

describe("svg helpers", () => {
  it("escapes XML", () => {
    expect(escapeXml(`a<b & "c">`)).toBe("a&lt;b &amp; &quot;c&quot;&gt;");
  });

  it("chooses round ticks that cover the maximum", () => {
    expect(niceTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0.37)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });

  it("wraps long labels at hyphens and spaces", () => {
    expect(wrapLabel("tcp-sender-sampling", 100)).toEqual(["tcp-sender-", "sampling"]);
    expect(wrapLabel("netapprox", 100)).toEqual(["netapprox"]);
  });
});

/** x of every <text> and the end x of every whisker line, per row (by the row's y). */
function numbers(svg: string, pattern: RegExp): number[][] {
  return [...svg.matchAll(pattern)].map((m) => m.slice(1).map(Number));
}

describe("bar chart", () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({
    label: `tcp-receiver-drop (setting-${i})`,
    value: 1 + i,
    whisker: 2 + i * 1.5,
  }));

  it("draws one row per value, however many, with value labels after the whiskers", () => {
    const svg = barChart({
      title: "T <1>",
      subtitle: ["s · simulator · 1 seed (1)"],
      axisLabel: "time (s)",
      legend: { bar: "mean", whisker: "p99" },
      rows,
    });
    expect(svg).toContain("T &lt;1&gt;");
    expect(svg.match(/<rect [^>]*height="16"/g)).toHaveLength(12);
    for (const r of rows) expect(svg).toContain(`>${escapeXml(r.label)}<`);
    // Each whisker's end tick lies left of the value label on its row.
    const ticks = numbers(
      svg,
      /<line x1="([0-9.]+)" y1="([0-9.]+)" x2="\1" y2="[0-9.]+" stroke="#222222" stroke-width="1.5"\/>/g,
    );
    const labels = numbers(
      svg,
      /<text x="([0-9.]+)" y="([0-9.]+)" fill="#111111">[0-9.]+<\/text>/g,
    );
    expect(labels).toHaveLength(12);
    for (const [lx, ly] of labels) {
      const tick = ticks.find(([, ty]) => Math.abs(ty! + 6 - ly! + 4) < 1);
      expect(tick).toBeDefined();
      expect(lx!).toBeGreaterThan(tick![0]!);
    }
    // Nothing drawn beyond the figure's width.
    const width = Number(/width="(\d+)"/.exec(svg)![1]);
    const longest = Math.max(...numbers(svg, /<text x="([0-9.]+)"/g).map(([x]) => x!));
    expect(longest).toBeLessThan(width - 40);
  });

  it("hatches a row not to be read as a result, says why, and puts the reference label above the plot", () => {
    const svg = barChart({
      title: "t",
      subtitle: [],
      axisLabel: "fraction",
      legend: { bar: "mean", muted: "hatched: jobs did not complete" },
      rows: [
        { label: "a", value: 0.9 },
        { label: "b", value: 0.36, note: "0/12 done", muted: true },
        { label: "c", value: null, note: "no job completed" },
      ],
      max: 1,
      reference: { value: 0.9, label: "required 0.9" },
    });
    expect(svg).toContain('fill="url(#hatch)"');
    expect(svg).toContain("0/12 done");
    expect(svg).toContain("no job completed");
    expect(svg).toContain("hatched: jobs did not complete");
    const refY = Number(/y="([0-9.]+)"[^>]*>required 0.9</.exec(svg)![1]);
    const firstBar = Math.min(
      ...numbers(svg, /<rect x="[0-9.]+" y="([0-9.]+)" width="[0-9.]+" height="16"/g).map(
        ([y]) => y!,
      ),
    );
    expect(refY).toBeLessThan(firstBar);
  });
});

describe("line chart", () => {
  it("tells lines apart by dash and marker as well as colour, with the legend outside the plot", () => {
    const series = Array.from({ length: 10 }, (_, i) => ({
      label: `policy ${i}`,
      points: [
        [0.001 * (i + 1), 0.5],
        [0.01 * (i + 1), 1],
      ] as const,
    }));
    const svg = lineChart({
      title: "cdf",
      subtitle: ["x"],
      xLabel: "time (ms, log scale)",
      yLabel: "fraction of flows",
      series,
      steps: true,
      logX: true,
      yMax: 1,
      markAt: [0.5],
    });
    expect(svg.match(/<polyline/g)).toHaveLength(10);
    const dashes = new Set(
      [...svg.matchAll(/<polyline[^>]*>/g)].map(
        (m) => /stroke-dasharray="([^"]*)"/.exec(m[0])?.[1] ?? "",
      ),
    );
    expect(dashes.size).toBe(Math.min(10, DASHES.length));
    expect(MARKERS.length).toBeGreaterThanOrEqual(8);
    // The legend's texts start right of every plotted point.
    const plotRight = Math.max(
      ...[...svg.matchAll(/points="([^"]*)"/g)].flatMap((m) =>
        m[1]!.split(" ").map((p) => Number(p.split(",")[0])),
      ),
    );
    const legendX = numbers(svg, /<text x="([0-9.]+)" y="[0-9.]+" fill="#111111">policy/g).map(
      ([x]) => x!,
    );
    expect(legendX).toHaveLength(10);
    for (const x of legendX) expect(x).toBeGreaterThan(plotRight);
  });

  it("draws hollow markers where told", () => {
    const svg = lineChart({
      title: "sweep",
      subtitle: [],
      xLabel: "load",
      yLabel: "JCT",
      series: [
        {
          label: "p",
          points: [
            [10, 1],
            [30, 2],
          ],
          hollow: [false, true],
        },
      ],
      legendNote: "hollow: not every job completed",
    });
    expect(svg.match(/fill="#ffffff" stroke=/g)).toHaveLength(1);
    expect(svg).toContain(">hollow: not every job completed<");
  });
});
