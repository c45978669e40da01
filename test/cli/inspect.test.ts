// Looking at switches without changing them: `switch read` and `controller --dry-run`,
// against test switches that a controller configured.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NetapproxController } from "@netapprox/controller/runtime/controller.js";
import { loadPipeline } from "@netapprox/controller/runtime/pipelines.js";
import { topologyToYaml } from "@netapprox/model/topology/write.js";
import { packageRoot } from "@netapprox/model/util/package-root.js";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/events.js";
import { controllerFor, policyCopy, startTestbed, type Testbed } from "../helpers/testbed.js";

let bed: Testbed;
let topologyFile: string;

beforeAll(async () => {
  bed = await startTestbed("topologies/dumbbell.yaml");
  topologyFile = join(mkdtempSync(join(tmpdir(), "netapprox-inspect-")), "dumbbell.yaml");
  writeFileSync(topologyFile, topologyToYaml(bed.topology, "the dumbbell on test switches"));
  // A controller installs the dumbbell's policy, then leaves.
  const c: NetapproxController = controllerFor(bed, "policies/dumbbell.yaml", {
    pipelines: { v1model: loadPipeline(packageRoot(), "v1model") },
  });
  await c.start();
  await eventually(
    () => [...c.agents.values()].every((a) => a.stats.fullSyncs > 0),
    10_000,
    "the controller synced every switch",
  );
  await c.stop();
}, 30_000);

afterAll(() => bed.stop());

describe("netapprox switch read", () => {
  it("prints what a switch holds, by name, actions with their parameters", async () => {
    const r = await cli("switch", "read", "s1", "--topology", topologyFile);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
    expect(r.out).toMatch(/^s1 \(127\.0\.0\.1:\d+\): \d+ entities$/m);
    expect(r.out).toMatch(/^table NetapproxIngress\.routing_v4 \(\d+\):$/m);
    expect(r.out).toMatch(/-> member \d+$/m);
    expect(r.out).toMatch(
      /member \d+ of 'NetapproxIngress\.ecmp_selector' -> set_next_hop\(port=\d+, smac=..:..:/,
    );
    expect(r.out).toMatch(/meter 'NetapproxIngress\.job_meter'\[0\] cir \d+ B\/s/);
  });

  it("reads one table as JSON", async () => {
    const r = await cli("switch", "read", "s1", "routing_v4", "--topology", topologyFile, "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as {
      switch: string;
      entities: { kind: string; table: string }[];
    };
    expect(doc.switch).toBe("s1");
    expect(doc.entities.length).toBeGreaterThan(1);
    for (const e of doc.entities)
      expect(e).toMatchObject({ kind: "tableEntry", table: "NetapproxIngress.routing_v4" });
  });

  it("names what it cannot find", async () => {
    expect((await cli("switch", "read", "s3", "--topology", topologyFile)).err).toBe(
      `netapprox switch: no switch named "s3" in ${topologyFile}; it has s1, s2`,
    );
    expect((await cli("switch", "read", "s1", "routing_v6", "--topology", topologyFile)).err).toBe(
      'netapprox switch: the switch\'s P4Info has no table, action profile, meter, counter or register "routing_v6"; did you mean routing_v4?',
    );
    expect((await cli("switch", "raed", "s1")).err).toBe(
      'netapprox switch: unknown subcommand "raed"; did you mean read?',
    );
  });
});

describe("netapprox controller --dry-run", () => {
  it("finds nothing to write on switches in sync, and writes nothing", async () => {
    const before = bed.switches.get("s1")!.device!.entryCount;
    const r = await cli(
      "controller",
      "--topology",
      topologyFile,
      "--policy",
      "policies/dumbbell.yaml",
      "--dry-run",
    );
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
    expect(r.out).toMatch(/^s1 \(127\.0\.0\.1:\d+\): in sync: nothing to write$/m);
    expect(r.out).toMatch(/^s2 \(127\.0\.0\.1:\d+\): in sync: nothing to write$/m);
    expect(bed.switches.get("s1")!.device!.entryCount).toBe(before);
  });

  it("prints the difference a policy edit would make, by name, as text or JSON", async () => {
    const policy = policyCopy("policies/dumbbell.yaml", (t) =>
      t.replace(/weight: 1\b/, "weight: 5"),
    );
    const r = await cli("controller", "--topology", topologyFile, "--policy", policy, "--dry-run");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^s1 \(127\.0\.0\.1:\d+\): would write 0 inserts, [1-9]\d* modifies, 0 deletes$/m,
    );
    expect(r.out).toMatch(/^ {2}MODIFY meter 'NetapproxIngress\.job_meter'\[\d+\]$/m);
    const json = await cli(
      "controller",
      "--topology",
      topologyFile,
      "--policy",
      policy,
      "--dry-run",
      "--json",
    );
    const runs = JSON.parse(json.out) as {
      switch: string;
      modifies: number;
      pushesPipeline: boolean;
    }[];
    expect(runs.find((x) => x.switch === "s1")).toMatchObject({ pushesPipeline: false });
    expect(runs.find((x) => x.switch === "s1")!.modifies).toBeGreaterThan(0);
  });
});
