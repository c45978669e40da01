// The packet replication engine's two kinds, which travel under one Entity case:
// multicast groups and clone sessions.
import { bigintToBytes, bytesToBigint, P4ValueError } from "../values.js";
import type { CodecOf, EntityValue } from "./codec.js";
import { checkU32 } from "./common.js";
import type { ReplicaSpec } from "./specs.js";

type PreEntry = EntityValue<"packetReplicationEngineEntry">;

export const multicastGroupEntryCodec: CodecOf<
  "multicastGroupEntry",
  "packetReplicationEngineEntry"
> = {
  kind: "multicastGroupEntry",
  protoCase: "packetReplicationEngineEntry",
  // No holds(): an entry with neither kind is taken as a multicast group (and fails to decode).
  encode: (_schema, spec) => ({
    entity: {
      case: "packetReplicationEngineEntry",
      value: {
        type: {
          case: "multicastGroupEntry",
          value: {
            multicastGroupId: checkU32(spec.multicastGroupId, "multicast group id"),
            replicas: spec.replicas.map(replicaInit),
            metadata: spec.metadata ?? new Uint8Array(),
          },
        },
      },
    },
  }),
  decode(_schema, value) {
    const t = value.type;
    if (t.case !== "multicastGroupEntry") throw neither();
    return {
      kind: "multicastGroupEntry",
      multicastGroupId: t.value.multicastGroupId,
      replicas: t.value.replicas.map(decodeReplica),
      ...(t.value.metadata.length ? { metadata: t.value.metadata } : {}),
    };
  },
  key: (value) =>
    value.type.case === "multicastGroupEntry" ? `mc:${value.type.value.multicastGroupId}` : "pre:?",
};

export const cloneSessionEntryCodec: CodecOf<"cloneSessionEntry", "packetReplicationEngineEntry"> =
  {
    kind: "cloneSessionEntry",
    protoCase: "packetReplicationEngineEntry",
    holds: (value: PreEntry) => value.type.case === "cloneSessionEntry",
    encode: (_schema, spec) => ({
      entity: {
        case: "packetReplicationEngineEntry",
        value: {
          type: {
            case: "cloneSessionEntry",
            value: {
              sessionId: checkU32(spec.sessionId, "clone session id"),
              replicas: spec.replicas.map(replicaInit),
              classOfService: spec.classOfService ?? 0,
              packetLengthBytes: spec.packetLengthBytes ?? 0,
            },
          },
        },
      },
    }),
    decode(_schema, value) {
      const t = value.type;
      if (t.case !== "cloneSessionEntry") throw neither();
      return {
        kind: "cloneSessionEntry",
        sessionId: t.value.sessionId,
        replicas: t.value.replicas.map(decodeReplica),
        ...(t.value.classOfService ? { classOfService: t.value.classOfService } : {}),
        ...(t.value.packetLengthBytes ? { packetLengthBytes: t.value.packetLengthBytes } : {}),
      };
    },
    key: (value) =>
      value.type.case === "cloneSessionEntry" ? `cs:${value.type.value.sessionId}` : "pre:?",
  };

function neither() {
  return new P4ValueError(
    "packet replication engine entry",
    "has neither a multicast group nor a clone session",
  );
}

function replicaInit(r: ReplicaSpec) {
  const port =
    typeof r.port === "number" ? bigintToBytes(BigInt(checkU32(r.port, "replica port"))) : r.port;
  return { portKind: { case: "port" as const, value: port }, instance: r.instance ?? 0 };
}

function decodeReplica(r: {
  portKind:
    | { case: "egressPort"; value: number }
    | { case: "port"; value: Uint8Array }
    | { case: undefined };
  instance: number;
}): ReplicaSpec {
  const port =
    r.portKind.case === "egressPort"
      ? r.portKind.value
      : r.portKind.case === "port"
        ? Number(bytesToBigint(r.portKind.value))
        : 0;
  return { port, instance: r.instance };
}
