// What the command line must keep doing whatever parses its arguments: never hang, never
// replace a file silently, answer a path it cannot write with a user error (not an
// internal one), and range errors for negative numbers in flags.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cli } from "../helpers/cli.js";
import { makeDirectory, writeOutputFile } from "@netapprox/model/util/files.js";

const dir = mkdtempSync(join(tmpdir(), "netapprox-safety-"));
const hasProc = existsSync("/proc/self");

function tinyScenario(): string {
  const file = join(dir, "tiny.yaml");
  writeFileSync(
    file,
    `name: tiny
topology: ${resolve("topologies/dumbbell.yaml")}
seeds: [4]
duration: 1s
time_limit: 20s
workload:
  approximate:
    - {name: a, src: h1, dst: h5, volume: 100KB, fraction: 0.9}
`,
  );
  return file;
}

describe("output paths", () => {
  (hasProc ? it : it.skip)(
    "simulate --out under /proc ends at once with a user error (Node's mkdir -p loops there)",
    async () => {
      const r = await cli(
        "simulate",
        tinyScenario(),
        "--policies",
        "netapprox",
        "--out",
        "/proc/netapprox-test/results",
        "--quiet",
      );
      expect(r.code).toBe(1);
      expect(r.err).toBe(
        "netapprox simulate: cannot create the results folder /proc/netapprox-test/results/runs: the file system does not let it be created there (ENOENT)",
      );
    },
  );

  it("makeDirectory creates nested folders, and names a file in the way", () => {
    const nested = join(dir, "a", "b", "c");
    makeDirectory(nested);
    expect(existsSync(nested)).toBe(true);
    makeDirectory(nested); // already there: nothing to do
    const file = join(dir, "plain-file");
    writeFileSync(file, "x");
    expect(() => makeDirectory(join(file, "sub"), "results folder")).toThrow(
      `cannot create the results folder ${join(file, "sub")}: ${file} is a file, not a folder`,
    );
  });

  it("topo gen refuses to replace an existing file unless --force", async () => {
    const file = join(dir, "existing.yaml");
    writeFileSync(file, "# mine\n");
    const refused = await cli("topo", "gen", "fat-tree", "--k", "2", "--out", file);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(
      `netapprox topo: ${file} already exists; not replacing it (--force replaces it)`,
    );
    expect(readFileSync(file, "utf8")).toBe("# mine\n");
    const forced = await cli("topo", "gen", "fat-tree", "--k", "2", "--out", file, "--force");
    expect(forced.code).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("# fat-tree k=2");
  });

  it("refuses /etc/hostname without --force, whoever runs it", async () => {
    const r = await cli("topo", "gen", "fat-tree", "--k", "2", "--out", "/etc/hostname");
    expect(r.code).toBe(1);
    expect(r.err).toContain("/etc/hostname already exists; not replacing it");
  });

  (hasProc ? it : it.skip)("answers a file it cannot create with a user error", async () => {
    const r = await cli("topo", "gen", "fat-tree", "--k", "2", "--out", "/proc/no-such/t.yaml");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^netapprox topo: cannot write the topology file \/proc\/no-such\/t\.yaml: .* \(ENOENT\)$/,
    );
  });

  it("writeOutputFile names a folder given as a file", () => {
    expect(() => writeOutputFile(dir, "x", { what: "report" })).toThrow(
      `cannot write the report ${dir}: it is a folder`,
    );
  });

  it("compare --out refuses to replace an existing file unless --force", async () => {
    const a = "results/examples/simulator/dumbbell-bmv2-paced";
    const b = "results/examples/mininet/dumbbell";
    const out = join(dir, "cmp.md");
    writeFileSync(out, "keep\n");
    const refused = await cli("compare", a, b, "--out", out);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`${out} already exists; not replacing it (--force replaces it)`);
    expect(readFileSync(out, "utf8")).toBe("keep\n");
    expect((await cli("compare", a, b, "--out", out, "--force")).code).toBe(0);
    expect(readFileSync(out, "utf8")).not.toBe("keep\n");
  });
});

describe("negative numbers in flags get the flag's range error", () => {
  it.each([
    [
      ["topo", "gen", "fat-tree", "--k", "-4"],
      'netapprox topo: --k: expected an integer >= 2, got "-4"',
    ],
    [
      ["simulate", "SCENARIO", "--seed", "-1"],
      'netapprox simulate: --seed: expected an integer from 0 to 4294967295, got "-1"',
    ],
    [
      ["test-switch", "--count", "-3"],
      "netapprox test-switch: --count: expected 1..1000, got '-3'",
    ],
    [
      ["controller", "--topology", "t.yaml", "--policy", "p.yaml", "--poll-ms", "-5"],
      "netapprox controller: --poll-ms: expected a number of milliseconds >= 10",
    ],
    [
      ["topo", "gen", "fat-tree", "--k", "4", "--capacity", "-10Mbit"],
      'netapprox topo: --capacity: expected a bit rate such as 10Mbit or 1G, got "-10Mbit"',
    ],
  ])("%j", async (argv, message) => {
    const args = argv.map((a) => (a === "SCENARIO" ? tinyScenario() : a));
    const r = await cli(...args);
    expect(r.err).toBe(message);
    expect(r.code).toBe(2);
  });
});
