// Topology -> YAML in the file format loadTopologyFile reads, one switch, host or link per
// line so that generated files stay readable and diff well.
import { Document, isMap, isSeq } from "yaml";
import { bitRateText } from "../config/units.js";
import type { Endpoint, Topology } from "./types.js";

export function topologyToYaml(topology: Topology, header?: string): string {
  const data: Record<string, unknown> = {};
  if (topology.name !== null) data.name = topology.name;
  data.switches = topology.switches.map((s) => {
    const out: Record<string, unknown> = {
      name: s.name,
      address: s.address,
      device_id: s.deviceId,
      target: s.target,
    };
    if (s.thriftPort !== null) out.thrift_port = s.thriftPort;
    if (s.cpuPort !== null) out.cpu_port = s.cpuPort;
    out.ports = s.ports;
    if (s.tls !== null) {
      const tls: Record<string, string> = {};
      if (s.tls.ca !== null) tls.ca = s.tls.ca;
      if (s.tls.cert !== null) tls.cert = s.tls.cert;
      if (s.tls.key !== null) tls.key = s.tls.key;
      if (s.tls.serverName !== null) tls.server_name = s.tls.serverName;
      out.tls = tls;
    }
    return out;
  });
  data.hosts = topology.hosts.map((h) => ({
    name: h.name,
    ipv4: h.ipv4,
    mac: h.mac,
    switch: h.switch,
    port: h.port,
  }));
  data.links = topology.links.map((l) => {
    const out: Record<string, unknown> = {
      endpoints: l.endpoints.map(endpointData),
      capacity: bitRateText(l.capacity),
      buffer: l.buffer,
    };
    if (l.delay !== null) out.delay = `${+(l.delay * 1000).toFixed(6)}ms`;
    return out;
  });
  const doc = new Document(data);
  // Each list item on one line.
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      if (isSeq(pair.value)) {
        for (const item of pair.value.items) {
          if (isMap(item)) item.flow = true;
        }
      }
    }
  }
  const body = doc
    .toString({ lineWidth: 0, flowCollectionPadding: false })
    .replace(/\n(switches|hosts|links):/g, "\n\n$1:");
  const comment =
    header === undefined
      ? ""
      : header
          .split("\n")
          .map((l) => `# ${l}`.trimEnd())
          .join("\n") + "\n";
  return comment + body;
}

function endpointData(e: Endpoint): Record<string, unknown> {
  return e.kind === "switch" ? { switch: e.name, port: e.port } : { host: e.name };
}
