import net from "node:net";
import { freeLoopbackTcpPort } from "@netapprox/model/util/free-port.js";
import { listenTcp } from "@netapprox/transport/tcp-socket.js";

const LOOPBACK = "127.0.0.1";

const close = (server: net.Server): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()));

describe("listenTcp", () => {
  test("reports the port the kernel chose and accepts connections there", async () => {
    const { server, address } = await listenTcp({ host: LOOPBACK, port: 0 });
    try {
      expect(address.host).toBe(LOOPBACK);
      expect(address.port).toBeGreaterThan(0);
      const accepted = new Promise<void>((resolve) => server.once("connection", () => resolve()));
      const client = net.connect(address.port, address.host);
      await accepted;
      client.destroy();
    } finally {
      await close(server);
    }
  });

  test("rejects when the port is already taken", async () => {
    const first = await listenTcp({ host: LOOPBACK, port: 0 });
    try {
      await expect(listenTcp(first.address)).rejects.toMatchObject({ code: "EADDRINUSE" });
    } finally {
      await close(first.server);
    }
  });
});

describe("freeLoopbackTcpPort", () => {
  test("returns a port that is closed again and can be listened on", async () => {
    const port = await freeLoopbackTcpPort();
    expect(port).toBeGreaterThan(0);
    const { server, address } = await listenTcp({ host: LOOPBACK, port });
    expect(address.port).toBe(port);
    await close(server);
  });
});
