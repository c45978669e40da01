// The README's P4Runtime example: connect, push a pipeline, write, read.
// test/examples/quickstart.test.ts runs it against a test switch.
import { readFileSync } from "node:fs";
import { P4Schema, Switch, wildcard } from "@netapprox/p4runtime";

export async function quickstart(address: string): Promise<number> {
  const schema = P4Schema.fromFile("p4/build/netapprox.p4info.json");
  const sw = new Switch({
    name: "s1",
    address, // e.g. "127.0.0.1:9559" for simple_switch_grpc
    deviceId: 1,
    electionId: 1n,
    pipeline: { schema, deviceConfig: readFileSync("p4/build/netapprox.json") },
  });
  sw.start(); // connect, arbitrate, push the pipeline unless its cookie is there
  sw.events$.subscribe((e) => console.log(e.switch, e.type));
  await sw.whenReady({ primary: true });

  // Names resolve through the P4Info; values are checked against their widths.
  await sw.write([
    {
      type: "insert",
      entity: {
        kind: "actionProfileMember",
        actionProfile: "ecmp_selector",
        memberId: 1,
        action: {
          name: "set_next_hop",
          params: { port: 2, smac: "00:00:00:00:01:02", dmac: "00:00:0a:00:02:01" },
        },
      },
    },
  ]);
  await sw.write([
    {
      type: "insert",
      entity: {
        kind: "tableEntry",
        table: "routing_v4",
        match: { dst_addr: "10.0.2.0/24" },
        member: 1,
      },
    },
  ]);

  const entries = await sw.readSpecs([wildcard.tableEntries(schema, "routing_v4")]);
  await sw.stop();
  return entries.length;
}
