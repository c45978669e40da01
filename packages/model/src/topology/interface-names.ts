// How a topology's ports are named as Linux interfaces: the Mininet launcher creates them
// under these names and the controller's tc link programming finds them by the same names,
// so the rule lives below both.

/** Linux limits interface names to 15 bytes (IFNAMSIZ - 1). */
export const MAX_INTERFACE_NAME = 15;

/**
 * Interface names: `<node>-eth<port>` as Mininet names them, or, when that does not fit
 * Linux's 15 bytes, `<prefix><node index>-<port>` (unique because node indexes are).
 */
export function interfaceName(
  node: string,
  nodeIndex: number,
  port: number,
  kind: "switch" | "host",
): string {
  const natural = `${node}-eth${port}`;
  if (natural.length <= MAX_INTERFACE_NAME) return natural;
  return `${kind === "switch" ? "nxs" : "nxh"}${nodeIndex}-${port}`;
}
