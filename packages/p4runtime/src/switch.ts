// One P4Runtime switch with an explicit lifecycle:
//
//   idle → connecting → arbitrating → configuring (primary only) → ready
//     ↑                                                               │
//     └──────────── down (stream lost) ← retry after backoff ←────────┘
//
// While primary, the switch pushes its pipeline when the installed cookie differs
// (and skips the push when it matches). Everything that happens is published as
// rxjs Observables: lifecycle events, state, role, packet-ins, digests, idle
// timeouts and stream errors. Writes are refused locally unless this client is
// the primary, so a demoted primary stops writing at once.
//
// One file over 500 lines: the Switch session's lifecycle, stream, arbitration and RPCs
// share one connection state machine.
import { create } from "@bufbuild/protobuf";
import type { ClientDuplexStream } from "@grpc/grpc-js";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { BehaviorSubject, Subject, type Observable } from "rxjs";
import {
  GetForwardingPipelineConfigRequest_ResponseType,
  SetForwardingPipelineConfigRequest_Action,
  StreamMessageRequestSchema,
  UpdateSchema,
  type Entity,
  type ForwardingPipelineConfig,
  type StreamMessageRequest,
  type StreamMessageResponse,
  type Update,
} from "./proto/p4/v1/p4runtime_pb.js";
import {
  Arbitrator,
  arbitrationRequest,
  type ArbitrationTransition,
  type Role,
} from "./arbitrator.js";
import { P4RuntimeClient, type ClientOptions } from "./client.js";
import {
  decodeEntity,
  decodeTableEntry,
  encodeEntity,
  encodeUpdateSpecs,
  entityKey,
  UPDATE_TYPES,
  wildcard,
  type EntitySpec,
  type TableEntrySpec,
  type UpdateSpec,
} from "./entities.js";
import { codeName, P4RuntimeError, type UpdateResult } from "./errors.js";
import { canonicalP4Info, digest64, P4Schema } from "./p4info.js";
import { decodeP4Data, type P4DecodedData } from "./p4data.js";
import { deletionPhases } from "./order.js";
import {
  bigintToBytes,
  bytesToBigint,
  encodeValue,
  formatValue,
  fromUint128,
  P4ValueError,
  type P4Value,
} from "./values.js";
import type { P4Data } from "./proto/p4/v1/p4data_pb.js";

export type SwitchState =
  "idle" | "connecting" | "arbitrating" | "configuring" | "ready" | "down" | "stopped";

/** The program to run on the switch. */
export interface PipelineConfig {
  schema: P4Schema;
  /** Target bytes: BMv2 JSON, a Tofino package, ... */
  deviceConfig: Uint8Array;
  /** Identifies this exact pipeline; derived from the P4Info and device config when absent. */
  cookie?: bigint;
  /** VERIFY_AND_COMMIT (default) or RECONCILE_AND_COMMIT to keep forwarding state. */
  action?: "verify_and_commit" | "reconcile_and_commit";
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export interface SwitchOptions extends Omit<ClientOptions, "address"> {
  /** A name for logs and events (e.g. the topology's switch name). */
  name: string;
  address: string;
  /** Unset: this client never becomes primary (a read-only observer). */
  electionId?: bigint;
  /** Pushed when primary; when absent the switch's own P4Info is fetched and used. */
  pipeline?: PipelineConfig;
  connectTimeoutMs?: number;
  arbitrationTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  /** Acknowledge digest lists as they arrive (default true). */
  autoAckDigests?: boolean;
}

export type SwitchEvent =
  | { type: "connecting"; attempt: number }
  | { type: "channel_up" }
  | { type: "primary"; electionId: bigint }
  | { type: "backup"; primaryElectionId: bigint | undefined }
  /** The switch has no primary: this client bids for the seat with `electionId`. */
  | { type: "rebid"; electionId: bigint; highestSeen: bigint | undefined }
  | { type: "pipeline_pushed"; cookie: bigint }
  | { type: "pipeline_skipped"; cookie: bigint }
  | { type: "ready"; role: Role }
  | { type: "down"; reason: string }
  | { type: "retry"; delayMs: number }
  | { type: "stream_error"; code: number; message: string }
  | { type: "stopped" };

export type TimedSwitchEvent = SwitchEvent & { switch: string; time: number };

export interface PacketIn {
  payload: Uint8Array;
  /** packet_in metadata by name. */
  metadata: Record<string, bigint>;
}

export interface DigestMessage {
  digest: string;
  listId: bigint;
  data: P4Data[];
  timestamp: bigint;
  /** `data` decoded by the digest's type in the P4Info (struct members by name ...). */
  values?: P4DecodedData[];
  /** Why `values` is missing: the data did not match the P4Info's type. */
  decodeError?: string;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 5_000, factor: 2 };

/** Delay before retry number `attempt` (0-based), with ±20% jitter to avoid retry storms. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random = Math.random,
): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** attempt);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * The cookie of a pipeline: given, or a digest of its P4Info (in a canonical form, so
 * the same program loaded from JSON, text or binary has the same cookie) and device config.
 */
export function pipelineCookie(pipeline: PipelineConfig): bigint {
  return (
    pipeline.cookie ?? digest64(canonicalP4Info(pipeline.schema.p4info), pipeline.deviceConfig)
  );
}

export class Switch {
  readonly name: string;
  readonly client: P4RuntimeClient;
  private readonly options: SwitchOptions;
  private readonly arbitrator: Arbitrator;
  private readonly backoff: BackoffOptions;
  private schemaValue: P4Schema | undefined;

