import { join } from "node:path";
import { loadPolicyFile } from "@netapprox/model/policy/load.js";
import { resolvePolicy } from "@netapprox/model/policy/resolve.js";
import { makePolicy } from "@netapprox/model/policy/types.js";
import { loadTopologyFile } from "@netapprox/model/topology/load.js";
import { Network } from "@netapprox/model/topology/network.js";

const DIR = "test/fixtures/policy";
const net = new Network(loadTopologyFile("topologies/dumbbell.yaml"));
const host = (name: string) => net.hostIndex.get(name)!;

describe("resolvePolicy", () => {
  it("turns names, addresses and prefixes into hosts and classifier prefixes", () => {
    const { jobs, flows } = resolvePolicy(loadPolicyFile(join(DIR, "valid-dumbbell.yaml")), net);
    expect(
      jobs.map((j) => [j.job.id, j.srcHosts, j.dstHosts, j.srcPrefixes, j.dstPrefixes]),
    ).toEqual([
      [1, [host("h1")], [host("h5")], ["10.0.1.1/32"], ["10.0.2.1/32"]],
      [
        2,
        [host("h2"), host("h3")],
        [host("h5"), host("h6"), host("h7"), host("h8")],
        ["10.0.1.2/32", "10.0.1.3/32"],
        ["10.0.2.0/24"],
      ],
    ]);
    expect(flows).toEqual([{ srcHost: host("h4"), dstHost: host("h8"), rate: 3e6 }]);
  });

  it("sorts jobs by id and rejects duplicate ids in policies built in code", () => {
    const job = (id: number) => ({
      name: `j${id}`,
      id,
      match: { src: ["h1"], dst: ["h5"], protocol: null, srcPort: null, dstPort: null },
      volume: 1,
      fraction: 1,
      weight: 1,
      deadline: null,
    });
    expect(
      resolvePolicy(makePolicy({ jobs: [job(3), job(1)] }), net).jobs.map((j) => j.job.id),
    ).toEqual([1, 3]);
    expect(() => resolvePolicy(makePolicy({ jobs: [job(3), job(3)] }), net)).toThrow(
      new Error(
        "policy: jobs[1].id: duplicate job id 3 (also used by jobs[0]); each job needs its own meter",
      ),
    );
  });
});

// Problems only a topology reveals (here topologies/dumbbell.yaml).
const AGAINST_TOPOLOGY: [string, string][] = [
  [
    "flow-unknown-address.yaml",
    '28:22: exact.flows[0].dst: no host named or addressed "10.0.2.9" in the topology',
  ],
  [
    "prefix-host-bits.yaml",
    '23:12: jobs[1].match.dst: expected a prefix without host bits (did you mean 10.0.2.0/24?), got "10.0.2.1/24"',
  ],
  [
    "prefix-without-hosts.yaml",
    "23:12: jobs[1].match.dst: no host of the topology has an address in 10.9.0.0/16",
  ],
  [
    "unknown-host.yaml",
    '14:27: jobs[0].match.dst: no host named "h9"; expected a host of the topology, an address or a prefix',
  ],
];

describe("resolvePolicy: policies that do not fit the topology", () => {
  it.each(AGAINST_TOPOLOGY)("%s", (name, expected) => {
    const file = join(DIR, name);
    const policy = loadPolicyFile(file);
    expect(() => resolvePolicy(policy, net)).toThrow(new Error(`${file}:${expected}`));
  });

  it("rejects a job whose only source is its only destination", () => {
    const policy = makePolicy({
      jobs: [
        {
          name: "self",
          id: 1,
          match: { src: ["h1"], dst: ["10.0.1.1"], protocol: null, srcPort: null, dstPort: null },
          volume: 1,
          fraction: 1,
          weight: 1,
          deadline: null,
        },
      ],
    });
    expect(() => resolvePolicy(policy, net)).toThrow(
      new Error(
        "policy: jobs[0].match.dst: the job's only source and destination are the same host (h1); expected traffic that crosses the network",
      ),
    );
  });
});
