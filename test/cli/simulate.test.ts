import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cli } from "../helpers/cli.js";

function scenarioFile(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "netapprox-simulate-"));
  const file = join(dir, "tiny.yaml");
  writeFileSync(
    file,
    `name: tiny
topology: ${resolve("topologies/dumbbell.yaml")}
seeds: [4, 5]
duration: 1s
time_limit: 20s
workload:
  approximate:
    - {name: a, src: h1, dst: h5, volume: 200KB, fraction: 0.9}
  exact:
    - {distribution: "fixed:20KB", load: 0.1, capacity: 10Mbit, src: [h2], dst: [h6]}
`,
  );
  return { dir, file };
}

describe("netapprox simulate", () => {
  it("runs the chosen policies and seed, each TCP baseline in every TCP setting, prints the table and writes the results", async () => {
    const { dir, file } = scenarioFile();
    const out = join(dir, "out");
    const r = await cli(
      "simulate",
      file,
      "--policies",
      "netapprox,tcp-receiver-drop",
      "--seed",
      "7",
      "--out",
      out,
      "--quiet",
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\| policy \| approx JCT mean/m);
    expect(r.out).toMatch(/^\| netapprox \| .* \| 1\/1 \| .* \| \d+\/\d+ \| - \| - \|$/m);
    for (const setting of ["linux-default", "dc-tuned", "dctcp"])
      expect(r.out).toMatch(new RegExp(`^\\| tcp-receiver-drop \\(${setting}\\) \\| `, "m"));
    for (const name of [
      "runs/netapprox-seed7.json",
      "runs/tcp-receiver-drop-linux-default-seed7.json",
      "runs/tcp-receiver-drop-dc-tuned-seed7.json",
      "runs/tcp-receiver-drop-dctcp-seed7.json",
      "summary.json",
      "report.md",
      "jct.svg",
      "jct.csv",
      "fct.svg",
      "fct-cdf.svg",
      "fct-cdf.csv",
      "delivered.svg",
      "delivered.csv",
    ]) {
      expect(existsSync(join(out, name))).toBe(true);
    }
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.seeds).toEqual([7]);
    expect(summary.policies.map((p: { label: string }) => p.label)).toEqual([
      "netapprox",
      "tcp-receiver-drop (linux-default)",
      "tcp-receiver-drop (dc-tuned)",
      "tcp-receiver-drop (dctcp)",
    ]);
  });

  it("runs the TCP baselines in the TCP settings given on the command line", async () => {
    const { dir, file } = scenarioFile();
    const out = join(dir, "t");
    const r = await cli(
      "simulate",
      file,
      "--policies",
      "tcp-sender-sampling",
      "--tcp-settings",
      "dctcp",
      "--seed",
      "1",
      "--out",
      out,
      "--quiet",
    );
    expect(r.code).toBe(0);
    const run = JSON.parse(
      readFileSync(join(out, "runs", "tcp-sender-sampling-dctcp-seed1.json"), "utf8"),
    );
    expect(run.tcpSetting).toBe("dctcp");
    expect((await cli("simulate", file, "--tcp-settings", "cubic")).err).toContain(
      '--tcp-settings: unknown TCP setting "cubic"; expected some of linux-default, dc-tuned, dctcp',
    );
  });

  it("takes a queue mode over the scenario's", async () => {
    const { dir, file } = scenarioFile();
    const r = await cli(
      "simulate",
      file,
      "--policies",
      "tcp-sender-sampling",
      "--seed",
      "1",
      "--queue-mode",
      "bmv2-paced",
      "--tcp-settings",
      "dc-tuned",
      "--out",
      join(dir, "o"),
      "--quiet",
    );
    expect(r.code).toBe(0);
    const run1 = JSON.parse(
      readFileSync(join(dir, "o", "runs", "tcp-sender-sampling-dc-tuned-seed1.json"), "utf8"),
    );
    expect(run1.runnerInfo.queueMode).toBe("bmv2-paced");
  });

  it("refuses unknown policies, bad seeds and queue modes, and broken scenario files", async () => {
    const { dir, file } = scenarioFile();
    expect(await cli("simulate", file, "--policies", "netapprox,tcp")).toMatchObject({
      code: 2,
      err: expect.stringContaining('--policies: unknown policy "tcp"'),
    });
    expect((await cli("simulate", file, "--seed", "-1")).code).toBe(2);
    expect((await cli("simulate", file, "--queue-mode", "fifo")).err).toContain(
      '--queue-mode: expected one of strict, weighted, bmv2-paced, got "fifo"',
    );
    expect((await cli("simulate")).err).toContain("expected one scenario file, got 0");
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "name: x\ntopology: nope.yaml\nduration: 1s\nworkload: {}\n");
    const r = await cli("simulate", broken);
    expect(r.code).toBe(1);
    expect(r.err).toContain("broken.yaml:2:11: topology: cannot read the topology file");
  });
});
