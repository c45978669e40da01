import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "@netapprox/model/config/errors.js";
import { loadScenarioFile, parseScenario, transferCount } from "@netapprox/lab/experiment/load.js";
import { DEFAULT_APPROX_TIMING, EXPERIMENT_POLICIES } from "@netapprox/lab/experiment/scenario.js";

const FIXTURES = "test/experiment/fixtures";

const BASE = `name: t
topology: topologies/dumbbell.yaml
duration: 2s
workload:
  approximate:
    - {name: a, src: h1, dst: h5, volume: 1MB, fraction: 0.9}
`;

/** The loader's problems for `text`, as "line: path: message" strings. */
function problems(text: string, baseDir = "."): string[] {
  try {
    parseScenario(text, "s.yaml", baseDir);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map(
      (i) => `${i.file}:${i.line ?? "-"}: ${i.path?.join(".") ?? ""}: ${i.message}`,
    );
  }
  return [];
}

describe("scenario loader: valid files", () => {
  it("loads every shipped scenario", () => {
    const shipped = readdirSync("experiments").filter((f) => f.endsWith(".yaml"));
    expect(shipped.length).toBeGreaterThanOrEqual(6);
    for (const file of shipped) {
      const s = loadScenarioFile(join("experiments", file));
      expect(s.name).toBeTruthy();
      expect(s.topology.hosts.length).toBeGreaterThan(0);
      expect(s.jobs.length + s.generators.length).toBeGreaterThan(0);
    }
  });

  it("fills defaults and resolves units", () => {
    const s = parseScenario(BASE, "s.yaml", ".");
    expect(s.policies).toEqual([...EXPERIMENT_POLICIES]);
    expect(s.seeds).toEqual([1]);
    expect(s.duration).toBe(2);
    expect(s.timeLimit).toBe(60);
    expect(s.jobs[0]).toMatchObject({
      name: "a",
      kind: "transfer",
      src: ["h1"],
      dst: ["h5"],
      volume: 1e6,
      fraction: 0.9,
      weight: 1,
      start: 0,
    });
    expect(s.transport.approximate).toEqual(DEFAULT_APPROX_TIMING);
    expect(s.simulator.queueMode).toBe("strict");
    expect(s.policy.allocator).toBe("netapprox");
    expect(s.topologyFile).toMatch(/topologies\/dumbbell\.yaml$/);
  });

  it("reads generators, exact traffic, transport, simulator and Mininet sections", () => {
    const s = parseScenario(
      `name: t
topology: topologies/leaf-spine.yaml
duration: 500ms
time_limit: 10s
seeds: 7
policies: [netapprox, udp-blast]
workload:
  generate:
    - {kind: all-to-all, count: 2, senders: 4, rounds: 3, volume: 4MB, fraction: 0.8, arrival: {poisson: 10, from: 100ms}}
    - {prefix: k, kind: stream, count: 1, senders: 3, receivers: 2, batches: 2, interval: 50ms, volume: 1MB, fraction: 0.9, arrival: {uniform: [0s, 1s]}}
  exact:
    - {distribution: "fixed:20KB", load: 0.4, src: [h1-1], dst: [h2-1, h3-1], stop: 300ms}
transport:
  chunk_size: 1000
  approximate: {feedback_interval: 1ms, silence: 30ms, memory: 20ms}
  blast_rate: 5Mbit
  tcp: {mss: 1000, min_rto: 10ms}
simulator: {queue_mode: bmv2-paced, link_delay: 5us, ecmp_hash: same, job_demand: none}
mininet: {base_port: 30000}
`,
      "s.yaml",
      ".",
    );
    expect(s.seeds).toEqual([7]);
    expect(s.policies).toEqual(["netapprox", "udp-blast"]);
    expect(s.generators[0]).toMatchObject({
      prefix: "all-to-all1",
      kind: "all-to-all",
      count: 2,
      senders: 4,
      receivers: 0,
      rounds: 3,
    });
    expect(s.generators[0]!.arrival).toEqual({ kind: "poisson", rate: 10, from: 0.1 });
    expect(s.generators[1]).toMatchObject({
      prefix: "k",
      batches: 2,
      interval: 0.05,
      receivers: 2,
    });
    expect(s.generators[1]!.arrival).toEqual({ kind: "uniform", from: 0, to: 1 });
    expect(s.exact[0]).toMatchObject({
      name: "exact1",
      distribution: "fixed:20KB",
      load: 0.4,
      capacity: null,
      src: ["h1-1"],
      stop: 0.3,
    });
    expect(s.transport).toMatchObject({ chunkSize: 1000, blastRate: 5e6 });
    expect(s.transport.approximate.feedbackInterval).toBe(0.001);
    expect(s.transport.approximate.silence).toBeCloseTo(0.03, 12);
    expect(s.transport.approximate.keepalive).toBe(DEFAULT_APPROX_TIMING.keepalive);
    expect(s.transport.approximate.memory).toBeCloseTo(0.02, 12);
    expect(DEFAULT_APPROX_TIMING.memory).toBe(1);
    expect(s.transport.tcp).toMatchObject({ mss: 1000, minRto: 0.01, initialWindow: 10 });
    expect(s.simulator).toMatchObject({
      queueMode: "bmv2-paced",
      ecmpHash: "same",
      jobDemand: "none",
    });
    expect(s.simulator.linkDelay).toBeCloseTo(5e-6, 15);
    expect(s.mininet.basePort).toBe(30000);
  });

  it("takes a policy file, drops its jobs with a note, and applies overrides on top", () => {
    const s = parseScenario(
      `${BASE}policy: ${FIXTURES}/good.policy.yaml
policy_overrides:
  knobs: {headroom: 0.2}
`,
      "s.yaml",
      ".",
    );
    expect(s.policy.knobs.leThreshold).toBe(12);
    expect(s.policy.knobs.headroom).toBe(0.2);
    expect(s.policy.jobs).toEqual([]);
    expect(s.policyFile).toMatch(/good\.policy\.yaml$/);
    expect(s.notes.join(" ")).toMatch(/jobs are ignored/);
  });

  it("takes an inline policy", () => {
    const s = parseScenario(
      `${BASE}policy:\n  knobs: {le_threshold: 3, ecn_threshold: 10}\n`,
      "s.yaml",
      ".",
    );
    expect(s.policy.knobs.leThreshold).toBe(3);
    expect(s.policy.knobs.ecnThreshold).toBe(10);
    expect(s.policyFile).toBeNull();
  });

  it("counts transfers per job kind", () => {
    const shape = { rounds: 3, batches: 4 };
    expect(transferCount({ kind: "transfer", src: ["a", "b"], dst: ["b", "c"], ...shape })).toBe(3);
    expect(transferCount({ kind: "all-to-all", src: ["a", "b", "c"], dst: [], ...shape })).toBe(18);
    expect(transferCount({ kind: "stream", src: ["a", "b"], dst: ["c"], ...shape })).toBe(8);
  });
});

