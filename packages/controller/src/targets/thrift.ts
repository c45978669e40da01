// A small Thrift client for BMv2's runtime service, enough to set the rate and
// depth of each egress priority queue (P4Runtime cannot), and to read when the switch
// process started (to tell a restarted switch, which lost them, from one that keeps
// them: BMv2 cannot report its queue settings). BMv2 serves
// Thrift with the binary protocol (strict), buffered transport (no framing) and a
// multiplexed processor, so method names are prefixed with the service name,
// e.g. "simple_switch:set_egress_priority_queue_rate".
//
// The codec is pure; only ThriftClient does I/O.
import { Socket } from "node:net";

export const ThriftType = {
  STOP: 0,
  BOOL: 2,
  BYTE: 3,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
} as const;
export const MessageType = { CALL: 1, REPLY: 2, EXCEPTION: 3, ONEWAY: 4 } as const;
const VERSION_1 = 0x80010000;

export type ThriftValue =
  | { type: typeof ThriftType.I32; value: number }
  | { type: typeof ThriftType.I64; value: bigint }
  | { type: typeof ThriftType.STRING; value: string }
  | { type: typeof ThriftType.BOOL; value: boolean };

export interface ThriftField {
  id: number;
  value: ThriftValue;
}

/** Encodes a CALL message whose arguments are plain scalar fields. */
export function encodeCall(method: string, seqid: number, args: ThriftField[]): Buffer {
  const parts: Buffer[] = [];
  const i32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n | 0);
    parts.push(b);
  };
  const str = (s: string) => {
    const bytes = Buffer.from(s, "utf8");
    i32(bytes.length);
    parts.push(bytes);
  };
  i32(VERSION_1 | MessageType.CALL | 0);
  str(method);
  i32(seqid);
  for (const f of args) {
    const head = Buffer.alloc(3);
    head.writeUInt8(f.value.type, 0);
    head.writeInt16BE(f.id, 1);
    parts.push(head);
    switch (f.value.type) {
      case ThriftType.I32:
        i32(f.value.value);
        break;
      case ThriftType.I64: {
        const b = Buffer.alloc(8);
        b.writeBigInt64BE(f.value.value);
        parts.push(b);
        break;
      }
      case ThriftType.STRING:
        str(f.value.value);
        break;
      case ThriftType.BOOL:
        parts.push(Buffer.from([f.value.value ? 1 : 0]));
        break;
    }
  }
  parts.push(Buffer.from([ThriftType.STOP]));
  return Buffer.concat(parts);
}

export class ThriftError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = "ThriftError";
  }
}

/** Not enough bytes yet: the reader asks for more. */
class Incomplete extends Error {}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Incomplete();
  }
  i8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }
  i16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  string(): string {
    const n = this.i32();
    if (n < 0) throw new ThriftError(`negative string length ${n}`);
    this.need(n);
    const s = this.buf.toString("utf8", this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  skip(type: number): void {
    switch (type) {
      case ThriftType.BOOL:
      case ThriftType.BYTE:
        this.need(1);
        this.pos += 1;
        return;
      case ThriftType.I16:
        this.need(2);
        this.pos += 2;
        return;
      case ThriftType.I32:
        this.need(4);
        this.pos += 4;
        return;
      case 4: // double
      case ThriftType.I64:
        this.need(8);
        this.pos += 8;
        return;
      case ThriftType.STRING:
        this.string();
        return;
      case ThriftType.STRUCT:
        this.struct();
        return;
      case ThriftType.MAP: {
        const k = this.i8();
        const v = this.i8();
        const n = this.i32();
        for (let i = 0; i < n; i++) {
          this.skip(k);
          this.skip(v);
        }
        return;
      }
      case ThriftType.SET:
      case ThriftType.LIST: {
        const e = this.i8();
        const n = this.i32();
        for (let i = 0; i < n; i++) this.skip(e);
        return;
      }
      default:
        throw new ThriftError(`unknown Thrift type ${type}`);
    }
  }
  /** Reads a struct; returns its scalar fields by id (nested values are skipped). */
  struct(): Map<number, number | bigint | string | boolean> {
    const fields = new Map<number, number | bigint | string | boolean>();
    for (;;) {
      const type = this.i8();
      if (type === ThriftType.STOP) return fields;
      const id = this.i16();
      if (type === ThriftType.I32) fields.set(id, this.i32());
      else if (type === ThriftType.I64) fields.set(id, this.i64());
      else if (type === ThriftType.STRING) fields.set(id, this.string());
      else if (type === ThriftType.BOOL) fields.set(id, this.i8() !== 0);
      else this.skip(type);
    }
  }
}

export interface DecodedMessage {
  name: string;
  type: number;
  seqid: number;
  /** Scalar fields of the body struct by id (for a REPLY: 0 = success, 1.. = exceptions). */
  fields: Map<number, number | bigint | string | boolean>;
  /** Bytes consumed from the buffer. */
  length: number;
}

/** Decodes one message from the start of `buf`, or returns undefined if it is incomplete. */
export function decodeMessage(buf: Buffer): DecodedMessage | undefined {
  const r = new Reader(buf);
  try {
    const head = r.i32();
    if ((head & 0xffff0000) !== (VERSION_1 | 0))
      throw new ThriftError(
        `not a strict binary Thrift message (header 0x${(head >>> 0).toString(16)})`,
      );
    const type = head & 0xff;
    const name = r.string();
    const seqid = r.i32();
    const fields = r.struct();
    return { name, type, seqid, fields, length: r.pos };
  } catch (err) {
    if (err instanceof Incomplete) return undefined;
    throw err;
  }
}

/** One TCP connection to a Thrift server; calls are sent one at a time. */
export class ThriftClient {
  private socket: Socket | undefined;
  private buffer = Buffer.alloc(0);
  private seqid = 0;
  private pending: { resolve: (m: DecodedMessage) => void; reject: (e: Error) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly host: string,
    readonly port: number,
    readonly timeoutMs = 5_000,
  ) {}

  private connect(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const fail = (err: Error) => {
        socket.destroy();
        reject(
          new ThriftError(
            `cannot reach the Thrift server at ${this.host}:${this.port}: ${err.message}`,
          ),
        );
      };
      socket.setTimeout(this.timeoutMs, () => fail(new Error("timed out")));
      socket.once("error", fail);
      socket.connect(this.port, this.host, () => {
        socket.off("error", fail);
        socket.setTimeout(0);
        socket.on("data", (chunk: Buffer) => this.onData(chunk));
        socket.on("error", (err) => this.failPending(err));
        socket.on("close", () => this.failPending(new Error("connection closed")));
        this.socket = socket;
        resolve(socket);
      });
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    try {
      const msg = decodeMessage(this.buffer);
      if (msg === undefined) return;
      this.buffer = this.buffer.subarray(msg.length);
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(msg);
    } catch (err) {
      this.failPending(err as Error);
      this.socket?.destroy();
    }
  }

  private failPending(err: Error): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(new ThriftError(`Thrift call to ${this.host}:${this.port} failed: ${err.message}`));
  }

  /** Calls `method` and returns its i32/i64 result (field 0 of the reply). */
  call(method: string, args: ThriftField[]): Promise<number | bigint | undefined> {
    const run = async () => {
      const socket = await this.connect();
      const seqid = ++this.seqid;
      const reply = await new Promise<DecodedMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending = undefined;
          reject(
            new ThriftError(
              `Thrift call ${method} to ${this.host}:${this.port}: no reply within ${this.timeoutMs}ms`,
            ),
          );
        }, this.timeoutMs);
        this.pending = {
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        socket.write(encodeCall(method, seqid, args));
      });
      if (reply.type === MessageType.EXCEPTION) {
        throw new ThriftError(
          `Thrift call ${method} failed on the server: ${String(reply.fields.get(1) ?? "unknown error")}`,
        );
      }
      if (reply.seqid !== seqid)
        throw new ThriftError(
          `Thrift reply out of order (seqid ${reply.seqid}, expected ${seqid})`,
        );
      const result = reply.fields.get(0);
      return typeof result === "number" || typeof result === "bigint" ? result : undefined;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}

