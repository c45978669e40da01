// Client-side primary/backup election (P4Runtime spec §"Client Arbitration"):
// the request a client sends on its stream, and what the server's replies mean.
// Pure state: the switch feeds it messages and acts on the transitions.
//
// When the primary goes away, a server that follows the specification leaves the
// device without a primary (NOT_FOUND) until a client bids an election id at least as
// high as the highest it has seen; BMv2 instead promotes the best backup itself. So on
// NOT_FOUND a backup bids again, with the highest id seen plus its own configured id:
// the bid wins the empty seat, and when several backups bid at once the one configured
// highest ends up primary (its bid is the highest) with no two bids equal.
import { create } from "@bufbuild/protobuf";
import { status as GrpcStatus } from "@grpc/grpc-js";
import {
  StreamMessageRequestSchema,
  type MasterArbitrationUpdate,
  type StreamMessageRequest,
} from "./proto/p4/v1/p4runtime_pb.js";
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
  /** An election id to bid now (the switch has no primary); undefined: nothing to send. */
  readonly rebid: bigint | undefined;
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
  private bidValue: bigint | undefined;

  /** `electionId`: the configured id, bid first in every session. */
  constructor(readonly electionId: bigint | undefined) {
    this.bidValue = electionId;
  }

  get state(): ArbitrationState {
    return this.current;
  }

  /** The election id this client stands with now (writes must carry it). */
  get bid(): bigint | undefined {
    return this.bidValue;
  }

  get isPrimary(): boolean {
    return this.current.role === "primary";
  }

  /**
   * Applies a MasterArbitrationUpdate from the server. Status OK means this client
   * is primary; ALREADY_EXISTS that another client is (its id is in the message);
   * NOT_FOUND that there is no primary at all (the id, if any, is the highest seen),
   * and a client with an election id then bids for the seat.
   */
  receive(msg: MasterArbitrationUpdate): ArbitrationTransition {
    const before = this.current;
    const code = msg.status?.code ?? GrpcStatus.OK;
    const primaryId = msg.electionId === undefined ? undefined : fromUint128(msg.electionId);
    let after: ArbitrationState;
    let rebid: bigint | undefined;
    if (code === GrpcStatus.OK && this.bidValue !== undefined && primaryId === this.bidValue) {
      after = { role: "primary", primaryElectionId: primaryId };
    } else if (code === GrpcStatus.NOT_FOUND) {
      after = { role: "backup", primaryElectionId: undefined };
      rebid = this.nextBid(primaryId);
      this.bidValue = rebid ?? this.bidValue;
    } else {
      after = { role: "backup", primaryElectionId: primaryId };
    }
    this.current = after;
    return {
      before,
      after,
      changed: before.role !== after.role || before.primaryElectionId !== after.primaryElectionId,
      rebid,
    };
  }

  /** The bid that takes a seat left empty, given the highest id the server has seen. */
  private nextBid(highest: bigint | undefined): bigint | undefined {
    const own = this.electionId;
    const bid = this.bidValue;
    if (own === undefined || bid === undefined) return undefined; // an observer never bids
    if (highest === undefined || highest < bid) return bid;
    const next = highest + own;
    return next >> 128n === 0n ? next : highest; // stay within 128 bits
  }

  /** The session ended: nobody knows who is primary any more; bid the configured id again. */
  reset(): void {
    this.current = { role: "none", primaryElectionId: undefined };
    this.bidValue = this.electionId;
  }
}
