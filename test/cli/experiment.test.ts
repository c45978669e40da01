import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseList, parseSeeds } from "@netapprox/cli/commands/experiment.js";
import { EXPERIMENT_POLICIES } from "@netapprox/lab/experiment/scenario.js";
import { cli } from "../helpers/cli.js";

describe("netapprox experiment options", () => {
  test("policies: comma lists and repeated flags, each one known", () => {
    expect(
      parseList("--policies", ["netapprox,udp-blast", "netapprox"], EXPERIMENT_POLICIES),
    ).toEqual(["netapprox", "udp-blast"]);
    expect(parseList("--policies", undefined, EXPERIMENT_POLICIES)).toBeUndefined();
    expect(() => parseList("--policies", ["netapprox,tcp"], EXPERIMENT_POLICIES)).toThrow(
      /--policies: unknown value 'tcp'; expected one of netapprox, /,
    );
  });

  test("seeds are integers", () => {
    expect(parseSeeds(["1,2", "5"])).toEqual([1, 2, 5]);
    expect(() => parseSeeds(["1,x"])).toThrow(
      '--seeds: expected an integer from 0 to 4294967295, got "x"',
    );
  });

  test("a scenario with a problem is reported before anything starts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netapprox-exp-"));
    try {
      const file = join(dir, "bad.yaml");
      writeFileSync(
        file,
        `name: bad\ntopology: ${join(process.cwd(), "topologies/dumbbell.yaml")}\nduration: 5s\nworkload:\n  approximate:\n    - {name: j, src: h1, dst: h99, volume: 1MB, fraction: 0.9}\n`,
      );
      const { code, err } = await cli("experiment", file);
      expect(code).toBe(1);
      expect(err).toMatch(/bad\.yaml:6:\d+: workload\.approximate\[0\]\.dst: no host named "h99"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("usage errors", async () => {
    expect((await cli("experiment")).err).toMatch(/expected one scenario file/);
    const bad = await cli("experiment", "experiments/dumbbell.yaml", "--policies", "nope");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown value 'nope'/);
  });
});
