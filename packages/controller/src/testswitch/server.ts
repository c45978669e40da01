// The P4Runtime test switch: a real gRPC server (loopback by default) with the
// semantics of a P4Runtime device for whatever P4Info is pushed to it. It is the
// project's test double and the target of dry runs: arbitration among several
// clients, pipeline set/get with cookies, Write with per-update errors in the
// status details, Read with wildcards, counters and meters, digests, and
// packet-out echoed back as packet-in. It follows the specification; BMv2's
// differences are opt-in quirks (`quirks: BMV2_QUIRKS`).
//
// One file over 500 lines: the gRPC handlers (stream and arbitration, pipeline, Write,
// Read, packet I/O, digests) share the server's client and election state.
import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { StatusSchema } from "@netapprox/p4runtime/proto/google/rpc/status_pb.js";
import type { P4Info } from "@netapprox/p4runtime/proto/p4/config/v1/p4info_pb.js";
import type { P4Data } from "@netapprox/p4runtime/proto/p4/v1/p4data_pb.js";
import {
  CapabilitiesResponseSchema,
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
} from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import { p4RuntimeService } from "@netapprox/p4runtime/grpc-service.js";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";
import { fromUint128, toUint128 } from "@netapprox/p4runtime/values.js";
import { DeviceState, SPEC_BEHAVIOUR, type DeviceQuirks, type UpdateStatus } from "./device.js";
import { Election, type ArbitrationNotice } from "./election.js";
import { writeErrorStatus } from "./write-status.js";

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
  /** Where the switch behaves like BMv2 instead of the specification; default: none. */
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

