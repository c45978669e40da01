// Semantic checks of a topology: what a schema cannot say (unique names, ports and
// addresses, links that reference existing nodes and ports, one link per host, a connected
// network). Paths use the file's own names (snake_case) so that a loader can locate them.
import { ConfigError, formatPath, type ConfigPath } from "../config/errors.js";
import { parseIpv4 } from "./addresses.js";
import type { Topology } from "./types.js";

export interface Problem {
  path: ConfigPath;
  message: string;
}

/** All semantic problems of `topology` (empty when it is valid). */
export function checkTopology(topology: Topology): Problem[] {
  const problems: Problem[] = [];
  const add = (path: ConfigPath, message: string) => problems.push({ path, message });

  // Names are shared by switches and hosts: link endpoints and policies refer to them.
  const nameOwner = new Map<string, ConfigPath>();
  const claimName = (name: string, path: ConfigPath) => {
    const first = nameOwner.get(name);
    if (first !== undefined) {
      add(
        [...path, "name"],
        `duplicate name "${name}" (also used by ${formatPath(first)}); switch and host names must be unique`,
      );
    } else nameOwner.set(name, path);
  };

  const switches = new Map<string, { index: number; ports: Set<number> }>();
  const deviceIds = new Map<number, number>();
  const addresses = new Map<string, number>();
  const thriftPorts = new Map<string, number>();
  topology.switches.forEach((sw, i) => {
    const path = ["switches", i];
    claimName(sw.name, path);
    if (!switches.has(sw.name)) switches.set(sw.name, { index: i, ports: new Set(sw.ports) });
    const otherDevice = deviceIds.get(sw.deviceId);
    if (otherDevice !== undefined) {
      add(
        [...path, "device_id"],
        `duplicate device id ${sw.deviceId} (also used by switches[${otherDevice}]); expected a device id unique in the topology`,
      );
    } else deviceIds.set(sw.deviceId, i);
    const port = Number(sw.address.slice(sw.address.lastIndexOf(":") + 1));
    if (!(port >= 1 && port <= 65535)) {
      add(
        [...path, "address"],
        `expected a TCP port from 1 to 65535 after the colon, got ${JSON.stringify(sw.address)}`,
      );
    }
    const otherAddress = addresses.get(sw.address);
    if (otherAddress !== undefined) {
      add(
        [...path, "address"],
        `duplicate P4Runtime address ${sw.address} (also used by switches[${otherAddress}])`,
      );
    } else addresses.set(sw.address, i);
    const seenPorts = new Set<number>();
    sw.ports.forEach((p, j) => {
      if (seenPorts.has(p)) add([...path, "ports", j], `port ${p} is listed twice`);
      seenPorts.add(p);
    });
    if (sw.cpuPort !== null && seenPorts.has(sw.cpuPort)) {
      add(
        [...path, "cpu_port"],
        `CPU port ${sw.cpuPort} is also listed in ports; expected a port that carries no link`,
      );
    }
    if (sw.thriftPort !== null) {
      if (sw.target !== "bmv2") {
        add(
          [...path, "thrift_port"],
          `thrift_port applies to bmv2 switches only, this switch's target is ${sw.target}`,
        );
      }
      const key = `${sw.address.slice(0, sw.address.lastIndexOf(":"))}:${sw.thriftPort}`;
      const other = thriftPorts.get(key);
      if (other !== undefined) {
        add(
          [...path, "thrift_port"],
          `duplicate Thrift port ${sw.thriftPort} on the same host (also used by switches[${other}])`,
        );
      } else thriftPorts.set(key, i);
    }
    if (sw.tls !== null && (sw.tls.cert === null) !== (sw.tls.key === null)) {
      add([...path, "tls"], "cert and key go together (mutual TLS); expected both or neither");
    }
  });

  // Who uses each switch port: a host attachment or a link.
  const portUser = new Map<string, string>();
  const hosts = new Map<string, { index: number; switch: string; port: number }>();
  const ipv4s = new Map<number, number>();
  const macs = new Map<string, number>();
  topology.hosts.forEach((host, i) => {
    const path = ["hosts", i];
    claimName(host.name, path);
    if (!hosts.has(host.name))
      hosts.set(host.name, { index: i, switch: host.switch, port: host.port });
    const ip = parseIpv4(host.ipv4);
    if (ip === undefined)
      add(
        [...path, "ipv4"],
        `expected an IPv4 address such as 10.0.1.1, got ${JSON.stringify(host.ipv4)}`,
      );
    else {
      const other = ipv4s.get(ip);
      if (other !== undefined)
        add([...path, "ipv4"], `duplicate address ${host.ipv4} (also used by hosts[${other}])`);
      else ipv4s.set(ip, i);
    }
    const otherMac = macs.get(host.mac);
    if (otherMac !== undefined)
      add([...path, "mac"], `duplicate MAC address ${host.mac} (also used by hosts[${otherMac}])`);
    else macs.set(host.mac, i);
    const sw = switches.get(host.switch);
    if (sw === undefined) {
      add([...path, "switch"], `no switch named "${host.switch}"; expected one of the switches`);
    } else if (!sw.ports.has(host.port)) {
      add([...path, "port"], `port ${host.port} is not one of switch ${host.switch}'s ports`);
    } else {
      const key = `${host.switch}:${host.port}`;
      const user = portUser.get(key);
      if (user !== undefined)
        add(
          [...path, "port"],
          `port ${host.port} of switch ${host.switch} is already used by ${user}`,
        );
      else portUser.set(key, `hosts[${i}] (${host.name})`);
    }
  });

  const hostLink = new Map<string, number>();
  const adjacency = new Map<string, string[]>();
  const connect = (a: string, b: string) => {
    adjacency.set(a, [...(adjacency.get(a) ?? []), b]);
    adjacency.set(b, [...(adjacency.get(b) ?? []), a]);
  };
  topology.links.forEach((link, i) => {
    const path = ["links", i];
    let valid = true;
    link.endpoints.forEach((end, e) => {
      const endPath = [...path, "endpoints", e];
      if (end.kind === "switch") {
        const sw = switches.get(end.name);
        if (sw === undefined) {
          add([...endPath, "switch"], `no switch named "${end.name}"`);
          valid = false;
          return;
        }
        if (!sw.ports.has(end.port)) {
          add([...endPath, "port"], `port ${end.port} is not one of switch ${end.name}'s ports`);
          valid = false;
          return;
        }
        const key = `${end.name}:${end.port}`;
        const user = portUser.get(key);
        const other = link.endpoints[1 - e];
        const ownHost =
          other?.kind === "host" &&
          hosts.get(other.name)?.switch === end.name &&
          hosts.get(other.name)?.port === end.port;
        if (user !== undefined && !ownHost) {
          add(endPath, `port ${end.port} of switch ${end.name} is already used by ${user}`);
          valid = false;
        } else if (user === undefined) portUser.set(key, `links[${i}]`);
      } else {
        const host = hosts.get(end.name);
        if (host === undefined) {
          add([...endPath, "host"], `no host named "${end.name}"`);
          valid = false;
          return;
        }
        const previous = hostLink.get(end.name);
        if (previous !== undefined) {
          add(
            endPath,
            `host ${end.name} already has a link (links[${previous}]); a host has one network interface`,
          );
          valid = false;
          return;
        }
        hostLink.set(end.name, i);
        const other = link.endpoints[1 - e]!;
        if (other.kind === "host") {
          if (e === 0) add(path, "a link joins two hosts; expected hosts to connect to switches");
          valid = false;
        } else if (other.name !== host.switch || other.port !== host.port) {
          add(
            [...path, "endpoints", 1 - e],
            `host ${end.name} is attached to switch ${host.switch} port ${host.port} (hosts[${host.index}]), but this link joins it to switch ${other.name} port ${other.port}`,
          );
          valid = false;
        }
      }
    });
    const [a, b] = link.endpoints;
    if (a.name === b.name && a.kind === b.kind) {
      add(path, `a link joins ${a.kind} ${a.name} to itself`);
      valid = false;
    }
    if (valid) connect(a.name, b.name);
  });
  topology.hosts.forEach((host, i) => {
    if (!hostLink.has(host.name) && hosts.get(host.name)?.index === i) {
      add(
        ["hosts", i],
        `host ${host.name} has no link; expected a link joining it to switch ${host.switch} port ${host.port}`,
      );
    }
  });

  // Connectivity is only meaningful once every reference resolved.
  if (problems.length === 0) {
    const names = [...topology.switches.map((s) => s.name), ...topology.hosts.map((h) => h.name)];
    const start = topology.switches[0]?.name;
    if (start !== undefined) {
      const reached = new Set<string>([start]);
      const queue = [start];
      while (queue.length > 0) {
        for (const next of adjacency.get(queue.pop()!) ?? []) {
          if (!reached.has(next)) {
            reached.add(next);
            queue.push(next);
          }
        }
      }
      const missing = names.filter((n) => !reached.has(n)).sort();
      if (missing.length > 0) {
        const shown =
          missing.slice(0, 5).join(", ") +
          (missing.length > 5 ? ` and ${missing.length - 5} more` : "");
        add(
          ["links"],
          `the network is not connected: ${shown} cannot be reached from ${start}; expected every switch and host to be reachable`,
        );
      }
    }
  }
  return problems;
}

/** Throws a ConfigError (without line numbers) when a topology built in code is invalid. */
export function assertValidTopology(topology: Topology, label: string): void {
  const problems = checkTopology(topology);
  if (problems.length > 0) {
    throw new ConfigError(problems.map((p) => ({ file: label, path: p.path, message: p.message })));
  }
}
