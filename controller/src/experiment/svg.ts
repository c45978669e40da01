// Small SVG charts written by hand (no plotting dependency): bars with whiskers, and
// step lines for CDFs on a linear or logarithmic axis. Pure: data in, SVG text out.

export interface Bar {
  label: string;
  value: number | null;
  /** A whisker above the bar (e.g. the 99th percentile); null: none. */
  whisker?: number | null;
  /** Text under the label (e.g. "3/4 done"). */
  note?: string;
}

export interface BarChart {
  title: string;
  yLabel: string;
  bars: Bar[];
  /** A horizontal reference line (e.g. the required fraction). */
  reference?: { value: number; label: string } | null;
  /** Fixed top of the axis; default: from the data. */
  yMax?: number;
  format?: (v: number) => string;
}

export interface Series {
  label: string;
  /** Sorted ascending. */
  values: readonly number[];
}

export interface CdfChart {
  title: string;
  xLabel: string;
  series: Series[];
  log?: boolean;
  format?: (v: number) => string;
}

const WIDTH = 720;
const HEIGHT = 420;
const MARGIN = { left: 72, right: 24, top: 48, bottom: 92 };
/** Colour-blind-safe palette (Okabe-Ito). */
export const PALETTE = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#D55E00",
  "#CC79A7",
  "#56B4E9",
  "#F0E442",
  "#000000",
];

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** Round numbers for axis ticks: 1, 2 or 5 times a power of ten. */
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

const shortNumber = (v: number): string => {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1).replace(/\.0$/, "");
  if (a >= 1) return v.toFixed(2).replace(/\.?0+$/, "");
  return Number(v.toPrecision(2)).toString();
};

