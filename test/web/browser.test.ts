// The web view in a real headless Chromium, against the controller on P4Runtime test
// switches for the leaf-spine topology: every switch shows ready, a policy edit changes
// the page within seconds, counters the switches report colour the links, and a killed
// switch turns red with its reason. Skips, saying why, where Chromium is not installed.
// NETAPPROX_SCREENSHOT=FILE also saves the page with traffic (docs/web-view.png).
import { readFileSync, writeFileSync } from "node:fs";
import { create } from "@bufbuild/protobuf";
import type { Browser, Page } from "playwright-core";
import { encodeEntity } from "@netapprox/p4runtime/entities.js";
import {
  jobColorIndex,
  portClassIndex,
  portDropIndex,
} from "@netapprox/model/pipeline/contract.js";
import { Update_Type, UpdateSchema } from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import { controllerEndpoint } from "@netapprox/controller/runtime/endpoint.js";
import { startHttpEndpoint } from "@netapprox/controller/runtime/http.js";
import type { NetapproxController } from "@netapprox/controller/runtime/controller.js";
import { loadPipeline } from "@netapprox/controller/runtime/pipelines.js";
import { queueDepthIndex } from "@netapprox/controller/runtime/queue-depth.js";
import { packageRoot } from "@netapprox/model/util/package-root.js";
import { chromiumUnavailable, launchChromium } from "../helpers/browser.js";
import { controllerFor, policyCopy, startTestbed, type Testbed } from "../helpers/testbed.js";

const skip = chromiumUnavailable();
if (skip) process.stderr.write(`web view browser test skipped: ${skip}\n`);
const describeBrowser = skip ? describe.skip : describe;

const pipeline = loadPipeline(packageRoot(), "v1model");

/**
 * Traffic as the switches would count it: every fabric port transmits exact traffic at
 * the load the allocation assumed and approximate traffic at 90% of its allocation, the
 * busiest ports drop some best-effort packets, and each job's meters see its allocation
 * as GREEN up to the guarantee and YELLOW above it. Returns the function that stops it.
 */
function injectTraffic(bed: Testbed, c: NetapproxController, everyMs = 100): () => void {
  let last = Date.now();
  const tick = () => {
    const a = c.currentAllocation;
    if (a === undefined) return;
    // By the time that passed, not the timer's interval: timers run late on a busy machine.
    const now = Date.now();
    const seconds = (now - last) / 1000;
    last = now;
    for (const l of a.links) {
      const device = bed.switches.get(l.from)?.device;
      if (device === undefined || l.fromPort === null) continue;
      const bytes = (bps: number) => BigInt(Math.round((bps * seconds) / 8));
      const packets = (bps: number) => BigInt(Math.round((bps * seconds) / 8 / 1500));
      const exact = l.exactLoad;
      const approx = 0.9 * (l.allocated ?? 0);
      const port = l.fromPort;
      device.addCounter(
        "NetapproxEgress.port_class_tx",
        portClassIndex(port, 0),
        packets(exact),
        bytes(exact),
      );
      device.addCounter(
        "NetapproxEgress.port_class_tx",
        portClassIndex(port, 2),
        packets(approx),
        bytes(approx),
      );
      if (l.utilisation > 0.6)
        device.addCounter("NetapproxIngress.port_drops", portDropIndex(port, 1), 3n, 4500n);
      // The LE queue's depth as the busiest ports would leave it.
      const depth = Math.round(8 * l.utilisation);
      device.apply(
        create(UpdateSchema, {
          type: Update_Type.MODIFY,
          entity: encodeEntity(pipeline.schema, {
            kind: "registerEntry",
            register: "queue_depth",
            index: queueDepthIndex({ port, queue: 0 }),
            value: BigInt(depth),
          }),
        }),
      );
    }
    for (const job of a.jobs) {
      for (const ingress of job.ingress) {
        const device = bed.switches.get(ingress.switch)?.device;
        if (device === undefined) continue;
        const cell = c.agents
          .get(ingress.switch)
          ?.desiredState?.meterIndexes.find((m) => m.jobId === job.id)?.index;
        if (cell === undefined) continue;
        const share = ingress.share * seconds;
        const green = ((job.guaranteed ?? 0) * share) / 8;
        const yellow = (((job.allocated ?? 0) - (job.guaranteed ?? 0)) * share) / 8;
        const counter = "NetapproxIngress.job_colors";
        const add = (color: number, b: number) =>
          device.addCounter(
            counter,
            jobColorIndex(cell, color),
            BigInt(Math.round(b / 1500)),
            BigInt(Math.round(b)),
          );
        add(0, green);
        add(1, yellow);
        add(2, yellow * 0.05);
      }
    }
  };
  const timer = setInterval(() => {
    try {
      tick();
    } catch (err) {
      process.stderr.write(`traffic injection failed: ${(err as Error).message}\n`);
    }
  }, everyMs);
  return () => clearInterval(timer);
}

