// JSON Schema of policy files. The copy published for editors is schemas/policy.schema.json
// (a test keeps the two identical; `node schemas/generate.js` rewrites it after a build).
import { EXPECTED, type JsonSchema } from "../config/schema.js";
import {
  BIT_RATE,
  NAME,
  oneOfWords,
  POSITIVE_DURATION as DURATION,
} from "../config/schema-parts.js";
import { BYTES_PATTERN } from "../config/units.js";
import { ALLOCATORS } from "./types.js";
const DSCP = { type: "integer", minimum: 0, maximum: 63, [EXPECTED]: "a DSCP value from 0 to 63" };
const QUEUE = {
  type: "integer",
  minimum: 0,
  maximum: 7,
  [EXPECTED]: "a queue (priority) from 0 to 7",
};
const CLASS = {
  type: "object",
  additionalProperties: false,
  [EXPECTED]: "a mapping with dscp and queue",
  properties: { dscp: DSCP, queue: QUEUE },
};
const ENDPOINTS = {
  type: ["string", "array"],
  minItems: 1,
  items: { type: "string", minLength: 1, [EXPECTED]: "a host name, an address or a prefix" },
  [EXPECTED]: "a host name, an address, a prefix such as 10.0.1.0/24, or a list of them",
};
const L4_PORT = {
  type: ["integer", "string"],
  minimum: 0,
  maximum: 65535,
  pattern: "^[0-9]{1,5}(-[0-9]{1,5})?$",
  [EXPECTED]: 'a port from 0 to 65535 or a range such as "9000-9100"',
};
const FRACTION = (what: string) => ({
  type: "number",
  minimum: 0,
  maximum: 1,
  [EXPECTED]: `${what} (a number from 0 to 1)`,
});

const JOB = {
  type: "object",
  [EXPECTED]: "a job (a mapping with name, id, match, volume, fraction)",
  required: ["name", "id", "match", "volume", "fraction"],
  additionalProperties: false,
  properties: {
    name: NAME,
    id: {
      type: "integer",
      minimum: 1,
      maximum: 65535,
      description: "job id, also the index of the job's meter",
      [EXPECTED]: "a job id from 1 to 65535 (it is the job's meter index)",
    },
    match: {
      type: "object",
      required: ["src", "dst"],
      additionalProperties: false,
      [EXPECTED]:
        "a traffic match (a mapping with src, dst and optionally protocol, src_port, dst_port)",
      properties: {
        src: ENDPOINTS,
        dst: ENDPOINTS,
        protocol: {
          type: ["string", "integer"],
          pattern: "^(tcp|udp)$",
          minimum: 0,
          maximum: 255,
          [EXPECTED]: '"tcp", "udp" or an IP protocol number from 0 to 255',
        },
        src_port: L4_PORT,
        dst_port: L4_PORT,
      },
    },
    volume: {
      type: ["number", "string"],
      exclusiveMinimum: 0,
      pattern: BYTES_PATTERN,
      description: "bytes: a number, or a string with a unit such as 500MB, 2GiB",
      [EXPECTED]: 'a positive volume in bytes such as 500000000, "500MB" or "2GiB"',
    },
    fraction: {
      type: "number",
      exclusiveMinimum: 0,
      maximum: 1,
      description: "fraction of the data the job needs (1 - loss tolerance)",
      [EXPECTED]: "the fraction of its data the job needs (a number > 0 and <= 1)",
    },
    weight: {
      type: "number",
      exclusiveMinimum: 0,
      [EXPECTED]: "a positive weight",
    },
    deadline: DURATION,
  },
};

const FLOW = {
  type: "object",
  required: ["src", "dst", "rate"],
  additionalProperties: false,
  [EXPECTED]: "an exact flow (a mapping with src, dst, rate)",
  properties: {
    src: { type: "string", minLength: 1, [EXPECTED]: "a host name or address" },
    dst: { type: "string", minLength: 1, [EXPECTED]: "a host name or address" },
    rate: BIT_RATE,
  },
};

const KNOBS = {
  type: "object",
  additionalProperties: false,
  [EXPECTED]: "a mapping of knobs",
  properties: {
    beta: {
      type: "number",
      exclusiveMinimum: 0,
      maximum: 1,
      description: "share of a link's capacity that approximate guarantees may take",
      [EXPECTED]: "a number > 0 and <= 1",
    },
    headroom: {
      type: "number",
      minimum: 0,
      maximum: 1,
      description: "probe headroom h: PIR = allocated rate * (1 + h)",
      [EXPECTED]: "a number from 0 to 1",
    },
    guarantee_floor: { ...BIT_RATE, description: "guarantee of a job without a deadline" },
    guarantee_per_sender: {
      ...BIT_RATE,
      description:
        "guarantee of a job without a deadline per sending host (the larger of this and the floor)",
    },
    job_weights: {
      enum: ["declared", "smaller-first"],
      description: "smaller-first: weights also scaled by the mean volume over the job's volume",
      [EXPECTED]: '"declared" or "smaller-first"',
    },
    le_threshold: {
      type: "integer",
      minimum: 1,
      description: "queue depth (packets) above which best-effort approximate packets are dropped",
      [EXPECTED]: "a queue depth in packets (an integer >= 1)",
    },
    ecn_threshold: {
      type: ["integer", "null"],
      minimum: 1,
      [EXPECTED]: "a queue depth in packets (an integer >= 1), or null for no ECN marking",
    },
    hysteresis: FRACTION("a relative change"),
    poll_interval: DURATION,
    ewma_alpha: {
      type: "number",
      exclusiveMinimum: 0,
      maximum: 1,
      [EXPECTED]: "a number > 0 and <= 1",
    },
    mean_packet_size: {
      type: "integer",
      minimum: 64,
      maximum: 9216,
      [EXPECTED]: "a packet size in bytes from 64 to 9216",
    },
    mtu: {
      type: "integer",
      minimum: 64,
      maximum: 9216,
      [EXPECTED]: "a packet size in bytes from 64 to 9216",
    },
    control_share: {
      type: "number",
      minimum: 0,
      maximum: 0.5,
      description: "share of every link reserved for the control class",
      [EXPECTED]: "a number from 0 to 0.5",
    },
    meter_burst: DURATION,
  },
};

export const policySchema: JsonSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "netapprox policy",
  type: "object",
  [EXPECTED]: "a mapping with allocator, classes, knobs, jobs, exact",
  additionalProperties: false,
  properties: {
    allocator: {
      enum: [...ALLOCATORS],
      [EXPECTED]: oneOfWords(ALLOCATORS),
    },
    classes: {
      type: "object",
      additionalProperties: false,
      [EXPECTED]: "a mapping with control, exact, approximate_guaranteed, approximate_best_effort",
      properties: {
        control: CLASS,
        exact: CLASS,
        approximate_guaranteed: CLASS,
        approximate_best_effort: CLASS,
      },
    },
    knobs: KNOBS,
    jobs: { type: "array", items: JOB, [EXPECTED]: "a list of approximate jobs" },
    exact: {
      type: "object",
      additionalProperties: false,
      [EXPECTED]: "a mapping with source and flows",
      properties: {
        source: { enum: ["declared", "measured"], [EXPECTED]: '"declared" or "measured"' },
        flows: { type: "array", items: FLOW, [EXPECTED]: "a list of exact flows" },
      },
    },
  },
};
