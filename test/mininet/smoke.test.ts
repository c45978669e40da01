// Mininet smoke test: a two-switch network of BMv2 switches built by mininet/launch.py,
// the controller on it, an approximate job and exact flows between its hosts, then
// teardown, checking that no interface, namespace or process is left. Runs only where
// root, Mininet, BMv2, the compiled P4 and the built controller are present; says in
// one line why it skipped otherwise.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable } from "@netapprox/model/util/executables.js";
import type { MininetNetwork } from "@netapprox/lab/mininet/launcher.js";
import { buildLaunchPlan } from "@netapprox/lab/mininet/plan.js";
import { markingCommands } from "@netapprox/lab/mininet/schedule.js";
import { DEFAULT_CLASSES } from "@netapprox/model/policy/types.js";
import { parseTopology } from "@netapprox/model/topology/load.js";
import { freeLoopbackTcpPort as freePort } from "@netapprox/model/util/free-port.js";
import { CLI, launch, mininetUnavailable, result } from "../helpers/mininet.js";

const skip = mininetUnavailable();
if (skip) process.stderr.write(`Mininet smoke test skipped: ${skip}\n`);
const describeMininet = skip ? describe.skip : describe;

const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
};
const interfaces = () =>
  execFileSync("ip", ["-o", "link", "show"], { encoding: "utf8" })
    .split("\n")
    .map((l) => l.split(":")[1]?.trim().split("@")[0])
    .filter((n): n is string => n !== undefined);

