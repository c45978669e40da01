// One simple_switch_grpc on loopback with no program (a P4Runtime client pushes
// one), gRPC and Thrift on ports of its own: what the P4Runtime benchmark and the
// tests that need a real BMv2 (but no interfaces) start.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackTcpPort } from "@netapprox/model/util/free-port.js";

/** True when something accepts TCP connections on the port. */
export function tcpPortOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export interface LoopbackBmv2 {
  /** 127.0.0.1:port of its P4Runtime server. */
  readonly grpcAddress: string;
  readonly grpcPort: number;
  readonly thriftPort: number;
  /** Its console output. */
  readonly logFile: string;
  /** Ends the process (SIGTERM) and resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts simple_switch_grpc (`binary`: a path or a name on PATH) and resolves when
 * its gRPC and Thrift ports accept connections. Ports not given are picked free.
 */
export async function startLoopbackBmv2(
  binary: string,
  options: { deviceId?: number; grpcPort?: number; thriftPort?: number; timeoutMs?: number } = {},
): Promise<LoopbackBmv2> {
  const grpcPort = options.grpcPort ?? (await freeLoopbackTcpPort());
  const thriftPort = options.thriftPort ?? (await freeLoopbackTcpPort());
  const logFile = join(mkdtempSync(join(tmpdir(), "netapprox-bmv2-")), "bmv2.log");
  const out = openSync(logFile, "w");
  const child: ChildProcess = spawn(
    binary,
    [
      "--device-id",
      String(options.deviceId ?? 1),
      "--thrift-port",
      String(thriftPort),
      "--no-p4",
      "--",
      "--grpc-server-addr",
      `127.0.0.1:${grpcPort}`,
    ],
    { stdio: ["ignore", out, out] },
  );
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (!(await tcpPortOpen(grpcPort)) || !(await tcpPortOpen(thriftPort))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(
        `${binary} did not open 127.0.0.1:${grpcPort} (gRPC) and :${thriftPort} (Thrift); its log ${logFile} ends: ${readFileSync(logFile, "utf8").slice(-2000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { grpcAddress: `127.0.0.1:${grpcPort}`, grpcPort, thriftPort, logFile, stop };
}
