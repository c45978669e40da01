// Client-side primary/backup election (P4Runtime spec §"Client Arbitration"):
// the request a client sends on its stream, and what the server's replies mean.
// Pure state: the switch feeds it messages and acts on the transitions.
import { create } from "@bufbuild/protobuf";
import { status as GrpcStatus } from "@grpc/grpc-js";
import {
  StreamMessageRequestSchema,
  type MasterArbitrationUpdate,
  type StreamMessageRequest,
} from "../proto/p4/v1/p4runtime_pb.js";
import { fromUint128, toUint128 } from "./values.js";

export type Role = "primary" | "backup" | "none";

export interface ArbitrationState {
  readonly role: Role;
  /** Election id of the current primary, when the server said there is one. */
  readonly primaryElectionId: bigint | undefined;
}

export interface ArbitrationTransition {
  readonly before: ArbitrationState;
  readonly after: ArbitrationState;
  readonly changed: boolean;
}

/**
 * The arbitration message a client sends to join a device's election. An unset
 * election id is sent as no election id at all (not zero): such a client is
 * never primary, which the spec allows for read-only observers.
 */
export function arbitrationRequest(
  deviceId: bigint,
  electionId: bigint | undefined,
  role = "",
): StreamMessageRequest {
  return create(StreamMessageRequestSchema, {
    update: {
      case: "arbitration",
      value: {
        deviceId,
        role: role ? { name: role } : undefined,
        electionId: electionId === undefined ? undefined : toUint128(electionId),
      },
    },
  });
}

export class Arbitrator {
  private current: ArbitrationState = { role: "none", primaryElectionId: undefined };

  constructor(readonly electionId: bigint | undefined) {}

  get state(): ArbitrationState {
    return this.current;
  }

  get isPrimary(): boolean {
    return this.current.role === "primary";
  }

  /**
   * Applies a MasterArbitrationUpdate from the server. Status OK means this client
   * is primary; ALREADY_EXISTS that another client is (its id is in the message);
   * NOT_FOUND that there is no primary at all.
   */
  receive(msg: MasterArbitrationUpdate): ArbitrationTransition {
    const before = this.current;
    const code = msg.status?.code ?? GrpcStatus.OK;
    const primaryId = msg.electionId === undefined ? undefined : fromUint128(msg.electionId);
    let after: ArbitrationState;
    if (code === GrpcStatus.OK && this.electionId !== undefined && primaryId === this.electionId) {
      after = { role: "primary", primaryElectionId: primaryId };
    } else if (code === GrpcStatus.NOT_FOUND) {
      after = { role: "backup", primaryElectionId: undefined };
    } else {
      after = { role: "backup", primaryElectionId: primaryId };
    }
    this.current = after;
    return {
      before,
      after,
      changed: before.role !== after.role || before.primaryElectionId !== after.primaryElectionId,
    };
  }

  /** The session ended: nobody knows who is primary any more. */
  reset(): void {
    this.current = { role: "none", primaryElectionId: undefined };
  }
}