  private readonly eventsSubject = new Subject<TimedSwitchEvent>();
  private readonly stateSubject = new BehaviorSubject<SwitchState>("idle");
  private readonly roleSubject = new BehaviorSubject<Role>("none");
  private readonly packetsSubject = new Subject<PacketIn>();
  private readonly digestsSubject = new Subject<DigestMessage>();
  private readonly idleTimeoutsSubject = new Subject<TableEntrySpec[]>();

  /** Lifecycle events. */
  readonly events$: Observable<TimedSwitchEvent> = this.eventsSubject.asObservable();
  readonly state$: Observable<SwitchState> = this.stateSubject.asObservable();
  readonly role$: Observable<Role> = this.roleSubject.asObservable();
  readonly packetIn$: Observable<PacketIn> = this.packetsSubject.asObservable();
  readonly digest$: Observable<DigestMessage> = this.digestsSubject.asObservable();
  readonly idleTimeout$: Observable<TableEntrySpec[]> = this.idleTimeoutsSubject.asObservable();

  private stream: ClientDuplexStream<StreamMessageRequest, StreamMessageResponse> | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  /** The current session's channel came up (a failure after that is backed off). */
  private connected = false;
  private wakeUp: (() => void) | undefined;
  /** Serialises work triggered by stream messages (e.g. a promotion to primary). */
  private work: Promise<void> = Promise.resolve();

  constructor(options: SwitchOptions) {
    this.options = options;
    this.name = options.name;
    this.client = new P4RuntimeClient(options);
    this.client.electionId = options.electionId;
    this.arbitrator = new Arbitrator(options.electionId);
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.schemaValue = options.pipeline?.schema;
  }

  get state(): SwitchState {
    return this.stateSubject.value;
  }

  get role(): Role {
    return this.roleSubject.value;
  }

  get isPrimary(): boolean {
    return this.role === "primary";
  }

  /** The P4Info in use; throws before it is known (no pipeline given, not yet fetched). */
  get schema(): P4Schema {
    if (this.schemaValue === undefined) {
      throw new Error(
        `switch ${this.name}: its P4Info is not known yet (no pipeline given and none fetched)`,
      );
    }
    return this.schemaValue;
  }

  /** Starts the lifecycle; returns at once. */
  start(): void {
    if (this.loop !== undefined) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Ends the session and the lifecycle, and closes the channel. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    this.stream?.cancel();
    await this.loop;
    this.loop = undefined;
    this.client.close();
  }

