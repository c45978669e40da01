// The report's figures as a browser lays them out: with twelve policy rows (every TCP
// baseline in three settings, long labels, rows whose jobs did not complete), no text
// overlaps another and nothing is drawn outside the figure. Skips where Chromium is absent.
import type { Browser, Page } from "playwright-core";
import { renderFigures } from "@netapprox/lab/experiment/report.js";
import { summarize, type RunResult } from "@netapprox/lab/experiment/results.js";
import { renderSweep } from "@netapprox/lab/experiment/sweep.js";
import { chromiumUnavailable, launchChromium } from "../helpers/browser.js";
import { run } from "../experiment/fixtures.js";

const skip = chromiumUnavailable();
if (skip) process.stderr.write(`figure layout test skipped: ${skip}\n`);
const describeBrowser = skip ? describe.skip : describe;

/** Twelve rows: netapprox, the TCP baselines in three settings each, and the others. */
function runs(scale: number): RunResult[] {
  const out: RunResult[] = [];
  const rows: [RunResult["policy"], RunResult["tcpSetting"]][] = [
    ["netapprox", null],
    ...(["tcp-sender-sampling", "tcp-receiver-drop"] as const).flatMap((p) =>
      (["linux-default", "dc-tuned", "dctcp"] as const).map((s) => [p, s] as [typeof p, typeof s]),
    ),
    ["udp-blast", null],
    ["priority-only", null],
    ["oblivious", null],
  ];
  rows.push(["priority-only", "dctcp"], ["oblivious", "dctcp"]); // twelve rows in all
  rows.forEach(([policy, tcpSetting], i) => {
    const jcts =
      policy === "udp-blast"
        ? [null, null]
        : i === 3
          ? [0.02 * scale, null]
          : [0.01 * (i + 1) * scale, 0.03 * (i + 1) * scale];
    const fcts = Array.from({ length: 50 }, (_, k) => 0.0001 * scale * (k + 1) * (1 + i / 4));
    out.push({ ...run(policy, 1, jcts, fcts), tcpSetting });
  });
  return out;
}

/** Pairs of texts whose boxes overlap, and texts that leave the figure. */
async function layoutProblems(page: Page, svg: string): Promise<string[]> {
  const width = Number(/width="(\d+)"/.exec(svg)![1]);
  const height = Number(/height="(\d+)"/.exec(svg)![1]);
  await page.setViewportSize({ width, height });
  await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
  return page.evaluate(() => {
    const texts = [...document.querySelectorAll("text")]
      .map((t) => ({ text: t.textContent ?? "", box: t.getBoundingClientRect() }))
      .filter((t) => t.box.width > 0);
    const figure = document.querySelector("svg")!.getBoundingClientRect();
    const problems: string[] = [];
    texts.forEach((a, i) => {
      if (a.box.right > figure.right + 0.5 || a.box.bottom > figure.bottom + 0.5)
        problems.push(`outside: ${a.text}`);
      for (const b of texts.slice(i + 1))
        if (
          a.box.left < b.box.right - 1 &&
          b.box.left < a.box.right - 1 &&
          a.box.top < b.box.bottom - 1 &&
          b.box.top < a.box.bottom - 1
        )
          problems.push(`overlap: "${a.text}" and "${b.text}"`);
    });
    return problems;
  });
}

describeBrowser(`figure layout in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
  }, 30_000);
  afterAll(() => browser?.close());

  it.each([1, 1000, 0.01])(
    "lays out every report figure with twelve rows (times x%p)",
    async (scale) => {
      const summary = summarize(runs(scale));
      expect(summary.policies).toHaveLength(12);
      const figures = renderFigures(summary, { queueModes: ["weighted"] });
      for (const [name, svg] of Object.entries(figures)) {
        if (!name.endsWith(".svg")) continue;
        expect({ name, problems: await layoutProblems(page, svg) }).toEqual({ name, problems: [] });
      }
    },
  );

  it("lays out the sweep figures", async () => {
    const points = [0.3, 0.5, 0.7].map((load, k) => ({ load, summary: summarize(runs(1 + k)) }));
    const figures = renderSweep(points, {
      others: ["into-aggregators: fixed:10MB flows at 5 Gbit/s in all"],
    });
    for (const [name, svg] of Object.entries(figures)) {
      if (!name.endsWith(".svg")) continue;
      expect({ name, problems: await layoutProblems(page, svg) }).toEqual({ name, problems: [] });
    }
  });
});
