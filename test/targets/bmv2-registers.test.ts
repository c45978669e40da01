import { createServer, type Server } from "node:net";
import { SimpleSwitchRegisters } from "../../controller/src/targets/bmv2-registers.js";
import { decodeMessage, MessageType, ThriftType } from "../../controller/src/targets/thrift.js";
import { thriftQueueDepths } from "../../controller/src/runtime/queue-depth.js";

/** A REPLY whose field 0 is an i64, as bm_register_read answers; or an exception (field 1, a struct). */
function reply(name: string, seqid: number, value: bigint | "refused"): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32BE(0x80010000 | MessageType.REPLY);
  const nameLen = Buffer.alloc(4);
  nameLen.writeInt32BE(Buffer.byteLength(name));
  const seq = Buffer.alloc(4);
  seq.writeInt32BE(seqid);
  let body: Buffer;
  if (value === "refused") {
    // InvalidRegisterOperation {1: code}
    const code = Buffer.alloc(4);
    code.writeInt32BE(2);
    body = Buffer.concat([
      Buffer.from([ThriftType.STRUCT, 0, 1, ThriftType.I32, 0, 1]),
      code,
      Buffer.from([0, 0]),
    ]);
  } else {
    const v = Buffer.alloc(8);
    v.writeBigInt64BE(value);
    body = Buffer.concat([Buffer.from([ThriftType.I64, 0, 0]), v, Buffer.from([0])]);
  }
  return Buffer.concat([head, nameLen, Buffer.from(name), seq, body]);
}

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
          socket.write(reply(m.name, m.seqid, index > 4000 ? "refused" : BigInt(index % 7)));
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