  /** Resolves when the switch is ready (optionally: as primary); rejects after timeoutMs. */
  whenReady(options: { primary?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const ok = () => this.state === "ready" && (!options.primary || this.isPrimary);
    if (ok()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.unsubscribe();
        reject(
          new Error(
            `switch ${this.name} (${this.client.address}) not ready${options.primary ? " as primary" : ""} after ${options.timeoutMs}ms (state ${this.state}, role ${this.role})`,
          ),
        );
      }, options.timeoutMs ?? 10_000);
      const sub = this.eventsSubject.subscribe(() => {
        if (ok()) {
          clearTimeout(timer);
          sub.unsubscribe();
          resolve();
        }
      });
    });
  }

  private emit(event: SwitchEvent): void {
    this.eventsSubject.next({ ...event, switch: this.name, time: Date.now() });
  }

  private setState(state: SwitchState): void {
    if (this.stateSubject.value !== state) this.stateSubject.next(state);
  }

  private setRole(role: Role): void {
    if (this.roleSubject.value !== role) this.roleSubject.next(role);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      let reachedReady = false;
      this.connected = false;
      const started = Date.now();
      try {
        reachedReady = await this.session(attempt);
      } catch (err) {
        if (!this.stopping) this.markDown((err as Error).message);
      }
      this.stream = undefined;
      if (this.stopping) break;
      if (reachedReady) attempt = 0;
      // Waiting for the channel (until the connect timeout) already retried with gRPC's
      // reconnect back-off: sleeping on top of it would only delay finding a switch that
      // came back. Back off when the switch answered and the session still failed, or the
      // wait for the channel ended early.
      const waitedForChannel =
        !this.connected && Date.now() - started >= (this.options.connectTimeoutMs ?? 5_000) / 2;
      const delayMs = waitedForChannel ? 0 : backoffDelay(attempt++, this.backoff);
      this.emit({ type: "retry", delayMs });
      await this.sleep(delayMs);
    }
    this.setState("stopped");
    this.emit({ type: "stopped" });
  }

  /** One session: resolves true when it ended after reaching ready, throws when it failed before. */
  private async session(attempt: number): Promise<boolean> {
    this.setState("connecting");
    this.emit({ type: "connecting", attempt });
    await this.client.waitForReady(this.options.connectTimeoutMs ?? 5_000);
    this.connected = true;
    this.emit({ type: "channel_up" });

    this.setState("arbitrating");
    const stream = this.client.openStream();
    this.stream = stream;
    let firstArbitration: (() => void) | undefined;
    const arbitrated = new Promise<void>((resolve) => (firstArbitration = resolve));
    const ended = new Promise<string>((resolve) => {
      stream.on("data", (msg: StreamMessageResponse) => {
        if (msg.update.case === "arbitration") {
          // A bid for an empty seat is answered by another update: wait for that one.
          if (this.onArbitration(msg, stream)) return;
          firstArbitration?.();
          firstArbitration = undefined;
        } else {
          this.onStreamMessage(msg);
        }
      });
      stream.on("error", (err: Error & { code?: number; details?: string }) =>
        resolve(
          `stream error: ${codeName(err.code ?? GrpcStatus.UNKNOWN)}: ${err.details ?? err.message}`,
        ),
      );
      stream.on("end", () => resolve("stream closed by the switch"));
    });
    stream.write(
      arbitrationRequest(this.client.deviceId, this.options.electionId, this.client.role),
    );

    const timeoutMs = this.options.arbitrationTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const first = await Promise.race([
      arbitrated.then(() => "ok"),
      ended,
      new Promise<string>(
        (r) =>
          (timer = setTimeout(() => r(`no arbitration answer within ${timeoutMs}ms`), timeoutMs)),
      ),
    ]);
    clearTimeout(timer);
    if (first !== "ok") {
      stream.cancel();
      throw new Error(first);
    }

    this.setState("configuring");
    try {
      await this.work; // a promotion handled in onArbitration may already configure
      if (this.isPrimary) await this.configure();
      else if (this.schemaValue === undefined) await this.fetchSchema();
    } catch (err) {
      // Close the stream: left open, the switch keeps this election id taken and refuses
      // the next session's arbitration ("Election id already exists" on BMv2).
      stream.cancel();
      throw err;
    }
    this.setState("ready");
    this.emit({ type: "ready", role: this.role });

    const reason = await ended;
    if (!this.stopping) this.markDown(reason);
    return true;
  }

  /** State, role and event of a lost session, in that order, so listeners see a consistent switch. */
  private markDown(reason: string): void {
    this.arbitrator.reset();
    this.client.electionId = this.arbitrator.bid;
    this.setRole("none");
    this.setState("down");
    this.emit({ type: "down", reason });
  }

  /** Applies an arbitration update; returns true when it bid again (an answer will follow). */
  private onArbitration(
    msg: StreamMessageResponse,
    stream: ClientDuplexStream<StreamMessageRequest, StreamMessageResponse>,
  ): boolean {
    if (msg.update.case !== "arbitration") return false;
    const t = this.arbitrator.receive(msg.update.value);
    this.client.electionId = this.arbitrator.bid;
    this.setRole(t.after.role);
    if (t.rebid !== undefined) {
      this.emit({
        type: "rebid",
        electionId: t.rebid,
        highestSeen: highestIn(msg.update.value.electionId),
      });
      stream.write(arbitrationRequest(this.client.deviceId, t.rebid, this.client.role));
    }
    this.onRoleChange(t);
    return t.rebid !== undefined;
  }

  private onRoleChange(t: ArbitrationTransition): void {
    if (!t.changed) return;
    if (t.after.role === "primary") {
      this.emit({ type: "primary", electionId: this.arbitrator.bid! });
      // Promoted while ready: make sure the pipeline is ours before announcing ready again.
      if (this.state === "ready") {
        this.work = this.work
          .then(() => this.configure())
          .then(() => this.emit({ type: "ready", role: "primary" }))
          .catch((err: Error) =>
            this.emit({ type: "stream_error", code: GrpcStatus.UNKNOWN, message: err.message }),
          );
      }
    } else {
      this.emit({ type: "backup", primaryElectionId: t.after.primaryElectionId });
    }
  }

  private onStreamMessage(msg: StreamMessageResponse): void {
    const u = msg.update;
    switch (u.case) {
      case "packet": {
        const metadata: Record<string, bigint> = {};
        const header = this.schemaValue?.controllerPacketMetadata.find("packet_in");
        for (const m of u.value.metadata) {
          const field = header?.metadata.find(m.metadataId);
          metadata[field?.name ?? String(m.metadataId)] = bytesToBigint(m.value);
        }
        this.packetsSubject.next({ payload: u.value.payload, metadata });
        break;
      }
      case "digest": {
        const schema = this.schemaValue;
        const digest = schema?.digests.find(u.value.digestId);
        const message: DigestMessage = {
          digest: digest?.name ?? String(u.value.digestId),
          listId: u.value.listId,
          data: u.value.data,
          timestamp: u.value.timestamp,
        };
        if (schema && digest) {
          try {
            message.values = u.value.data.map((d) =>
              decodeP4Data(schema.typeInfo, digest.typeSpec, d, `digest '${digest.name}'`),
            );
          } catch (err) {
            message.decodeError = (err as Error).message;
          }
        }
        this.digestsSubject.next(message);
        if (this.options.autoAckDigests ?? true) this.ackDigest(u.value.digestId, u.value.listId);
        break;
      }
      case "idleTimeoutNotification":
        if (this.schemaValue) {
          const schema = this.schemaValue;
          this.idleTimeoutsSubject.next(u.value.tableEntry.map((t) => decodeTableEntry(schema, t)));
        }
        break;
      case "error":
        this.emit({ type: "stream_error", code: u.value.canonicalCode, message: u.value.message });
        break;
      default:
        break;
    }
  }

  /** Pushes the pipeline unless the switch already runs it (same cookie). */
  private async configure(): Promise<void> {
    const pipeline = this.options.pipeline;
    if (pipeline === undefined) {
      if (this.schemaValue === undefined) await this.fetchSchema();
      return;
    }
    const cookie = pipelineCookie(pipeline);
    const installed = await this.installedPipeline(
      GetForwardingPipelineConfigRequest_ResponseType.COOKIE_ONLY,
    );
    if (installed?.cookie?.cookie === cookie) {
      this.emit({ type: "pipeline_skipped", cookie });
      return;
    }
    await this.client.setPipeline(
      { p4info: pipeline.schema.p4info, deviceConfig: pipeline.deviceConfig, cookie },
      pipeline.action === "reconcile_and_commit"
        ? SetForwardingPipelineConfigRequest_Action.RECONCILE_AND_COMMIT
        : SetForwardingPipelineConfigRequest_Action.VERIFY_AND_COMMIT,
    );
    this.emit({ type: "pipeline_pushed", cookie });
  }

  /**
   * The installed pipeline, or undefined when there is none. PI-based servers (BMv2's
   * simple_switch_grpc) answer FAILED_PRECONDITION while no pipeline is set; others an
   * empty config.
   */
  private async installedPipeline(
    responseType: GetForwardingPipelineConfigRequest_ResponseType,
  ): Promise<ForwardingPipelineConfig | undefined> {
    try {
      return await this.client.getPipeline(responseType);
    } catch (err) {
      if (err instanceof P4RuntimeError && err.code === GrpcStatus.FAILED_PRECONDITION)
        return undefined;
      throw err;
    }
  }

  private async fetchSchema(): Promise<void> {
    const config = await this.installedPipeline(
      GetForwardingPipelineConfigRequest_ResponseType.P4INFO_AND_COOKIE,
    );
    if (config?.p4info === undefined) {
      throw new Error(`switch ${this.name} runs no pipeline and none was given to push`);
    }
    this.schemaValue = new P4Schema(config.p4info, `P4Info of switch ${this.name}`);
  }

  // ------------------------------------------------------------ operations

  private requirePrimary(what: string): void {
    if (!this.isPrimary || this.state !== "ready") {
      throw new P4RuntimeError(
        what,
        GrpcStatus.PERMISSION_DENIED,
        `switch ${this.name} is ${this.state} and ${this.role}, not a ready primary; refused locally`,
        this.client.address,
      );
    }
  }

  /** Encodes update specs through the schema (all checks happen before anything is sent). */
  encodeUpdates(updates: readonly UpdateSpec[]): Update[] {
    return updates.map((u) =>
      create(UpdateSchema, {
        type: UPDATE_TYPES[u.type],
        entity: encodeEntity(this.schema, u.entity),
      }),
    );
  }

  /**
   * Writes updates (specs or encoded) in order. Resolves with one OK result per
   * update; rejects with a WriteError whose failures name their entities. Specs
   * are checked and serialised straight to bytes, all before anything is sent.
   */
  async write(
    updates: readonly UpdateSpec[] | readonly Update[],
    options: { inFlight?: number } = {},
  ): Promise<UpdateResult[]> {
    this.requirePrimary("Write");
    if (updates.length === 0 || "$typeName" in updates[0]!) {
      const messages = updates as readonly Update[];
      return this.client.write(messages, {
        ...options,
        describe: (i) => describeUpdate(this.schemaValue, messages[i]!),
      });
    }
    const specs = updates as readonly UpdateSpec[];
    const schema = this.schema;
    return this.client.writeEncoded(encodeUpdateSpecs(schema, specs), {
      ...options,
      // Only failed updates are described: their messages are made then.
      describe: (i) => describeUpdate(schema, this.encodeUpdates([specs[i]!])[0]!),
    });
  }

  /** Inserts entities (one Write per batch, in order); resolves with one result each. */
  insert(entities: EntitySpec | readonly EntitySpec[]): Promise<UpdateResult[]> {
    return this.write(updatesOf("insert", entities));
  }

  modify(entities: EntitySpec | readonly EntitySpec[]): Promise<UpdateResult[]> {
    return this.write(updatesOf("modify", entities));
  }

  delete(entities: EntitySpec | readonly EntitySpec[]): Promise<UpdateResult[]> {
    return this.write(updatesOf("delete", entities));
  }

  /**
   * Deletes every table entry (but const tables' and default entries), action profile
   * group and member, digest configuration, clone session and multicast group, in
   * dependency order. Cells (meters, counters, registers) and value sets are left as they
   * are. Resolves with the number of entities deleted.
   */
  async deleteAll(): Promise<number> {
    this.requirePrimary("Write");
    const installed: Entity[] = [];
    for (const request of deleteAllReads(this.schema)) {
      try {
        installed.push(...(await this.read([request])));
      } catch (err) {
        // A server that does not support a kind (e.g. no PRE reads) has none of it to delete.
        if (!(err instanceof P4RuntimeError && err.code === GrpcStatus.UNIMPLEMENTED)) throw err;
      }
    }
    let deleted = 0;
    for (const phase of deletionPhases(installed)) {
      await this.write(phase);
      deleted += phase.length;
    }
    return deleted;
  }

  /** Reads entities (protobuf requests, e.g. from `wildcard`); returns them as read. */
  read(requests: readonly Entity[]): Promise<Entity[]> {
    return this.client.readAll(requests);
  }

  /** Reads and decodes entities into specs. */
  async readSpecs(requests: readonly Entity[]): Promise<EntitySpec[]> {
    const schema = this.schema;
    return (await this.client.readAll(requests)).map((e) => decodeEntity(schema, e));
  }

  /** Sends a packet-out; metadata are packet_out header fields by name. */
  sendPacket(payload: Uint8Array, metadata: Record<string, P4Value> = {}): void {
    if (this.stream === undefined) throw new Error(`switch ${this.name}: no stream open`);
    const header = Object.keys(metadata).length
      ? this.schema.controllerPacketMetadata.get("packet_out")
      : undefined;
    const fields = header
      ? Object.entries(metadata).map(([name, value]) => {
          const f = header.metadata.get(name);
          if (f.unsupported) throw new P4ValueError(`packet_out field '${f.name}'`, f.unsupported);
          return {
            metadataId: f.id,
            value: encodeValue(value, f.bitwidth, `packet_out field '${f.name}'`),
          };
        })
      : [];
    this.stream.write(
      create(StreamMessageRequestSchema, {
        update: { case: "packet", value: { payload, metadata: fields } },
      }),
    );
  }

  ackDigest(digestId: number, listId: bigint): void {
    this.stream?.write(
      create(StreamMessageRequestSchema, {
        update: { case: "digestAck", value: { digestId, listId } },
      }),
    );
  }
}

