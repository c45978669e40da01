// The wire format shared by every netapprox host program: a 12-byte common prefix
// (magic, version, type, flags, job id) followed by a fixed body per message type.
// All integers are big-endian. Decoding never throws: it classifies a datagram as one
// of ours, as foreign (not netapprox at all) or as malformed (ours, but unusable), so
// the transports can count and ignore bad input.
//
// Over 500 lines because the message types, encoders and decoder are one specification of the
// format: a field change touches one file.

/** "NAPX" in ASCII. */
export const MAGIC = 0x4e415058;
export const VERSION = 1;
export const PREFIX_BYTES = 12;
/** IPv4 and UDP headers: rates and byte counts are as the IP layer carries them. */
export const IP_UDP_OVERHEAD = 28;

/** DiffServ code points of the traffic classes (docs/design.md). */
export const DSCP = { lowerEffort: 1, assuredLow: 10, control: 48 } as const;

export const MessageType = {
  data: 1,
  feedback: 2,
  done: 3,
  doneAck: 4,
  abort: 5,
  end: 6,
  streamHello: 7,
  flowHello: 8,
  flowAck: 9,
  count: 10,
  jobDone: 11,
} as const;
export type MessageTypeName = keyof typeof MessageType;

/** Flags of a data message. */
export const DataFlag = { resend: 1, blast: 2 } as const;
/** Flags of a count report: bit 0, the receiver has seen its group's JOB-DONE. */
export const CountFlag = { jobDoneSeen: 1 } as const;
/** Flags of a stream hello (TCP baselines). */
export const StreamFlag = { senderSampling: 1 } as const;

export const AbortReason = {
  fractionUnreachable: 1,
  timeout: 2,
  receiverSilent: 3,
} as const;
export type AbortReasonName = keyof typeof AbortReason;

export const DATA_HEADER_BYTES = 32;
export const FEEDBACK_HEADER_BYTES = 68;
const DONE_BYTES = 36;
const ABORT_BYTES = 16;
const END_BYTES = 24;
export const STREAM_HELLO_BYTES = 28;
export const FLOW_HELLO_BYTES = 20;
export const COUNT_BYTES = 32;
export const JOB_DONE_BYTES = 24;
/** Largest UDP payload over IPv4 (65535 - 20 - 8). */
export const MAX_DATAGRAM_BYTES = 65507;
export const MAX_CHUNK_PAYLOAD = MAX_DATAGRAM_BYTES - DATA_HEADER_BYTES;

export interface DataMessage {
  type: "data";
  jobId: number;
  flags: number;
  chunk: number;
  totalChunks: number;
  /** Chunks the receiver must hold for the job to be complete. */
  neededChunks: number;
  /** Transmission sequence number: counts every datagram the sender sent, resends too. */
  txSeq: number;
  payload: Uint8Array;
}

export interface FeedbackMessage {
  type: "feedback";
  jobId: number;
  seq: number;
  /** Receiver clock (ms) when the feedback was made; only differences matter. */
  receiverTimeMs: number;
  uniqueChunks: number;
  receivedDatagrams: number;
  receivedBytes: number;
  /** Highest txSeq seen; meaningful only when receivedDatagrams > 0. */
  maxTxSeq: number;
  totalChunks: number;
  /** Every chunk below this one has been received. */
  firstMissing: number;
  /** One past the highest chunk index seen. */
  seenUpTo: number;
  /** Chunks in [windowFrom, windowBase) have all been received. */
  windowFrom: number;
  /** First chunk described by the bitmap. */
  windowBase: number;
  /** Bit i (MSB first) is set when chunk windowBase + i has been received. */
  windowBits: number;
  bitmap: Uint8Array;
}

export interface DoneMessage {
  type: "done";
  jobId: number;
  uniqueChunks: number;
  receivedDatagrams: number;
  receivedBytes: number;
  /** Receiver-side time from its first datagram to reaching the fraction. */
  elapsedMs: number;
}

export interface DoneAckMessage {
  type: "doneAck";
  jobId: number;
}

