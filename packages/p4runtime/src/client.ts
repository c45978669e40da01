// The P4Runtime RPC client: one gRPC channel to one device, and one method per RPC
// family (write, read, pipeline, capabilities, stream). It knows nothing of P4Info
// names; it sends and receives protobuf messages and turns failures into
// P4RuntimeError / WriteError with per-update results.
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { readFileSync } from "node:fs";
import type { P4Info } from "./proto/p4/config/v1/p4info_pb.js";
import {
  CapabilitiesRequestSchema,
  GetForwardingPipelineConfigRequest_ResponseType,
  GetForwardingPipelineConfigRequestSchema,
  ReadRequestSchema,
  SetForwardingPipelineConfigRequest_Action,
  SetForwardingPipelineConfigRequestSchema,
  WriteRequest_Atomicity,
  type CapabilitiesResponse,
  type Entity,
  type ForwardingPipelineConfig,
  type GetForwardingPipelineConfigResponse,
  type ReadResponse,
  type StreamMessageRequest,
  type StreamMessageResponse,
  type Update,
  type WriteResponse,
} from "./proto/p4/v1/p4runtime_pb.js";
import {
  P4RuntimeError,
  statusFromMetadata,
  WriteError,
  writeResults,
  type UpdateResult,
} from "./errors.js";
import { p4RuntimeService } from "./grpc-service.js";
import { toUint128 } from "./values.js";
import { EncodedUpdates, writeRequestBytes } from "./wire.js";

/** TLS settings: PEM contents or file paths. No `tls` at all means an insecure channel. */
export interface TlsOptions {
  /** CA certificate(s) that signed the switch's certificate; system roots when absent. */
  ca?: string | Buffer;
  /** Client certificate and key, for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Name to check the switch's certificate against, when it differs from the address. */
  serverName?: string;
}

/** How a write is sent: atomicity, how failed updates are named, batches in flight. */
export interface WriteOptions {
  atomicity?: WriteRequest_Atomicity;
  describe?: (i: number) => string;
  inFlight?: number;
}

export interface ClientOptions {
  /** host:port of the P4Runtime server. */
  address: string;
  /** P4Runtime device id; 0 is invalid from spec 1.5 on. */
  deviceId: bigint | number;
  /** Role name; empty or absent is the default role. */
  role?: string;
  tls?: TlsOptions;
  /** Deadline of each unary RPC (and of a whole Read). */
  rpcTimeoutMs?: number;
  /** Updates per Write RPC: error details travel in a trailer whose size grpc-js cannot raise. */
  maxBatchSize?: number;
  /** Largest response accepted (GetForwardingPipelineConfig can be many MB). */
  maxReceiveMessageBytes?: number;
  /** HTTP/2 keepalive ping interval; 0 disables. */
  keepaliveMs?: number;
  /**
   * gRPC's reconnect back-off while the switch is unreachable (default 100 ms growing to
   * 2 s). The longest wait bounds how late a switch that comes back is noticed.
   */
  reconnectBackoffMs?: { initialMs: number; maxMs: number };
}

export const DEFAULT_MAX_BATCH = 256;

