// The client library against the test switch over real gRPC on loopback.
import { status as Code } from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import { P4DataSchema } from "@netapprox/p4runtime/proto/p4/v1/p4data_pb.js";
import { wildcard, type EntitySpec, type UpdateSpec } from "@netapprox/p4runtime/entities.js";
import { P4RuntimeError, WriteError } from "@netapprox/p4runtime/errors.js";
import { P4RuntimeClient } from "@netapprox/p4runtime/client.js";
import type { TableEntry } from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";
import {
  backoffDelay,
  pipelineCookie,
  Switch,
  type SwitchOptions,
} from "@netapprox/p4runtime/switch.js";
import { TestSwitch } from "@netapprox/controller/testswitch/server.js";
import { BMV2_QUIRKS } from "@netapprox/controller/testswitch/device.js";
import { makeTestPki } from "../helpers/certs.js";
import { eventually, nextEvent } from "../helpers/events.js";

const schema = P4Schema.fromFile("test/fixtures/p4info/basic.p4info.json");
const pipeline = { schema, deviceConfig: new TextEncoder().encode('{"program": "basic"}') };

const route = (i: number, port = 1): EntitySpec => ({
  kind: "tableEntry",
  table: "ipv4_lpm",
  match: { "hdr.ipv4.dst_addr": `10.${(i >> 8) & 255}.${i & 255}.0/24` },
  action: {
    name: "set_next_hop",
    params: { port, smac: "00:00:00:00:00:01", dmac: "00:00:00:00:00:02" },
  },
});
const insert = (e: EntitySpec): UpdateSpec => ({ type: "insert", entity: e });

const started: Switch[] = [];
const servers: TestSwitch[] = [];

async function server(
  options: ConstructorParameters<typeof TestSwitch>[0] = {},
): Promise<TestSwitch> {
  const s = new TestSwitch(options);
  await s.start();
  servers.push(s);
  return s;
}