function highestIn(id: { high: bigint; low: bigint } | undefined): bigint | undefined {
  return id === undefined ? undefined : fromUint128(id);
}

function updatesOf(
  type: UpdateSpec["type"],
  entities: EntitySpec | readonly EntitySpec[],
): UpdateSpec[] {
  const list = Array.isArray(entities)
    ? (entities as readonly EntitySpec[])
    : [entities as EntitySpec];
  return list.map((entity) => ({ type, entity }));
}

/** What deleteAll reads: every deletable kind the program has. */
function deleteAllReads(schema: P4Schema): Entity[] {
  const reads = [wildcard.tableEntries()];
  if (schema.actionProfiles.size > 0) {
    if ([...schema.actionProfiles].some((p) => p.withSelector))
      reads.push(wildcard.actionProfileGroups());
    reads.push(wildcard.actionProfileMembers());
  }
  if (schema.digests.size > 0) reads.push(wildcard.digests());
  reads.push(wildcard.cloneSessions(), wildcard.multicastGroups());
  return reads;
}

/** "INSERT table 'routing_v4' (t:...)" — names the entity an update concerns. */
export function describeUpdate(schema: P4Schema | undefined, update: Update): string {
  const type = ["UNSPECIFIED", "INSERT", "MODIFY", "DELETE"][update.type] ?? String(update.type);
  const entity = update.entity;
  if (entity === undefined) return `${type} (no entity)`;
  try {
    if (schema) return `${type} ${describeSpec(decodeEntity(schema, entity), schema)}`;
  } catch {
    // fall back to the raw key below
  }
  return `${type} ${entityKey(entity)}`;
}

