import { toBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { status as Code } from "@grpc/grpc-js";
import { StatusSchema, type Status } from "@netapprox/p4runtime/proto/google/rpc/status_pb.js";
import { ErrorSchema } from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import {
  DETAILS_BUDGET_BYTES,
  writeErrorStatus,
} from "@netapprox/controller/testswitch/write-status.js";

const outcomes = (n: number, failEvery: number, message = "x".repeat(60)) =>
  Array.from({ length: n }, (_, i) =>
    i % failEvery === 0 ? { code: Code.NOT_FOUND, message } : { code: Code.OK, message: "" },
  );
const errors = (s: Status) => s.details.map((d) => anyUnpack(d, ErrorSchema)!);

describe("writeErrorStatus", () => {
  it("gives every update its error with its message when that fits", () => {
    const s = writeErrorStatus(outcomes(10, 3), "space");
    expect(s.message).toBe("4 of 10 updates failed");
    expect(errors(s).map((e) => [e.canonicalCode, e.message.length, e.space])).toEqual(
      outcomes(10, 3).map((o) => [o.code, o.message.length, o.code ? "space" : ""]),
    );
  });

  it("keeps one code per update but quotes only the first failures when messages do not fit", () => {
    const s = writeErrorStatus(outcomes(300, 1), "space");
    const e = errors(s);
    expect(e).toHaveLength(300);
    expect(e.every((x) => x.canonicalCode === Code.NOT_FOUND)).toBe(true);
    expect(e[0]!.message).toHaveLength(60);
    expect(e[299]!.message).toBe("");
    expect(s.message).toMatch(/^300 of 300 updates failed; messages of the first \d+ failures/);
    expect(toBinary(StatusSchema, s).length).toBeLessThanOrEqual(DETAILS_BUDGET_BYTES);
  });

  it("summarises without per-update details when even the codes do not fit", () => {
    const s = writeErrorStatus(outcomes(2_000, 2, "no such entry"), "space");
    expect(s.details).toEqual([]);
    expect(s.message).toBe(
      "1000 of 2000 updates failed; per-update details left out (they would not fit in the reply); first: " +
        "#0 NOT_FOUND: no such entry; #2 NOT_FOUND: no such entry; #4 NOT_FOUND: no such entry; " +
        "#6 NOT_FOUND: no such entry; #8 NOT_FOUND: no such entry",
    );
  });
});
