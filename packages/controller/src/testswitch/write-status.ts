// The google.rpc.Status a failed Write answers with, kept small enough to travel in the
// `grpc-status-details-bin` trailer. gRPC clients refuse trailers above a size limit
// (grpc-js about 64 KB, base64 included; C-core from 8 KB), and a refused trailer means
// no answer at all: the client waits for its deadline and the connection may be left
// unusable. So the details are summarised when they would be too large, in steps:
//   1. one p4.v1.Error per update, with every message;
//   2. one p4.v1.Error per update with its code, and message and error space for the
//      first failures only (which updates failed, and how, stays exact);
//   3. no per-update details: the status message counts the failures and quotes the first.
// Pure.
import { create, toBinary } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { status as Code } from "@grpc/grpc-js";
import { StatusSchema, type Status } from "@netapprox/p4runtime/proto/google/rpc/status_pb.js";
import { ErrorSchema } from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import { codeName } from "@netapprox/p4runtime/errors.js";

export interface UpdateOutcome {
  code: number;
  message: string;
}

/** Bytes of serialised status allowed in the trailer (about 22 KB once base64-encoded). */
export const DETAILS_BUDGET_BYTES = 16 * 1024;

/** How many failures are quoted in a summary message. */
const QUOTED = 5;

export function writeErrorStatus(
  outcomes: readonly UpdateOutcome[],
  space: string,
  budget = DETAILS_BUDGET_BYTES,
): Status {
  const failures = outcomes.flatMap((o, i) => (o.code === Code.OK ? [] : [i]));
  const message = `${failures.length} of ${outcomes.length} updates failed`;
  const status = (details: (o: UpdateOutcome, i: number) => string | undefined, note = "") =>
    create(StatusSchema, {
      code: Code.UNKNOWN,
      message: message + note,
      details: outcomes.map((o, i) => {
        const text = details(o, i);
        return anyPack(
          ErrorSchema,
          create(ErrorSchema, {
            canonicalCode: o.code,
            message: text ?? "",
            space: o.code === Code.OK || text === undefined ? "" : space,
          }),
        );
      }),
    });
  const fits = (s: Status) => toBinary(StatusSchema, s).length <= budget;

  const full = status((o) => o.message);
  if (fits(full)) return full;
  // Keep messages for as many of the first failures as fit (halving until it does).
  for (let keep = Math.min(failures.length, 64); keep >= 0; keep = keep === 0 ? -1 : keep >> 1) {
    const quoted = new Set(failures.slice(0, keep));
    const codes = status(
      (o, i) => (quoted.has(i) ? o.message : undefined),
      `; messages of the first ${keep} failures only (the rest would not fit in the reply)`,
    );
    if (fits(codes)) return codes;
  }
  const first = failures
    .slice(0, QUOTED)
    .map((i) => `#${i} ${codeName(outcomes[i]!.code)}: ${outcomes[i]!.message.slice(0, 200)}`)
    .join("; ");
  return create(StatusSchema, {
    code: Code.UNKNOWN,
    message: `${message}; per-update details left out (they would not fit in the reply); first: ${first}`,
    details: [],
  });
}