function pem(value: string | Buffer | undefined): Buffer | null {
  if (value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  return value.includes("-----BEGIN") ? Buffer.from(value) : readFileSync(value);
}

/** gRPC channel credentials for the options: insecure, TLS, or mutual TLS. */
export function channelCredentials(tls: TlsOptions | undefined): grpc.ChannelCredentials {
  if (tls === undefined) return grpc.credentials.createInsecure();
  const key = pem(tls.key);
  const cert = pem(tls.cert);
  if ((key === null) !== (cert === null)) {
    throw new Error("mutual TLS needs both a client certificate and its key");
  }
  return grpc.credentials.createSsl(pem(tls.ca), key, cert);
}

const Client = grpc.makeGenericClientConstructor(p4RuntimeService, "P4Runtime");

export class P4RuntimeClient {
  readonly address: string;
  readonly deviceId: bigint;
  readonly role: string;
  /** The election id sent with writes and pipeline pushes; unset means "never primary". */
  electionId: bigint | undefined;
  private readonly grpcClient: grpc.Client;
  private readonly rpcTimeoutMs: number;
  readonly maxBatchSize: number;

  constructor(options: ClientOptions) {
    const deviceId = BigInt(options.deviceId);
    if (deviceId < 1n)
      throw new Error(
        `device id must be at least 1 (got ${deviceId}); 0 is invalid in P4Runtime 1.5`,
      );
    this.address = options.address;
    this.deviceId = deviceId;
    this.role = options.role ?? "";
    this.rpcTimeoutMs = options.rpcTimeoutMs ?? 10_000;
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH;
    const channelOptions: grpc.ChannelOptions = {
      "grpc.max_receive_message_length": options.maxReceiveMessageBytes ?? 256 * 1024 * 1024,
      "grpc.max_send_message_length": 256 * 1024 * 1024,
      // Reconnect quickly: a restarted switch should be found again soon after it is back.
      "grpc.initial_reconnect_backoff_ms": options.reconnectBackoffMs?.initialMs ?? 100,
      "grpc.max_reconnect_backoff_ms": options.reconnectBackoffMs?.maxMs ?? 2_000,
    };
    if ((options.keepaliveMs ?? 0) > 0) {
      channelOptions["grpc.keepalive_time_ms"] = options.keepaliveMs;
      channelOptions["grpc.keepalive_timeout_ms"] = 10_000;
    }
    if (options.tls?.serverName)
      channelOptions["grpc.ssl_target_name_override"] = options.tls.serverName;
    this.grpcClient = new Client(options.address, channelCredentials(options.tls), channelOptions);
  }

  private deadline(ms = this.rpcTimeoutMs): grpc.CallOptions {
    return { deadline: Date.now() + ms };
  }

  private unary<Req, Res>(
    name: string,
    request: Req,
    timeoutMs?: number,
    serialize = p4RuntimeService[name]!.requestSerialize as (r: Req) => Buffer,
  ): Promise<Res> {
    const def = p4RuntimeService[name]!;
    return new Promise((resolve, reject) => {
      this.grpcClient.makeUnaryRequest<Req, Res>(
        def.path,
        serialize,
        def.responseDeserialize as (b: Buffer) => Res,
        request,
        new grpc.Metadata(),
        this.deadline(timeoutMs),
        (err, value) => (err ? reject(err) : resolve(value as Res)),
      );
    });
  }

  /** Waits until the channel is connected; rejects with UNAVAILABLE after `timeoutMs`. */
  waitForReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.grpcClient.waitForReady(Date.now() + timeoutMs, (err) =>
        err
          ? reject(
              new P4RuntimeError("connect", grpc.status.UNAVAILABLE, err.message, this.address),
            )
          : resolve(),
      );
    });
  }

  /**
   * Writes updates in batches of at most maxBatchSize, continuing after a batch
   * with failures (CONTINUE_ON_ERROR semantics). Batches go one after another, so
   * later updates may depend on earlier ones; with `inFlight` > 1 that many
   * batches overlap, for bulk loads of independent updates only. Resolves with one
   * OK result per update, or rejects with a WriteError holding every update's result.
   */
  write(updates: readonly Update[], options: WriteOptions = {}): Promise<UpdateResult[]> {
    const encoded = new EncodedUpdates(updates.length);
    for (let i = 0; i < updates.length; i++) encoded.addUpdate(updates[i]!);
    return this.writeEncoded(encoded, options);
  }

  /**
   * `write` for updates already serialised (wire.ts): each batch's WriteRequest is
   * its head, a slice of those bytes and its tail, sent as they are.
   */
  async writeEncoded(updates: EncodedUpdates, options: WriteOptions = {}): Promise<UpdateResult[]> {
    const results: UpdateResult[] = new Array(updates.length);
    const starts: number[] = [];
    for (let start = 0; start < updates.length; start += this.maxBatchSize) starts.push(start);
    let failed = false;
    let abort: grpc.ServiceError | undefined;
    const head = {
      deviceId: this.deviceId,
      role: this.role,
      electionId: this.electionId === undefined ? undefined : toUint128(this.electionId),
      atomicity: options.atomicity ?? WriteRequest_Atomicity.CONTINUE_ON_ERROR,
    };
    const sendBatch = async (start: number): Promise<void> => {
      const count = Math.min(this.maxBatchSize, updates.length - start);
      if (abort !== undefined) {
        for (let i = 0; i < count; i++) {
          results[start + i] = {
            index: start + i,
            ok: false,
            code: abort.code,
            message: "not sent: an earlier batch failed as a whole",
            space: "",
            targetCode: 0,
          };
        }
        return;
      }
      const request = writeRequestBytes(head, updates, start, start + count);
      try {
        await this.unary<Buffer, WriteResponse>("write", request, undefined, (b) => b);
      } catch (err) {
        const e = err as grpc.ServiceError;
        if (typeof e.code !== "number") throw err;
        failed = true;
        writeResults(count, e.code, e.details, statusFromMetadata(e.metadata), start).forEach(
          (r) => (results[r.index] = r),
        );
        // A failure of the whole RPC (not per update) means the rest cannot go either.
        if (
          e.code === grpc.status.UNAVAILABLE ||
          e.code === grpc.status.PERMISSION_DENIED ||
          e.code === grpc.status.DEADLINE_EXCEEDED
        ) {
          abort = e;
        }
      }
    };
    const depth = Math.max(1, options.inFlight ?? 1);
    let next = 0;
    const lane = async () => {
      while (next < starts.length) await sendBatch(starts[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(depth, starts.length) }, lane));
    // The OK results are made last: alive while batches are in flight, thousands of
    // them would be copied by every scavenge the encoding's garbage sets off.
    for (let i = 0; i < results.length; i++) {
      results[i] ??= { index: i, ok: true, code: 0, message: "", space: "", targetCode: 0 };
    }
    if (failed) throw new WriteError(results, options.describe, this.address);
    return results;
  }

  /** Reads entities (empty fields are wildcards), yielding them as they stream in. */
  async *read(entities: readonly Entity[]): AsyncGenerator<Entity> {
    const def = p4RuntimeService.read!;
    const request = create(ReadRequestSchema, {
      deviceId: this.deviceId,
      role: this.role,
      entities: entities as Entity[],
    });
    const call = this.grpcClient.makeServerStreamRequest(
      def.path,
      def.requestSerialize as (r: typeof request) => Buffer,
      def.responseDeserialize as (b: Buffer) => ReadResponse,
      request,
      new grpc.Metadata(),
      this.deadline(),
    );
    try {
      for await (const response of call as AsyncIterable<ReadResponse>) {
        yield* response.entities;
      }
    } catch (err) {
      const e = err as grpc.ServiceError;
      if (typeof e.code !== "number") throw err;
      throw new P4RuntimeError("Read", e.code, e.details, this.address);
    } finally {
      call.cancel();
    }
  }

  /** All entities a Read returns, collected. */
  async readAll(entities: readonly Entity[]): Promise<Entity[]> {
    const out: Entity[] = [];
    for await (const e of this.read(entities)) out.push(e);
    return out;
  }

  /** Installs a pipeline (P4Info + target bytes + cookie). */
  async setPipeline(
    config: { p4info: P4Info; deviceConfig: Uint8Array; cookie?: bigint },
    action: SetForwardingPipelineConfigRequest_Action = SetForwardingPipelineConfigRequest_Action.VERIFY_AND_COMMIT,
  ): Promise<void> {
    const request = create(SetForwardingPipelineConfigRequestSchema, {
      deviceId: this.deviceId,
      role: this.role,
      electionId: this.electionId === undefined ? undefined : toUint128(this.electionId),
      action,
      config: {
        p4info: config.p4info,
        p4DeviceConfig: config.deviceConfig,
        cookie: config.cookie === undefined ? undefined : { cookie: config.cookie },
      },
    });
    try {
      // Pushing a program can take long on hardware: allow 6x the RPC deadline.
      await this.unary("setForwardingPipelineConfig", request, this.rpcTimeoutMs * 6);
    } catch (err) {
      throw this.rpcError("SetForwardingPipelineConfig", err);
    }
  }

  /** The installed pipeline, or part of it; `config` is undefined when none is installed. */
  async getPipeline(
    responseType: GetForwardingPipelineConfigRequest_ResponseType = GetForwardingPipelineConfigRequest_ResponseType.COOKIE_ONLY,
  ): Promise<ForwardingPipelineConfig | undefined> {
    const request = create(GetForwardingPipelineConfigRequestSchema, {
      deviceId: this.deviceId,
      responseType,
    });
    try {
      const response = await this.unary<typeof request, GetForwardingPipelineConfigResponse>(
        "getForwardingPipelineConfig",
        request,
      );
      return response.config;
    } catch (err) {
      throw this.rpcError("GetForwardingPipelineConfig", err);
    }
  }

  async capabilities(): Promise<CapabilitiesResponse> {
    const request = create(CapabilitiesRequestSchema, { deviceId: this.deviceId });
    try {
      return await this.unary<typeof request, CapabilitiesResponse>("capabilities", request);
    } catch (err) {
      throw this.rpcError("Capabilities", err);
    }
  }

  /** Opens the StreamChannel (no deadline: it lives as long as the session). */
  openStream(): grpc.ClientDuplexStream<StreamMessageRequest, StreamMessageResponse> {
    const def = p4RuntimeService.streamChannel!;
    return this.grpcClient.makeBidiStreamRequest(
      def.path,
      def.requestSerialize as (r: StreamMessageRequest) => Buffer,
      def.responseDeserialize as (b: Buffer) => StreamMessageResponse,
      new grpc.Metadata(),
      {},
    );
  }

  close(): void {
    this.grpcClient.close();
  }

  private rpcError(rpc: string, err: unknown): Error {
    const e = err as grpc.ServiceError;
    if (typeof e?.code !== "number") return err as Error;
    return new P4RuntimeError(rpc, e.code, e.details, this.address);
  }
}