export interface AbortMessage {
  type: "abort";
  jobId: number;
  reason: AbortReasonName;
}

export interface EndMessage {
  type: "end";
  jobId: number;
  sentDatagrams: number;
  totalChunks: number;
  neededChunks: number;
}

export interface StreamHelloMessage {
  type: "streamHello";
  jobId: number;
  flags: number;
  totalChunks: number;
  neededChunks: number;
  /** How many chunks the sender will put on the stream. */
  chunksToSend: number;
  chunkSize: number;
}

export interface FlowHelloMessage {
  type: "flowHello";
  /** Flow id (carried in the job id field). */
  jobId: number;
  sizeBytes: number;
}

export interface FlowAckMessage {
  type: "flowAck";
  jobId: number;
}

/**
 * A receiver's report to its job's coordinator: how many distinct chunks of its transfer it
 * holds. `group` is the completion group (a phase of the job: a round, a batch) and
 * `transfer` the transfer's index in it.
 */
export interface CountMessage {
  type: "count";
  jobId: number;
  flags: number;
  group: number;
  transfer: number;
  uniqueChunks: number;
  totalChunks: number;
  /** Counts the receiver's reports, so that the coordinator can skip stale ones. */
  seq: number;
}

/** The coordinator's word that a group holds the job's fraction: receivers stop their senders. */
export interface JobDoneMessage {
  type: "jobDone";
  jobId: number;
  group: number;
  /** Distinct chunks of the group's transfers when it completed, and how many it needed. */
  deliveredChunks: number;
  neededChunks: number;
}

export type Message =
  | DataMessage
  | FeedbackMessage
  | DoneMessage
  | DoneAckMessage
  | AbortMessage
  | EndMessage
  | StreamHelloMessage
  | FlowHelloMessage
  | FlowAckMessage
  | CountMessage
  | JobDoneMessage;

export type DecodeResult =
  | { kind: "ok"; message: Message }
  | { kind: "foreign"; detail: string }
  | { kind: "malformed"; detail: string };

const U32_MAX = 0xffffffff;

function checkU32(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > U32_MAX) {
    throw new RangeError(`${name} must be an integer in [0, ${U32_MAX}], got ${value}`);
  }
}

function checkU16(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new RangeError(`${name} must be an integer in [0, 65535], got ${value}`);
  }
}

function prefix(size: number, type: number, flags: number, jobId: number): DataView {
  checkU32("job id", jobId);
  checkU16("flags", flags);
  const view = new DataView(new ArrayBuffer(size));
  view.setUint32(0, MAGIC);
  view.setUint8(4, VERSION);
  view.setUint8(5, type);
  view.setUint16(6, flags);
  view.setUint32(8, jobId);
  return view;
}

