import { status as Code } from "@grpc/grpc-js";
import { Election, type ArbitrationNotice } from "@netapprox/controller/testswitch/election.js";

const summary = (notices: ArbitrationNotice<string>[]) =>
  Object.fromEntries(notices.map((n) => [n.client, [n.code, n.electionId]]));

describe("Election, as the specification has it", () => {
  it("leaves no primary when the primary leaves, until a client bids the highest id seen", () => {
    const e = new Election<string>("spec");
    expect(summary(e.arbitrate("", "a", 10n))).toEqual({ a: [Code.OK, 10n] });
    expect(summary(e.arbitrate("", "b", 20n))).toEqual({
      a: [Code.ALREADY_EXISTS, 20n],
      b: [Code.OK, 20n],
    });
    expect(summary(e.leave("", "b"))).toEqual({ a: [Code.NOT_FOUND, 20n] });
    expect(e.primary("")).toBeUndefined();
    // Re-sending a lower id changes nothing: still no primary, told to that client only.
    expect(summary(e.arbitrate("", "a", 10n))).toEqual({ a: [Code.NOT_FOUND, 20n] });
    expect(summary(e.arbitrate("", "a", 30n))).toEqual({ a: [Code.OK, 30n] });
    expect(e.primaryElectionId("")).toBe(30n);
  });

  it("keeps a returning client with a lower id than the highest seen a backup", () => {
    const e = new Election<string>("spec");
    e.arbitrate("", "a", 20n);
    e.leave("", "a");
    expect(summary(e.arbitrate("", "c", 15n))).toEqual({ c: [Code.NOT_FOUND, 20n] });
    expect(summary(e.arbitrate("", "d", 20n))).toEqual({
      c: [Code.ALREADY_EXISTS, 20n],
      d: [Code.OK, 20n],
    });
  });

  it("tells everyone when a primary lowers its own id (steps down)", () => {
    const e = new Election<string>("spec");
    e.arbitrate("", "a", 10n);
    e.arbitrate("", "b", 20n);
    expect(summary(e.arbitrate("", "b", 5n))).toEqual({
      a: [Code.NOT_FOUND, 20n],
      b: [Code.NOT_FOUND, 20n],
    });
  });

  it("keeps roles apart and knows only roles that were arbitrated (and the default)", () => {
    const e = new Election<string>("spec");
    e.arbitrate("reader", "a", 1n);
    e.arbitrate("", "b", 1n);
    expect(e.primaryElectionId("reader")).toBe(1n);
    expect(e.knowsRole("reader")).toBe(true);
    expect(e.knowsRole("")).toBe(true);
    expect(e.knowsRole("writer")).toBe(false);
    expect(e.taken("", "c", 1n)).toBe(true);
    expect(e.taken("", "b", 1n)).toBe(false);
    expect(e.taken("", "c", undefined)).toBe(false);
  });

  it("never makes a client without an election id primary", () => {
    const e = new Election<string>("spec");
    expect(summary(e.arbitrate("", "observer", undefined))).toEqual({
      observer: [Code.NOT_FOUND, undefined],
    });
  });
});

describe("Election with BMv2's quirk", () => {
  it("promotes the best remaining client as soon as the primary leaves", () => {
    const e = new Election<string>("bmv2");
    e.arbitrate("", "a", 10n);
    e.arbitrate("", "c", 5n);
    e.arbitrate("", "b", 20n);
    expect(summary(e.leave("", "b"))).toEqual({
      a: [Code.OK, 10n],
      c: [Code.ALREADY_EXISTS, 10n],
    });
    expect(summary(e.leave("", "c"))).toEqual({});
    expect(summary(e.leave("", "a"))).toEqual({});
    expect(e.primary("")).toBeUndefined();
  });
});
