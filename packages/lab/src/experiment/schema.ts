// JSON Schema of scenario files (experiments/*.yaml). Inline policies and policy
// overrides use the policy file's own schema, so they read exactly like a policy file.
import { EXPECTED, type JsonSchema } from "@netapprox/model/config/schema.js";
import {
  DURATION,
  NAME,
  oneOfWords,
  PATH,
  POSITIVE_BIT_RATE as BIT_RATE,
  POSITIVE_DURATION,
} from "@netapprox/model/config/schema-parts.js";
import { BYTES_PATTERN } from "@netapprox/model/config/units.js";
import { policySchema } from "@netapprox/model/policy/schema.js";
import { EXPERIMENT_POLICIES, JOB_KINDS, QUEUE_MODES, TCP_SETTINGS } from "./scenario.js";

const BYTES = {
  type: ["number", "string"],
  exclusiveMinimum: 0,
  pattern: BYTES_PATTERN,
  description: "bytes: a number, or a string with a unit such as 2MB, 512KiB",
  [EXPECTED]: 'a positive size in bytes such as 2000000, "2MB" or "512KiB"',
};
const HOSTS = {
  type: ["string", "array"],
  minLength: 1,
  minItems: 1,
  items: { type: "string", minLength: 1, [EXPECTED]: "a host name" },
  [EXPECTED]: "a host name or a list of host names",
};
const COUNT = (what: string, min = 1) => ({
  type: "integer",
  minimum: min,
  maximum: 1_000_000,
  [EXPECTED]: `${what} (an integer from ${min} to 1000000)`,
});
const FRACTION = {
  type: "number",
  exclusiveMinimum: 0,
  maximum: 1,
  [EXPECTED]: "the fraction of its data the job needs (a number > 0 and <= 1)",
};
const PORT = {
  type: "integer",
  minimum: 1,
  maximum: 65535,
  [EXPECTED]: "a port from 1 to 65535",
};

/** Properties shared by explicit jobs and job generators. */
const JOB_SHAPE = {
  kind: {
    enum: [...JOB_KINDS],
    [EXPECTED]: oneOfWords(JOB_KINDS),
  },
  volume: { ...BYTES, description: "bytes the job moves in all" },
  fraction: FRACTION,
  weight: { type: "number", exclusiveMinimum: 0, [EXPECTED]: "a positive weight" },
  deadline: POSITIVE_DURATION,
  rounds: COUNT("a number of rounds"),
  min_sender_fraction: {
    type: "number",
    minimum: 0,
    maximum: 1,
    description:
      "with job-level completion, each sender must also deliver this fraction of its own data",
    [EXPECTED]: "the fraction of its own data each sender must deliver (a number from 0 to 1)",
  },
  batches: COUNT("a number of batches"),
  interval: DURATION,
};

const JOB = {
  type: "object",
  [EXPECTED]: "an approximate job (a mapping with name, src, volume, fraction)",
  required: ["name", "src", "volume", "fraction"],
  additionalProperties: false,
  properties: {
    name: NAME,
    ...JOB_SHAPE,
    src: { ...HOSTS, description: "senders (producers, mappers; the workers of all-to-all)" },
    dst: { ...HOSTS, description: "receivers (consumers, reducers); none for all-to-all" },
    start: DURATION,
  },
};

const ARRIVAL = {
  type: "object",
  minProperties: 1,
  maxProperties: 2,
  additionalProperties: false,
  [EXPECTED]:
    "when the jobs start: {at: <time>}, {uniform: [<from>, <to>]} or {poisson: <jobs per second>, from: <time>}",
  properties: {
    at: DURATION,
    uniform: {
      type: "array",
      minItems: 2,
      maxItems: 2,
      items: DURATION,
      [EXPECTED]: "a list of two times [from, to]",
    },
    poisson: {
      type: "number",
      exclusiveMinimum: 0,
      [EXPECTED]: "an arrival rate in jobs per second (a positive number)",
    },
    from: DURATION,
  },
};

const GENERATOR = {
  type: "object",
  [EXPECTED]: "a job generator (a mapping with kind, count, senders, volume, fraction, arrival)",
  required: ["kind", "count", "senders", "volume", "fraction", "arrival"],
  additionalProperties: false,
  properties: {
    prefix: NAME,
    ...JOB_SHAPE,
    count: COUNT("a number of jobs"),
    senders: COUNT("hosts sending in each job"),
    receivers: COUNT("hosts receiving in each job"),
    hosts: {
      type: "array",
      minItems: 2,
      items: { type: "string", minLength: 1, [EXPECTED]: "a host name" },
      [EXPECTED]: "a list of at least two host names to pick from",
    },
    arrival: ARRIVAL,
  },
};