function client(ts: TestSwitch, options: Partial<SwitchOptions> = {}): Switch {
  const sw = new Switch({
    name: options.name ?? "s1",
    address: ts.address,
    deviceId: 1,
    electionId: 10n,
    pipeline,
    backoff: { initialMs: 50, maxMs: 200 },
    ...options,
  });
  sw.start();
  started.push(sw);
  return sw;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe("a controller and one switch", () => {
  it("connects, pushes the pipeline, writes and reads back what it wrote", async () => {
    const ts = await server();
    const sw = client(ts);
    const pushed = nextEvent(sw.events$, "pipeline_pushed");
    await sw.whenReady({ primary: true });
    expect((await pushed).cookie).toBe(pipelineCookie(pipeline));
    expect(ts.stats.pipelinePushes).toBe(1);

    const results = await sw.write([insert(route(1)), insert(route(2, 5))]);
    expect(results.every((r) => r.ok)).toBe(true);
    const back = await sw.readSpecs([wildcard.tableEntries(schema, "ipv4_lpm")]);
    expect(back).toHaveLength(2);
    expect(back).toContainEqual({
      kind: "tableEntry",
      table: "ingress.routing.ipv4_lpm",
      match: { "hdr.ipv4.dst_addr": { value: 0x0a000200n, prefixLen: 24 } },
      action: { name: "ingress.routing.set_next_hop", params: { port: 5n, smac: 1n, dmac: 2n } },
    });
    expect((await sw.client.capabilities()).p4runtimeApiVersion).toBe("1.5.0");
  });

  it("skips the pipeline push when the switch already runs the same cookie", async () => {
    const ts = await server();
    const first = client(ts);
    await first.whenReady({ primary: true });
    await first.stop();
    const second = client(ts, { electionId: 11n });
    const skipped = nextEvent(second.events$, "pipeline_skipped");
    await second.whenReady({ primary: true });
    await skipped;
    expect(ts.stats.pipelinePushes).toBe(1);
  });

  it("reports a batch whose 3rd and 7th updates fail on exactly those updates", async () => {
    const ts = await server();
    const sw = client(ts);
    await sw.whenReady({ primary: true });
    await sw.write([insert(route(2)), insert(route(6))]);
    const batch = Array.from({ length: 10 }, (_, i) => insert(route(i)));
    const err = await sw.write(batch).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WriteError);
    const w = err as WriteError;
    expect(w.results).toHaveLength(10);
    expect(w.failed.map((r) => r.index)).toEqual([2, 6]);
    expect(w.failed.every((r) => r.code === Code.ALREADY_EXISTS)).toBe(true);
    expect(w.message).toContain("2 of 10 updates failed");
    expect(w.message).toContain(
      "INSERT table 'ingress.routing.ipv4_lpm' {hdr.ipv4.dst_addr=10.0.2.0/24}: ALREADY_EXISTS: table 'ingress.routing.ipv4_lpm': the entry already exists",
    );
    // The other eight went in (CONTINUE_ON_ERROR).
    expect(ts.device!.entryCount).toBe(10);
  });

  it("answers a batch of 2,000 failed updates (summarised), and the connection stays usable", async () => {
    const ts = await server({
      writeFault: () => ({
        code: Code.INVALID_ARGUMENT,
        message: "refused by an injected fault, with a message long enough to matter",
      }),
    });
    const sw = client(ts, { maxBatchSize: 10_000, rpcTimeoutMs: 20_000 });
    await sw.whenReady({ primary: true });
    const batch = Array.from({ length: 2_000 }, (_, i) => insert(route(i)));
    // Without summarising, the details overflow the trailer and no answer comes at all
    // (the call would end at its 20 s deadline with DEADLINE_EXCEEDED).
    const err = (await sw.write(batch).catch((e: unknown) => e)) as WriteError;
    expect(err).toBeInstanceOf(WriteError);
    expect(err.failed).toHaveLength(2_000);
    expect(err.failed[0]!.code).not.toBe(Code.DEADLINE_EXCEEDED);
    expect(err.failed[0]!.message).toContain("2000 of 2000 updates failed");
    // 300 failures still fit one p4.v1.Error per update: each update's code is exact.
    const some = (await sw.write(batch.slice(0, 300)).catch((e: unknown) => e)) as WriteError;
    expect(some.failed.map((r) => r.code)).toEqual(Array(300).fill(Code.INVALID_ARGUMENT));
    expect(await sw.read([wildcard.tableEntries()])).toEqual([]);
  });

  it("reads back canonical bytestrings whatever form was written", async () => {
    const ts = await server();
    const sw = client(ts);
    await sw.whenReady({ primary: true });
    const [update] = sw.encodeUpdates([insert(route(5, 5))]);
    const entry = update!.entity!.entity.value as TableEntry;
    const padded = (b: Uint8Array) => Uint8Array.from([0, 0, ...b]);
    for (const p of (entry.action!.type.value as { params: { value: Uint8Array }[] }).params)
      p.value = padded(p.value);
    const lpm = entry.match[0]!.fieldMatchType.value as { value: Uint8Array };
    lpm.value = padded(lpm.value);
    await sw.client.write([update!]);
    const [read] = await sw.read([wildcard.tableEntries()]);
    const back = read!.entity.value as TableEntry;
    const port = (back.action!.type.value as { params: { value: Uint8Array }[] }).params.find(
      (p) => p.value.length > 0,
    )!;
    expect([...(back.match[0]!.fieldMatchType.value as { value: Uint8Array }).value]).toEqual([
      10, 0, 5, 0,
    ]);
    expect([...port.value]).toEqual([5]);
  });

  it("refuses a write for a role nobody arbitrated with NOT_FOUND, before the primary check", async () => {
    const ts = await server();
    const sw = client(ts);
    await sw.whenReady({ primary: true });
    const other = new P4RuntimeClient({ address: ts.address, deviceId: 1, role: "nobody" });
    try {
      other.electionId = 1n; // not the primary of anything
      await expect(other.write(sw.encodeUpdates([insert(route(1))]))).rejects.toMatchObject({
        failed: [{ code: Code.NOT_FOUND, message: expect.stringContaining("no role 'nobody'") }],
      });
    } finally {
      other.close();
    }
  });

  it("splits large writes into batches no bigger than the cap", async () => {
    const ts = await server();
    const sw = client(ts, { maxBatchSize: 100 });
    await sw.whenReady({ primary: true });
    ts.resetStats();
    await sw.write(Array.from({ length: 250 }, (_, i) => insert(route(i))));
    expect(ts.stats.writeRpcs).toBe(3);
    expect(ts.device!.entryCount).toBe(250);
  });

  it("checks every batch of a write before it sends the first", async () => {
    const ts = await server();
    const sw = client(ts, { maxBatchSize: 100 });
    await sw.whenReady({ primary: true });
    ts.resetStats();
    const updates = Array.from({ length: 250 }, (_, i) => insert(route(i)));
    updates[220] = insert({
      kind: "tableEntry",
      table: "ipv4_lpm",
      match: { "hdr.ipv4.dst_addr": "10.0.0.0/40" },
      action: { name: "drop" },
    });
    await expect(sw.write(updates)).rejects.toThrow("prefix length 40 is outside 0..32");
    expect(ts.stats.writeRpcs).toBe(0);
    expect(ts.device!.entryCount).toBe(0);
  });

  it("refuses bad input before sending, naming the object and the expected width", async () => {
    const ts = await server();
    const sw = client(ts);
    await sw.whenReady({ primary: true });
    ts.resetStats();
    await expect(
      sw.write([insert({ kind: "tableEntry", table: "no_such_table", action: { name: "drop" } })]),
    ).rejects.toThrow("no table 'no_such_table' in test/fixtures/p4info/basic.p4info.json");
    await expect(
      sw.write([
        insert({
          kind: "tableEntry",
          table: "mac_table",
          match: { "hdr.ethernet.dst_addr": 1n << 48n },
          action: { name: "drop" },
        }),
      ]),
    ).rejects.toThrow(
      "table 'ingress.l2.mac_table' field 'hdr.ethernet.dst_addr': value 281474976710656 needs 49 bits, field is 48 bits wide",
    );
    expect(ts.stats.writeRpcs).toBe(0);
    expect(() => P4Schema.fromFile("test/fixtures/p4info/does-not-exist.json")).toThrow(
      "cannot read the file",
    );
  });

  it("echoes packet-out as packet-in and delivers digests, acknowledging them", async () => {
    const ts = await server();
    const sw = client(ts);
    await sw.whenReady({ primary: true });
    const packet = new Promise<{ payload: Uint8Array; metadata: Record<string, bigint> }>(
      (resolve) => sw.packetIn$.subscribe(resolve),
    );
    sw.sendPacket(Uint8Array.of(1, 2, 3), { egress_port: 7 });
    const got = await packet;
    expect([...got.payload]).toEqual([1, 2, 3]);
    expect(got.metadata).toEqual({ ingress_port: 7n });

    await sw.write([
      insert({
        kind: "digestEntry",
        digest: "learn",
        config: { maxTimeoutNs: 0n, maxListSize: 1, ackTimeoutNs: 1_000_000n },
      }),
    ]);
    const digest = new Promise<{ digest: string; listId: bigint }>((resolve) =>
      sw.digest$.subscribe(resolve),
    );
    expect(
      ts.emitDigest("learn", [
        create(P4DataSchema, { data: { case: "bitstring", value: Uint8Array.of(9) } }),
      ]),
    ).toBe(true);
    expect(await digest).toMatchObject({ digest: "ingress.learn", listId: 1n });
    await eventually(() => ts.unackedDigests.size === 0, 2_000, "digest ack");
  });

  it("comes back after the switch restarts and pushes the pipeline again", async () => {
    const ts = await server();
    const sw = client(ts);
    await sw.whenReady({ primary: true });
    await sw.write([insert(route(1))]);
    const down = nextEvent(sw.events$, "down");
    ts.kill();
    await down;
    expect(sw.state === "down" || sw.state === "connecting").toBe(true);
    await expect(sw.write([insert(route(3))])).rejects.toThrow(P4RuntimeError);
    const pushed = nextEvent(sw.events$, "pipeline_pushed");
    await ts.start();
    await pushed;
    await sw.whenReady({ primary: true });
    // A fresh switch: nothing installed until the controller writes again.
    expect(await sw.read([wildcard.tableEntries(schema)])).toHaveLength(0);
    await sw.write([insert(route(1))]);
    expect(ts.device!.entryCount).toBe(1);
  });

  it("pushes its pipeline to a switch that has none (FAILED_PRECONDITION on Get, as BMv2)", async () => {
    const ts = await server();
    await expect(
      new Switch({ name: "probe", address: ts.address, deviceId: 1 }).client.getPipeline(),
    ).rejects.toMatchObject({ code: Code.FAILED_PRECONDITION });
    const sw = client(ts);
    await sw.whenReady({ primary: true });
    expect(ts.stats.pipelinePushes).toBe(1);
  });

  it("closes a session that failed while configuring, so the retry can arbitrate again", async () => {
    let verifies = 0;
    // The first push is refused; left open, that session's stream would keep election
    // id 10 taken and every retry would be refused.
    const ts = await server({
      verifyDeviceConfig: () => (verifies++ === 0 ? "refused once" : undefined),
    });
    const sw = client(ts);
    const down = nextEvent(sw.events$, "down");
    expect((await down).reason).toMatch(/refused once/);
    await sw.whenReady({ primary: true, timeoutMs: 5_000 });
    expect(verifies).toBe(2);
    expect(ts.stats.pipelinePushes).toBe(1);
  });

  it("refuses device id 0", () => {
    expect(() => new Switch({ name: "x", address: "127.0.0.1:1", deviceId: 0 })).toThrow(
      "device id must be at least 1",
    );
  });
});