function bytesOf(view: DataView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Encodes a data message; the payload is copied behind the 32-byte header. */
export function encodeData(m: Omit<DataMessage, "type">): Uint8Array {
  checkU32("chunk", m.chunk);
  checkU32("total chunks", m.totalChunks);
  checkU32("needed chunks", m.neededChunks);
  checkU32("txSeq", m.txSeq);
  if (m.chunk >= m.totalChunks) {
    throw new RangeError(`chunk ${m.chunk} is not below the total of ${m.totalChunks}`);
  }
  if (m.payload.length > MAX_CHUNK_PAYLOAD) {
    throw new RangeError(`payload of ${m.payload.length} bytes exceeds ${MAX_CHUNK_PAYLOAD}`);
  }
  const view = prefix(DATA_HEADER_BYTES + m.payload.length, MessageType.data, m.flags, m.jobId);
  view.setUint32(12, m.chunk);
  view.setUint32(16, m.totalChunks);
  view.setUint32(20, m.neededChunks);
  view.setUint32(24, m.txSeq);
  view.setUint16(28, m.payload.length);
  view.setUint16(30, 0);
  const out = bytesOf(view);
  out.set(m.payload, DATA_HEADER_BYTES);
  return out;
}

export function encodeFeedback(m: Omit<FeedbackMessage, "type">): Uint8Array {
  for (const [name, v] of [
    ["seq", m.seq],
    ["unique chunks", m.uniqueChunks],
    ["received datagrams", m.receivedDatagrams],
    ["maxTxSeq", m.maxTxSeq],
    ["total chunks", m.totalChunks],
    ["first missing", m.firstMissing],
    ["seen up to", m.seenUpTo],
    ["window from", m.windowFrom],
    ["window base", m.windowBase],
    ["window bits", m.windowBits],
  ] as const) {
    checkU32(name, v);
  }
  const bitmapBytes = Math.ceil(m.windowBits / 8);
  if (m.bitmap.length < bitmapBytes) {
    throw new RangeError(`bitmap has ${m.bitmap.length} bytes, ${bitmapBytes} needed`);
  }
  const view = prefix(FEEDBACK_HEADER_BYTES + bitmapBytes, MessageType.feedback, 0, m.jobId);
  view.setUint32(12, m.seq);
  view.setFloat64(16, m.receiverTimeMs);
  view.setUint32(24, m.uniqueChunks);
  view.setUint32(28, m.receivedDatagrams);
  view.setFloat64(32, m.receivedBytes);
  view.setUint32(40, m.maxTxSeq);
  view.setUint32(44, m.totalChunks);
  view.setUint32(48, m.firstMissing);
  view.setUint32(52, m.seenUpTo);
  view.setUint32(56, m.windowFrom);
  view.setUint32(60, m.windowBase);
  view.setUint32(64, m.windowBits);
  const out = bytesOf(view);
  out.set(m.bitmap.subarray(0, bitmapBytes), FEEDBACK_HEADER_BYTES);
  return out;
}

export function encodeDone(m: Omit<DoneMessage, "type">): Uint8Array {
  checkU32("unique chunks", m.uniqueChunks);
  checkU32("received datagrams", m.receivedDatagrams);
  const view = prefix(DONE_BYTES, MessageType.done, 0, m.jobId);
  view.setUint32(12, m.uniqueChunks);
  view.setUint32(16, m.receivedDatagrams);
  view.setFloat64(20, m.receivedBytes);
  view.setFloat64(28, m.elapsedMs);
  return bytesOf(view);
}

export function encodeDoneAck(m: Omit<DoneAckMessage, "type">): Uint8Array {
  return bytesOf(prefix(PREFIX_BYTES, MessageType.doneAck, 0, m.jobId));
}

export function encodeAbort(m: Omit<AbortMessage, "type">): Uint8Array {
  const view = prefix(ABORT_BYTES, MessageType.abort, 0, m.jobId);
  view.setUint8(12, AbortReason[m.reason]);
  return bytesOf(view);
}

export function encodeEnd(m: Omit<EndMessage, "type">): Uint8Array {
  checkU32("sent datagrams", m.sentDatagrams);
  checkU32("total chunks", m.totalChunks);
  checkU32("needed chunks", m.neededChunks);
  const view = prefix(END_BYTES, MessageType.end, 0, m.jobId);
  view.setUint32(12, m.sentDatagrams);
  view.setUint32(16, m.totalChunks);
  view.setUint32(20, m.neededChunks);
  return bytesOf(view);
}

export function encodeStreamHello(m: Omit<StreamHelloMessage, "type">): Uint8Array {
  checkU32("total chunks", m.totalChunks);
  checkU32("needed chunks", m.neededChunks);
  checkU32("chunks to send", m.chunksToSend);
  checkU32("chunk size", m.chunkSize);
  const view = prefix(STREAM_HELLO_BYTES, MessageType.streamHello, m.flags, m.jobId);
  view.setUint32(12, m.totalChunks);
  view.setUint32(16, m.neededChunks);
  view.setUint32(20, m.chunksToSend);
  view.setUint32(24, m.chunkSize);
  return bytesOf(view);
}

export function encodeFlowHello(m: Omit<FlowHelloMessage, "type">): Uint8Array {
  if (!Number.isSafeInteger(m.sizeBytes) || m.sizeBytes < 1) {
    throw new RangeError(`flow size must be a positive integer, got ${m.sizeBytes}`);
  }
  const view = prefix(FLOW_HELLO_BYTES, MessageType.flowHello, 0, m.jobId);
  view.setFloat64(12, m.sizeBytes);
  return bytesOf(view);
}

export function encodeFlowAck(m: Omit<FlowAckMessage, "type">): Uint8Array {
  return bytesOf(prefix(PREFIX_BYTES, MessageType.flowAck, 0, m.jobId));
}

export function encodeCount(m: Omit<CountMessage, "type">): Uint8Array {
  checkU16("group", m.group);
  for (const [name, v] of [
    ["transfer", m.transfer],
    ["unique chunks", m.uniqueChunks],
    ["total chunks", m.totalChunks],
    ["seq", m.seq],
  ] as const) {
    checkU32(name, v);
  }
  if (m.uniqueChunks > m.totalChunks) {
    throw new RangeError(`count of ${m.uniqueChunks} above the total of ${m.totalChunks}`);
  }
  const view = prefix(COUNT_BYTES, MessageType.count, m.flags, m.jobId);
  view.setUint16(12, m.group);
  view.setUint16(14, 0);
  view.setUint32(16, m.transfer);
  view.setUint32(20, m.uniqueChunks);
  view.setUint32(24, m.totalChunks);
  view.setUint32(28, m.seq);
  return bytesOf(view);
}

export function encodeJobDone(m: Omit<JobDoneMessage, "type">): Uint8Array {
  checkU16("group", m.group);
  checkU32("delivered chunks", m.deliveredChunks);
  checkU32("needed chunks", m.neededChunks);
  const view = prefix(JOB_DONE_BYTES, MessageType.jobDone, 0, m.jobId);
  view.setUint16(12, m.group);
  view.setUint16(14, 0);
  view.setUint32(16, m.deliveredChunks);
  view.setUint32(20, m.neededChunks);
  return bytesOf(view);
}

/** Fixed sizes by type; data and feedback depend on their own fields. */
const FIXED_SIZE: Partial<Record<number, number>> = {
  [MessageType.done]: DONE_BYTES,
  [MessageType.doneAck]: PREFIX_BYTES,
  [MessageType.abort]: ABORT_BYTES,
  [MessageType.end]: END_BYTES,
  [MessageType.streamHello]: STREAM_HELLO_BYTES,
  [MessageType.flowHello]: FLOW_HELLO_BYTES,
  [MessageType.flowAck]: PREFIX_BYTES,
  [MessageType.count]: COUNT_BYTES,
  [MessageType.jobDone]: JOB_DONE_BYTES,
};

/**
 * Length of the message that starts at the beginning of `bytes`, as far as its header
 * says: a number, "need-more" when the header itself is incomplete, or a decode
 * failure. Used to cut a TCP byte stream into messages.
 */
export function messageLength(
  bytes: Uint8Array,
): number | "need-more" | { kind: "foreign" | "malformed"; detail: string } {
  if (bytes.length < PREFIX_BYTES) return "need-more";
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== MAGIC) return { kind: "foreign", detail: "bad magic" };
  if (view.getUint8(4) !== VERSION) {
    return { kind: "malformed", detail: `unsupported version ${view.getUint8(4)}` };
  }
  const type = view.getUint8(5);
  if (type === MessageType.data) {
    if (bytes.length < DATA_HEADER_BYTES) return "need-more";
    return DATA_HEADER_BYTES + view.getUint16(28);
  }
  if (type === MessageType.feedback) {
    return { kind: "malformed", detail: "feedback is not carried on streams" };
  }
  const size = FIXED_SIZE[type];
  if (size === undefined) return { kind: "malformed", detail: `unknown message type ${type}` };
  return size;
}