const EXACT = {
  type: "object",
  [EXPECTED]: "exact background traffic (a mapping with distribution and load)",
  required: ["distribution", "load"],
  additionalProperties: false,
  properties: {
    name: NAME,
    distribution: {
      type: "string",
      pattern: "^(websearch|datamining|fixed:.+)$",
      [EXPECTED]: '"websearch", "datamining" or "fixed:<size>" such as "fixed:100KB"',
    },
    scale: {
      type: "number",
      exclusiveMinimum: 0,
      [EXPECTED]: "a positive factor applied to every flow size",
    },
    max_size: BYTES,
    load: {
      type: "number",
      exclusiveMinimum: 0,
      maximum: 1,
      // Above 1 the exact traffic alone exceeds the capacity: its queues never drain.
      [EXPECTED]: "an offered load as a fraction of the capacity (a number > 0, at most 1)",
    },
    declared_load: {
      type: "number",
      minimum: 0,
      maximum: 4,
      description: "the load declared to the allocation as exact demand; default: load",
      [EXPECTED]: "a declared load as a fraction of the capacity (a number from 0 to 4)",
    },
    capacity: BIT_RATE,
    src: HOSTS,
    dst: HOSTS,
    into_job_receivers: {
      type: "boolean",
      description:
        "the destinations are the hosts receiving approximate jobs (the aggregators) instead of dst",
      [EXPECTED]: "true or false",
    },
    start: DURATION,
    stop: DURATION,
  },
};

// An inline policy is a policy document; overrides are its allocator-independent parts.
const { $schema: _schema, title: _title, ...INLINE_POLICY } = policySchema;
const POLICY_PROPERTIES = policySchema.properties as Record<string, JsonSchema>;
const OVERRIDES = {
  type: "object",
  additionalProperties: false,
  [EXPECTED]: "a mapping with classes and/or knobs (as in a policy file)",
  properties: { classes: POLICY_PROPERTIES.classes, knobs: POLICY_PROPERTIES.knobs },
};

const TCP = {
  type: "object",
  additionalProperties: false,
  [EXPECTED]: "a mapping with mss, initial_window, min_rto, initial_rto, variant",
  properties: {
    mss: {
      type: "integer",
      minimum: 64,
      maximum: 9000,
      [EXPECTED]: "a segment payload size in bytes from 64 to 9000",
    },
    initial_window: COUNT("an initial window in segments"),
    min_rto: POSITIVE_DURATION,
    initial_rto: POSITIVE_DURATION,
    variant: { enum: ["reno", "dctcp"], [EXPECTED]: '"reno" or "dctcp"' },
  },
};

