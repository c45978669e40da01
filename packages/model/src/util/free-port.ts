// A free loopback TCP port for a child process to bind (BMv2's gRPC and Thrift ports, the
// Mininet run's controller endpoint). The controller and the lab both need one, so it lives
// below them.
import net from "node:net";

/** A loopback TCP port that was free a moment ago (the kernel's choice), for a child to bind. */
export async function freeLoopbackTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
