import {
  barChart,
  cdfChart,
  escapeXml,
  niceTicks,
  wrapLabel,
} from "../../controller/src/experiment/svg.js";

describe("svg helpers", () => {
  it("escapes XML", () => {
    expect(escapeXml(`a<b & "c">`)).toBe("a&lt;b &amp; &quot;c&quot;&gt;");
  });

  it("chooses round ticks that cover the maximum", () => {
    expect(niceTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0.37)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });

  it("wraps long labels at hyphens", () => {
    expect(wrapLabel("tcp-sender-sampling", 100)).toEqual(["tcp-sender-", "sampling"]);
    expect(wrapLabel("netapprox", 100)).toEqual(["netapprox"]);
  });
});

describe("charts", () => {
  it("draws a bar per value with whiskers, n/a for missing values and a reference line", () => {
    const svg = barChart({
      title: "T <1>",
      yLabel: "y",
      bars: [
        { label: "a", value: 2, whisker: 3 },
        { label: "b", value: null, note: "0/1 done" },
      ],
      reference: { value: 1, label: "ref" },
    });
    expect(svg).toContain("T &lt;1&gt;");
    expect(svg.match(/<rect x=/g)).toHaveLength(1);
    expect(svg).toContain(">n/a<");
    expect(svg).toContain("0/1 done");
    expect(svg).toContain('stroke-dasharray="6 4"');
    // The whisker reaches the top of the axis (3, the largest value): y = 48.
    expect(svg).toMatch(
      /<line x1="[0-9.]+" y1="[0-9.]+" x2="[0-9.]+" y2="48\.0" stroke="#333333"\/>/,
    );
  });

  it("draws one step line per series on a log axis, with a legend", () => {
    const svg = cdfChart({
      title: "cdf",
      xLabel: "x",
      log: true,
      series: [
        { label: "one", values: [0.001, 0.01, 0.1] },
        { label: "two", values: [] },
      ],
    });
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg).toContain(">one (3)<");
    expect(svg).toContain(">two (0)<");
    expect(svg).toContain(">0.001<");
  });
});