describeMininet(`Mininet smoke test${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "netapprox-smoke-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function network(withController: boolean) {
    const [g1, g2, t1, t2, http] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
    const topologyFile = join(dir, "smoke.yaml");
    writeFileSync(
      topologyFile,
      `name: smoke
link_defaults: {capacity: 10Mbit, buffer: 64}
switches:
  - {name: smk1, address: "127.0.0.1:${g1}", device_id: 1, target: bmv2, thrift_port: ${t1}, ports: [1, 2, 3]}
  - {name: smk2, address: "127.0.0.1:${g2}", device_id: 2, target: bmv2, thrift_port: ${t2}, ports: [1, 2, 3]}
hosts:
  - {name: smh1, ipv4: 10.9.1.1, mac: "00:00:0a:09:01:01", switch: smk1, port: 1}
  - {name: smh2, ipv4: 10.9.1.2, mac: "00:00:0a:09:01:02", switch: smk1, port: 2}
  - {name: smh3, ipv4: 10.9.2.1, mac: "00:00:0a:09:02:01", switch: smk2, port: 1}
  - {name: smh4, ipv4: 10.9.2.2, mac: "00:00:0a:09:02:02", switch: smk2, port: 2}
links:
  - {endpoints: [{switch: smk1, port: 3}, {switch: smk2, port: 3}]}
  - {endpoints: [{host: smh1}, {switch: smk1, port: 1}]}
  - {endpoints: [{host: smh2}, {switch: smk1, port: 2}]}
  - {endpoints: [{host: smh3}, {switch: smk2, port: 1}]}
  - {endpoints: [{host: smh4}, {switch: smk2, port: 2}]}
`,
    );
    const policyFile = join(dir, "policy.yaml");
    writeFileSync(
      policyFile,
      `allocator: netapprox
jobs:
  - {name: smoke, id: 1, match: {src: smh1, dst: smh3, protocol: udp}, volume: 300000, fraction: 0.9}
exact:
  flows: [{src: smh2, dst: smh4, rate: 1Mbit}]
`,
    );
    const topology = parseTopology(readFileSync(topologyFile, "utf8"), topologyFile);
    const plan = buildLaunchPlan(topology, {
      topologyFile,
      runDir: dir,
      hostCommands: markingCommands([{ dataPort: 25000, controlPort: 25001 }], DEFAULT_CLASSES),
      bmv2: { binary: findExecutable("simple_switch_grpc")! },
      controller: withController
        ? {
            argv: [
              process.execPath,
              CLI,
              "controller",
              "--topology",
              topologyFile,
              "--policy",
              policyFile,
              "--http",
              `127.0.0.1:${http}`,
            ],
            cwd: dir,
            statusUrl: `http://127.0.0.1:${http}/status`,
            readyTimeout: 60,
          }
        : null,
    });
    const net = await launch(plan, dir);
    return { net, plan, statusUrl: `http://127.0.0.1:${http}/status` };
  }

  function expectNothingLeft(
    net: MininetNetwork,
    plan: ReturnType<typeof buildLaunchPlan>,
    pids: number[],
  ) {
    expect(net.leftovers).toEqual([]);
    const present = new Set(interfaces());
    expect(
      plan.links.flatMap((l) => l.ends.map((e) => e.interface)).filter((i) => present.has(i)),
    ).toEqual([]);
    expect(pids.filter(alive)).toEqual([]);
  }

  test("the controller syncs both switches; an approximate job and exact flows cross them", async () => {
    const { net, plan, statusUrl } = await network(true);
    const r = net.ready;
    const pids = [
      ...Object.values(r.hosts).map((h) => h.pid),
      ...Object.values(r.switches).map((s) => s.pid),
      r.controller!.pid,
    ];
    try {
      const status = (await (await fetch(statusUrl)).json()) as {
        switches: { name: string; state: string; lastSync: unknown }[];
      };
      expect(status.switches.map((s) => [s.name, s.state])).toEqual([
        ["smk1", "ready"],
        ["smk2", "ready"],
      ]);
      // Hosts: one /32 address, IPv6 off, the marking rules installed.
      const inHost = (host: string, ...argv: string[]) =>
        execFileSync("mnexec", ["-a", String(r.hosts[host]!.pid), ...argv], { encoding: "utf8" });
      expect(inHost("smh1", "ip", "-4", "-o", "addr", "show", "dev", "smh1-eth0")).toMatch(
        /10\.9\.1\.1\/32/,
      );
      expect(inHost("smh1", "sysctl", "-n", "net.ipv6.conf.all.disable_ipv6").trim()).toBe("1");
      expect(inHost("smh1", "iptables", "-t", "mangle", "-S", "OUTPUT")).toMatch(
        /--dport 25000 -j DSCP --set-dscp 0x01/,
      );

      const recv = result(
        net.spawnOnHost("smh3", [
          process.execPath,
          CLI,
          "approx-recv",
          "--bind",
          ":25000",
          "--job",
          "1",
          "--timeout",
          "40s",
        ]),
      );
      const sink = result(
        net.spawnOnHost("smh4", [
          process.execPath,
          CLI,
          "exact-sink",
          "--bind",
          ":19000",
          "--flows",
          "3",
          "--timeout",
          "40s",
        ]),
      );
      await new Promise((done) => setTimeout(done, 1500));
      const [send, gen] = await Promise.all([
        result(
          net.spawnOnHost("smh1", [
            process.execPath,
            CLI,
            "approx-send",
            "--to",
            "10.9.2.1:25000",
            "--job",
            "1",
            "--bytes",
            "300k",
            "--fraction",
            "0.9",
            "--rate",
            "10M",
            "--timeout",
            "40s",
          ]),
        ),
        result(
          net.spawnOnHost("smh2", [
            process.execPath,
            CLI,
            "exact-gen",
            "--to",
            "10.9.2.2:19000",
            "--dist",
            "fixed:20000",
            "--load",
            "0.2",
            "--capacity",
            "10M",
            "--flows",
            "3",
            "--timeout",
            "30s",
          ]),
        ),
      ]);
      expect(send).toMatchObject({ outcome: "done", completed: true });
      expect((await recv).uniqueChunks as number).toBeGreaterThanOrEqual(225);
      expect(gen).toMatchObject({ flowsCompleted: 3, flowsFailed: 0 });
      expect(await sink).toMatchObject({ flowsCompleted: 3 });
    } finally {
      await net.stop();
    }
    expectNothingLeft(net, plan, pids);
  }, 180_000);

  test("a switch that dies is reported with its log, and teardown still leaves nothing", async () => {
    const { net, plan } = await network(false);
    const r = net.ready;
    const pids = [
      ...Object.values(r.hosts).map((h) => h.pid),
      ...Object.values(r.switches).map((s) => s.pid),
    ];
    try {
      const failed = new Promise<string>((resolve) => net.onFailure(resolve));
      process.kill(r.switches.smk2!.pid, "SIGKILL");
      expect(await failed).toMatch(/^switch smk2 died \(exit /);
    } finally {
      await net.stop();
    }
    expectNothingLeft(net, plan, pids);
  }, 120_000);
});
