// Thrift binary-protocol replies as a fake simple_switch Thrift server sends them, for the
// codec and register tests.
import { MessageType, ThriftType } from "@netapprox/controller/targets/thrift.js";

/**
 * What a reply carries: field 0 as an i32 (number) or i64 (bigint); an application
 * EXCEPTION message with its text; or a declared exception (field 1, a struct with an i32
 * code, as InvalidRegisterOperation).
 */
export type ThriftResult = number | bigint | { exception: string } | { declaredCode: number };

/** A reply message: strict header, name, seqid, then the result's struct. */
export function thriftReply(name: string, seqid: number, result: ThriftResult): Buffer {
  const isException = typeof result === "object" && "exception" in result;
  const head = Buffer.alloc(4);
  head.writeInt32BE(0x80010000 | (isException ? MessageType.EXCEPTION : MessageType.REPLY) | 0);
  const nameLen = Buffer.alloc(4);
  nameLen.writeInt32BE(Buffer.byteLength(name));
  const seq = Buffer.alloc(4);
  seq.writeInt32BE(seqid);
  return Buffer.concat([head, nameLen, Buffer.from(name), seq, body(result)]);
}

function body(result: ThriftResult): Buffer {
  if (typeof result === "object" && "exception" in result) {
    const msg = Buffer.from(result.exception);
    const len = Buffer.alloc(4);
    len.writeInt32BE(msg.length);
    return Buffer.concat([Buffer.from([ThriftType.STRING, 0, 1]), len, msg, Buffer.from([0])]);
  }
  if (typeof result === "object") {
    const code = Buffer.alloc(4);
    code.writeInt32BE(result.declaredCode);
    return Buffer.concat([
      Buffer.from([ThriftType.STRUCT, 0, 1, ThriftType.I32, 0, 1]),
      code,
      Buffer.from([0, 0]),
    ]);
  }
  const wide = typeof result === "bigint";
  const v = Buffer.alloc(wide ? 8 : 4);
  if (wide) v.writeBigInt64BE(result);
  else v.writeInt32BE(result);
  return Buffer.concat([
    Buffer.from([wide ? ThriftType.I64 : ThriftType.I32, 0, 0]),
    v,
    Buffer.from([0]),
  ]);
}
