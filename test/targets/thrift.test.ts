import { createServer, type Server } from "node:net";
import { thriftReply as reply } from "../helpers/thrift.js";
import {
  decodeMessage,
  encodeCall,
  MessageType,
  sameSwitchStart,
  SimpleSwitchQueues,
  ThriftType,
} from "@netapprox/controller/targets/thrift.js";

describe("Thrift binary codec", () => {
  it("encodes a call byte for byte as the binary protocol defines", () => {
    const bytes = encodeCall("s:m", 7, [
      { id: 1, value: { type: ThriftType.I32, value: 3 } },
      { id: 3, value: { type: ThriftType.I64, value: 1000n } },
    ]);
    expect(bytes.toString("hex")).toBe(
      "80010001" +
        "00000003" +
        "733a6d" +
        "00000007" +
        "08" +
        "0001" +
        "00000003" +
        "0a" +
        "0003" +
        "00000000000003e8" +
        "00",
    );
  });

  it("decodes a reply, and waits for more bytes when it is incomplete", () => {
    const full = reply("simple_switch:set_egress_priority_queue_rate", 9, 0);
    expect(decodeMessage(full.subarray(0, full.length - 3))).toBeUndefined();
    const msg = decodeMessage(Buffer.concat([full, Buffer.from([1, 2, 3])]))!;
    expect(msg).toMatchObject({
      name: "simple_switch:set_egress_priority_queue_rate",
      type: MessageType.REPLY,
      seqid: 9,
      length: full.length,
    });
    expect(msg.fields.get(0)).toBe(0);
    expect(() => decodeMessage(Buffer.from("00000001", "hex"))).toThrow(
      "not a strict binary Thrift message",
    );
  });
});

describe("SimpleSwitchQueues against a fake BMv2 Thrift server", () => {
  let server: Server;
  let port = 0;
  const calls: { name: string; fields: Map<number, unknown> }[] = [];
  let answer: (name: string) => number | bigint | { exception: string } = () => 0;

  beforeAll(async () => {
    server = createServer((socket) => {
      let buf = Buffer.alloc(0);
      socket.on("data", (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        for (let m = decodeMessage(buf); m !== undefined; m = decodeMessage(buf)) {
          buf = buf.subarray(m.length);
          calls.push({ name: m.name, fields: m.fields });
          const out = reply(m.name, m.seqid, answer(m.name));
          // Deliver in two pieces to exercise reassembly.
          socket.write(out.subarray(0, 5));
          setTimeout(() => socket.write(out.subarray(5)), 2);
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("sets per-priority queue rates and depths with the documented arguments", async () => {
    const q = new SimpleSwitchQueues("127.0.0.1", port);
    await q.setQueueRate(2, 7, 1250.4);
    await q.setQueueDepth(2, 0, 16);
    q.close();
    expect(calls.map((c) => [c.name, [...c.fields.entries()]])).toEqual([
      [
        "simple_switch:set_egress_priority_queue_rate",
        [
          [1, 2],
          [2, 7],
          [3, 1250n],
        ],
      ],
      [
        "simple_switch:set_egress_priority_queue_depth",
        [
          [1, 2],
          [2, 0],
          [3, 16],
        ],
      ],
    ]);
  });

  it("reports a non-zero result and a server exception", async () => {
    const q = new SimpleSwitchQueues("127.0.0.1", port);
    answer = () => 3;
    await expect(q.setQueueRate(1, 1, 10)).rejects.toThrow(
      "set_egress_priority_queue_rate returned error code 3",
    );
    answer = () => ({ exception: "Invalid port" });
    await expect(q.setQueueDepth(1, 1, 10)).rejects.toThrow("failed on the server: Invalid port");
    answer = () => 0;
    q.close();
  });

  it("reads when the switch started: its clock minus its uptime", async () => {
    const q = new SimpleSwitchQueues("127.0.0.1", port);
    const started = 1_700_000_000_000_000n;
    let uptime = 5_000_000n;
    answer = (name) => {
      if (name === "simple_switch:get_time_elapsed_us") return uptime;
      if (name === "simple_switch:get_time_since_epoch_us") return started + (uptime += 1_000n);
      return 0;
    };
    const a = (await q.startTime())!;
    uptime += 60_000_000n; // a minute later, the same process
    const b = (await q.startTime())!;
    // The clock is read 1 ms after the uptime: the reading is late by that much.
    expect(a.us).toBe(started + 1_000n);
    expect(a.uncertaintyUs).toBeGreaterThanOrEqual(1_000n);
    expect(sameSwitchStart(a, b)).toBe(true);
    // A restart: a later start by far more than the uncertainty.
    expect(sameSwitchStart(a, { us: a.us + 2_000_000n, uncertaintyUs: 1_000n })).toBe(false);
    expect(q.address).toBe(`127.0.0.1:${port}`);
    answer = () => ({ exception: "Invalid method name" });
    await expect(q.startTime()).rejects.toThrow("Invalid method name");
    answer = () => 0;
    q.close();
  });

  it("names the address when nothing listens", async () => {
    const q = new SimpleSwitchQueues("127.0.0.1", 1, 500);
    await expect(q.setQueueRate(1, 0, 10)).rejects.toThrow(
      "cannot reach the Thrift server at 127.0.0.1:1",
    );
    q.close();
  });
});
