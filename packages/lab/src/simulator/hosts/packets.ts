// What the host models put in the fabric's packet fields.
import { mix32 } from "../random.js";

/** pKind values. */
export const KIND_DATA = 1;
export const KIND_ACK = 2;
export const KIND_SYN = 3;
/** An approximate-transport control message (feedback, DONE, DONE-ACK, ABORT, END) in pObj. */
export const KIND_CONTROL = 4;
/** Test traffic: counted by the sink, nothing else. */
export const KIND_PROBE = 5;

/** pAux flags of a TCP ACK. */
export const ACK_ECE = 1;
/** The receiver holds what it needs: the connection is over. */
export const ACK_DONE = 2;
export const ACK_SYN = 4;
/** An ACK's pAux: flags in the low bits, the segment that triggered it above them. */
export const ACK_FLAG_BITS = 3;
export const ACK_FLAG_MASK = (1 << ACK_FLAG_BITS) - 1;

/** IPv4 + TCP headers. */
export const TCP_HEADER_BYTES = 40;

/**
 * Packets an endpoint keeps queued at its host's interface before waiting for room: about
 * a millisecond of the interface's rate, at least two packets, as Linux's TCP small
 * queues allow a socket (the rest waits in the socket, not on the wire).
 */
export function hostQueueLimit(bytesPerSecond: number): number {
  return Math.min(64, Math.max(2, Math.ceil((bytesPerSecond * 0.001) / 1500)));
}

/** The ECMP hash of a 5-tuple (both directions of a connection hash differently). */
export function flowHash(
  srcIp: number,
  dstIp: number,
  protocol: number,
  srcPort: number,
  dstPort: number,
): number {
  return (
    mix32(srcIp ^ mix32(dstIp ^ mix32((protocol << 16) ^ mix32((srcPort << 16) | dstPort)))) | 0
  );
}