/**
 * When a switch process started, in microseconds since the epoch, as read from it:
 * the true start lies in [us - uncertaintyUs, us].
 */
export interface SwitchStart {
  us: bigint;
  uncertaintyUs: bigint;
}

/** True when two readings are of the same switch process (their intervals overlap). */
export function sameSwitchStart(a: SwitchStart, b: SwitchStart): boolean {
  const gap = a.us > b.us ? a.us - b.us : b.us - a.us;
  return gap <= (a.uncertaintyUs > b.uncertaintyUs ? a.uncertaintyUs : b.uncertaintyUs);
}

/** BMv2 simple_switch's queue controls over its Thrift runtime service. */
export class SimpleSwitchQueues {
  private readonly client: ThriftClient;
  /** host:port of the Thrift server. */
  readonly address: string;

  constructor(host: string, port: number, timeoutMs = 5_000) {
    this.client = new ThriftClient(host, port, timeoutMs);
    this.address = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  }

  /**
   * When the switch process started: its clock now minus its time since start
   * (both from the switch, one after the other, so the reading is late by at most
   * the time between them, bounded by our round trip). Undefined when the server
   * does not offer these calls.
   */
  async startTime(): Promise<SwitchStart | undefined> {
    const t0 = process.hrtime.bigint();
    const elapsed = await this.client.call("simple_switch:get_time_elapsed_us", []);
    const now = await this.client.call("simple_switch:get_time_since_epoch_us", []);
    const roundTripUs = (process.hrtime.bigint() - t0) / 1000n;
    if (typeof elapsed !== "bigint" || typeof now !== "bigint") return undefined;
    // 1 ms on top: the two readings are rounded to microseconds separately.
    return { us: now - elapsed, uncertaintyUs: roundTripUs + 1000n };
  }

  private async checked(method: string, args: ThriftField[]): Promise<void> {
    const code = await this.client.call(`simple_switch:${method}`, args);
    if (code !== undefined && code !== 0)
      throw new ThriftError(`${method} returned error code ${code}`);
  }

  /** Paces one priority queue of a port at `pps` packets per second; 0: unpaced. */
  setQueueRate(port: number, priority: number, pps: number): Promise<void> {
    const rate = pps === 0 ? 0 : Math.max(1, Math.round(pps));
    return this.checked("set_egress_priority_queue_rate", [
      { id: 1, value: { type: ThriftType.I32, value: port } },
      { id: 2, value: { type: ThriftType.I32, value: priority } },
      { id: 3, value: { type: ThriftType.I64, value: BigInt(rate) } },
    ]);
  }

  /** Limits one priority queue of a port to `packets` packets. */
  setQueueDepth(port: number, priority: number, packets: number): Promise<void> {
    return this.checked("set_egress_priority_queue_depth", [
      { id: 1, value: { type: ThriftType.I32, value: port } },
      { id: 2, value: { type: ThriftType.I32, value: priority } },
      { id: 3, value: { type: ThriftType.I32, value: Math.max(1, Math.round(packets)) } },
    ]);
  }

  close(): void {
    this.client.close();
  }
}