describe.each([
  ["a spec-compliant server", {}],
  ["BMv2's arbitration (quirk)", { quirks: BMV2_QUIRKS }],
] as const)("failover on %s", (_name, serverOptions) => {
  const bmv2 = "quirks" in serverOptions;

  it("elects the higher election id; the backup takes over when the primary dies", async () => {
    const ts = await server(serverOptions);
    const a = client(ts, { name: "a", electionId: 10n });
    await a.whenReady({ primary: true });
    const b = client(ts, { name: "b", electionId: 20n });
    const demoted = nextEvent(a.events$, "backup");
    await b.whenReady({ primary: true });
    expect((await demoted).primaryElectionId).toBe(20n);
    expect(a.role).toBe("backup");
    // A demoted primary stops writing: refused locally, and the server would refuse too.
    await expect(a.write([insert(route(1))])).rejects.toThrow(
      "not a ready primary; refused locally",
    );
    await expect(a.client.write(a.encodeUpdates([insert(route(1))]))).rejects.toMatchObject({
      failed: [{ code: Code.PERMISSION_DENIED }],
    });
    await b.write([insert(route(1))]);

    const rebids: bigint[] = [];
    a.events$.subscribe((e) => e.type === "rebid" && rebids.push(e.electionId));
    const promoted = nextEvent(a.events$, "primary");
    await b.stop();
    await promoted;
    await a.whenReady({ primary: true });
    // A spec-compliant server waits for a bid at least as high as 20; BMv2 promotes by itself.
    expect(rebids).toEqual(bmv2 ? [] : [30n]);
    expect(ts.primaryElectionId()).toBe(bmv2 ? 10n : 30n);
    await a.write([insert(route(2))]);
    expect(ts.device!.entryCount).toBe(2);
  });

  it("leaves the backup configured highest primary when several bid at once", async () => {
    const ts = await server(serverOptions);
    const top = client(ts, { name: "top", electionId: 30n });
    await top.whenReady({ primary: true });
    const low = client(ts, { name: "low", electionId: 10n });
    const high = client(ts, { name: "high", electionId: 20n });
    await Promise.all([low.whenReady(), high.whenReady()]);
    await top.stop();
    await high.whenReady({ primary: true, timeoutMs: 2_000 });
    await eventually(() => low.role === "backup" && low.state === "ready", 2_000, "low is backup");
    await high.write([insert(route(3))]);
    await expect(low.write([insert(route(4))])).rejects.toThrow("refused locally");
  });
});

