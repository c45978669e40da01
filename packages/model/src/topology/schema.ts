// JSON Schema of topology files. The copy published for editors is schemas/topology.schema.json
// (a test keeps the two identical; `node schemas/generate.js` rewrites it after a build).
import { EXPECTED, type JsonSchema } from "../config/schema.js";
import { NAME, PATH, POSITIVE_BIT_RATE } from "../config/schema-parts.js";
import { DURATION_PATTERN } from "../config/units.js";
import { IPV4_PATTERN, MAC_PATTERN } from "./addresses.js";

const PORT = {
  type: "integer",
  minimum: 0,
  maximum: 510,
  [EXPECTED]: "a port number from 0 to 510",
};
const TCP_PORT = {
  type: "integer",
  minimum: 1,
  maximum: 65535,
  [EXPECTED]: "a TCP port from 1 to 65535",
};
const BIT_RATE = POSITIVE_BIT_RATE;
const BUFFER = {
  type: "integer",
  minimum: 1,
  maximum: 1000000,
  description: "queue depth in packets",
  [EXPECTED]: "a queue depth in packets (an integer from 1 to 1000000)",
};
const DELAY = {
  type: ["number", "string"],
  minimum: 0,
  pattern: DURATION_PATTERN,
  description: "one-way delay: seconds, or a string with a unit such as 2ms",
  [EXPECTED]: 'a duration such as "2ms" or 0.002 (seconds)',
};

const SWITCH = {
  type: "object",
  description: "A P4 switch reached over P4Runtime.",
  [EXPECTED]: "a switch (a mapping with name, address, device_id, target, ports)",
  required: ["name", "address", "device_id", "target", "ports"],
  additionalProperties: false,
  properties: {
    name: NAME,
    address: {
      type: "string",
      pattern: "^[^\\s:]+:[0-9]{1,5}$",
      description: "P4Runtime gRPC address",
      [EXPECTED]: 'a P4Runtime address host:port such as "127.0.0.1:50001"',
    },
    device_id: {
      type: "integer",
      minimum: 1,
      maximum: 16777215,
      description: "P4Runtime device id (0 is invalid); port MAC addresses are derived from it",
      [EXPECTED]: "a device id from 1 to 16777215",
    },
    target: { enum: ["bmv2", "tofino"], [EXPECTED]: '"bmv2" or "tofino"' },
    ports: {
      type: "array",
      minItems: 1,
      items: PORT,
      description: "data-plane port numbers in use",
      [EXPECTED]: "a non-empty list of port numbers",
    },
    thrift_port: { ...TCP_PORT, description: "simple_switch Thrift port (BMv2 only)" },
    cpu_port: PORT,
    tls: {
      type: "object",
      additionalProperties: false,
      [EXPECTED]: "a mapping with ca, cert, key, server_name",
      properties: {
        ca: PATH,
        cert: PATH,
        key: PATH,
        server_name: { type: "string", minLength: 1 },
      },
    },
  },
};

const HOST = {
  type: "object",
  [EXPECTED]: "a host (a mapping with name, ipv4, mac, switch, port)",
  required: ["name", "ipv4", "mac", "switch", "port"],
  additionalProperties: false,
  properties: {
    name: NAME,
    ipv4: { type: "string", pattern: IPV4_PATTERN, [EXPECTED]: "an IPv4 address such as 10.0.1.1" },
    mac: {
      type: "string",
      pattern: MAC_PATTERN,
      [EXPECTED]: 'a MAC address such as "00:00:0a:00:01:01"',
    },
    switch: { ...NAME, [EXPECTED]: "the name of the switch the host is attached to" },
    port: PORT,
  },
};

const ENDPOINT = {
  type: "object",
  additionalProperties: false,
  description: "{switch: name, port: number} or {host: name}",
  [EXPECTED]: "an endpoint: {switch: <name>, port: <number>} or {host: <name>}",
  properties: {
    switch: NAME,
    host: NAME,
    port: PORT,
  },
};

const LINK = {
  type: "object",
  [EXPECTED]: "a link (a mapping with endpoints and capacity)",
  required: ["endpoints"],
  additionalProperties: false,
  properties: {
    endpoints: {
      type: "array",
      minItems: 2,
      maxItems: 2,
      items: ENDPOINT,
      [EXPECTED]: "a list of exactly two endpoints",
    },
    capacity: BIT_RATE,
    buffer: BUFFER,
    delay: DELAY,
  },
};

export const topologySchema: JsonSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "netapprox topology",
  type: "object",
  [EXPECTED]: "a mapping with switches, hosts and links",
  required: ["switches", "hosts", "links"],
  additionalProperties: false,
  properties: {
    name: { type: "string", [EXPECTED]: "a string" },
    link_defaults: {
      type: "object",
      additionalProperties: false,
      description: "values for links that leave capacity, buffer or delay out",
      [EXPECTED]: "a mapping with capacity, buffer, delay",
      properties: { capacity: BIT_RATE, buffer: BUFFER, delay: DELAY },
    },
    switches: {
      type: "array",
      minItems: 1,
      items: SWITCH,
      [EXPECTED]: "a non-empty list of switches",
    },
    hosts: { type: "array", items: HOST, [EXPECTED]: "a list of hosts" },
    links: { type: "array", items: LINK, [EXPECTED]: "a list of links" },
  },
};
