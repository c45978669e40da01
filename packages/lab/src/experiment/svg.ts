// SVG figures for the experiment reports, written by hand (no plotting dependency): a
// horizontal bar chart (one row per policy, as many rows as there are, with a whisker
// and a range per row) and a line chart (CDFs as steps, sweeps as lines with markers).
// Every figure says what it shows in a subtitle (scenario, seeds, what bars and whiskers
// are), lines differ by dash and marker as well as colour (they survive greyscale
// printing), legends sit outside the plot, value labels never cross a whisker, and a row
// that should not be read as a winner (jobs that did not complete) is drawn hatched and
// says why. Pure: data in, SVG text out.
//
// Over 500 lines because both chart kinds share the frame, ticks, markers and text measures
// that make every figure look alike.

/** Colour-blind-safe palette (Okabe-Ito), then darker tones for an eleventh row and on. */
export const PALETTE = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#D55E00",
  "#CC79A7",
  "#56B4E9",
  "#000000",
  "#8C6D00",
  "#5D3A9B",
  "#7F7F7F",
];
/** Dash patterns, so that lines differ without colour. */
export const DASHES = [
  "",
  "8 4",
  "2 3",
  "10 3 2 3",
  "4 4",
  "12 4 2 4 2 4",
  "1 2",
  "6 2 6 6",
  "14 3",
  "3 3 9 3",
];
export const MARKERS = ["circle", "square", "triangle", "diamond", "cross", "plus", "star", "bar"];

const FONT = 12;
/** Width of a character of the 12 px sans-serif font, for laying text out (a bit generous). */
const CHAR = 6.9;

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** Round numbers for axis ticks: 1, 2 or 5 times a power of ten, covering `max`. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max)
    ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

/** Splits a label at hyphens and spaces into lines that fit `width` pixels. */
export function wrapLabel(label: string, width: number): string[] {
  const perLine = Math.max(4, Math.floor(width / 6.5));
  if (label.length <= perLine) return [label];
  const parts = label.split(/(?<=[- ])/);
  const lines: string[] = [];
  let line = "";
  for (const part of parts) {
    if (line !== "" && (line + part).length > perLine) {
      lines.push(line.trimEnd());
      line = part;
    } else line += part;
  }
  if (line !== "") lines.push(line.trimEnd());
  return lines;
}

export const shortNumber = (v: number): string => {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1).replace(/\.0$/, "");
  if (a >= 1) return v.toFixed(2).replace(/\.?0+$/, "");
  return Number(v.toPrecision(2)).toString();
};

const textWidth = (s: string, size = FONT) => s.length * CHAR * (size / FONT);

function text(
  x: number,
  y: number,
  content: string,
  attrs: Record<string, string | number> = {},
): string {
  const extra = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join("");
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${extra}>${escapeXml(content)}</text>`;
}

/** A marker shape centred on (x, y); hollow draws the outline only. */
export function marker(
  shape: string,
  x: number,
  y: number,
  colour: string,
  hollow = false,
  r = 4,
): string {
  const paint = hollow
    ? `fill="#ffffff" stroke="${colour}" stroke-width="1.5"`
    : `fill="${colour}" stroke="${colour}" stroke-width="1"`;
  const p = (pts: [number, number][]) =>
    `<polygon points="${pts.map(([a, b]) => `${(x + a).toFixed(1)},${(y + b).toFixed(1)}`).join(" ")}" ${paint}/>`;
  switch (shape) {
    case "square":
      return p([
        [-r, -r],
        [r, -r],
        [r, r],
        [-r, r],
      ]);
    case "triangle":
      return p([
        [0, -r * 1.2],
        [r * 1.1, r * 0.8],
        [-r * 1.1, r * 0.8],
      ]);
    case "diamond":
      return p([
        [0, -r * 1.3],
        [r, 0],
        [0, r * 1.3],
        [-r, 0],
      ]);
    case "cross":
    case "plus": {
      const d = shape === "cross" ? r * 0.8 : r;
      const lines =
        shape === "cross"
          ? [
              [-d, -d, d, d],
              [-d, d, d, -d],
            ]
          : [
              [-d, 0, d, 0],
              [0, -d, 0, d],
            ];
      return lines
        .map(
          ([a, b, c, e]) =>
            `<line x1="${(x + a!).toFixed(1)}" y1="${(y + b!).toFixed(1)}" x2="${(x + c!).toFixed(1)}" y2="${(y + e!).toFixed(1)}" stroke="${colour}" stroke-width="2"/>`,
        )
        .join("");
    }
    case "star": {
      const pts: [number, number][] = [];
      for (let k = 0; k < 10; k++) {
        const rr = k % 2 === 0 ? r * 1.3 : r * 0.55;
        const a = (Math.PI / 5) * k - Math.PI / 2;
        pts.push([rr * Math.cos(a), rr * Math.sin(a)]);
      }
      return p(pts);
    }
    case "bar":
      return p([
        [-r * 1.3, -r * 0.45],
        [r * 1.3, -r * 0.45],
        [r * 1.3, r * 0.45],
        [-r * 1.3, r * 0.45],
      ]);
    default:
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r}" ${paint}/>`;
  }
}

