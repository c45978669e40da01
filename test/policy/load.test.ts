import { join } from "node:path";
import { loadPolicyFile, parsePolicy } from "@netapprox/model/policy/load.js";
import { DEFAULT_CLASSES, DEFAULT_KNOBS } from "@netapprox/model/policy/types.js";

const DIR = "test/fixtures/policy";

describe("loadPolicyFile: valid files", () => {
  it("fills everything from defaults for a policy that lists no jobs", () => {
    const p = parsePolicy("# nothing but the jobs, and there are none\njobs: []\n", "empty.yaml");
    expect(p.allocator).toBe("netapprox");
    expect(p.classes).toEqual(DEFAULT_CLASSES);
    expect(p.knobs).toEqual(DEFAULT_KNOBS);
    expect(p.jobs).toEqual([]);
    expect(p.exact).toEqual({ source: "declared", flows: [] });
    expect(p.origin?.file).toBe("empty.yaml");
  });

  it("resolves units, lists and protocol names", () => {
    const p = loadPolicyFile(join(DIR, "valid-dumbbell.yaml"));
    expect(p.jobs).toEqual([
      {
        name: "shards",
        id: 1,
        match: {
          src: ["h1"],
          dst: ["h5"],
          protocol: 17,
          srcPort: null,
          dstPort: { from: 7000, to: 7000 },
        },
        volume: 30e6,
        fraction: 0.8,
        weight: 2,
        deadline: 60,
      },
      {
        name: "logs",
        id: 2,
        match: {
          src: ["h2", "10.0.1.3"],
          dst: ["10.0.2.0/24"],
          protocol: null,
          srcPort: null,
          dstPort: null,
        },
        volume: 1e9,
        fraction: 0.5,
        weight: 1,
        deadline: null,
      },
    ]);
    expect(p.exact.flows).toEqual([{ src: "h4", dst: "h8", rate: 3e6 }]);
    expect(p.knobs.beta).toBe(0.5);
    expect(p.origin!.locate(["jobs", 1, "volume"])).toEqual({ line: 24, column: 13 });
  });

  it("reads every knob", () => {
    const p = parsePolicy(
      `allocator: priority-only
knobs: {beta: 0.3, headroom: 0.1, guarantee_floor: 250kbit, guarantee_per_sender: 1Mbit,
        job_weights: smaller-first, le_threshold: 4, ecn_threshold: 20,
        hysteresis: 0.1, poll_interval: 500ms, ewma_alpha: 0.5, mean_packet_size: 1000, mtu: 9000,
        control_share: 0.05, meter_burst: 0.02}
exact: {source: measured}
jobs: []
`,
      "knobs.yaml",
    );
    expect(p.allocator).toBe("priority-only");
    expect(p.exact.source).toBe("measured");
    expect(p.knobs).toEqual({
      beta: 0.3,
      headroom: 0.1,
      guaranteeFloor: 250_000,
      guaranteePerSender: 1_000_000,
      jobWeights: "smaller-first",
      leThreshold: 4,
      ecnThreshold: 20,
      hysteresis: 0.1,
      pollInterval: 0.5,
      ewmaAlpha: 0.5,
      meanPacketSize: 1000,
      mtu: 9000,
      controlShare: 0.05,
      meterBurst: 0.02,
    });
  });

  it("accepts the shipped example policy", () => {
    expect(loadPolicyFile("policies/dumbbell.yaml").jobs.map((j) => j.name)).toEqual([
      "training-shards",
      "log-sample",
    ]);
  });
});