describe("scenario loader: errors name the file, line, path and what was expected", () => {
  it("reports a misspelt property with a suggestion", () => {
    expect(problems(`${BASE}time_limt: 5s\n`)).toEqual([
      's.yaml:7: time_limt: unknown property; did you mean "time_limit"?',
    ]);
  });

  it("reports hosts that are not in the topology, and job kinds without their hosts", () => {
    const p = problems(`name: t
topology: topologies/dumbbell.yaml
duration: 2s
workload:
  approximate:
    - {name: a, src: h1, dst: h99, volume: 1MB, fraction: 0.9}
    - {name: b, kind: all-to-all, src: [h1], volume: 1MB, fraction: 0.9}
    - {name: c, src: h1, volume: 1MB, fraction: 0.9}
    - {name: a, src: h2, dst: h2, volume: 1MB, fraction: 0.9, rounds: 2}
`);
    expect(p).toEqual([
      expect.stringMatching(
        /^s\.yaml:6: workload\.approximate\.0\.dst: no host named "h99" in .*dumbbell\.yaml; expected a host of the topology$/,
      ),
      "s.yaml:7: workload.approximate.1.src: expected at least two workers for an all-to-all job",
      "s.yaml:8: workload.approximate.2: missing dst; expected the receivers of the transfer",
      's.yaml:9: workload.approximate.3.name: job name "a" is also used by workload.approximate[0]',
      "s.yaml:9: workload.approximate.3.dst: the job's only sender and receiver are the same host (h2)",
      "s.yaml:9: workload.approximate.3.rounds: only all-to-all and aggregation jobs have rounds; this job is a transfer",
    ]);
  });

  it("reports bad quantities with the expected form", () => {
    const p = problems(
      BASE.replace("volume: 1MB", "volume: lots").replace("duration: 2s", "duration: 2 parsecs"),
    );
    expect(p).toEqual([
      's.yaml:3: duration: expected a positive duration such as "500ms", "2s" or 1.5 (seconds), got "2 parsecs"',
      's.yaml:6: workload.approximate.0.volume: expected a positive size in bytes such as 2000000, "2MB" or "512KiB", got "lots"',
    ]);
  });

  it("refuses what cannot be right: no duration, exact load above 100%, rates beyond any link", () => {
    expect(problems(BASE.replace("duration: 2s", "duration: 0s"))).toEqual([
      's.yaml:3: duration: expected a positive duration such as "30s", got "0s"',
    ]);
    const exact = (entry: string) =>
      problems(`${BASE}  exact:\n    - {distribution: websearch, ${entry}}\n`);
    expect(exact("load: 1.2")).toEqual([
      "s.yaml:8: workload.exact.0.load: expected an offered load as a fraction of the capacity (a number > 0, at most 1), got 1.2",
    ]);
    expect(exact("load: 0.5, capacity: 10")).toEqual([
      's.yaml:8: workload.exact.0.capacity: expected a positive bit rate with its unit such as "10Mbit", "500k" or "1G" (a bare number has no unit), got 10',
    ]);
    expect(exact("load: 0.5, capacity: 99999999999999999999999Tbit")).toEqual([
      "s.yaml:8: workload.exact.0.capacity: expected a positive bit rate with its unit: 99999999999999999999999Tbit is above 10 Tbit/s, faster than any link",
    ]);
  });

  it("reports generators that need more hosts than there are, and arrival forms", () => {
    const p = problems(`name: t
topology: topologies/dumbbell.yaml
duration: 2s
workload:
  generate:
    - {kind: shuffle, count: 2, senders: 6, receivers: 4, volume: 1MB, fraction: 0.9, arrival: {at: 0s, poisson: 3}}
`);
    expect(p).toEqual([
      "s.yaml:6: workload.generate.0.senders: expected at most 8 hosts per job (the hosts to pick from), got 6 senders + 4 receivers",
      "s.yaml:6: workload.generate.0.arrival: expected exactly one of at, uniform or poisson",
    ]);
  });

  it("reads job-level completion, TCP settings and the new simulator settings", () => {
    const s = parseScenario(
      `name: n
topology: topologies/dumbbell.yaml
duration: 1s
completion: transfer
workload:
  approximate:
    - {name: ps, kind: aggregation, src: [h1, h2], dst: h5, volume: 2MB, rounds: 2, fraction: 0.9,
       min_sender_fraction: 0.1}
transport: {tcp_settings: [dctcp, linux-default], dctcp_threshold: 30}
simulator: {queue_mode: weighted, exact_demand: measured}
hosts: {queues: fifo, best_effort_share: 0.2}
`,
      "n.yaml",
    );
    expect(s.completion).toBe("transfer");
    expect(s.jobs[0]).toMatchObject({ kind: "aggregation", rounds: 2, minSenderFraction: 0.1 });
    expect(s.transport.tcpSettings).toEqual(["dctcp", "linux-default"]);
    expect(s.transport.dctcpThreshold).toBe(30);
    expect(s.simulator).toMatchObject({
      queueMode: "weighted",
      exactDemand: "measured",
    });
    const d = parseScenario(BASE, "d.yaml");
    expect(d.completion).toBe("job");
    expect(d.transport.tcpSettings).toEqual(["linux-default", "dc-tuned", "dctcp"]);
    expect(s.hosts).toEqual({ queues: "fifo", bestEffortShare: 0.2 });
    expect(d.hosts).toEqual({ queues: "priority", bestEffortShare: 0.1 });
  });

  it("reports a floor above the fraction, duplicate TCP settings and exact destinations given twice", () => {
    const p = problems(`name: x
topology: topologies/dumbbell.yaml
duration: 1s
workload:
  approximate:
    - {name: a, src: [h1, h2], dst: h5, volume: 1MB, fraction: 0.5, min_sender_fraction: 0.6}
  exact:
    - {distribution: websearch, load: 0.1, dst: h6, into_job_receivers: true}
transport: {tcp_settings: [dc-tuned, dc-tuned]}
`);
    expect(p).toEqual(
      [
        "s.yaml:6: workload.approximate.0.min_sender_fraction: expected at most the job's fraction (0.5), got 0.6",
        "s.yaml:8: workload.exact.0.into_job_receivers: give either dst or into_job_receivers: the destinations are one or the other",
        'transport.tcp_settings.1: TCP setting "dc-tuned" is listed twice',
      ].map((m) => expect.stringContaining(m)),
    );
  });

  it("reports DCTCP without ECN marking, duplicate seeds and policies", () => {
    const p = problems(
      `${BASE}seeds: [1, 1]\npolicies: [netapprox, netapprox]\ntransport: {tcp: {variant: dctcp}}\n`,
    );
    expect(p).toEqual([
      "s.yaml:7: seeds.1: seed 1 is listed twice",
      's.yaml:8: policies.1: policy "netapprox" is listed twice',
      "s.yaml:9: transport.tcp.variant: DCTCP needs ECN marking: set the policy knob ecn_threshold (e.g. in policy_overrides.knobs)",
    ]);
  });

  it("locates policy problems where they were written: overrides and inline in the scenario", () => {
    expect(
      problems(`${BASE}policy_overrides:\n  knobs: {mean_packet_size: 2000, mtu: 1500}\n`),
    ).toEqual([
      "s.yaml:8: policy_overrides.knobs.mean_packet_size: expected at most the mtu (1500 bytes), got 2000",
    ]);
    expect(problems(`${BASE}policy:\n  knobs: {beta: 3}\n`)).toEqual([
      "s.yaml:8: policy.knobs.beta: expected a number > 0 and <= 1, got 3",
    ]);
  });

  it("reports problems of a policy file against that file, and missing files against the scenario", () => {
    expect(problems(`${BASE}policy: ${FIXTURES}/bad-knob.policy.yaml\n`)).toEqual(
      [`${FIXTURES}/bad-knob.policy.yaml:3: knobs.beta: expected a number > 0 and <= 1, got 2`].map(
        (s) => expect.stringContaining(s.replace(/^test/, "test")),
      ),
    );
    expect(problems(BASE.replace("topologies/dumbbell.yaml", "topologies/nope.yaml"))).toEqual([
      expect.stringMatching(
        /^s\.yaml:2: topology: cannot read the topology file .*nope\.yaml: no such file$/,
      ),
    ]);
  });

  it("merges a policy file and the overrides as data: a problem of both is located in each", () => {
    // The file's packet size is valid on its own; the scenario's smaller mtu makes it too large.
    expect(
      problems(
        `${BASE}policy: ${FIXTURES}/packet-size.policy.yaml\npolicy_overrides:\n  knobs: {mtu: 1000}\n`,
      ),
    ).toEqual([
      expect.stringMatching(
        /fixtures\/packet-size\.policy\.yaml:3: knobs\.mean_packet_size: expected at most the mtu \(1000 bytes\), got 1400$/,
      ),
    ]);
    expect(
      problems(
        `${BASE}policy: ${FIXTURES}/packet-size.policy.yaml\npolicy_overrides:\n  knobs: {beta: 7}\n`,
      ),
    ).toEqual(["s.yaml:9: policy_overrides.knobs.beta: expected a number > 0 and <= 1, got 7"]);
  });

  it("reports a blast rate that is not positive", () => {
    expect(problems(`${BASE}transport: {blast_rate: 0Mbit}\n`)).toEqual([
      expect.stringMatching(/^s\.yaml:7: transport\.blast_rate: expected a positive bit rate/),
    ]);
  });

  it("reads files relative to the scenario's folder", () => {
    expect(() => loadScenarioFile("test/experiment/fixtures/missing.yaml")).toThrow(
      /cannot read file: no such file/,
    );
  });
});
