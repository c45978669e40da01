// The controller's HTTP endpoint: the web view (/ and its assets, /api/view for the
// drawing, /events for live updates as server-sent events), /metrics (Prometheus),
// /status (JSON, what `netapprox status` shows) and /healthz. Bound to loopback unless
// the operator chooses another address. The view's files are part of the package
// (packages/controller/web/); nothing is loaded from elsewhere.
import { readFileSync } from "node:fs";
import { createServer, type ServerResponse, type Server } from "node:http";
import { join } from "node:path";
import { packageRoot } from "@netapprox/model/util/package-root.js";

export interface StatusEndpoint {
  /** Prometheus text exposition. */
  metrics(): string | Promise<string>;
  metricsContentType?: string;
  /** Any JSON-serialisable snapshot. */
  status(): unknown;
  /** True when the controller is serving (for /healthz). */
  healthy(): boolean;
  /** The network as the web view draws it (absent: no web view). */
  view?(): unknown;
  /**
   * Calls `changed` whenever the status may have changed (polls, syncs, policy edits);
   * returns the function that stops it. Absent: the view is refreshed every second.
   */
  watch?(changed: () => void): () => void;
}

export interface HttpEndpointOptions {
  host?: string;
  port: number;
  /** Least time between two live updates to one browser (ms, default 500). */
  updateIntervalMs?: number;
}

/** The web view's files, by URL path, with their content types. */
const ASSETS: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/assets/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/assets/app.css": { file: "app.css", type: "text/css; charset=utf-8" },
};

export function webAssetDir(): string {
  return join(packageRoot(), "packages", "controller", "web");
}

function json(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), indent);
}

/** Starts the endpoint; resolves with the server and its bound address. */
export async function startHttpEndpoint(
  endpoint: StatusEndpoint,
  options: HttpEndpointOptions,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const host = options.host ?? "127.0.0.1";
  const streams = new Set<ServerResponse>();
  const minGap = options.updateIntervalMs ?? 500;
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    void (async () => {
      try {
        const asset = endpoint.view ? ASSETS[path] : undefined;
        if (asset) {
          // Read per request: small files, and an edited view shows on reload.
          const body = readFileSync(join(webAssetDir(), asset.file));
          res.writeHead(200, { "content-type": asset.type, "cache-control": "no-cache" }).end(body);
        } else if (path === "/api/view" && endpoint.view) {
          res.writeHead(200, { "content-type": "application/json" }).end(json(endpoint.view()));
        } else if (path === "/events" && endpoint.view) {
          stream(res);
        } else if (path === "/metrics") {
          const text = await endpoint.metrics();
          res
            .writeHead(200, {
              "content-type": endpoint.metricsContentType ?? "text/plain; version=0.0.4",
            })
            .end(text);
        } else if (path === "/status") {
          res
            .writeHead(200, { "content-type": "application/json" })
            .end(json(endpoint.status(), 2));
        } else if (path === "/healthz") {
          const ok = endpoint.healthy();
          res
            .writeHead(ok ? 200 : 503, { "content-type": "text/plain" })
            .end(ok ? "ok\n" : "not ready\n");
        } else {
          res
            .writeHead(404, { "content-type": "text/plain" })
            .end(
              `not found: try ${endpoint.view ? "/ (the web view), " : ""}/status, /metrics or /healthz\n`,
            );
        }
      } catch (err) {
        if (!res.headersSent)
          res.writeHead(500, { "content-type": "text/plain" }).end(`${(err as Error).message}\n`);
        else res.end();
      }
    })();
  });

  /**
   * Server-sent events: the status at once, then again after each change, at most every
   * `minGap` ms (a change during the gap is sent at its end, never lost).
   */
  function stream(res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    streams.add(res);
    let last = 0;
    let timer: NodeJS.Timeout | undefined;
    const send = () => {
      timer = undefined;
      last = Date.now();
      res.write(`event: status\ndata: ${json(endpoint.status())}\n\n`);
    };
    const changed = () => {
      if (timer !== undefined) return;
      timer = setTimeout(send, Math.max(0, last + minGap - Date.now()));
    };
    const stop = endpoint.watch
      ? endpoint.watch(changed)
      : (() => {
          const t = setInterval(changed, 1_000);
          return () => clearInterval(t);
        })();
    const keepalive = setInterval(() => res.write(": keepalive\n\n"), 15_000);
    res.on("close", () => {
      stop();
      clearTimeout(timer);
      clearInterval(keepalive);
      streams.delete(res);
    });
    send();
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    server,
    url: `http://${shown}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