describeBrowser(`web view in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let bed: Testbed;
  let controller: NetapproxController;
  let http: Awaited<ReturnType<typeof startHttpEndpoint>>;
  let browser: Browser;
  let page: Page;
  let policyFile: string;

  beforeAll(async () => {
    bed = await startTestbed("topologies/leaf-spine.yaml", () => ({}));
    policyFile = policyCopy("policies/leaf-spine.yaml");
    controller = controllerFor(bed, policyFile, {
      pipelines: { v1model: pipeline },
      watchPolicy: true,
      policySettleMs: 200,
      pollIntervalMs: 200,
      // The test switch serves registers (BMv2 does not: its depths come over Thrift).
      capabilities: () => ({ registersOverP4Runtime: true }),
    });
    await controller.start();
    http = await startHttpEndpoint(controllerEndpoint(controller, bed.topology), {
      port: 0,
      updateIntervalMs: 200,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1150 } });
    await page.goto(http.url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await controller?.stop();
    await bed?.stop();
  });

  const switchState = (name: string) =>
    page.locator(`[data-switch="${name}"]`).getAttribute("data-state");

  it("draws every switch and host of the topology and shows every switch ready", async () => {
    await page.waitForFunction(
      () => {
        const nodes = [...document.querySelectorAll("[data-switch]")];
        return nodes.length === 6 && nodes.every((n) => n.getAttribute("data-state") === "ready");
      },
      undefined,
      { timeout: 15_000 },
    );
    expect(await page.locator("[data-host]").count()).toBe(16);
    expect(await page.locator("line.link").count()).toBe(bed.topology.links.length);
    const rows = await page.locator("#switches tr[data-switch-row]").allTextContents();
    expect(rows).toHaveLength(6);
    for (const r of rows) expect(r).toContain("ready");
    await page.locator('#jobs tr[data-job="kafka-logs"]').waitFor();
    expect(await page.locator("#jobs tr[data-job]").count()).toBe(2);
  });

  it("shows a policy edit within a few seconds, without a reload", async () => {
    const weight = page.locator('#jobs tr[data-job="kafka-logs"] td:nth-child(3)');
    expect((await weight.textContent())?.trim()).toBe("1");
    expect(await page.locator('#jobs tr[data-job="metrics-sample"]').count()).toBe(0);
    // kafka-logs weighs 4 instead of 1, and a third job appears.
    const edited = readFileSync(policyFile, "utf8")
      .replace("fraction: 0.7\n    weight: 1", "fraction: 0.7\n    weight: 4")
      .replace(
        "\nexact:",
        [
          "  - name: metrics-sample",
          "    id: 3",
          "    match: {src: h3-3, dst: h1-4, protocol: udp, dst_port: 9100}",
          "    volume: 10MB",
          "    fraction: 0.5",
          "    weight: 1",
          "",
          "exact:",
        ].join("\n"),
      );
    writeFileSync(policyFile, edited);
    const started = Date.now();
    await page.waitForFunction(
      () =>
        document
          .querySelector('#jobs tr[data-job="kafka-logs"] td:nth-child(3)')
          ?.textContent?.trim() === "4" &&
        document.querySelector('#jobs tr[data-job="metrics-sample"]') !== null,
      undefined,
      { timeout: 5_000 },
    );
    process.stderr.write(`web view: policy edit shown after ${Date.now() - started} ms\n`);
    expect(await page.locator("#jobs tr[data-job]").count()).toBe(3);
  });

  it("colours links by the utilisation the switches count, with rates and queue depths", async () => {
    const stop = injectTraffic(bed, controller);
    try {
      // Some fabric link turns from grey (not measured) to a utilisation colour.
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll("line.link")].some(
            (l) =>
              (l.getAttribute("data-utilisation") ?? "") !== "" &&
              Number(l.getAttribute("data-utilisation")) > 0.05,
          ),
        undefined,
        { timeout: 5_000 },
      );
      await page.waitForFunction(
        () =>
          /bit\/s/.test(
            // YELLOW: kafka-logs has no guarantee, all of its traffic is best effort.
            document.querySelector('#jobs tr[data-job="kafka-logs"] td:nth-child(7)')
              ?.textContent ?? "",
          ),
        undefined,
        { timeout: 5_000 },
      );
      await page.locator('[data-switch="leaf1"]').click();
      await page.waitForFunction(
        () => /q0: \d/.test(document.querySelector("#detail")?.textContent ?? ""),
        undefined,
        { timeout: 5_000 },
      );
      const screenshot = process.env.NETAPPROX_SCREENSHOT;
      if (screenshot) await page.screenshot({ path: screenshot });
    } finally {
      stop();
    }
  });

  it("turns a killed switch red, with the reason", async () => {
    expect(await switchState("leaf2")).toBe("ready");
    bed.switches.get("leaf2")!.kill();
    await page.waitForFunction(
      () => {
        const g = document.querySelector('[data-switch="leaf2"]');
        return (
          g?.querySelector("rect")?.getAttribute("class") === "st-bad" &&
          (g.querySelector(".reason")?.textContent ?? "") !== ""
        );
      },
      undefined,
      { timeout: 10_000 },
    );
    expect(await switchState("leaf2")).not.toBe("ready");
    const reason = await page
      .locator('#switches tr[data-switch-row="leaf2"] .reason-cell')
      .textContent();
    expect(reason).toMatch(/stream|connect|UNAVAILABLE|closed/i);
    const fill = await page
      .locator('[data-switch="leaf2"] rect')
      .evaluate((r) => getComputedStyle(r).fill);
    expect(fill).toBe("rgb(240, 138, 128)");
  });
});