describe("two controllers", () => {
  it("keeps a client without election id as a read-only observer", async () => {
    const ts = await server({
      pipeline: { p4info: schema.p4info, cookie: pipelineCookie(pipeline) },
    });
    const observer = client(ts, { name: "observer", electionId: undefined, pipeline: undefined });
    await observer.whenReady();
    expect(observer.role).toBe("backup");
    expect(observer.schema.tables.size).toBe(4); // fetched from the switch
    expect(await observer.read([wildcard.tableEntries()])).toEqual([]);
  });

  it("refuses a second client with the same election id", async () => {
    const ts = await server();
    const a = client(ts, { name: "a", electionId: 5n });
    await a.whenReady({ primary: true });
    const b = client(ts, { name: "b", electionId: 5n, arbitrationTimeoutMs: 1_000 });
    const down = await nextEvent(b.events$, "down");
    expect(down.reason).toContain("INVALID_ARGUMENT");
    expect(a.isPrimary).toBe(true);
  });
});

describe("TLS", () => {
  const pki = makeTestPki();

  it("connects over TLS with the CA that signed the switch", async () => {
    const ts = await server({ tls: { cert: pki.serverCert, key: pki.serverKey } });
    const sw = client(ts, { address: `localhost:${ts.port}`, tls: { ca: pki.ca } });
    await sw.whenReady({ primary: true });
    await sw.write([insert(route(1))]);
    expect(ts.device!.entryCount).toBe(1);
  });

  it("does not connect when the switch's certificate is not trusted", async () => {
    const ts = await server({ tls: { cert: pki.serverCert, key: pki.serverKey } });
    const sw = client(ts, {
      address: `localhost:${ts.port}`,
      tls: { ca: pki.otherCa },
      connectTimeoutMs: 500,
    });
    const down = await nextEvent(sw.events$, "down");
    expect(down.reason).toMatch(/UNAVAILABLE/);
  });

  it("connects with mutual TLS and is refused without a client certificate", async () => {
    const ts = await server({
      tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requireClientCert: true },
    });
    const good = client(ts, {
      name: "good",
      address: `localhost:${ts.port}`,
      tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey },
    });
    await good.whenReady({ primary: true });
    const bad = client(ts, {
      name: "bad",
      electionId: 3n,
      address: `localhost:${ts.port}`,
      tls: { ca: pki.ca },
      connectTimeoutMs: 500,
    });
    const down = await nextEvent(bad.events$, "down");
    expect(down.reason).toMatch(/UNAVAILABLE|stream error/);
    expect(bad.state).not.toBe("ready");
  });
});

