import { parsePolicy } from "@netapprox/model/policy/load.js";
import { makePolicy } from "@netapprox/model/policy/types.js";
import { policyToYaml } from "@netapprox/lab/mininet/policy-file.js";

describe("policy file writer", () => {
  test("a written policy loads back to the same policy", () => {
    const policy = makePolicy({
      allocator: "priority-only",
      classes: {
        control: { dscp: 46, queue: 3 },
        exact: { dscp: 0, queue: 2 },
        guaranteed: { dscp: 12, queue: 2 },
        bestEffort: { dscp: 1, queue: 0 },
      },
      knobs: { beta: 0.4, leThreshold: 5, ecnThreshold: 20, meterBurst: 0.02, pollInterval: 0.5 },
      jobs: [
        {
          name: "shards-1",
          id: 3,
          match: {
            src: ["h1", "h2"],
            dst: ["h5"],
            protocol: 17,
            srcPort: null,
            dstPort: { from: 20000, to: 20011 },
          },
          volume: 2_000_000,
          fraction: 0.9,
          weight: 2,
          deadline: 30,
        },
        {
          name: "logs",
          id: 4,
          match: {
            src: ["h3"],
            dst: ["h6"],
            protocol: null,
            srcPort: { from: 7, to: 7 },
            dstPort: null,
          },
          volume: 5e6,
          fraction: 0.5,
          weight: 1,
          deadline: null,
        },
      ],
      exact: { source: "declared", flows: [{ src: "h4", dst: "h8", rate: 2_500_000 }] },
    });
    const back = parsePolicy(policyToYaml(policy, ["generated for a test"]), "gen.yaml");
    expect({ ...back, origin: null }).toEqual(policy);
  });

  test("the header lines become comments", () => {
    const text = policyToYaml(makePolicy(), ["one", "two"]);
    expect(text.startsWith("# one\n# two\nallocator: netapprox\n")).toBe(true);
  });
});