/** A call held while the switch is frozen, answered (in order) when it thaws. */
type HeldCall = () => void;

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
  defer: (call: () => void) => void,
): (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void {
  return (call, callback) =>
    defer(() => {
      try {
        callback(null, handle(call.request));
      } catch (err) {
        callback(err as grpc.ServiceError);
      }
    });
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
  private election: Election<Session>;
  private frozen: HeldCall[] | undefined;
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
    this.election = this.newElection();
    if (options.pipeline) this.installInitialPipeline();
  }

  private get quirks(): DeviceQuirks {
    return this.options.quirks ?? SPEC_BEHAVIOUR;
  }

  private newElection(): Election<Session> {
    return new Election(this.quirks.promotesBackupOnPrimaryLoss ? "bmv2" : "spec");
  }

  private installInitialPipeline(): void {
    const p = this.options.pipeline!;
    const schema = new P4Schema(p.p4info, "test switch pipeline");
    this.pipeline = { schema, deviceConfig: p.deviceConfig ?? new Uint8Array(), cookie: p.cookie };
    this.state = new DeviceState(schema, this.quirks);
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
    return this.election.primaryElectionId(role);
  }

  /**
   * Fault injection: the switch stops answering (as a process under SIGSTOP does) while
   * its connections stay open. Calls and stream messages wait until `thaw()`.
   */
  freeze(): void {
    this.frozen ??= [];
  }

  /** Answers everything held since `freeze()`, in order, and serves normally again. */
  thaw(): void {
    const held = this.frozen ?? [];
    this.frozen = undefined;
    for (const call of held) call();
  }

  /** Runs `call` now, or when the switch thaws. */
  private whenAwake(call: HeldCall): void {
    if (this.frozen) this.frozen.push(call);
    else call();
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
    const defer = (call: HeldCall) => this.whenAwake(call);
    server.addService(p4RuntimeService, {
      write: unary((req: WriteRequest) => this.write(req), defer),
      read: (call: grpc.ServerWritableStream<ReadRequest, unknown>) => defer(() => this.read(call)),
      setForwardingPipelineConfig: unary(
        (req: SetForwardingPipelineConfigRequest) => this.setPipeline(req),
        defer,
      ),
      getForwardingPipelineConfig: unary(
        (req: GetForwardingPipelineConfigRequest) => this.getPipeline(req),
        defer,
      ),
      streamChannel: this.streamChannel.bind(this),
      capabilities: unary(
        () => create(CapabilitiesResponseSchema, { p4runtimeApiVersion: P4RUNTIME_API_VERSION }),
        defer,
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
    this.thaw();
    for (const s of this.sessions) s.stream.end();
    this.sessions.clear();
    this.election = this.newElection();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    server.forceShutdown();
  }

  /** Dies at once: connections drop and all state (pipeline included) is lost. */
  kill(): void {
    const server = this.server;
    this.server = undefined;
    this.frozen = undefined;
    this.sessions.clear();
    this.election = this.newElection();
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

  /**
   * Write and SetForwardingPipelineConfig: an unknown role is NOT_FOUND, then anyone but
   * the current primary of the role is refused (spec order: device, role, primary).
   */
  private checkPrimary(role: string, electionId: Uint128 | undefined): void {
    if (!this.election.knowsRole(role))
      throw rpcError(grpc.status.NOT_FOUND, `no role '${role}' on device ${this.deviceId}`);
    const primary = this.primaryElectionId(role);
    if (electionId === undefined || primary === undefined || fromUint128(electionId) !== primary) {
      throw rpcError(
        grpc.status.PERMISSION_DENIED,
        "not the primary client for this device and role",
      );
    }
  }

  private arbitrationUpdate(
    role: string,
    notice: ArbitrationNotice<Session>,
  ): StreamMessageResponse {
    const message =
      notice.code === grpc.status.OK
        ? "primary"
        : notice.code === grpc.status.NOT_FOUND
          ? "no primary"
          : "backup";
    return create(StreamMessageResponseSchema, {
      update: {
        case: "arbitration",
        value: {
          deviceId: this.deviceId,
          role: role ? { name: role } : undefined,
          electionId: notice.electionId === undefined ? undefined : toUint128(notice.electionId),
          status: { code: notice.code, message },
        },
      },
    });
  }

  private notify(role: string, notices: ArbitrationNotice<Session>[]): void {
    for (const n of notices) {
      if (this.sessions.has(n.client)) n.client.stream.write(this.arbitrationUpdate(role, n));
    }
  }

  private streamChannel(stream: Stream): void {
    let session: Session | undefined;
    const leave = () => {
      if (session === undefined || !this.sessions.has(session)) return;
      this.sessions.delete(session);
      this.notify(session.role, this.election.leave(session.role, session));
    };
    const receive = (msg: StreamMessageRequest) => {
      const u = msg.update;
      if (u.case === "arbitration") {
        const a = u.value;
        if (a.deviceId !== this.deviceId) {
          stream.emit("error", rpcError(grpc.status.NOT_FOUND, `no device ${a.deviceId} here`));
          return;
        }
        const role = a.role?.name ?? "";
        if (session !== undefined && role !== session.role) {
          stream.emit(
            "error",
            rpcError(
              grpc.status.FAILED_PRECONDITION,
              `this stream arbitrates for role '${session.role}'; open a new stream for '${role}'`,
            ),
          );
          return;
        }
        const electionId = a.electionId === undefined ? undefined : fromUint128(a.electionId);
        if (this.election.taken(role, session, electionId)) {
          stream.emit(
            "error",
            rpcError(
              grpc.status.INVALID_ARGUMENT,
              `election id ${electionId} is already used by another client`,
            ),
          );
          return;
        }
        if (session === undefined) {
          session = { stream, role, electionId };
          this.sessions.add(session);
        } else {
          session.electionId = electionId;
        }
        this.notify(role, this.election.arbitrate(role, session, electionId));
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
        if (this.election.primary(session.role) !== session) {
          stream.write(
            this.streamError(grpc.status.PERMISSION_DENIED, "packet-out from a non-primary client"),
          );
          return;
        }
        stream.write(this.echo(u.value.payload, u.value.metadata));
      } else if (u.case === "digestAck") {
        this.unackedDigests.delete(`${u.value.digestId}/${u.value.listId}`);
      }
    };
    stream.on("data", (msg: StreamMessageRequest) => this.whenAwake(() => receive(msg)));
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
    const primary = this.election.primary("");
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
    const status = writeErrorStatus(statuses, "netapprox-test-switch");
    const metadata = new grpc.Metadata();
    metadata.set("grpc-status-details-bin", Buffer.from(toBinary(StatusSchema, status)));
    throw rpcError(status.code, status.message, metadata);
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
    const quirks = this.quirks;
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
