import { create } from "@bufbuild/protobuf";
import { status as Code } from "@grpc/grpc-js";
import { MasterArbitrationUpdateSchema } from "../../controller/src/proto/p4/v1/p4runtime_pb.js";
import { Arbitrator, arbitrationRequest } from "../../controller/src/p4runtime/arbitrator.js";
import { toUint128 } from "../../controller/src/p4runtime/values.js";

const reply = (code: number, primary?: bigint) =>
  create(MasterArbitrationUpdateSchema, {
    deviceId: 1n,
    electionId: primary === undefined ? undefined : toUint128(primary),
    status: { code },
  });

describe("Arbitrator", () => {
  it("becomes primary on OK with its own election id, and backup when another wins", () => {
    const a = new Arbitrator(10n);
    expect(a.state.role).toBe("none");
    let t = a.receive(reply(Code.OK, 10n));
    expect(t.after).toEqual({ role: "primary", primaryElectionId: 10n });
    expect(t.changed).toBe(true);
    expect(a.receive(reply(Code.OK, 10n)).changed).toBe(false);
    t = a.receive(reply(Code.ALREADY_EXISTS, 20n));
    expect(t.before.role).toBe("primary");
    expect(t.after).toEqual({ role: "backup", primaryElectionId: 20n });
    a.reset();
    expect(a.isPrimary).toBe(false);
  });

  it("stays backup when there is no primary, and never trusts OK for another id", () => {
    const a = new Arbitrator(5n);
    expect(a.receive(reply(Code.NOT_FOUND)).after).toEqual({
      role: "backup",
      primaryElectionId: undefined,
    });
    expect(a.receive(reply(Code.OK, 6n)).after.role).toBe("backup");
    const observer = new Arbitrator(undefined);
    expect(observer.receive(reply(Code.OK, 6n)).after.role).toBe("backup");
  });

  it("sends no election id at all when it is unset (unset is not zero)", () => {
    const unset = arbitrationRequest(1n, undefined);
    expect(unset.update.case === "arbitration" && unset.update.value.electionId).toBeUndefined();
    const zero = arbitrationRequest(1n, 0n, "observer");
    expect(zero.update.case === "arbitration" && zero.update.value.electionId).toMatchObject({
      high: 0n,
      low: 0n,
    });
    expect(zero.update.case === "arbitration" && zero.update.value.role?.name).toBe("observer");
  });
});
