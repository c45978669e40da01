// A topology switch's TLS settings in the P4Runtime client's terms: one mapping for the
// controller's agents, its dry run and the CLI's switch commands. Pure.
import type { TlsOptions } from "@netapprox/p4runtime/client.js";
import type { Switch as TopologySwitch } from "@netapprox/model/topology/types.js";

/** A topology switch's TLS settings as the P4Runtime client takes them (none: insecure). */
export function tlsOptionsOf(sw: TopologySwitch): TlsOptions | undefined {
  if (sw.tls === null) return undefined;
  const { ca, cert, key, serverName } = sw.tls;
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(serverName ? { serverName } : {}),
  };
}