export const scenarioSchema: JsonSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "netapprox experiment scenario",
  type: "object",
  [EXPECTED]: "a scenario (a mapping with name, topology, duration, workload)",
  required: ["name", "topology", "duration", "workload"],
  additionalProperties: false,
  properties: {
    name: NAME,
    description: { type: "string", [EXPECTED]: "a text" },
    topology: { ...PATH, description: "topology file, relative to the scenario file" },
    policy: {
      type: ["string", "object"],
      [EXPECTED]: "a policy file path, or a policy written inline",
      if: { type: "object" },
      then: INLINE_POLICY,
    },
    policy_overrides: OVERRIDES,
    policies: {
      type: "array",
      minItems: 1,
      items: { enum: [...EXPERIMENT_POLICIES], [EXPECTED]: oneOfWords(EXPERIMENT_POLICIES) },
      [EXPECTED]: `a list of policies from ${oneOfWords(EXPERIMENT_POLICIES)}`,
    },
    seeds: {
      type: ["integer", "array"],
      minimum: 0,
      maximum: 4294967295,
      minItems: 1,
      items: {
        type: "integer",
        minimum: 0,
        maximum: 4294967295,
        [EXPECTED]: "a seed (an integer from 0 to 4294967295)",
      },
      [EXPECTED]: "a seed or a list of seeds (integers from 0 to 4294967295)",
    },
    duration: { ...POSITIVE_DURATION, description: "exact traffic arrives in [0, duration)" },
    time_limit: { ...POSITIVE_DURATION, description: "runs stop here" },
    completion: {
      enum: ["job", "transfer"],
      description:
        "job: a job (each round or batch) needs its fraction across all its transfers; transfer: each transfer on its own",
      [EXPECTED]: '"job" or "transfer"',
    },
    workload: {
      type: "object",
      additionalProperties: false,
      [EXPECTED]: "a mapping with approximate, generate and exact",
      properties: {
        approximate: { type: "array", items: JOB, [EXPECTED]: "a list of approximate jobs" },
        generate: { type: "array", items: GENERATOR, [EXPECTED]: "a list of job generators" },
        exact: { type: "array", items: EXACT, [EXPECTED]: "a list of exact traffic sources" },
      },
    },
    transport: {
      type: "object",
      additionalProperties: false,
      [EXPECTED]:
        "a mapping with chunk_size, approximate, rate_hint, blast_rate, blast_drain, tcp, tcp_settings, dctcp_threshold",
      properties: {
        approximate: {
          type: "object",
          additionalProperties: false,
          [EXPECTED]:
            "a mapping of timers: feedback_interval, keepalive, silence, pass_end_wait, give_up, done_retry, min_sample, burst, memory",
          properties: {
            feedback_interval: POSITIVE_DURATION,
            keepalive: POSITIVE_DURATION,
            silence: POSITIVE_DURATION,
            pass_end_wait: POSITIVE_DURATION,
            give_up: POSITIVE_DURATION,
            done_retry: POSITIVE_DURATION,
            min_sample: POSITIVE_DURATION,
            burst: POSITIVE_DURATION,
            memory: POSITIVE_DURATION,
          },
        },
        chunk_size: {
          type: "integer",
          minimum: 16,
          maximum: 8900,
          [EXPECTED]: "a chunk payload size in bytes from 16 to 8900",
        },
        rate_hint: {
          enum: ["line-rate", "allocation"],
          [EXPECTED]: '"line-rate" or "allocation"',
        },
        blast_rate: BIT_RATE,
        blast_drain: DURATION,
        tcp: TCP,
        tcp_settings: {
          type: "array",
          minItems: 1,
          items: { enum: [...TCP_SETTINGS], [EXPECTED]: oneOfWords(TCP_SETTINGS) },
          description: "the settings every TCP baseline runs in",
          [EXPECTED]: `a list of TCP settings from ${oneOfWords(TCP_SETTINGS)}`,
        },
        dctcp_threshold: COUNT("an ECN marking threshold in packets for dctcp"),
      },
    },
    simulator: {
      type: "object",
      additionalProperties: false,
      [EXPECTED]: "a mapping of simulator settings",
      properties: {
        queue_mode: { enum: [...QUEUE_MODES], [EXPECTED]: oneOfWords(QUEUE_MODES) },
        link_delay: DURATION,
        host_buffer: COUNT("a host queue length in packets"),
        ecmp_hash: { enum: ["per-switch", "same"], [EXPECTED]: '"per-switch" or "same"' },
        reallocate: { enum: ["on-change", "static"], [EXPECTED]: '"on-change" or "static"' },
        control_delay: DURATION,
        exact_demand: {
          enum: ["declared", "measured", "none"],
          [EXPECTED]: '"declared", "measured" or "none"',
        },
        job_demand: { enum: ["measured", "none"], [EXPECTED]: '"measured" or "none"' },
      },
    },
    hosts: {
      type: "object",
      additionalProperties: false,
      [EXPECTED]: "a mapping with queues and best_effort_share",
      properties: {
        queues: {
          enum: ["priority", "fifo"],
          description:
            "priority: hosts send exact traffic ahead of approximate data; fifo: one queue",
          [EXPECTED]: '"priority" or "fifo"',
        },
        best_effort_share: {
          type: "number",
          minimum: 0,
          maximum: 0.5,
          description: "with priority, the share of a host's link its approximate data keeps",
          [EXPECTED]: "a share of the link from 0 to 0.5",
        },
      },
    },
    mininet: {
      type: "object",
      additionalProperties: false,
      [EXPECTED]: "a mapping of Mininet runner settings",
      properties: {
        warmup: DURATION,
        cooldown: DURATION,
        base_port: PORT,
        exact_port: PORT,
      },
    },
  },
};