function frame(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="26" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

/** Splits a label at hyphens into lines that fit `width` pixels (about 6.5 px a character). */
export function wrapLabel(label: string, width: number): string[] {
  const perLine = Math.max(4, Math.floor(width / 6.5));
  if (label.length <= perLine) return [label];
  const parts = label.split(/(?<=-)/);
  const lines: string[] = [];
  let line = "";
  for (const part of parts) {
    if (line !== "" && (line + part).length > perLine) {
      lines.push(line);
      line = part;
    } else line += part;
  }
  if (line !== "") lines.push(line);
  return lines;
}

export function barChart(chart: BarChart): string {
  const fmt = chart.format ?? shortNumber;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const dataMax = Math.max(
    0,
    ...chart.bars.map((b) => Math.max(b.value ?? 0, b.whisker ?? 0)),
    chart.reference?.value ?? 0,
  );
  const ticks = niceTicks(chart.yMax ?? dataMax);
  const top = chart.yMax ?? ticks[ticks.length - 1]!;
  const y = (v: number) => MARGIN.top + plotH - (top > 0 ? (v / top) * plotH : 0);
  const body: string[] = [];
  for (const t of ticks) {
    if (t > top + 1e-12) continue;
    body.push(
      `<line x1="${MARGIN.left}" y1="${y(t).toFixed(1)}" x2="${WIDTH - MARGIN.right}" y2="${y(t).toFixed(1)}" stroke="#dddddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${escapeXml(fmt(t))}</text>`,
    );
  }
  body.push(
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
  );
  const n = Math.max(1, chart.bars.length);
  const slot = plotW / n;
  const width = Math.min(72, slot * 0.6);
  chart.bars.forEach((b, i) => {
    const cx = MARGIN.left + slot * (i + 0.5);
    const colour = PALETTE[i % PALETTE.length]!;
    if (b.value === null) {
      body.push(
        `<text x="${cx.toFixed(1)}" y="${(y(0) - 8).toFixed(1)}" text-anchor="middle" fill="#777777">n/a</text>`,
      );
    } else {
      const h = y(0) - y(b.value);
      body.push(
        `<rect x="${(cx - width / 2).toFixed(1)}" y="${y(b.value).toFixed(1)}" width="${width.toFixed(1)}" height="${Math.max(0, h).toFixed(1)}" fill="${colour}"><title>${escapeXml(`${b.label}: ${fmt(b.value)}`)}</title></rect>`,
        `<text x="${cx.toFixed(1)}" y="${(y(b.value) - 5).toFixed(1)}" text-anchor="middle">${escapeXml(fmt(b.value))}</text>`,
      );
    }
    if (b.whisker !== undefined && b.whisker !== null) {
      const wy = y(b.whisker);
      const base = b.value === null ? y(0) : y(b.value);
      body.push(
        `<line x1="${cx.toFixed(1)}" y1="${base.toFixed(1)}" x2="${cx.toFixed(1)}" y2="${wy.toFixed(1)}" stroke="#333333"/>`,
        `<line x1="${(cx - 8).toFixed(1)}" y1="${wy.toFixed(1)}" x2="${(cx + 8).toFixed(1)}" y2="${wy.toFixed(1)}" stroke="#333333"/>`,
      );
    }
    let labelY = MARGIN.top + plotH + 18;
    for (const line of wrapLabel(b.label, slot)) {
      body.push(
        `<text x="${cx.toFixed(1)}" y="${labelY}" text-anchor="middle">${escapeXml(line)}</text>`,
      );
      labelY += 14;
    }
    if (b.note) {
      body.push(
        `<text x="${cx.toFixed(1)}" y="${labelY + 2}" text-anchor="middle" fill="#555555">${escapeXml(b.note)}</text>`,
      );
    }
  });
  if (chart.reference) {
    const ry = y(chart.reference.value).toFixed(1);
    body.push(
      `<line x1="${MARGIN.left}" y1="${ry}" x2="${WIDTH - MARGIN.right}" y2="${ry}" stroke="#D55E00" stroke-dasharray="6 4"/>`,
      `<text x="${WIDTH - MARGIN.right - 4}" y="${(Number(ry) - 6).toFixed(1)}" text-anchor="end" fill="#D55E00">${escapeXml(chart.reference.label)}</text>`,
    );
  }
  body.push(
    `<line x1="${MARGIN.left}" y1="${y(0).toFixed(1)}" x2="${WIDTH - MARGIN.right}" y2="${y(0).toFixed(1)}" stroke="#333333"/>`,
  );
  return frame(chart.title, body);
}

export function cdfChart(chart: CdfChart): string {
  const fmt = chart.format ?? shortNumber;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const all = chart.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const positive = all.filter((v) => v > 0);
  const log = chart.log === true && positive.length > 0;
  const body: string[] = [];
  let x: (v: number) => number;
  let xTicks: number[];
  if (log) {
    const lo = Math.floor(Math.log10(Math.min(...positive)));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...positive))));
    x = (v) => MARGIN.left + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotW;
    xTicks = [];
    for (let e = lo; e <= hi; e++) xTicks.push(10 ** e);
  } else {
    xTicks = niceTicks(Math.max(0, ...all));
    const max = xTicks[xTicks.length - 1]!;
    x = (v) => MARGIN.left + (max > 0 ? (v / max) * plotW : 0);
  }
  const y = (p: number) => MARGIN.top + plotH - p * plotH;
  for (const t of xTicks) {
    body.push(
      `<line x1="${x(t).toFixed(1)}" y1="${MARGIN.top}" x2="${x(t).toFixed(1)}" y2="${MARGIN.top + plotH}" stroke="#dddddd"/>`,
      `<text x="${x(t).toFixed(1)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${escapeXml(fmt(t))}</text>`,
    );
  }
  for (const p of [0, 0.25, 0.5, 0.75, 0.9, 1]) {
    body.push(
      `<line x1="${MARGIN.left}" y1="${y(p).toFixed(1)}" x2="${WIDTH - MARGIN.right}" y2="${y(p).toFixed(1)}" stroke="#eeeeee"/>`,
      `<text x="${MARGIN.left - 6}" y="${(y(p) + 4).toFixed(1)}" text-anchor="end">${p}</text>`,
    );
  }
  body.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH + 40}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">fraction of flows</text>`,
  );
  chart.series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const v = s.values;
    if (v.length > 0) {
      // At most ~400 steps per line: thin long series evenly by rank.
      const stride = Math.max(1, Math.floor(v.length / 400));
      const points: string[] = [`${x(v[0]!).toFixed(1)},${y(0).toFixed(1)}`];
      for (let k = 0; k < v.length; k += stride) {
        const at = x(v[k]!).toFixed(1);
        points.push(
          `${at},${y(k / v.length).toFixed(1)}`,
          `${at},${y((k + 1) / v.length).toFixed(1)}`,
        );
      }
      points.push(`${x(v[v.length - 1]!).toFixed(1)},${y(1).toFixed(1)}`);
      body.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(" ")}"/>`,
      );
    }
    const ly = HEIGHT - 30 + Math.floor(i / 3) * 16 - (chart.series.length > 3 ? 10 : 0);
    const lx = MARGIN.left + (i % 3) * 210;
    body.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 24}" y2="${ly - 4}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${lx + 30}" y="${ly}">${escapeXml(`${s.label} (${v.length})`)}</text>`,
    );
  });
  return frame(chart.title, body);
}
