// `netapprox alloc`: validate a topology and a policy, route, allocate, print the result.
import { allocate } from "@netapprox/model/allocation/allocate.js";
import { formatAllocation } from "@netapprox/model/allocation/report.js";
import { formatIssue } from "@netapprox/model/config/errors.js";
import { checkPolicy, vetPolicy } from "@netapprox/model/policy/checks.js";
import { loadPolicyFile } from "@netapprox/model/policy/load.js";
import { ALLOCATORS, type AllocatorName } from "@netapprox/model/policy/types.js";
import { computeRoutes } from "@netapprox/model/routing/routing.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import { CliError, parseOptions, type Command } from "../command.js";

export const command: Command = {
  usage: `--topology FILE --policy FILE [--json] [--allocator ${ALLOCATORS.join("|")}] [--all-links]`,
  description: [
    "Computes the bandwidth allocation for a topology and a policy and prints it per job and",
    "per link (--json: the whole allocation, including per-switch meters, thresholds and",
    "queue rates). --allocator overrides the policy's allocator (to compare the baselines).",
    "Nothing is sent to any switch.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseOptions(argv, {
      topology: { type: "string" },
      policy: { type: "string" },
      json: { type: "boolean", default: false },
      allocator: { type: "string" },
      "all-links": { type: "boolean", default: false },
    });
    if (values.topology === undefined) throw new CliError("--topology FILE is required");
    if (values.policy === undefined) throw new CliError("--policy FILE is required");
    const override = values.allocator;
    if (override !== undefined && !(ALLOCATORS as readonly string[]).includes(override)) {
      throw new CliError(
        `--allocator: expected one of ${ALLOCATORS.join(", ")}, got "${override}"`,
      );
    }
    const topology = loadTopologyFile(values.topology);
    const loaded = loadPolicyFile(values.policy);
    const policy =
      override === undefined ? loaded : { ...loaded, allocator: override as AllocatorName };
    const routing = computeRoutes(topology);
    vetPolicy(policy, routing.network);
    const allocation = allocate(topology, routing, {}, policy);
    for (const w of checkPolicy(policy, routing.network, allocation).warnings)
      console.error(`warning: ${formatIssue(w)}`);
    console.log(
      values.json
        ? JSON.stringify(allocation, null, 2)
        : formatAllocation(allocation, { allLinks: values["all-links"] }),
    );
    return 0;
  },
};
