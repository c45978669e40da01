// The client library against the test switch over real gRPC on loopback.
import { status as Code } from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import { P4DataSchema } from "../../controller/src/proto/p4/v1/p4data_pb.js";
import {
  wildcard,
  type EntitySpec,
  type UpdateSpec,
} from "../../controller/src/p4runtime/entities.js";
import { P4RuntimeError, WriteError } from "../../controller/src/p4runtime/errors.js";
import { P4Schema } from "../../controller/src/p4runtime/p4info.js";
import {
  backoffDelay,
  pipelineCookie,
  Switch,
  type SwitchOptions,
} from "../../controller/src/p4runtime/switch.js";
import { TestSwitch } from "../../controller/src/testswitch/server.js";
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

describe("two controllers", () => {
  it("elects the higher election id; the backup takes over when the primary dies", async () => {
    const ts = await server();
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

    const promoted = nextEvent(a.events$, "primary");
    const t0 = Date.now();
    await b.stop();
    await promoted;
    await a.whenReady({ primary: true });
    expect(Date.now() - t0).toBeLessThan(5_000);
    await a.write([insert(route(2))]);
    expect(ts.device!.entryCount).toBe(2);
  });

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
