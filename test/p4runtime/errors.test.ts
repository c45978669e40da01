import { create, toBinary } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { Metadata, status as Code } from "@grpc/grpc-js";
import { StatusSchema } from "@netapprox/p4runtime/proto/google/rpc/status_pb.js";
import { ErrorSchema } from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import {
  codeName,
  statusFromMetadata,
  WriteError,
  writeResults,
} from "@netapprox/p4runtime/errors.js";

function detailsTrailer(codes: number[]): Metadata {
  const status = create(StatusSchema, {
    code: Code.UNKNOWN,
    message: "some failed",
    details: codes.map((c, i) =>
      anyPack(
        ErrorSchema,
        create(ErrorSchema, {
          canonicalCode: c,
          message: c ? `bad ${i}` : "",
          space: "target",
          code: 40 + i,
        }),
      ),
    ),
  });
  const md = new Metadata();
  md.set("grpc-status-details-bin", Buffer.from(toBinary(StatusSchema, status)));
  return md;
}

describe("write results", () => {
  it("match each p4.v1.Error of the trailer to its update", () => {
    const status = statusFromMetadata(detailsTrailer([Code.OK, Code.OK, Code.NOT_FOUND, Code.OK]));
    const results = writeResults(4, Code.UNKNOWN, "x", status, 100);
    expect(results.map((r) => [r.index, r.ok, r.code])).toEqual([
      [100, true, Code.OK],
      [101, true, Code.OK],
      [102, false, Code.NOT_FOUND],
      [103, true, Code.OK],
    ]);
    expect(results[2]).toMatchObject({ message: "bad 2", space: "target", targetCode: 42 });
  });

  it("give every update the RPC's code when the details do not line up", () => {
    const results = writeResults(3, Code.PERMISSION_DENIED, "not primary", undefined);
    expect(
      results.every(
        (r) => !r.ok && r.code === Code.PERMISSION_DENIED && r.message === "not primary",
      ),
    ).toBe(true);
    const mismatched = writeResults(
      3,
      Code.UNKNOWN,
      "x",
      statusFromMetadata(detailsTrailer([Code.OK, Code.INTERNAL])),
    );
    expect(mismatched.map((r) => r.code)).toEqual([Code.UNKNOWN, Code.UNKNOWN, Code.UNKNOWN]);
  });

  it("ignore a trailer that is not a google.rpc.Status", () => {
    const md = new Metadata();
    md.set("grpc-status-details-bin", Buffer.from([0xff, 0xff, 0xff]));
    expect(statusFromMetadata(md)).toBeUndefined();
    expect(statusFromMetadata(new Metadata())).toBeUndefined();
  });

  it("build a message naming the failed updates", () => {
    const results = writeResults(
      3,
      Code.UNKNOWN,
      "x",
      statusFromMetadata(detailsTrailer([Code.OK, Code.ALREADY_EXISTS, Code.OK])),
    );
    const err = new WriteError(results, (i) => `INSERT entry #${i}`, "127.0.0.1:9559");
    expect(err.message).toBe(
      "Write to 127.0.0.1:9559: 1 of 3 updates failed\n  INSERT entry #1: ALREADY_EXISTS: bad 1",
    );
    expect(err.failed).toHaveLength(1);
    expect(codeName(Code.RESOURCE_EXHAUSTED)).toBe("RESOURCE_EXHAUSTED");
  });
});
