// Loading topology files: YAML -> schema check -> units resolved -> semantic checks.
// Every problem is reported with the file, the YAML path, the line and what was expected.
import { dirname, isAbsolute, resolve } from "node:path";
import { ConfigError, type ConfigIssue, type ConfigPath } from "../config/errors.js";
import { schemaIssues } from "../config/schema.js";
import { parseDuration, readBitRate } from "../config/units.js";
import { YamlSource } from "../config/yaml-source.js";
import { normaliseMac } from "./addresses.js";
import { checkTopology } from "./check.js";
import { topologySchema } from "./schema.js";
import {
  DEFAULT_BUFFER_PACKETS,
  type Endpoint,
  type Link,
  type Switch,
  type Topology,
} from "./types.js";

/** Reads, validates and returns the topology in `path`; throws ConfigError on any problem. */
export function loadTopologyFile(path: string): Topology {
  return topologyFromSource(YamlSource.read(path), dirname(path));
}

/** Parses topology YAML text; `file` names it in error messages. */
export function parseTopology(text: string, file: string, baseDir = "."): Topology {
  return topologyFromSource(YamlSource.parse(text, file), baseDir);
}

/** `baseDir` resolves relative TLS file paths. */
export function topologyFromSource(source: YamlSource, baseDir: string): Topology {
  if (source.isEmpty) throw source.emptyError("expected a topology with switches, hosts and links");
  const schemaProblems = schemaIssues(source, topologySchema);
  if (schemaProblems.length > 0) throw new ConfigError(schemaProblems);
  const issues: ConfigIssue[] = [];
  const topology = normalise(source.data as RawTopology, baseDir, (path, message) =>
    issues.push(source.issue(path, message)),
  );
  if (issues.length > 0) throw new ConfigError(issues);
  const problems = checkTopology(topology);
  if (problems.length > 0) {
    throw new ConfigError(problems.map((p) => source.issue(p.path, p.message)));
  }
  return topology;
}

// The file's shape once the schema has accepted it.
interface RawLinkValues {
  capacity?: number | string;
  buffer?: number;
  delay?: number | string;
}
interface RawEndpoint {
  switch?: string;
  host?: string;
  port?: number;
}
interface RawTopology {
  name?: string;
  link_defaults?: RawLinkValues;
  switches: {
    name: string;
    address: string;
    device_id: number;
    target: "bmv2" | "tofino";
    ports: number[];
    thrift_port?: number;
    cpu_port?: number;
    tls?: { ca?: string; cert?: string; key?: string; server_name?: string };
  }[];
  hosts: { name: string; ipv4: string; mac: string; switch: string; port: number }[];
  links: ({ endpoints: RawEndpoint[] } & RawLinkValues)[];
}

type Report = (path: ConfigPath, message: string) => void;

function normalise(raw: RawTopology, baseDir: string, report: Report): Topology {
  const file = (p: string | undefined) =>
    p === undefined ? null : isAbsolute(p) ? p : resolve(baseDir, p);
  const switches: Switch[] = raw.switches.map((s) => ({
    name: s.name,
    address: s.address,
    deviceId: s.device_id,
    target: s.target,
    ports: [...s.ports].sort((a, b) => a - b),
    thriftPort: s.thrift_port ?? null,
    cpuPort: s.cpu_port ?? null,
    tls:
      s.tls === undefined
        ? null
        : {
            ca: file(s.tls.ca),
            cert: file(s.tls.cert),
            key: file(s.tls.key),
            serverName: s.tls.server_name ?? null,
          },
  }));
  const defaults = raw.link_defaults ?? {};
  const defaultCapacity = rate(defaults.capacity, ["link_defaults", "capacity"], report);
  const defaultDelay = delay(defaults.delay, ["link_defaults", "delay"], report);
  const links: Link[] = [];
  raw.links.forEach((l, i) => {
    const path = ["links", i];
    const ends = l.endpoints.map((e, j) => endpoint(e, [...path, "endpoints", j], report));
    let capacity = rate(l.capacity, [...path, "capacity"], report);
    if (l.capacity === undefined) {
      capacity = defaultCapacity;
      if (defaults.capacity === undefined) {
        report(
          [...path, "capacity"],
          'missing, and link_defaults has no capacity; expected a positive bit rate with its unit such as "10Mbit" or "1G"',
        );
      }
    }
    const linkDelay =
      l.delay === undefined ? defaultDelay : delay(l.delay, [...path, "delay"], report);
    const [a, b] = ends;
    if (a === undefined || b === undefined || capacity === undefined) return;
    links.push({
      endpoints: [a, b],
      capacity,
      buffer: l.buffer ?? defaults.buffer ?? DEFAULT_BUFFER_PACKETS,
      delay: linkDelay ?? null,
    });
  });
  return {
    name: raw.name ?? null,
    switches,
    hosts: raw.hosts.map((h) => ({
      name: h.name,
      ipv4: h.ipv4,
      mac: normaliseMac(h.mac),
      switch: h.switch,
      port: h.port,
    })),
    links,
  };
}

function endpoint(raw: RawEndpoint, path: ConfigPath, report: Report): Endpoint | undefined {
  if (raw.switch !== undefined && raw.host !== undefined) {
    report(
      path,
      "names both a switch and a host; expected {switch: <name>, port: <number>} or {host: <name>}",
    );
    return undefined;
  }
  if (raw.switch !== undefined) {
    if (raw.port === undefined) {
      report([...path, "port"], "missing; expected the switch's port number");
      return undefined;
    }
    return { kind: "switch", name: raw.switch, port: raw.port };
  }
  if (raw.host !== undefined) {
    if (raw.port !== undefined) {
      report(
        [...path, "port"],
        "a host endpoint takes no port (a host has one interface); remove it",
      );
      return undefined;
    }
    return { kind: "host", name: raw.host };
  }
  report(path, "expected {switch: <name>, port: <number>} or {host: <name>}");
  return undefined;
}

/** bit/s, reporting zero (which the schema lets through as "0Mbit") and absurd rates. */
function rate(
  value: number | string | undefined,
  path: ConfigPath,
  report: Report,
): number | undefined {
  if (value === undefined) return undefined;
  const r = readBitRate(value);
  if (!("bits" in r)) {
    report(path, `expected a positive bit rate with its unit: ${r.problem}`);
    return undefined;
  }
  if (!(r.bits >= 1)) {
    report(
      path,
      `expected a positive bit rate with its unit such as "10Mbit" or "1G", got ${JSON.stringify(value)}`,
    );
    return undefined;
  }
  return Math.round(r.bits);
}

function delay(
  value: number | string | undefined,
  path: ConfigPath,
  report: Report,
): number | undefined {
  if (value === undefined) return undefined;
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds < 0) {
    report(
      path,
      `expected a duration such as "2ms" or 0.002 (seconds), got ${JSON.stringify(value)}`,
    );
    return undefined;
  }
  return seconds;
}
