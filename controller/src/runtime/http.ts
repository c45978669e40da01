// The controller's HTTP endpoint: /metrics (Prometheus), /status (JSON, what
// `netapprox status` shows) and /healthz. Bound to loopback unless the operator
// chooses another address.
import { createServer, type Server } from "node:http";

export interface StatusEndpoint {
  /** Prometheus text exposition. */
  metrics(): string;
  /** Any JSON-serialisable snapshot. */
  status(): unknown;
  /** True when the controller is serving (for /healthz). */
  healthy(): boolean;
}

export interface HttpEndpointOptions {
  host?: string;
  port: number;
}

function json(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** Starts the endpoint; resolves with the server and its bound address. */
export async function startHttpEndpoint(
  endpoint: StatusEndpoint,
  options: HttpEndpointOptions,
): Promise<{ server: Server; url: string }> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    try {
      if (path === "/metrics") {
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(endpoint.metrics());
      } else if (path === "/status") {
        res.writeHead(200, { "content-type": "application/json" }).end(json(endpoint.status()));
      } else if (path === "/healthz") {
        const ok = endpoint.healthy();
        res
          .writeHead(ok ? 200 : 503, { "content-type": "text/plain" })
          .end(ok ? "ok\n" : "not ready\n");
      } else {
        res
          .writeHead(404, { "content-type": "text/plain" })
          .end("not found: try /status, /metrics or /healthz\n");
      }
    } catch (err) {
      res.writeHead(500, { "content-type": "text/plain" }).end(`${(err as Error).message}\n`);
    }
  });
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
  return { server, url: `http://${shown}:${port}` };
}
