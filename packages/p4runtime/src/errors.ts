// Errors of P4Runtime calls, and the per-update results of a Write.
//
// A failed Write carries one p4.v1.Error per update (in order, OK for the ones
// that succeeded) inside a google.rpc.Status, serialised in the
// `grpc-status-details-bin` trailer. This module turns that into results matched
// to the updates. Pure: it only parses what grpc-js hands over.
import { anyIs, anyUnpack } from "@bufbuild/protobuf/wkt";
import { fromBinary } from "@bufbuild/protobuf";
import { status as GrpcStatus, type Metadata } from "@grpc/grpc-js";
import { StatusSchema, type Status } from "./proto/google/rpc/status_pb.js";
import { ErrorSchema } from "./proto/p4/v1/p4runtime_pb.js";

export const STATUS_DETAILS_KEY = "grpc-status-details-bin";

/** Name of a gRPC / google.rpc status code, e.g. 6 → "ALREADY_EXISTS". */
export function codeName(code: number): string {
  return (GrpcStatus as unknown as Record<number, string>)[code] ?? `CODE_${code}`;
}

/** A P4Runtime RPC that failed as a whole (connection lost, not primary, bad request). */
export class P4RuntimeError extends Error {
  readonly userFacing = true;
  constructor(
    readonly rpc: string,
    readonly code: number,
    readonly details: string,
    readonly address = "",
  ) {
    super(`${rpc}${address ? ` to ${address}` : ""} failed: ${codeName(code)}: ${details}`);
    this.name = "P4RuntimeError";
  }
}

/** The outcome of one update of a Write batch. */
export interface UpdateResult {
  /** Position of the update in the batch that was passed to write(). */
  readonly index: number;
  readonly ok: boolean;
  readonly code: number;
  readonly message: string;
  /** Error space and target-specific code, when the server gave them. */
  readonly space: string;
  readonly targetCode: number;
}

/**
 * A Write in which at least one update failed. `results` has one entry per
 * update; `failed` lists the failures, each naming its update via `describe`.
 */
export class WriteError extends Error {
  readonly userFacing = true;
  readonly failed: readonly UpdateResult[];
  constructor(
    readonly results: readonly UpdateResult[],
    /** Describes update i for messages (e.g. "INSERT table 'routing_v4' 10.0.0.0/8"). */
    readonly describe: (index: number) => string = (i) => `update #${i}`,
    readonly address = "",
  ) {
    const failed = results.filter((r) => !r.ok);
    const lines = failed
      .slice(0, 10)
      .map(
        (r) => `  ${describe(r.index)}: ${codeName(r.code)}${r.message ? `: ${r.message}` : ""}`,
      );
    if (failed.length > 10) lines.push(`  ... and ${failed.length - 10} more`);
    super(
      `Write${address ? ` to ${address}` : ""}: ${failed.length} of ${results.length} updates failed\n${lines.join("\n")}`,
    );
    this.name = "WriteError";
    this.failed = failed;
  }
}

/** Parses the binary google.rpc.Status of the details trailer, if present and valid. */
export function statusFromMetadata(metadata: Metadata | undefined): Status | undefined {
  const raw = metadata?.get(STATUS_DETAILS_KEY)[0];
  if (raw === undefined) return undefined;
  const bytes = typeof raw === "string" ? Buffer.from(raw, "base64") : raw;
  try {
    return fromBinary(StatusSchema, bytes);
  } catch {
    return undefined;
  }
}

/**
 * Per-update results of a failed Write of `count` updates. When the server gave
 * one p4.v1.Error per update they are used as they are; otherwise (a whole-batch
 * failure such as PERMISSION_DENIED, or details that do not line up) every update
 * gets the RPC's code, since none can be known to have succeeded.
 */
export function writeResults(
  count: number,
  rpcCode: number,
  rpcMessage: string,
  status: Status | undefined,
  offset = 0,
): UpdateResult[] {
  const errors = (status?.details ?? []).filter((d) => anyIs(d, ErrorSchema));
  if (errors.length === count && count > 0) {
    return errors.map((d, i) => {
      const e = anyUnpack(d, ErrorSchema)!;
      return {
        index: offset + i,
        ok: e.canonicalCode === GrpcStatus.OK,
        code: e.canonicalCode,
        message: e.message,
        space: e.space,
        targetCode: e.code,
      };
    });
  }
  return Array.from({ length: count }, (_, i) => ({
    index: offset + i,
    ok: false,
    code: rpcCode,
    message: status?.message || rpcMessage,
    space: "",
    targetCode: 0,
  }));
}
