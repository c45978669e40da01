// The network description: switches, hosts and the links between them, with every unit
// resolved (bit/s, packets, seconds). Built by the YAML loader or the generators.

export type Target = "bmv2" | "tofino";

export interface TlsConfig {
  /** Paths to PEM files; the loader resolves them against the topology file's folder. */
  ca: string | null;
  cert: string | null;
  key: string | null;
  /** Name to check in the switch's certificate instead of the address host. */
  serverName: string | null;
}

export interface Switch {
  name: string;
  /** P4Runtime gRPC address, host:port. */
  address: string;
  /** P4Runtime device id, >= 1. */
  deviceId: number;
  target: Target;
  /** Data-plane port numbers in use (sorted ascending). */
  ports: number[];
  /** simple_switch Thrift port (BMv2 only): queue rates and depths are set there. */
  thriftPort: number | null;
  cpuPort: number | null;
  tls: TlsConfig | null;
}

export interface Host {
  name: string;
  /** Dotted quad. */
  ipv4: string;
  /** Lower case, colon separated. */
  mac: string;
  /** The switch and port the host is attached to. */
  switch: string;
  port: number;
}

export type Endpoint =
  { kind: "switch"; name: string; port: number } | { kind: "host"; name: string };

export interface Link {
  endpoints: [Endpoint, Endpoint];
  /** bit/s, the same in both directions. */
  capacity: number;
  /** Queue depth in packets at each switch end. */
  buffer: number;
  /** One-way propagation delay in seconds, for emulation; null when not set. */
  delay: number | null;
}

export interface Topology {
  name: string | null;
  switches: Switch[];
  hosts: Host[];
  links: Link[];
}

/** Queue depth BMv2 uses when none is configured, also our default. */
export const DEFAULT_BUFFER_PACKETS = 64;
