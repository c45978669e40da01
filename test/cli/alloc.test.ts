import { cli } from "../helpers/cli.js";

const T = "topologies/dumbbell.yaml";
const P = "policies/dumbbell.yaml";

describe("netapprox alloc", () => {
  it("prints the allocation per job and per link", async () => {
    const { code, out } = await cli("alloc", "--topology", T, "--policy", P);
    expect(code).toBe(0);
    expect(out).toContain(
      " 1  training-shards       2  3.2 Mbit/s  3.2 Mbit/s  4.53 Mbit/s  4.76 Mbit/s  s1:5->s2:5",
    );
    expect(out).toContain(
      "s1:5->s2:5  10 Mbit/s  3 Mbit/s  3.2 Mbit/s   6.8 Mbit/s        98.0%     2",
    );
  });

  it("prints the whole allocation as JSON, with the allocator overridden", async () => {
    const { code, out } = await cli(
      "alloc",
      "--topology",
      T,
      "--policy",
      P,
      "--json",
      "--allocator",
      "priority-only",
    );
    expect(code).toBe(0);
    const allocation = JSON.parse(out) as {
      allocator: string;
      jobs: { allocated: unknown }[];
      switches: unknown[];
    };
    expect(allocation.allocator).toBe("priority-only");
    expect(allocation.jobs.map((j) => j.allocated)).toEqual([null, null]);
    expect(allocation.switches).toHaveLength(2);
  });

  it("reports bad usage and bad files without a stack trace", async () => {
    expect(await cli("alloc", "--policy", P)).toEqual({
      code: 2,
      out: "",
      err: "netapprox alloc: --topology FILE is required",
    });
    expect((await cli("alloc", "--topology", T, "--policy", P, "--allocator", "fast")).err).toBe(
      'netapprox alloc: --allocator: expected one of netapprox, oblivious, udp-blast, priority-only, got "fast"',
    );
    const bad = await cli(
      "alloc",
      "--topology",
      "test/fixtures/topology/capacity-zero.yaml",
      "--policy",
      P,
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(
      'netapprox alloc: test/fixtures/topology/capacity-zero.yaml:18:15: links[0].capacity: expected a positive bit rate with its unit such as "10Mbit" or "1G", got "0Mbit"',
    );
    const mismatch = await cli(
      "alloc",
      "--topology",
      T,
      "--policy",
      "test/fixtures/policy/unknown-host.yaml",
    );
    expect(mismatch.err).toBe(
      'netapprox alloc: test/fixtures/policy/unknown-host.yaml:14:27: jobs[0].match.dst: no host named "h9"; expected a host of the topology, an address or a prefix',
    );
  });
});