// Each malformed file with the exact report expected for it (problems found without a topology).
const MALFORMED: [string, string][] = [
  ["beta-zero.yaml", "9:9: knobs.beta: expected a number > 0 and <= 1, got 0"],
  [
    "best-effort-queue-too-high.yaml",
    "7:45: classes.approximate_best_effort.queue: expected a queue below the exact class's (1), got 3",
  ],
  [
    "deadline-negative.yaml",
    '18:15: jobs[0].deadline: expected a positive duration such as "500ms", "2s" or 1.5 (seconds), got -5',
  ],
  [
    "duplicate-dscp.yaml",
    "6:34: classes.approximate_guaranteed.dscp: DSCP 0 is also the exact class's; expected a value distinct from the other classes",
  ],
  [
    "duplicate-job-id.yaml",
    "20:9: jobs[1].id: duplicate job id 1 (also used by jobs[0]); each job needs its own meter",
  ],
  [
    "flow-same-host.yaml",
    "28:22: exact.flows[0].dst: the flow's source and destination are both h4",
  ],
  [
    "fraction-above-one.yaml",
    "16:15: jobs[0].fraction: expected the fraction of its data the job needs (a number > 0 and <= 1), got 1.5",
  ],
  [
    "guaranteed-queue-differs.yaml",
    "6:45: classes.approximate_guaranteed.queue: expected the exact class's queue (1): guaranteed approximate traffic shares the exact queue, got 0",
  ],
  ["jobs-mapping.yaml", "12:3: jobs: expected a list of approximate jobs, got a mapping"],
  [
    "missing-volume.yaml",
    '12:5: jobs[0].volume: missing; expected a positive volume in bytes such as 500000000, "500MB" or "2GiB"',
  ],
  ["misspelt-knob.yaml", '10:3: knobs.le_treshold: unknown property; did you mean "le_threshold"?'],
  [
    "port-range-reversed.yaml",
    '14:56: jobs[0].match.dst_port: expected a port from 0 to 65535 or a range low-high with low <= high, got "9100-9000"',
  ],
  [
    "protocol-name.yaml",
    '14:41: jobs[0].match.protocol: expected "tcp", "udp" or an IP protocol number from 0 to 255, got "icmp"',
  ],
  [
    "unknown-allocator.yaml",
    '2:12: allocator: expected "netapprox", "oblivious", "udp-blast" or "priority-only", got "fastest"',
  ],
  [
    "volume-words.yaml",
    '24:13: jobs[1].volume: expected a positive volume in bytes such as 500000000, "500MB" or "2GiB", got "1 gigabyte"',
  ],
];

describe("loadPolicyFile: empty and truncated files", () => {
  it("refuses an empty file, or one with only comments, instead of reading it as no jobs", () => {
    for (const text of ["", "\n\n", "# jobs: all gone\n"]) {
      expect(() => parsePolicy(text, "p.yaml")).toThrow(
        new Error(
          "p.yaml:1: the file is empty; a policy lists its approximate jobs (write `jobs: []` for a policy without any)",
        ),
      );
    }
  });

  it("refuses a policy that does not say which jobs it has (a file cut short)", () => {
    expect(() => parsePolicy("allocator: netapprox\nknobs: {beta: 0.5}\n", "p.yaml")).toThrow(
      new Error(
        "p.yaml:1:1: (top level): no jobs: a policy lists its approximate jobs (write `jobs: []` for a policy without any)",
      ),
    );
    expect(parsePolicy("jobs: []\n", "p.yaml").jobs).toEqual([]);
    // A scenario's policy takes its jobs from the workload.
    expect(parsePolicy("knobs: {beta: 0.5}\n", "s.yaml", { jobsRequired: false }).jobs).toEqual([]);
  });
});

describe("loadPolicyFile: malformed files", () => {
  it.each(MALFORMED)("%s", (name, expected) => {
    const file = join(DIR, name);
    expect(() => loadPolicyFile(file)).toThrow(new Error(`${file}:${expected}`));
  });

  it("checks that the mean packet size fits in the MTU", () => {
    expect(() =>
      parsePolicy("knobs: {mtu: 1000, mean_packet_size: 1500}\njobs: []\n", "p.yaml"),
    ).toThrow(
      new Error(
        "p.yaml:1:38: knobs.mean_packet_size: expected at most the mtu (1000 bytes), got 1500",
      ),
    );
  });
});
