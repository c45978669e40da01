// The TCP counterpart of udp-socket.ts: a listening server with a promise.
import net from "node:net";
import type { HostPort } from "./units.js";

export interface ListeningServer {
  server: net.Server;
  /** The address actually bound (port 0 in the request becomes the kernel's choice). */
  address: HostPort;
}

/** Starts a TCP server on `bind` and resolves once it listens (rejects if it cannot). */
export async function listenTcp(bind: HostPort): Promise<ListeningServer> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(bind.port, bind.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const a = server.address() as net.AddressInfo;
  return { server, address: { host: a.address, port: a.port } };
}
