// The P4Runtime test switch: a real gRPC server (loopback by default) with the
// semantics of a P4Runtime device for whatever P4Info is pushed to it. It is the
// project's test double and the target of dry runs: arbitration among several
// clients, pipeline set/get with cookies, Write with per-update errors in the
// status details, Read with wildcards, counters and meters, digests, and
// packet-out echoed back as packet-in.
import { anyPack } from "@bufbuild/protobuf/wkt";
import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { StatusSchema } from "../proto/google/rpc/status_pb.js";
import type { P4Info } from "../proto/p4/config/v1/p4info_pb.js";
import type { P4Data } from "../proto/p4/v1/p4data_pb.js";
import {
  CapabilitiesResponseSchema,
  ErrorSchema,
  ForwardingPipelineConfigSchema,
  GetForwardingPipelineConfigRequest_ResponseType as ResponseType,
  GetForwardingPipelineConfigResponseSchema,
  ReadResponseSchema,
  SetForwardingPipelineConfigRequest_Action as PipelineAction,
  SetForwardingPipelineConfigResponseSchema,
  StreamMessageResponseSchema,
  WriteRequest_Atomicity,
  WriteResponseSchema,
  type Entity,
  type GetForwardingPipelineConfigRequest,
  type GetForwardingPipelineConfigResponse,
  type ReadRequest,
  type SetForwardingPipelineConfigRequest,
  type SetForwardingPipelineConfigResponse,
  type StreamMessageRequest,
  type StreamMessageResponse,
  type Uint128,
  type Update,
  type WriteRequest,
  type WriteResponse,
} from "../proto/p4/v1/p4runtime_pb.js";
import { p4RuntimeService } from "../p4runtime/grpc-service.js";
import { P4Schema } from "../p4runtime/p4info.js";
import { fromUint128, toUint128 } from "../p4runtime/values.js";
import { BMV2_QUIRKS, DeviceState, OK, type DeviceQuirks, type UpdateStatus } from "./device.js";

export const P4RUNTIME_API_VERSION = "1.5.0";

export interface TestSwitchTls {
  /** Server certificate and key (PEM). */
  cert: string | Buffer;
  key: string | Buffer;
  /** CA that signs client certificates; with `requireClientCert` this is mutual TLS. */
  ca?: string | Buffer;
  requireClientCert?: boolean;
}

export interface TestSwitchOptions {
  /** host:port to listen on; port 0 picks a free one. Default 127.0.0.1:0. */
  address?: string;
  deviceId?: bigint | number;
  quirks?: DeviceQuirks;
  tls?: TestSwitchTls;
  /** Fault injection: a status for updates that must fail (index within the batch). */
  writeFault?: (update: Update, index: number) => UpdateStatus | undefined;
  /** A pipeline installed from the start, as if a controller had pushed it. */
  pipeline?: { p4info: P4Info; deviceConfig?: Uint8Array; cookie?: bigint };
  /** Checks target bytes on VERIFY; returns an error message to refuse them. */
  verifyDeviceConfig?: (bytes: Uint8Array) => string | undefined;
}

interface Pipeline {
  schema: P4Schema;
  deviceConfig: Uint8Array;
  cookie: bigint | undefined;
}

type Stream = grpc.ServerDuplexStream<StreamMessageRequest, StreamMessageResponse>;

interface Session {
  stream: Stream;
  role: string;
  electionId: bigint | undefined;
}

/** Counts of what clients asked for, so tests can check e.g. "no writes at all". */
export interface TestSwitchStats {
  writeRpcs: number;
  updates: number;
  failedUpdates: number;
  readRpcs: number;
  pipelinePushes: number;
}

function rpcError(code: number, details: string, metadata?: grpc.Metadata): grpc.ServiceError {
  return Object.assign(new Error(details), {
    code,
    details,
    metadata: metadata ?? new grpc.Metadata(),
  }) as grpc.ServiceError;
}