/** Title, subtitle lines and caption lines around a body; height grows to fit them. */
function frame(
  width: number,
  height: number,
  title: string,
  subtitle: readonly string[],
  body: string[],
  caption: readonly string[],
): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT}">`,
    `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e6e6e6"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9a9a9a" stroke-width="2"/></pattern></defs>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(16, 24, title, { "font-size": 15, "font-weight": "bold" }),
    ...subtitle.map((line, i) => text(16, 44 + i * 16, line, { fill: "#444444" })),
    ...body,
    ...caption.map((line, i) =>
      text(16, height - 12 - (caption.length - 1 - i) * 15, line, {
        fill: "#555555",
        "font-size": 11,
      }),
    ),
    "</svg>",
    "",
  ].join("\n");
}

// ---------------------------------------------------------------- bar chart

export interface BarRow {
  label: string;
  /** The bar's length; null: nothing to draw (the note says why). */
  value: number | null;
  /** A whisker from the bar's end (e.g. the 99th percentile). */
  whisker?: number | null;
  /** A range drawn as a thin line with end ticks (e.g. min and max over senders). */
  range?: [number, number] | null;
  /** Text after the value (e.g. "3/12 jobs done"). */
  note?: string;
  /** Drawn hatched in grey: not a result to compare (e.g. its jobs did not complete). */
  muted?: boolean;
}

export interface BarChart {
  title: string;
  /** Lines under the title: what the data is (scenario, runner, seeds). */
  subtitle: string[];
  /** Label of the value axis, with its unit. */
  axisLabel: string;
  rows: BarRow[];
  /** Legend of the marks: what the bar, the whisker and the range are. */
  legend: { bar: string; whisker?: string; range?: string; muted?: string };
  /** A vertical reference line (e.g. the required fraction), labelled above the plot. */
  reference?: { value: number; label: string } | null;
  /** Fixed end of the value axis; default: from the data. */
  max?: number;
  format?: (v: number) => string;
  caption?: string[];
}

const WIDTH = 820;

export function barChart(chart: BarChart): string {
  const fmt = chart.format ?? shortNumber;
  const rows = chart.rows;
  const labelWidth = Math.min(260, Math.max(90, ...rows.map((r) => textWidth(r.label))) + 12);
  const noteWidth = Math.max(
    0,
    ...rows.map((r) => textWidth(`${r.value === null ? "" : fmt(r.value)}  ${r.note ?? ""}`)),
  );
  const left = 16 + labelWidth;
  const right = WIDTH - Math.min(280, noteWidth + 24);
  const plotW = right - left;
  // The legend of the marks: items left to right from the figure's margin, on as many
  // lines as they need, above the plot and the reference label.
  const items: { width: number; draw: (lx: number, ly: number) => string }[] = [];
  const item = (label: string, mark: (lx: number, ly: number) => string) =>
    items.push({
      width: 34 + textWidth(label),
      draw: (lx, ly) => mark(lx, ly) + text(lx + 28, ly + 4, label),
    });
  item(
    chart.legend.bar,
    (lx, ly) => `<rect x="${lx}" y="${ly - 5}" width="22" height="10" fill="${PALETTE[0]}"/>`,
  );
  if (chart.legend.whisker)
    item(
      chart.legend.whisker,
      (lx, ly) =>
        `<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="#222222" stroke-width="1.5"/><line x1="${lx + 22}" y1="${ly - 5}" x2="${lx + 22}" y2="${ly + 5}" stroke="#222222" stroke-width="1.5"/>`,
    );
  if (chart.legend.range)
    item(
      chart.legend.range,
      (lx, ly) =>
        `<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="#222222" stroke-width="1"/><line x1="${lx}" y1="${ly - 4}" x2="${lx}" y2="${ly + 4}" stroke="#222222"/><line x1="${lx + 22}" y1="${ly - 4}" x2="${lx + 22}" y2="${ly + 4}" stroke="#222222"/>`,
    );
  if (chart.legend.muted && rows.some((r) => r.muted))
    item(
      chart.legend.muted,
      (lx, ly) =>
        `<rect x="${lx}" y="${ly - 5}" width="22" height="10" fill="url(#hatch)" stroke="#777777"/>`,
    );
  const placed: { item: (typeof items)[number]; x: number; line: number }[] = [];
  let lx = 16;
  let line = 0;
  for (const it of items) {
    if (lx > 16 && lx + it.width > WIDTH - 16) {
      line++;
      lx = 16;
    }
    placed.push({ item: it, x: lx, line });
    lx += it.width + 16;
  }
  const legendTop = 44 + chart.subtitle.length * 16 + 8;
  const top = legendTop + (line + 1) * 18 + 24; // and room for the reference label
  const rowH = 24;
  const plotH = Math.max(1, rows.length) * rowH;
  const axisY = top + plotH;
  const caption = chart.caption ?? [];
  const height = axisY + 44 + caption.length * 15 + 10;
  const dataMax = Math.max(
    0,
    ...rows.map((r) => Math.max(r.value ?? 0, r.whisker ?? 0, r.range?.[1] ?? 0)),
    chart.reference?.value ?? 0,
  );
  const ticks = niceTicks(chart.max ?? dataMax);
  const end = chart.max ?? ticks[ticks.length - 1]!;
  const x = (v: number) => left + (end > 0 ? (Math.min(v, end) / end) * plotW : 0);
  const body: string[] = placed.map((p) => p.item.draw(p.x, legendTop + 8 + p.line * 18));

  for (const t of ticks) {
    if (t > end + 1e-12) continue;
    body.push(
      `<line x1="${x(t).toFixed(1)}" y1="${top}" x2="${x(t).toFixed(1)}" y2="${axisY}" stroke="#e3e3e3"/>`,
      text(x(t), axisY + 18, fmt(t), { "text-anchor": "middle" }),
    );
  }
  body.push(
    text(left + plotW / 2, axisY + 34, chart.axisLabel, { "text-anchor": "middle" }),
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${axisY}" stroke="#333333"/>`,
    `<line x1="${left}" y1="${axisY}" x2="${right}" y2="${axisY}" stroke="#333333"/>`,
  );
  rows.forEach((r, i) => {
    const cy = top + rowH * (i + 0.5);
    const colour = r.muted ? "url(#hatch)" : PALETTE[i % PALETTE.length]!;
    const labelColour = r.muted ? "#777777" : "#111111";
    body.push(text(left - 8, cy + 4, r.label, { "text-anchor": "end", fill: labelColour }));
    let after = left;
    if (r.value !== null) {
      const w = Math.max(0, x(r.value) - left);
      body.push(
        `<rect x="${left}" y="${(cy - 8).toFixed(1)}" width="${w.toFixed(1)}" height="16" fill="${colour}"${r.muted ? ' stroke="#777777"' : ""}><title>${escapeXml(`${r.label}: ${fmt(r.value)}`)}</title></rect>`,
      );
      after = x(r.value);
    }
    if (r.whisker !== undefined && r.whisker !== null) {
      const wx = x(r.whisker);
      const from = r.value === null ? left : x(r.value);
      body.push(
        `<line x1="${from.toFixed(1)}" y1="${cy.toFixed(1)}" x2="${wx.toFixed(1)}" y2="${cy.toFixed(1)}" stroke="#222222" stroke-width="1.5"/>`,
        `<line x1="${wx.toFixed(1)}" y1="${(cy - 6).toFixed(1)}" x2="${wx.toFixed(1)}" y2="${(cy + 6).toFixed(1)}" stroke="#222222" stroke-width="1.5"/>`,
      );
      after = Math.max(after, wx);
    }
    if (r.range) {
      const [a, b] = r.range.map(x) as [number, number];
      body.push(
        `<line x1="${a.toFixed(1)}" y1="${cy.toFixed(1)}" x2="${b.toFixed(1)}" y2="${cy.toFixed(1)}" stroke="#222222"/>`,
        `<line x1="${a.toFixed(1)}" y1="${(cy - 5).toFixed(1)}" x2="${a.toFixed(1)}" y2="${(cy + 5).toFixed(1)}" stroke="#222222"/>`,
        `<line x1="${b.toFixed(1)}" y1="${(cy - 5).toFixed(1)}" x2="${b.toFixed(1)}" y2="${(cy + 5).toFixed(1)}" stroke="#222222"/>`,
      );
      after = Math.max(after, b);
    }
    // The value and the note start after everything drawn on the row.
    const label = [r.value === null ? "" : fmt(r.value), r.note ?? ""].filter(Boolean).join("  ");
    if (label !== "")
      body.push(
        text(after + 6, cy + 4, label, {
          fill: r.muted || r.value === null ? "#a3241a" : "#111111",
        }),
      );
  });
  if (chart.reference) {
    const rx = x(chart.reference.value).toFixed(1);
    body.push(
      `<line x1="${rx}" y1="${top - 6}" x2="${rx}" y2="${axisY}" stroke="#D55E00" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      text(Number(rx), top - 9, chart.reference.label, {
        "text-anchor": "middle",
        fill: "#D55E00",
      }),
    );
  }
  return frame(WIDTH, height, chart.title, chart.subtitle, body, caption);
}

// ---------------------------------------------------------------- line chart

export interface LineSeries {
  label: string;
  /** (x, y) points, x ascending. */
  points: readonly (readonly [number, number])[];
  /** Points drawn hollow: results not to read as such (say why in `legendNote`). */
  hollow?: readonly boolean[];
  muted?: boolean;
}

export interface LineChart {
  title: string;
  subtitle: string[];
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Steps (a CDF) instead of straight segments. */
  steps?: boolean;
  /** Markers on steps at these y values (CDF: quantiles); lines get them at every point. */
  markAt?: number[];
  logX?: boolean;
  yMax?: number;
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
  /** Fixed y ticks (a CDF's 0, 0.25, 0.5, ...). */
  yTicks?: number[];
  /** Explains hollow markers, shown under the legend. */
  legendNote?: string;
  caption?: string[];
}

export function lineChart(chart: LineChart): string {
  const xf = chart.xFormat ?? shortNumber;
  const yf = chart.yFormat ?? shortNumber;
  const legendLabelWidth = Math.min(
    300,
    Math.max(chart.legendNote ? 170 : 80, ...chart.series.map((s) => textWidth(s.label))),
  );
  const legendWidth = legendLabelWidth + 52;
  const left = 78;
  const right = WIDTH - legendWidth - 16;
  const top = 44 + chart.subtitle.length * 16 + 14;
  const plotH = Math.max(300, chart.series.length * 19 + 20);
  const axisY = top + plotH;
  const caption = chart.caption ?? [];
  const height = axisY + 52 + caption.length * 15 + 10;
  const plotW = right - left;
  const xs = chart.series.flatMap((s) => s.points.map((p) => p[0])).filter(Number.isFinite);
  const ys = chart.series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const body: string[] = [];

  let x: (v: number) => number;
  let xTicks: number[];
  const positive = xs.filter((v) => v > 0);
  if (chart.logX === true && positive.length > 0) {
    const lo = Math.floor(Math.log10(Math.min(...positive)));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...positive))));
    x = (v) => left + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotW;
    xTicks = [];
    for (let e = lo; e <= hi; e++) xTicks.push(10 ** e);
  } else {
    const lo = Math.min(0, ...xs);
    xTicks = niceTicks(Math.max(0, ...xs));
    const hi = xTicks[xTicks.length - 1]!;
    x = (v) => left + (hi > lo ? ((v - lo) / (hi - lo)) * plotW : 0);
  }
  const yTicks = chart.yTicks ?? niceTicks(chart.yMax ?? Math.max(0, ...ys));
  const yTop = chart.yMax ?? yTicks[yTicks.length - 1]!;
  const y = (v: number) => axisY - (yTop > 0 ? (Math.min(v, yTop) / yTop) * plotH : 0);

  for (const t of xTicks)
    body.push(
      `<line x1="${x(t).toFixed(1)}" y1="${top}" x2="${x(t).toFixed(1)}" y2="${axisY}" stroke="#e3e3e3"/>`,
      text(x(t), axisY + 20, xf(t), { "text-anchor": "middle" }),
    );
  for (const t of yTicks)
    body.push(
      `<line x1="${left}" y1="${y(t).toFixed(1)}" x2="${right}" y2="${y(t).toFixed(1)}" stroke="#ececec"/>`,
      text(left - 8, y(t) + 4, yf(t), { "text-anchor": "end" }),
    );
  body.push(
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${axisY}" stroke="#333333"/>`,
    `<line x1="${left}" y1="${axisY}" x2="${right}" y2="${axisY}" stroke="#333333"/>`,
    text(left + plotW / 2, axisY + 40, chart.xLabel, { "text-anchor": "middle" }),
    `<text transform="translate(20 ${(top + plotH / 2).toFixed(1)}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
  );

  const legendX = right + 20;
  chart.series.forEach((s, i) => {
    const colour = s.muted ? "#9a9a9a" : PALETTE[i % PALETTE.length]!;
    const dash = DASHES[i % DASHES.length]!;
    const shape = MARKERS[i % MARKERS.length]!;
    const dashAttr = dash === "" ? "" : ` stroke-dasharray="${dash}"`;
    const pts = s.points;
    if (pts.length > 0) {
      const coords: string[] = [];
      if (chart.steps) {
        coords.push(`${x(pts[0]![0]).toFixed(1)},${y(0).toFixed(1)}`);
        for (let k = 0; k < pts.length; k++) {
          const at = x(pts[k]![0]).toFixed(1);
          if (k > 0) coords.push(`${at},${y(pts[k - 1]![1]).toFixed(1)}`);
          coords.push(`${at},${y(pts[k]![1]).toFixed(1)}`);
        }
      } else for (const [px, py] of pts) coords.push(`${x(px).toFixed(1)},${y(py).toFixed(1)}`);
      body.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2"${dashAttr} points="${coords.join(" ")}"><title>${escapeXml(s.label)}</title></polyline>`,
      );
      if (chart.steps && chart.markAt) {
        // A marker where the step line crosses each quantile, offset a little per series
        // so that equal curves do not hide each other's markers.
        for (const q of chart.markAt) {
          const hit = pts.find((p) => p[1] >= q);
          if (hit) body.push(marker(shape, x(hit[0]), y(q), colour));
        }
      } else
        pts.forEach(([px, py], k) =>
          body.push(marker(shape, x(px), y(py), colour, s.hollow?.[k] === true)),
        );
    }
    const ly = top + 6 + i * 19;
    body.push(
      `<line x1="${legendX}" y1="${ly}" x2="${legendX + 34}" y2="${ly}" stroke="${colour}" stroke-width="2"${dashAttr}/>`,
      marker(shape, legendX + 17, ly, colour),
      text(legendX + 42, ly + 4, s.label, { fill: s.muted ? "#777777" : "#111111" }),
    );
  });
  if (chart.legendNote) {
    const ly = top + 6 + chart.series.length * 19 + 8;
    wrapLabel(chart.legendNote, WIDTH - legendX - 12).forEach((line, k) =>
      body.push(text(legendX, ly + k * 14, line, { fill: "#555555", "font-size": 11 })),
    );
  }
  return frame(WIDTH, height, chart.title, chart.subtitle, body, caption);
}
