// The BMv2 behaviours the client relies on and the test switch's BMv2 quirks copy,
// checked against a real simple_switch_grpc (no interfaces, no root). Skips, with one line
// saying why, where simple_switch_grpc is not on PATH.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { status as Code } from "@grpc/grpc-js";
import { findExecutable } from "@netapprox/model/util/executables.js";
import { freeLoopbackTcpPort } from "@netapprox/model/util/free-port.js";
import { P4RuntimeClient } from "@netapprox/p4runtime/client.js";
import { wildcard, type UpdateSpec } from "@netapprox/p4runtime/entities.js";
import type { WriteError } from "@netapprox/p4runtime/errors.js";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";
import { Switch } from "@netapprox/p4runtime/switch.js";
import type { TableEntry } from "@netapprox/p4runtime/proto/p4/v1/p4runtime_pb.js";
import { BMV2_QUIRKS } from "@netapprox/controller/testswitch/device.js";
import { TestSwitch } from "@netapprox/controller/testswitch/server.js";
import { nextEvent } from "../helpers/events.js";

const unavailable =
  findExecutable("simple_switch_grpc") === undefined ? "simple_switch_grpc not on PATH" : undefined;
if (unavailable) process.stderr.write(`BMv2 P4Runtime test skipped: ${unavailable}\n`);
const describeBmv2 = unavailable ? describe.skip : describe;

const schema = P4Schema.fromFile("p4/build/netapprox.p4info.json");
const pipeline = { schema, deviceConfig: readFileSync("p4/build/netapprox.json") };
const portRole = (port: number): UpdateSpec => ({
  type: "insert",
  entity: {
    kind: "tableEntry",
    table: "port_role",
    match: { ingress_port: port },
    action: { name: "mark_edge_port" },
  },
});

/** Starts simple_switch_grpc (device 1, no interfaces) or a test switch with BMv2's quirks. */
async function server(kind: "bmv2" | "test switch"): Promise<{ address: string; stop(): void }> {
  if (kind === "test switch") {
    const ts = new TestSwitch({ quirks: BMV2_QUIRKS });
    await ts.start();
    return { address: ts.address, stop: () => void ts.stop() };
  }
  const [grpc, thrift] = [await freeLoopbackTcpPort(), await freeLoopbackTcpPort()];
  const address = `127.0.0.1:${grpc}`;
  const child: ChildProcess = spawn(
    "simple_switch_grpc",
    [
      "--device-id",
      "1",
      "--no-p4",
      "--thrift-port",
      String(thrift),
      "--",
      "--grpc-server-addr",
      address,
    ],
    { stdio: "ignore" },
  );
  const probe = new P4RuntimeClient({ address, deviceId: 1 });
  try {
    await probe.waitForReady(10_000);
  } finally {
    probe.close();
  }
  return { address, stop: () => child.kill("SIGKILL") };
}

describeBmv2.each(["bmv2", "test switch"] as const)("BMv2 behaviours (%s)", (kind) => {
  const started: Switch[] = [];
  let stopServer: () => void = () => undefined;
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
    stopServer();
  });
  const client = (address: string, name: string, electionId: bigint) => {
    const sw = new Switch({ name, address, deviceId: 1, electionId, pipeline });
    sw.start();
    started.push(sw);
    return sw;
  };

  it("promotes the backup itself when the primary leaves: no bid is needed", async () => {
    const s = await server(kind);
    stopServer = s.stop;
    const a = client(s.address, "a", 10n);
    await a.whenReady({ primary: true, timeoutMs: 20_000 });
    const b = client(s.address, "b", 20n);
    await b.whenReady({ primary: true, timeoutMs: 20_000 });
    const rebids: unknown[] = [];
    a.events$.subscribe((e) => e.type === "rebid" && rebids.push(e));
    const promoted = nextEvent(a.events$, "primary");
    await b.stop();
    expect((await promoted).electionId).toBe(10n);
    expect(rebids).toEqual([]);
  });

  it("answers canonical bytestrings and the error codes the docs say", async () => {
    const s = await server(kind);
    stopServer = s.stop;
    const a = client(s.address, "a", 10n);
    await a.whenReady({ primary: true, timeoutMs: 20_000 });
    const [padded] = a.encodeUpdates([portRole(1)]);
    const exact = (padded!.entity!.entity.value as TableEntry).match[0]!.fieldMatchType.value as {
      value: Uint8Array;
    };
    exact.value = Uint8Array.of(0, 0, 1);
    await a.client.write([padded!]);
    const [read] = await a.read([wildcard.tableEntries(schema, "port_role")]);
    const back = (read!.entity.value as TableEntry).match[0]!.fieldMatchType.value as {
      value: Uint8Array;
    };
    expect([...back.value]).toEqual([1]);

    const codeOf = async (edit: (value: { value: Uint8Array }) => void) => {
      const [u] = a.encodeUpdates([portRole(2)]);
      edit((u!.entity!.entity.value as TableEntry).match[0]!.fieldMatchType.value as never);
      return ((await a.client.write([u!]).catch((e: unknown) => e)) as WriteError).failed?.[0]
        ?.code;
    };
    // A value wider than its 9-bit field: INVALID_ARGUMENT (the specification: OUT_OF_RANGE).
    expect(await codeOf((v) => (v.value = Uint8Array.of(0xff, 0xff)))).toBe(Code.INVALID_ARGUMENT);
    // A meter write without an index: UNIMPLEMENTED (the specification: every cell).
    const [meter] = a.encodeUpdates([
      {
        type: "modify",
        entity: {
          kind: "meterEntry",
          meter: "job_meter",
          config: { cir: 1000, cburst: 100, pir: 2000, pburst: 100 },
        },
      },
    ]);
    const refused = (await a.client.write([meter!]).catch((e: unknown) => e)) as WriteError;
    expect(refused.failed[0]!.code).toBe(Code.UNIMPLEMENTED);
  });
});