/** A unary handler that answers with what `handle` returns, or with the gRPC error it throws. */
function unary<Req, Res>(
  handle: (request: Req) => Res,
): (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void {
  return (call, callback) => {
    try {
      callback(null, handle(call.request));
    } catch (err) {
      callback(err as grpc.ServiceError);
    }
  };
}

export class TestSwitch {
  readonly deviceId: bigint;
  private readonly options: TestSwitchOptions;
  private server: grpc.Server | undefined;
  private boundPort = 0;
  private pipeline: Pipeline | undefined;
  private saved: Pipeline | undefined;
  private state: DeviceState | undefined;
  private readonly sessions = new Set<Session>();
  private digestListId = 0n;
  readonly unackedDigests = new Map<string, { digestId: number; listId: bigint }>();
  readonly stats: TestSwitchStats = {
    writeRpcs: 0,
    updates: 0,
    failedUpdates: 0,
    readRpcs: 0,
    pipelinePushes: 0,
  };

  constructor(options: TestSwitchOptions = {}) {
    this.options = options;
    this.deviceId = BigInt(options.deviceId ?? 1);
    if (options.pipeline) this.installInitialPipeline();
  }

  private installInitialPipeline(): void {
    const p = this.options.pipeline!;
    const schema = new P4Schema(p.p4info, "test switch pipeline");
    this.pipeline = { schema, deviceConfig: p.deviceConfig ?? new Uint8Array(), cookie: p.cookie };
    this.state = new DeviceState(schema, this.options.quirks ?? BMV2_QUIRKS);
  }

  /** The device state of the installed pipeline, for tests to inspect or seed counters. */
  get device(): DeviceState | undefined {
    return this.state;
  }

  get port(): number {
    return this.boundPort;
  }

  get address(): string {
    const host = (this.options.address ?? "127.0.0.1:0").replace(/:\d+$/, "");
    return `${host}:${this.boundPort}`;
  }

  /** The current primary's election id for a role, if there is one. */
  primaryElectionId(role = ""): bigint | undefined {
    let best: bigint | undefined;
    for (const s of this.sessions) {
      if (
        s.role === role &&
        s.electionId !== undefined &&
        (best === undefined || s.electionId > best)
      )
        best = s.electionId;
    }
    return best;
  }

  resetStats(): void {
    Object.assign(this.stats, {
      writeRpcs: 0,
      updates: 0,
      failedUpdates: 0,
      readRpcs: 0,
      pipelinePushes: 0,
    });
  }

  /** Starts serving; resolves with the bound port. */
  async start(): Promise<number> {
    if (this.server) return this.boundPort;
    const server = new grpc.Server({
      "grpc.max_receive_message_length": 256 * 1024 * 1024,
      "grpc.max_send_message_length": 256 * 1024 * 1024,
    });
    server.addService(p4RuntimeService, {
      write: unary((req: WriteRequest) => this.write(req)),
      read: this.read.bind(this),
      setForwardingPipelineConfig: unary((req: SetForwardingPipelineConfigRequest) =>
        this.setPipeline(req),
      ),
      getForwardingPipelineConfig: unary((req: GetForwardingPipelineConfigRequest) =>
        this.getPipeline(req),
      ),
      streamChannel: this.streamChannel.bind(this),
      capabilities: unary(() =>
        create(CapabilitiesResponseSchema, { p4runtimeApiVersion: P4RUNTIME_API_VERSION }),
      ),
    });
    const tls = this.options.tls;
    const credentials = tls
      ? grpc.ServerCredentials.createSsl(
          tls.ca ? Buffer.from(tls.ca) : null,
          [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
          tls.requireClientCert ?? false,
        )
      : grpc.ServerCredentials.createInsecure();
    const address = this.boundPort ? this.address : (this.options.address ?? "127.0.0.1:0");
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, credentials, (err, port) => (err ? reject(err) : resolve(port))),
    );
    this.server = server;
    return this.boundPort;
  }

  /** Stops serving and ends every session (like a switch that shuts down cleanly). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sessions) s.stream.end();
    this.sessions.clear();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    server.forceShutdown();
  }

  /** Dies at once: connections drop and all state (pipeline included) is lost. */
  kill(): void {
    const server = this.server;
    this.server = undefined;
    this.sessions.clear();
    server?.forceShutdown();
    this.pipeline = undefined;
    this.saved = undefined;
    this.state = undefined;
  }

  /** A reboot: dies, then comes back on the same port with nothing installed. */
  async restart(): Promise<void> {
    this.kill();
    await this.start();
  }

  // ------------------------------------------------------------ arbitration

  private checkDevice(deviceId: bigint): void {
    if (deviceId !== this.deviceId)
      throw rpcError(
        grpc.status.NOT_FOUND,
        `no device ${deviceId} here (this is device ${this.deviceId})`,
      );
  }

  /** Write and SetForwardingPipelineConfig are allowed for the current primary only. */
  private checkPrimary(role: string, electionId: Uint128 | undefined): void {
    const primary = this.primaryElectionId(role);
    if (electionId === undefined || primary === undefined || fromUint128(electionId) !== primary) {
      throw rpcError(
        grpc.status.PERMISSION_DENIED,
        "not the primary client for this device and role",
      );
    }
  }

  private arbitrationFor(session: Session): StreamMessageResponse {
    const primary = this.primaryElectionId(session.role);
    const code =
      primary === undefined
        ? grpc.status.NOT_FOUND
        : primary === session.electionId
          ? grpc.status.OK
          : grpc.status.ALREADY_EXISTS;
    return create(StreamMessageResponseSchema, {
      update: {
        case: "arbitration",
        value: {
          deviceId: this.deviceId,
          role: session.role ? { name: session.role } : undefined,
          electionId: primary === undefined ? undefined : toUint128(primary),
          status: {
            code,
            message:
              code === grpc.status.OK ? "primary" : primary === undefined ? "no primary" : "backup",
          },
        },
      },
    });
  }

  private announce(role: string, primaryBefore: bigint | undefined, joined?: Session): void {
    const changed = this.primaryElectionId(role) !== primaryBefore;
    for (const s of this.sessions) {
      if (s.role === role && (changed || s === joined)) s.stream.write(this.arbitrationFor(s));
    }
  }

  private streamChannel(stream: Stream): void {
    let session: Session | undefined;
    const leave = () => {
      if (session === undefined || !this.sessions.has(session)) return;
      const before = this.primaryElectionId(session.role);
      this.sessions.delete(session);
      this.announce(session.role, before);
    };
    stream.on("data", (msg: StreamMessageRequest) => {
      const u = msg.update;
      if (u.case === "arbitration") {
        const a = u.value;
        if (a.deviceId !== this.deviceId) {
          stream.emit("error", rpcError(grpc.status.NOT_FOUND, `no device ${a.deviceId} here`));
          return;
        }
        const role = a.role?.name ?? "";
        const electionId = a.electionId === undefined ? undefined : fromUint128(a.electionId);
        for (const other of this.sessions) {
          if (
            other !== session &&
            other.role === role &&
            electionId !== undefined &&
            other.electionId === electionId
          ) {
            stream.emit(
              "error",
              rpcError(
                grpc.status.INVALID_ARGUMENT,
                `election id ${electionId} is already used by another client`,
              ),
            );
            return;
          }
        }
        const before = this.primaryElectionId(role);
        if (session === undefined) {
          session = { stream, role, electionId };
          this.sessions.add(session);
        } else {
          session.electionId = electionId;
        }
        this.announce(role, before, session);
        return;
      }
      if (session === undefined) {
        stream.emit(
          "error",
          rpcError(
            grpc.status.FAILED_PRECONDITION,
            "the first stream message must be an arbitration update",
          ),
        );
        return;
      }
      if (u.case === "packet") {
        if (this.primaryElectionId(session.role) !== session.electionId) {
          stream.write(
            this.streamError(grpc.status.PERMISSION_DENIED, "packet-out from a non-primary client"),
          );
          return;
        }
        stream.write(this.echo(u.value.payload, u.value.metadata));
      } else if (u.case === "digestAck") {
        this.unackedDigests.delete(`${u.value.digestId}/${u.value.listId}`);
      }
    });
    stream.on("end", () => {
      leave();
      stream.end();
    });
    stream.on("error", leave);
    stream.on("cancelled", leave);
  }

  private streamError(code: number, message: string): StreamMessageResponse {
    return create(StreamMessageResponseSchema, {
      update: { case: "error", value: { canonicalCode: code, message } },
    });
  }

  /**
   * Packet-out comes back as packet-in, as if looped back at its egress port:
   * metadata map by field name between the two headers, else by field id
   * (packet_out.egress_port 7 becomes packet_in.ingress_port 7).
   */
  private echo(
    payload: Uint8Array,
    metadata: { metadataId: number; value: Uint8Array }[],
  ): StreamMessageResponse {
    const schema = this.pipeline?.schema;
    const out = schema?.controllerPacketMetadata.find("packet_out");
    const into = schema?.controllerPacketMetadata.find("packet_in");
    const mapped = metadata.flatMap((m) => {
      const name = out?.metadata.find(m.metadataId)?.name;
      const target =
        (name === undefined ? undefined : into?.metadata.find(name)) ??
        into?.metadata.find(m.metadataId);
      return target ? [{ metadataId: target.id, value: m.value }] : [];
    });
    return create(StreamMessageResponseSchema, {
      update: { case: "packet", value: { payload, metadata: mapped } },
    });
  }

  /** Sends a digest list to the primary of the default role, if the digest is configured. */
  emitDigest(name: string, data: P4Data[]): boolean {
    const digest = this.pipeline?.schema.digests.get(name);
    if (digest === undefined || !this.state?.digestConfigured(digest.id)) return false;
    const primary = [...this.sessions].find(
      (s) =>
        s.role === "" && s.electionId !== undefined && s.electionId === this.primaryElectionId(""),
    );
    if (primary === undefined) return false;
    const listId = ++this.digestListId;
    this.unackedDigests.set(`${digest.id}/${listId}`, { digestId: digest.id, listId });
    primary.stream.write(
      create(StreamMessageResponseSchema, {
        update: {
          case: "digest",
          value: { digestId: digest.id, listId, data, timestamp: BigInt(Date.now()) * 1_000_000n },
        },
      }),
    );
    return true;
  }

  // ------------------------------------------------------------ unary RPCs

  private write(req: WriteRequest): WriteResponse {
    this.checkDevice(req.deviceId);
    this.checkPrimary(req.role, req.electionId);
    if (req.atomicity !== WriteRequest_Atomicity.CONTINUE_ON_ERROR) {
      throw rpcError(grpc.status.UNIMPLEMENTED, "only CONTINUE_ON_ERROR atomicity is supported");
    }
    if (this.state === undefined)
      throw rpcError(grpc.status.FAILED_PRECONDITION, "no forwarding pipeline is installed");
    this.stats.writeRpcs++;
    this.stats.updates += req.updates.length;
    const statuses = req.updates.map(
      (u, i) => this.options.writeFault?.(u, i) ?? this.state!.apply(u),
    );
    const failed = statuses.filter((s) => s.code !== grpc.status.OK).length;
    if (failed === 0) return create(WriteResponseSchema);
    this.stats.failedUpdates += failed;
    const status = create(StatusSchema, {
      code: grpc.status.UNKNOWN,
      message: `${failed} of ${statuses.length} updates failed`,
      details: statuses.map((s) =>
        anyPack(
          ErrorSchema,
          create(ErrorSchema, {
            canonicalCode: s.code,
            message: s.message,
            space: s === OK ? "" : "netapprox-test-switch",
          }),
        ),
      ),
    });
    const metadata = new grpc.Metadata();
    metadata.set("grpc-status-details-bin", Buffer.from(toBinary(StatusSchema, status)));
    throw rpcError(grpc.status.UNKNOWN, status.message, metadata);
  }

  private read(call: grpc.ServerWritableStream<ReadRequest, unknown>): void {
    try {
      const req = call.request;
      this.checkDevice(req.deviceId);
      if (this.state === undefined)
        throw rpcError(grpc.status.FAILED_PRECONDITION, "no forwarding pipeline is installed");
      if (req.entities.length === 0)
        throw rpcError(grpc.status.INVALID_ARGUMENT, "a read needs at least one entity");
      this.stats.readRpcs++;
      const found: Entity[] = [];
      for (const e of req.entities) {
        const r = this.state.readOrStatus(e);
        if (!Array.isArray(r)) throw rpcError(r.code, r.message);
        found.push(...r);
      }
      // Stream in chunks, as servers do for large tables.
      for (let i = 0; i < found.length; i += 1000) {
        call.write(create(ReadResponseSchema, { entities: found.slice(i, i + 1000) }));
      }
      call.end();
    } catch (err) {
      call.emit("error", err as grpc.ServiceError);
    }
  }

  private setPipeline(
    req: SetForwardingPipelineConfigRequest,
  ): SetForwardingPipelineConfigResponse {
    this.checkDevice(req.deviceId);
    this.checkPrimary(req.role, req.electionId);
    const verify = (): Pipeline => {
      const config = req.config;
      if (config?.p4info === undefined)
        throw rpcError(grpc.status.INVALID_ARGUMENT, "the config has no P4Info");
      let schema: P4Schema;
      try {
        schema = new P4Schema(config.p4info, "pushed P4Info");
      } catch (err) {
        throw rpcError(grpc.status.INVALID_ARGUMENT, (err as Error).message);
      }
      const problem = this.options.verifyDeviceConfig?.(config.p4DeviceConfig);
      if (problem) throw rpcError(grpc.status.INVALID_ARGUMENT, problem);
      return { schema, deviceConfig: config.p4DeviceConfig, cookie: config.cookie?.cookie };
    };
    const quirks = this.options.quirks ?? BMV2_QUIRKS;
    switch (req.action) {
      case PipelineAction.VERIFY:
        verify();
        break;
      case PipelineAction.VERIFY_AND_SAVE:
        this.saved = verify();
        break;
      case PipelineAction.COMMIT:
        if (this.saved === undefined)
          throw rpcError(grpc.status.FAILED_PRECONDITION, "nothing saved to commit");
        this.pipeline = this.saved;
        this.saved = undefined;
        this.state = new DeviceState(this.pipeline.schema, quirks);
        this.stats.pipelinePushes++;
        break;
      case PipelineAction.VERIFY_AND_COMMIT:
        this.pipeline = verify();
        this.state = new DeviceState(this.pipeline.schema, quirks);
        this.stats.pipelinePushes++;
        break;
      case PipelineAction.RECONCILE_AND_COMMIT: {
        const next = verify();
        const state = new DeviceState(next.schema, quirks);
        this.state?.carryOverTo(state);
        this.pipeline = next;
        this.state = state;
        this.stats.pipelinePushes++;
        break;
      }
      default:
        throw rpcError(grpc.status.INVALID_ARGUMENT, `unsupported pipeline action ${req.action}`);
    }
    return create(SetForwardingPipelineConfigResponseSchema);
  }

  private getPipeline(
    req: GetForwardingPipelineConfigRequest,
  ): GetForwardingPipelineConfigResponse {
    this.checkDevice(req.deviceId);
    const p = this.pipeline;
    // As BMv2's server (PI) answers before any pipeline was pushed.
    if (p === undefined)
      throw rpcError(
        grpc.status.FAILED_PRECONDITION,
        "No forwarding pipeline config set for this device",
      );
    const cookie = p.cookie === undefined ? undefined : { cookie: p.cookie };
    const t = req.responseType;
    const config = create(ForwardingPipelineConfigSchema, {
      cookie,
      p4info:
        t === ResponseType.ALL || t === ResponseType.P4INFO_AND_COOKIE
          ? p.schema.p4info
          : undefined,
      p4DeviceConfig:
        t === ResponseType.ALL || t === ResponseType.DEVICE_CONFIG_AND_COOKIE
          ? p.deviceConfig
          : new Uint8Array(),
    });
    return create(GetForwardingPipelineConfigResponseSchema, { config });
  }
}
