import { allocate } from "@netapprox/model/allocation/allocate.js";
import { parsePolicy } from "@netapprox/model/policy/load.js";
import { checkPolicy, vetPolicy } from "@netapprox/model/policy/checks.js";
import { formatIssue } from "@netapprox/model/config/errors.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import { cli } from "../helpers/cli.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const topology = loadTopologyFile("topologies/dumbbell.yaml");
const routing = computeRoutes(topology);
const policy = (jobs: string, flows = "[]") =>
  parsePolicy(`jobs:\n${jobs}\nexact:\n  flows: ${flows}\n`, "p.yaml");
const job = (id: number, match: string) =>
  `  - {name: j${id}, id: ${id}, match: ${match}, volume: 10MB, fraction: 0.5}`;

describe("policy checks against the network", () => {
  it("refuses two jobs with the same classifier, pointing at the second", () => {
    const p = policy(
      [
        job(1, "{src: h1, dst: h5, protocol: udp, dst_port: 7000}"),
        job(2, "{src: h1, dst: [h5], protocol: udp, dst_port: 7000}"),
      ].join("\n"),
    );
    expect(() => vetPolicy(p, routing.network)).toThrow(
      "p.yaml:3:30: jobs[1].match: the same classifier as jobs[0] (j1): every packet of this job would be metered as j1's; give the two jobs different hosts, protocols or ports",
    );
  });

  it("warns about overlapping classifiers, saying what both match and who gets it", () => {
    const p = policy(
      [
        job(3, "{src: [h1, h2], dst: h5, dst_port: 7050}"),
        job(1, "{src: h1, dst: h5, protocol: udp, dst_port: 7000-7100}"),
        job(2, "{src: h1, dst: h5, protocol: udp, dst_port: 8000}"),
        job(4, "{src: h3, dst: h6}"),
      ].join("\n"),
    );
    const { errors, warnings } = checkPolicy(p, routing.network);
    expect(errors).toEqual([]);
    expect(warnings.map(formatIssue)).toEqual([
      "p.yaml:2:30: jobs[0].match: overlaps the classifier of jobs[1] (j1) (from h1 to h5, udp, destination ports 7050): packets in the overlap are metered as j1's (the lower job id)",
    ]);
  });

  it("warns when the exact traffic declared on a link exceeds its capacity", () => {
    const p = policy(job(1, "{src: h1, dst: h5}"), "[{src: h2, dst: h6, rate: 12Mbit}]");
    const allocation = allocate(topology, routing, {}, p);
    const { warnings } = checkPolicy(p, routing.network, allocation);
    expect(warnings.map((w) => w.message)).toContain(
      "exact traffic declared across s1:5->s2:5 is 12 Mbit/s, above its capacity of 10 Mbit/s: approximate jobs on it get only their floor",
    );
  });

  it("netapprox alloc prints the warnings and refuses identical classifiers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "checks-"));
    const file = join(dir, "p.yaml");
    writeFileSync(
      file,
      `jobs:\n${job(1, "{src: h1, dst: h5}")}\n${job(2, "{src: h1, dst: h5, protocol: tcp}")}\n`,
    );
    const warned = await cli("alloc", "--topology", "topologies/dumbbell.yaml", "--policy", file);
    expect(warned.code).toBe(0);
    expect(warned.err).toContain(
      `warning: ${file}:3:30: jobs[1].match: overlaps the classifier of jobs[0] (j1)`,
    );
    writeFileSync(
      file,
      `jobs:\n${job(1, "{src: h1, dst: h5}")}\n${job(2, "{src: h1, dst: h5}")}\n`,
    );
    const refused = await cli("alloc", "--topology", "topologies/dumbbell.yaml", "--policy", file);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("jobs[1].match: the same classifier as jobs[0] (j1)");
  });
});
