// `netapprox test-switch`: runs P4Runtime test switches as a separate process, for
// dry runs of the controller and for benchmarks. Prints one JSON line per switch
// when it listens, then serves until interrupted.
import { readFileSync } from "node:fs";
import { P4Schema } from "@netapprox/p4runtime/p4info.js";
import { BMV2_QUIRKS } from "@netapprox/controller/testswitch/device.js";
import { TestSwitch } from "@netapprox/controller/testswitch/server.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import { CliError, parseOptions, type Command } from "../command.js";

export const command: Command = {
  usage:
    "[--address 127.0.0.1] [--port 0] [--count 1] [--device-id 1] | --topology FILE; [--preload P4INFO [--device-config FILE]] [--bmv2-quirks]",
  description: [
    "Serves P4Runtime test switches on loopback. With --count N, N switches listen on",
    "consecutive ports from --port (or N free ports when --port is 0), with device ids",
    "from --device-id upwards: --count 6 --port 50001 stands in for topologies/leaf-spine.yaml",
    "(ports 50001.., device ids 1..). --topology FILE serves one switch at each switch's",
    "address with its device id. --preload installs a pipeline from the start (as if pushed).",
    "The switches follow the P4Runtime specification; --bmv2-quirks makes them behave as",
    "BMv2 does where it differs (arbitration, register support, error codes, meter indexes).",
    'Prints {"switch": i, "name": ..., "address": "host:port", "deviceId": n} per switch.',
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, {
      address: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "0" },
      count: { type: "string" },
      "device-id": { type: "string", default: "1" },
      topology: { type: "string" },
      preload: { type: "string" },
      "device-config": { type: "string" },
      "bmv2-quirks": { type: "boolean", default: false },
    });
    const port = Number(values.port);
    const count = Number(values.count ?? "1");
    const deviceId = Number(values["device-id"]);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new CliError(`--port: expected 0..65535, got '${values.port}'`);
    if (!Number.isInteger(count) || count < 1 || count > 1000)
      throw new CliError(`--count: expected 1..1000, got '${values.count}'`);
    if (!Number.isInteger(deviceId) || deviceId < 1)
      throw new CliError(`--device-id: expected an integer >= 1, got '${values["device-id"]}'`);
    if (values.topology !== undefined && values.count !== undefined)
      throw new CliError("--topology and --count exclude each other (the topology says how many)");
    const wanted: { name: string | null; address: string; deviceId: number }[] =
      values.topology !== undefined
        ? loadTopologyFile(values.topology).switches.map((sw) => ({
            name: sw.name,
            address: sw.address,
            deviceId: sw.deviceId,
          }))
        : Array.from({ length: count }, (_, i) => ({
            name: null,
            address: `${values.address}:${port === 0 ? 0 : port + i}`,
            deviceId: deviceId + i,
          }));
    if (port !== 0 && port + wanted.length - 1 > 65535)
      throw new CliError(`--port ${port} --count ${count}: the last port would be beyond 65535`);
    const pipeline = values.preload
      ? {
          p4info: P4Schema.fromFile(values.preload).p4info,
          deviceConfig: values["device-config"]
            ? readFileSync(values["device-config"])
            : new Uint8Array(),
        }
      : undefined;
    const switches: TestSwitch[] = [];
    for (const [i, w] of wanted.entries()) {
      const ts = new TestSwitch({
        address: w.address,
        deviceId: w.deviceId,
        ...(values["bmv2-quirks"] ? { quirks: BMV2_QUIRKS } : {}),
        ...(pipeline ? { pipeline } : {}),
      });
      try {
        await ts.start();
      } catch (err) {
        await Promise.all(switches.map((s) => s.stop()));
        throw new CliError(`cannot listen on ${w.address}: ${(err as Error).message}`, 1);
      }
      switches.push(ts);
      console.log(
        JSON.stringify({
          switch: i,
          ...(w.name !== null ? { name: w.name } : {}),
          address: ts.address,
          deviceId: w.deviceId,
        }),
      );
    }
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await Promise.all(switches.map((s) => s.stop()));
    return 0;
  },
};
