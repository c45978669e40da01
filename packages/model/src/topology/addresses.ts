// IPv4 addresses, prefixes and MAC addresses as plain numbers, and the MAC addresses the
// controller gives switch ports.

export const IPV4_PATTERN =
  "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$";
export const MAC_PATTERN = "^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$";

/** The address as an unsigned 32-bit number, or undefined when malformed. */
export function parseIpv4(text: string): number | undefined {
  if (!new RegExp(IPV4_PATTERN).test(text)) return undefined;
  return text.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function formatIpv4(address: number): string {
  return [address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255].join(".");
}

export interface Ipv4Prefix {
  /** Network address (host bits zero), unsigned. */
  address: number;
  length: number;
}

/** The first address outside the prefix (may be 2^32). */
export function prefixEnd(prefix: Ipv4Prefix): number {
  return prefix.address + 2 ** (32 - prefix.length);
}

export function prefixContains(prefix: Ipv4Prefix, address: number): boolean {
  return address >= prefix.address && address < prefixEnd(prefix);
}

export function formatPrefix(prefix: Ipv4Prefix): string {
  return `${formatIpv4(prefix.address)}/${prefix.length}`;
}

export type PrefixParse = { ok: true; prefix: Ipv4Prefix } | { ok: false; reason: string };

/**
 * "10.0.0.0/8" or a bare address (a /32). Host bits must be zero, so that a typo such as
 * 10.0.1.0/16 is reported rather than silently widened.
 */
export function parsePrefix(text: string): PrefixParse {
  const [addressText, lengthText, ...rest] = text.split("/");
  const address = parseIpv4(addressText ?? "");
  if (address === undefined || rest.length > 0) {
    return { ok: false, reason: "an IPv4 address or prefix such as 10.0.1.0/24" };
  }
  if (lengthText === undefined) return { ok: true, prefix: { address, length: 32 } };
  if (!/^[0-9]{1,2}$/.test(lengthText) || Number(lengthText) > 32) {
    return { ok: false, reason: "a prefix length from 0 to 32" };
  }
  const length = Number(lengthText);
  const network = length === 0 ? 0 : (address & ~(2 ** (32 - length) - 1)) >>> 0;
  if (network !== address) {
    return {
      ok: false,
      reason: `a prefix without host bits (did you mean ${formatIpv4(network)}/${length}?)`,
    };
  }
  return { ok: true, prefix: { address, length } };
}

/** The shortest prefix containing both addresses. */
export function commonPrefix(a: number, b: number): Ipv4Prefix {
  let length = 32;
  while (length > 0 && a >>> (32 - length) !== b >>> (32 - length)) length--;
  const address = length === 0 ? 0 : (a & ~(2 ** (32 - length) - 1)) >>> 0;
  return { address, length };
}

export function normaliseMac(text: string): string {
  return text.toLowerCase();
}

/**
 * The MAC address of a switch port: locally administered (02:..), then the 24-bit device
 * id and the 16-bit port number. Unique as long as device ids are.
 */
export function switchPortMac(deviceId: number, port: number): string {
  const bytes = [
    0x02,
    (deviceId >>> 16) & 255,
    (deviceId >>> 8) & 255,
    deviceId & 255,
    (port >>> 8) & 255,
    port & 255,
  ];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** A host MAC derived from its IPv4 address (00:00 then the four address bytes). */
export function hostMacFromIpv4(address: number): string {
  const bytes = [
    0,
    0,
    address >>> 24,
    (address >>> 16) & 255,
    (address >>> 8) & 255,
    address & 255,
  ];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}
