// Work conservation on a real BMv2 link: one BMv2 switch in Mininet whose egress towards a
// host is a 10 Mbit/s htb tree the controller programs from the allocation. Approximate
// (best-effort) data alone gets the whole link; with exact traffic backlogged it gets its
// configured share and no more; control packets are not queued behind data. Runs where root,
// Mininet and BMv2 are present; says in one line why it skipped otherwise.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable } from "@netapprox/model/util/executables.js";
import { buildLaunchPlan } from "@netapprox/lab/mininet/plan.js";
import { markingCommands } from "@netapprox/lab/mininet/schedule.js";
import { DEFAULT_CLASSES } from "@netapprox/model/policy/types.js";
import { parseTopology } from "@netapprox/model/topology/load.js";
import { freeLoopbackTcpPort as freePort } from "@netapprox/model/util/free-port.js";
import { CLI, launch, mininetUnavailable, result } from "../helpers/mininet.js";

const skip = mininetUnavailable(["tc", "ping"]);
if (skip) process.stderr.write(`BMv2 work-conservation test skipped: ${skip}\n`);
const describeMininet = skip ? describe.skip : describe;

/** The bottleneck, bit/s. */
const LINK = 10e6;
/** The best-effort share the reserved job's guarantee gives the bottleneck, bit/s. */
const GUARANTEE = 2e6;
/** The control class's share (control_share 0.05). */
const CONTROL = 0.05 * LINK;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describeMininet(`work conservation on a BMv2 link${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "netapprox-wc-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("best effort alone fills the link; with exact backlogged it gets its share; control goes first", async () => {
    const [grpc, thrift, http] = await Promise.all([1, 2, 3].map(() => freePort()));
    const topologyFile = join(dir, "wc.yaml");
    writeFileSync(
      topologyFile,
      `name: wc
link_defaults: {capacity: 20Mbit, buffer: 64}
switches:
  - {name: wc1, address: "127.0.0.1:${grpc}", device_id: 1, target: bmv2, thrift_port: ${thrift}, ports: [1, 2, 3]}
hosts:
  - {name: wch1, ipv4: 10.8.1.1, mac: "00:00:0a:08:01:01", switch: wc1, port: 1}
  - {name: wch2, ipv4: 10.8.1.2, mac: "00:00:0a:08:01:02", switch: wc1, port: 2}
  - {name: wch3, ipv4: 10.8.1.3, mac: "00:00:0a:08:01:03", switch: wc1, port: 3}
links:
  - {endpoints: [{host: wch1}, {switch: wc1, port: 1}]}
  - {endpoints: [{host: wch2}, {switch: wc1, port: 2}]}
  - {endpoints: [{host: wch3}, {switch: wc1, port: 3}], capacity: 10Mbit}
`,
    );
    // A job that never sends reserves 2 Mbit/s towards wch3 (fraction 1 of 2.5 MB in 10 s):
    // the best-effort class's weight at that port.
    const policyFile = join(dir, "policy.yaml");
    writeFileSync(
      policyFile,
      `allocator: netapprox
knobs: {control_share: 0.05, le_threshold: 32}
jobs:
  - {name: reserved, id: 1, match: {src: wch2, dst: wch3, protocol: udp, dst_port: 9999}, volume: 2.5MB, fraction: 1, deadline: 10s}
exact: {source: declared, flows: []}
`,
    );
    const topology = parseTopology(readFileSync(topologyFile, "utf8"), topologyFile);
    // Ports 26000 and 26002 carry best-effort data (LE), 26100 control probes (CS6); 27000
    // and 27100 are not marked: exact.
    const plan = buildLaunchPlan(topology, {
      topologyFile,
      runDir: dir,
      hostCommands: markingCommands(
        [
          { dataPort: 26000, controlPort: 26001 },
          { dataPort: 26002, controlPort: 26003 },
        ],
        DEFAULT_CLASSES,
        [26100],
      ),
      bmv2: { binary: findExecutable("simple_switch_grpc")! },
      controller: {
        argv: [
          ...[process.execPath, CLI, "controller", "--topology", topologyFile],
          ...["--policy", policyFile, "--http", `127.0.0.1:${http}`, "--bmv2-queues", "htb"],
        ],
        cwd: dir,
        statusUrl: `http://127.0.0.1:${http}/status`,
        readyTimeout: 60,
      },
    });
    const net = await launch(plan, dir);
    const node = (host: string, ...args: string[]) =>
      result(net.spawnOnHost(host, [process.execPath, ...args]));
    /** Round-trip times of 20 pings with the given TOS byte, ms (answered by the kernel). */
    const ping = (host: string, tos: number): Promise<number[]> =>
      new Promise((resolve) => {
        const child = net.spawnOnHost(host, [
          ...["ping", "-n", "-c", "20", "-i", "0.1", "-W", "2", "-Q", String(tos), "10.8.1.3"],
        ]);
        let out = "";
        child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
        child.once("close", () =>
          resolve([...out.matchAll(/time=([0-9.]+) ms/g)].map((m) => Number(m[1]))),
        );
      });
    /** Received rate of a 12 Mbit/s blast that begins at `at` (ms since the epoch), bit/s. */
    const blast = async (from: string, port: number, seconds: number, at: number) => {
      const recv = node("wch3", CLI, "blast-recv", "--bind", `:${port}`, "--job", "1");
      await node(
        from,
        ...[CLI, "blast-send", "--to", `10.8.1.3:${port}`, "--job", "1", "--fraction", "1"],
        ...["--bytes", String(Math.round((12e6 / 8) * seconds)), "--rate", "12M"],
        ...["--chunk-size", "1400", "--start-at", String(at)],
      );
      const r = await recv;
      return (8 * (r.bytesReceived as number)) / ((r.receiveSpanMs as number) / 1000);
    };
    try {
      // The controller wrote the tree: control 500 kbit/s at priority 0, best effort 2 Mbit/s
      // and exact 7.5 Mbit/s at priority 1, every class may borrow the 10 Mbit/s.
      const classes = execFileSync("tc", ["-d", "class", "show", "dev", "wc1-eth3"], {
        encoding: "utf8",
      });
      expect(classes).toMatch(/class htb 1:4 .*prio 0 .*rate 500Kbit ceil 10Mbit/);
      expect(classes).toMatch(/class htb 1:2 .*leaf 10: prio 1 .*rate 2Mbit ceil 10Mbit/);
      expect(classes).toMatch(/class htb 1:3 .*prio 1 .*rate 7500Kbit ceil 10Mbit/);

      // Best effort alone, offered 12 Mbit/s: at least 90% of the link.
      const alone = await blast("wch1", 26000, 4, Date.now() + 3000);
      expect(alone).toBeGreaterThan(0.9 * LINK);

      // Both backlogged (12 Mbit/s each), with pings in control (CS6) and exact (DSCP 0).
      // Both begin at the same moment, whenever their programs have started.
      const at = Date.now() + 3000;
      const le = blast("wch1", 26002, 7, at);
      const exact = blast("wch2", 27000, 7, at);
      await new Promise((r) => setTimeout(r, 6000));
      const [c, e] = await Promise.all([ping("wch1", 48 << 2), ping("wch2", 0)]);
      const [leRate, exactRate] = await Promise.all([le, exact]);
      // Best effort gets its weighted share and not more; exact traffic the rest.
      expect(leRate).toBeLessThan(1.2 * GUARANTEE);
      expect(leRate).toBeGreaterThan(0.8 * GUARANTEE);
      expect(exactRate).toBeGreaterThan(0.85 * (LINK - GUARANTEE - CONTROL));
      // Control pings pass the exact packets queued at the port; exact pings wait behind them.
      expect(c.length).toBeGreaterThan(15);
      expect(e.length).toBeGreaterThan(5);
      expect(median(c)).toBeLessThan(median(e) / 4);
    } finally {
      await net.stop();
    }
    expect(net.leftovers).toEqual([]);
  }, 240_000);
});
