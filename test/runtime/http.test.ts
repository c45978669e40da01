import { startHttpEndpoint, type StatusEndpoint } from "@netapprox/controller/runtime/http.js";

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => void (await Promise.all(servers.splice(0).map((s) => s.close()))));

async function serve(endpoint: StatusEndpoint) {
  const http = await startHttpEndpoint(endpoint, { port: 0, updateIntervalMs: 50 });
  servers.push(http);
  return http.url;
}

/** Reads server-sent events until `count` status events arrived. */
async function statusEvents(url: string, count: number): Promise<unknown[]> {
  const res = await fetch(`${url}/events`);
  expect(res.headers.get("content-type")).toBe("text/event-stream");
  const reader = res.body!.getReader();
  const out: unknown[] = [];
  let buffer = "";
  while (out.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += new TextDecoder().decode(value);
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = /^event: status\ndata: (.*)$/s.exec(event);
      if (data) out.push(JSON.parse(data[1]!));
    }
  }
  await reader.cancel();
  return out;
}

describe("the controller's HTTP endpoint", () => {
  it("serves the web view, its drawing, status, metrics and health", async () => {
    const url = await serve({
      metrics: async () => "netapprox_up 1\n",
      metricsContentType: "text/plain; version=0.0.4; charset=utf-8",
      status: () => ({ n: 1n }),
      healthy: () => true,
      view: () => ({ nodes: [] }),
    });
    const page = await fetch(url);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/assets/app.js">');
    expect(html).not.toMatch(/https?:\/\//); // nothing from elsewhere
    expect((await fetch(`${url}/assets/app.js`)).headers.get("content-type")).toContain(
      "text/javascript",
    );
    expect(await (await fetch(`${url}/api/view`)).json()).toEqual({ nodes: [] });
    expect(await (await fetch(`${url}/status`)).json()).toEqual({ n: "1" });
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get("content-type")).toContain("version=0.0.4");
    expect(await metrics.text()).toBe("netapprox_up 1\n");
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/assets/../package.json`)).status).toBe(404);
    expect((await fetch(`${url}/nothing`)).status).toBe(404);
  });

  it("streams the status at once and again after each change, with no change lost", async () => {
    let n = 0;
    let changed: (() => void) | undefined;
    const url = await serve({
      metrics: () => "",
      status: () => ({ n }),
      healthy: () => true,
      view: () => ({}),
      watch: (c) => {
        changed = c;
        return () => (changed = undefined);
      },
    });
    const events = statusEvents(url, 3);
    await new Promise((r) => setTimeout(r, 100));
    n = 1;
    changed!();
    await new Promise((r) => setTimeout(r, 100));
    n = 2;
    changed!();
    changed!(); // two changes in one gap: one event, with the latest status
    expect(await events).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    await new Promise((r) => setTimeout(r, 50));
    expect(changed).toBeUndefined(); // the browser went away: the watch stopped
  });

  it("has no web view when the controller gives none", async () => {
    const url = await serve({ metrics: () => "", status: () => ({}), healthy: () => false });
    const res = await fetch(url);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("try /status, /metrics or /healthz");
    expect((await fetch(`${url}/healthz`)).status).toBe(503);
  });
});
