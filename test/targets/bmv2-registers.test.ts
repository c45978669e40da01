import { createServer, type Server } from "node:net";
import { thriftReply as reply } from "../helpers/thrift.js";
import { SimpleSwitchRegisters } from "@netapprox/controller/targets/bmv2-registers.js";
import { decodeMessage } from "@netapprox/controller/targets/thrift.js";
import { thriftQueueDepths } from "@netapprox/controller/runtime/queue-depth.js";

describe("BMv2 register reads over Thrift (a fake server)", () => {
  let server: Server;
  let port = 0;
  const calls: { name: string; fields: Map<number, unknown> }[] = [];

  beforeAll(async () => {
    server = createServer((socket) => {
      let buf = Buffer.alloc(0);
      socket.on("data", (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        for (let m = decodeMessage(buf); m !== undefined; m = decodeMessage(buf)) {
          buf = buf.subarray(m.length);
          calls.push({ name: m.name, fields: m.fields });
          const index = Number(m.fields.get(3));
          socket.write(
            reply(m.name, m.seqid, index > 4000 ? { declaredCode: 2 } : BigInt(index % 7)),
          );
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("reads a cell with bm_register_read of the standard service", async () => {
    const registers = new SimpleSwitchRegisters("127.0.0.1", port);
    expect(await registers.read("queue_depth", 41)).toBe(6n);
    expect(calls.at(-1)).toEqual({
      name: "standard:bm_register_read",
      fields: new Map<number, unknown>([
        [1, 0],
        [2, "queue_depth"],
        [3, 41],
      ]),
    });
    await expect(registers.read("queue_depth", 4001)).rejects.toThrow(
      "bm_register_read queue_depth[4001]: the switch refused it",
    );
    registers.close();
  });

  it("gives queue depths per port and priority queue (index port * 8 + queue)", async () => {
    const source = thriftQueueDepths(new SimpleSwitchRegisters("127.0.0.1", port), "queue_depth");
    const depths = await source.read([
      { port: 5, queue: 0 },
      { port: 5, queue: 1 },
    ]);
    expect(depths).toEqual(
      new Map([
        ["5|0", 40 % 7],
        ["5|1", 41 % 7],
      ]),
    );
    source.close();
  });
});