describe("backoff", () => {
  it("grows exponentially to a cap with bounded jitter", () => {
    const opts = { initialMs: 100, maxMs: 1_000, factor: 2 };
    expect(backoffDelay(0, opts, () => 0.5)).toBe(100);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(800);
    expect(backoffDelay(10, opts, () => 0.5)).toBe(1_000);
    expect(backoffDelay(0, opts, () => 0)).toBe(80);
    expect(backoffDelay(0, opts, () => 1)).toBe(120);
  });
});

describe("the convenience layer and the smaller entity kinds", () => {
  it("inserts, modifies and deletes specs, and deleteAll removes everything in dependency order", async () => {
    const ts = await server();
    const sw = client(ts);
    await sw.whenReady({ primary: true });
    await sw.insert([route(1), route(2)]);
    await sw.modify(route(1, 7));
    await sw.insert({
      kind: "actionProfileMember",
      actionProfile: "ecmp_selector",
      memberId: 1,
      action: { name: "set_next_hop", params: { port: 3, smac: 1, dmac: 2 } },
    });
    await sw.insert({
      kind: "actionProfileGroup",
      actionProfile: "ecmp_selector",
      groupId: 5,
      members: [{ memberId: 1 }],
    });
    await sw.insert({
      kind: "tableEntry",
      table: "ecmp_routes",
      match: { "hdr.ipv4.dst_addr": "10.9.0.0/16" },
      group: 5,
    });
    await sw.insert({ kind: "multicastGroupEntry", multicastGroupId: 3, replicas: [{ port: 1 }] });
    const [modified] = await sw.readSpecs([wildcard.tableEntries(schema, "ipv4_lpm")]);
    expect(modified).toMatchObject({ action: { params: { port: 7n } } });
    await sw.delete(route(2));
    // The group is used by a table entry, the member by the group: deleting them first fails.
    expect(await sw.deleteAll()).toBe(5);
    expect(ts.device!.entryCount).toBe(0);
    expect(await sw.read([wildcard.actionProfileMembers(), wildcard.multicastGroups()])).toEqual(
      [],
    );
  });

  it("writes and reads parser value sets, and delivers digests decoded by their type", async () => {
    const learn = P4Schema.fromFile("test/fixtures/p4info/learn.p4info.txtpb");
    const ts = await server();
    const sw = client(ts, { pipeline: { schema: learn, deviceConfig: Uint8Array.of(1) } });
    await sw.whenReady({ primary: true });
    await sw.modify({ kind: "valueSetEntry", valueSet: "trill_types", members: [0x22f3, 0x893b] });
    expect(await sw.readSpecs([wildcard.valueSets(learn, "trill_types")])).toEqual([
      { kind: "valueSetEntry", valueSet: "parser.trill_types", members: [0x22f3n, 0x893bn] },
    ]);
    const refused = (await sw
      .modify({ kind: "valueSetEntry", valueSet: "trill_types", members: [1, 2, 3, 4, 5] })
      .catch((e: unknown) => e)) as WriteError;
    expect(refused.failed[0]!.code).toBe(Code.RESOURCE_EXHAUSTED);
    const duplicate = (await sw
      .modify({ kind: "valueSetEntry", valueSet: "trill_types", members: [1, "0x0001"] })
      .catch((e: unknown) => e)) as WriteError;
    expect(duplicate.failed[0]!.code).toBe(Code.ALREADY_EXISTS);

    await sw.insert({
      kind: "digestEntry",
      digest: "learn_t",
      config: { maxTimeoutNs: 0n, maxListSize: 1, ackTimeoutNs: 1_000_000n },
    });
    const received = new Promise<unknown>((resolve) => sw.digest$.subscribe((d) => resolve(d)));
    const bytes = (...b: number[]) =>
      create(P4DataSchema, { data: { case: "bitstring", value: Uint8Array.from(b) } });
    expect(
      ts.emitDigest("learn_t", [
        create(P4DataSchema, {
          data: {
            case: "struct",
            value: {
              members: [
                bytes(0x0a, 0, 0, 0, 0, 1),
                bytes(2),
                bytes(0x80),
                create(P4DataSchema, { data: { case: "bool", value: false } }),
                create(P4DataSchema, { data: { case: "enumValue", value: Uint8Array.of(1) } }),
                create(P4DataSchema, {
                  data: { case: "struct", value: { members: [bytes(0x0a)] } },
                }),
              ],
            },
          },
        }),
      ]),
    ).toBe(true);
    expect(await received).toMatchObject({
      digest: "learn_t",
      values: [
        {
          src_mac: 0x0a0000000001n,
          port: 2n,
          delta: -128n,
          moved: false,
          reason: "MISS",
          vlan: { vid: 10n },
        },
      ],
    });
  });
});
