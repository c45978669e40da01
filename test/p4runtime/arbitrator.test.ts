import { create } from "@bufbuild/protobuf";
import { status as Code } from "@grpc/grpc-js";
import { MasterArbitrationUpdateSchema } from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import { Arbitrator, arbitrationRequest } from "@netapprox/p4runtime/arbitrator.js";
import { toUint128 } from "@netapprox/p4runtime/values.js";

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

describe("Arbitrator: a seat left empty (spec-compliant servers)", () => {
  it("bids the highest id seen plus its own, and stands with that bid until the session ends", () => {
    const a = new Arbitrator(10n);
    expect(a.receive(reply(Code.ALREADY_EXISTS, 20n)).rebid).toBeUndefined();
    expect(a.bid).toBe(10n);
    // The primary (20) left: no primary until someone bids at least 20.
    const t = a.receive(reply(Code.NOT_FOUND, 20n));
    expect(t.after).toEqual({ role: "backup", primaryElectionId: undefined });
    expect(t.rebid).toBe(30n);
    expect(a.bid).toBe(30n);
    // The server accepts the bid: OK carries the new id, which is ours now.
    expect(a.receive(reply(Code.OK, 30n)).after.role).toBe("primary");
    a.reset();
    expect(a.bid).toBe(10n);
  });

  it("leaves the highest-configured of several backups primary, with distinct bids", () => {
    const low = new Arbitrator(10n);
    const high = new Arbitrator(15n);
    const bids = [low, high].map((b) => b.receive(reply(Code.NOT_FOUND, 20n)).rebid!);
    expect(bids).toEqual([30n, 35n]);
    expect(new Set(bids).size).toBe(2);
  });

  it("re-sends its bid when the highest id seen is below it, and never bids as an observer", () => {
    const a = new Arbitrator(10n);
    expect(a.receive(reply(Code.NOT_FOUND)).rebid).toBe(10n);
    expect(a.receive(reply(Code.NOT_FOUND, 3n)).rebid).toBe(10n);
    const observer = new Arbitrator(undefined);
    expect(observer.receive(reply(Code.NOT_FOUND, 20n)).rebid).toBeUndefined();
  });

  it("takes BMv2's promotion (OK with its own id) without bidding", () => {
    const a = new Arbitrator(10n);
    a.receive(reply(Code.ALREADY_EXISTS, 20n));
    const t = a.receive(reply(Code.OK, 10n));
    expect(t.after.role).toBe("primary");
    expect(t.rebid).toBeUndefined();
  });
});