/** Decodes one datagram (or one message cut from a stream by messageLength). */
export function decode(bytes: Uint8Array): DecodeResult {
  if (bytes.length < 4) return { kind: "foreign", detail: "shorter than the magic number" };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== MAGIC) return { kind: "foreign", detail: "bad magic" };
  if (bytes.length < PREFIX_BYTES) return { kind: "malformed", detail: "truncated prefix" };
  const version = view.getUint8(4);
  if (version !== VERSION) return { kind: "malformed", detail: `unsupported version ${version}` };
  const type = view.getUint8(5);
  const flags = view.getUint16(6);
  const jobId = view.getUint32(8);
  const malformed = (detail: string): DecodeResult => ({ kind: "malformed", detail });
  const exact = (n: number): boolean => bytes.length === n;

  switch (type) {
    case MessageType.data: {
      if (bytes.length < DATA_HEADER_BYTES) return malformed("truncated data header");
      const payloadLength = view.getUint16(28);
      if (!exact(DATA_HEADER_BYTES + payloadLength)) {
        return malformed(
          `payload length field says ${payloadLength}, datagram carries ${bytes.length - DATA_HEADER_BYTES}`,
        );
      }
      const chunk = view.getUint32(12);
      const totalChunks = view.getUint32(16);
      const neededChunks = view.getUint32(20);
      if (totalChunks === 0 || chunk >= totalChunks) {
        return malformed(`chunk ${chunk} of ${totalChunks}`);
      }
      if (neededChunks > totalChunks) {
        return malformed(`needs ${neededChunks} of only ${totalChunks} chunks`);
      }
      return {
        kind: "ok",
        message: {
          type: "data",
          jobId,
          flags,
          chunk,
          totalChunks,
          neededChunks,
          txSeq: view.getUint32(24),
          payload: bytes.subarray(DATA_HEADER_BYTES),
        },
      };
    }
    case MessageType.feedback: {
      if (bytes.length < FEEDBACK_HEADER_BYTES) return malformed("truncated feedback");
      const windowBits = view.getUint32(64);
      if (!exact(FEEDBACK_HEADER_BYTES + Math.ceil(windowBits / 8))) {
        return malformed(`bitmap of ${windowBits} bits in a datagram of ${bytes.length} bytes`);
      }
      const m: FeedbackMessage = {
        type: "feedback",
        jobId,
        seq: view.getUint32(12),
        receiverTimeMs: view.getFloat64(16),
        uniqueChunks: view.getUint32(24),
        receivedDatagrams: view.getUint32(28),
        receivedBytes: view.getFloat64(32),
        maxTxSeq: view.getUint32(40),
        totalChunks: view.getUint32(44),
        firstMissing: view.getUint32(48),
        seenUpTo: view.getUint32(52),
        windowFrom: view.getUint32(56),
        windowBase: view.getUint32(60),
        windowBits,
        bitmap: bytes.subarray(FEEDBACK_HEADER_BYTES),
      };
      if (
        m.uniqueChunks > m.totalChunks ||
        m.firstMissing > m.totalChunks ||
        m.seenUpTo > m.totalChunks ||
        m.firstMissing > m.seenUpTo ||
        m.windowFrom > m.windowBase ||
        m.windowBase + m.windowBits > m.totalChunks ||
        !Number.isFinite(m.receiverTimeMs) ||
        !(m.receivedBytes >= 0)
      ) {
        return malformed("inconsistent feedback fields");
      }
      return { kind: "ok", message: m };
    }
    case MessageType.done:
      if (!exact(DONE_BYTES)) return malformed(`done of ${bytes.length} bytes`);
      return {
        kind: "ok",
        message: {
          type: "done",
          jobId,
          uniqueChunks: view.getUint32(12),
          receivedDatagrams: view.getUint32(16),
          receivedBytes: view.getFloat64(20),
          elapsedMs: view.getFloat64(28),
        },
      };
    case MessageType.doneAck:
      if (!exact(PREFIX_BYTES)) return malformed(`done-ack of ${bytes.length} bytes`);
      return { kind: "ok", message: { type: "doneAck", jobId } };
    case MessageType.abort: {
      if (!exact(ABORT_BYTES)) return malformed(`abort of ${bytes.length} bytes`);
      const code = view.getUint8(12);
      const reason = (Object.keys(AbortReason) as AbortReasonName[]).find(
        (k) => AbortReason[k] === code,
      );
      if (reason === undefined) return malformed(`unknown abort reason ${code}`);
      return { kind: "ok", message: { type: "abort", jobId, reason } };
    }
    case MessageType.end: {
      if (!exact(END_BYTES)) return malformed(`end of ${bytes.length} bytes`);
      const totalChunks = view.getUint32(16);
      const neededChunks = view.getUint32(20);
      if (neededChunks > totalChunks) return malformed("end needs more than the total");
      return {
        kind: "ok",
        message: {
          type: "end",
          jobId,
          sentDatagrams: view.getUint32(12),
          totalChunks,
          neededChunks,
        },
      };
    }
    case MessageType.streamHello: {
      if (!exact(STREAM_HELLO_BYTES)) return malformed(`stream hello of ${bytes.length} bytes`);
      const m: StreamHelloMessage = {
        type: "streamHello",
        jobId,
        flags,
        totalChunks: view.getUint32(12),
        neededChunks: view.getUint32(16),
        chunksToSend: view.getUint32(20),
        chunkSize: view.getUint32(24),
      };
      if (m.totalChunks === 0 || m.neededChunks > m.totalChunks || m.chunksToSend > m.totalChunks) {
        return malformed("inconsistent stream hello");
      }
      return { kind: "ok", message: m };
    }
    case MessageType.flowHello: {
      if (!exact(FLOW_HELLO_BYTES)) return malformed(`flow hello of ${bytes.length} bytes`);
      const sizeBytes = view.getFloat64(12);
      if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 1) {
        return malformed(`flow size ${sizeBytes}`);
      }
      return { kind: "ok", message: { type: "flowHello", jobId, sizeBytes } };
    }
    case MessageType.flowAck:
      if (!exact(PREFIX_BYTES)) return malformed(`flow ack of ${bytes.length} bytes`);
      return { kind: "ok", message: { type: "flowAck", jobId } };
    case MessageType.count: {
      if (!exact(COUNT_BYTES)) return malformed(`count of ${bytes.length} bytes`);
      const m: CountMessage = {
        type: "count",
        jobId,
        flags,
        group: view.getUint16(12),
        transfer: view.getUint32(16),
        uniqueChunks: view.getUint32(20),
        totalChunks: view.getUint32(24),
        seq: view.getUint32(28),
      };
      if (m.uniqueChunks > m.totalChunks) return malformed("count above its total");
      return { kind: "ok", message: m };
    }
    case MessageType.jobDone:
      if (!exact(JOB_DONE_BYTES)) return malformed(`job-done of ${bytes.length} bytes`);
      return {
        kind: "ok",
        message: {
          type: "jobDone",
          jobId,
          group: view.getUint16(12),
          deliveredChunks: view.getUint32(16),
          neededChunks: view.getUint32(20),
        },
      };
    default:
      return malformed(`unknown message type ${type}`);
  }
}

/**
 * Cuts a TCP byte stream into messages. Feed it what the socket delivers; it returns
 * the complete messages and keeps the rest. A foreign or malformed header poisons the
 * stream (there is no way to resynchronise), which the caller reports and closes.
 */
export class StreamDecoder {
  private pending: Uint8Array = new Uint8Array(0);

  push(bytes: Uint8Array): { messages: Message[]; error?: { kind: string; detail: string } } {
    this.pending = this.pending.length === 0 ? bytes : concat(this.pending, bytes);
    const messages: Message[] = [];
    let offset = 0;
    for (;;) {
      const rest = this.pending.subarray(offset);
      const length = messageLength(rest);
      if (length === "need-more") break;
      if (typeof length !== "number") return { messages, error: length };
      if (rest.length < length) break;
      const result = decode(rest.subarray(0, length));
      if (result.kind !== "ok") return { messages, error: result };
      messages.push(result.message);
      offset += length;
    }
    // Keep only the unconsumed tail; copy so a large socket buffer is not pinned.
    this.pending = offset === 0 ? this.pending : this.pending.slice(offset);
    return { messages };
  }

  /** Bytes received but not yet forming a whole message. */
  get buffered(): number {
    return this.pending.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
