import { allocate } from "@netapprox/model/allocation/allocate.js";
import { formatAllocation, table } from "@netapprox/model/allocation/report.js";
import { loadPolicyFile } from "@netapprox/model/policy/load.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";

describe("table", () => {
  it("aligns text left and numbers right", () => {
    expect(
      table(
        ["name", "n"],
        [
          ["a", "1"],
          ["long", "100"],
        ],
        [false, true],
      ),
    ).toBe(["name    n", "----  ---", "a       1", "long  100"].join("\n"));
  });
});

describe("formatAllocation", () => {
  const topology = loadTopologyFile("topologies/dumbbell.yaml");
  const policy = loadPolicyFile("policies/dumbbell.yaml");

  it("prints jobs and the links that carry traffic", () => {
    const text = formatAllocation(allocate(topology, computeRoutes(topology), {}, policy));
    expect(text).toBe(
      [
        "allocator: netapprox (meters on, early drop on, hosts send with approximate)",
        "",
        "jobs (2):",
        "id  job              weight   requested  guaranteed    allocated          PIR  bottleneck",
        "--  ---------------  ------  ----------  ----------  -----------  -----------  ----------",
        " 1  training-shards       2  3.2 Mbit/s  3.2 Mbit/s  4.53 Mbit/s  4.76 Mbit/s  s1:5->s2:5",
        " 2  log-sample            1     0 bit/s     0 bit/s  2.27 Mbit/s  2.38 Mbit/s  s1:5->s2:5",
        "",
        "links (8 carrying traffic; 10 idle not shown, --all-links shows them):",
        "link         capacity     exact  guaranteed    allocated  utilisation  jobs",
        "----------  ---------  --------  ----------  -----------  -----------  ----",
        "s1:5->s2:5  10 Mbit/s  3 Mbit/s  3.2 Mbit/s   6.8 Mbit/s        98.0%     2",
        "s2:1->h5    10 Mbit/s   0 bit/s  3.2 Mbit/s  4.53 Mbit/s        45.3%     1",
        "s2:2->h6    10 Mbit/s   0 bit/s     0 bit/s  2.27 Mbit/s        22.7%     1",
        "s2:4->h8    10 Mbit/s  3 Mbit/s     0 bit/s      0 bit/s        30.0%     0",
        "h1->s1:1    10 Mbit/s   0 bit/s  3.2 Mbit/s  4.53 Mbit/s        45.3%     1",
        "h2->s1:2    10 Mbit/s   0 bit/s     0 bit/s  1.13 Mbit/s        11.3%     1",
        "h3->s1:3    10 Mbit/s   0 bit/s     0 bit/s  1.13 Mbit/s        11.3%     1",
        "h4->s1:4    10 Mbit/s  3 Mbit/s     0 bit/s      0 bit/s        30.0%     0",
      ].join("\n"),
    );
  });

  it("shows every link on request, and dashes for a baseline that allocates nothing", () => {
    const text = formatAllocation(
      allocate(topology, computeRoutes(topology), {}, { ...policy, allocator: "oblivious" }),
      {
        allLinks: true,
      },
    );
    expect(text.split("\n")[0]).toBe(
      "allocator: oblivious (meters off, early drop off, hosts send with tcp)",
    );
    expect(text).toContain(
      " 1  training-shards       2  3.2 Mbit/s           -          -    -  -",
    );
    expect(text).toContain("links (18):");
    expect(text).toContain(
      "s1:1->h1    10 Mbit/s   0 bit/s           -          -         0.0%     0",
    );
  });
});