/**
 * A short human description of an entity spec. With the schema, match values are
 * shown in their natural form (addresses for 32/48/128-bit fields): "10.0.1.0/24",
 * "10.0.0.0&&&255.0.0.0", "1000..2000".
 */
export function describeSpec(spec: EntitySpec, schema?: P4Schema): string {
  const show = (v: unknown, width?: number): string => {
    const one = (x: unknown) =>
      typeof x === "bigint" && width !== undefined
        ? formatValue(bigintToBytes(x), width)
        : String(x);
    if (typeof v !== "object" || v === null || v instanceof Uint8Array) return one(v);
    const o = v as Record<string, unknown>;
    if ("prefixLen" in o) return `${one(o.value)}/${String(o.prefixLen)}`;
    if ("mask" in o) return `${one(o.value)}&&&${one(o.mask)}`;
    if ("low" in o) return `${one(o.low)}..${one(o.high)}`;
    return Object.values(o).map(one).join("/");
  };
  switch (spec.kind) {
    case "tableEntry":
    case "directCounterEntry":
    case "directMeterEntry": {
      const t = spec.kind === "tableEntry" ? spec : spec.tableEntry;
      const fields = schema?.tables.find(t.table)?.matchFields;
      const match = Object.entries(t.match ?? {})
        .map(([k, v]) => `${k}=${show(v, fields?.find(k)?.bitwidth)}`)
        .join(" ");
      const kind =
        spec.kind === "tableEntry"
          ? "table"
          : spec.kind === "directCounterEntry"
            ? "direct counter of"
            : "direct meter of";
      return `${kind} '${t.table}' ${t.isDefault ? "default entry" : `{${match}}${t.priority ? ` priority ${t.priority}` : ""}`}`;
    }
    case "actionProfileMember":
      return `member ${spec.memberId} of '${spec.actionProfile}'`;
    case "actionProfileGroup":
      return `group ${spec.groupId} of '${spec.actionProfile}'`;
    case "counterEntry":
      return `counter '${spec.counter}'[${spec.index ?? "*"}]`;
    case "meterEntry":
      return `meter '${spec.meter}'[${spec.index ?? "*"}]`;
    case "registerEntry":
      return `register '${spec.register}'[${spec.index ?? "*"}]`;
    case "multicastGroupEntry":
      return `multicast group ${spec.multicastGroupId}`;
    case "cloneSessionEntry":
      return `clone session ${spec.sessionId}`;
    case "digestEntry":
      return `digest '${spec.digest}'`;
    case "valueSetEntry":
      return `value set '${spec.valueSet}' (${spec.members.length} members)`;
  }
}
