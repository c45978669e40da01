import {
  commonPrefix,
  formatIpv4,
  formatPrefix,
  hostMacFromIpv4,
  parseIpv4,
  parsePrefix,
  prefixContains,
  switchPortMac,
} from "@netapprox/model/topology/addresses.js";

describe("IPv4", () => {
  it("parses and formats dotted quads as unsigned numbers", () => {
    expect(parseIpv4("10.0.1.2")).toBe(0x0a000102);
    expect(parseIpv4("255.255.255.255")).toBe(0xffffffff);
    expect(formatIpv4(0xc0a80001)).toBe("192.168.0.1");
    for (const bad of ["10.0.1", "10.0.1.256", "01.2.3.4", "a.b.c.d", "10.0.0.1 "])
      expect(parseIpv4(bad)).toBeUndefined();
  });

  it("parses prefixes and refuses host bits", () => {
    expect(parsePrefix("10.0.0.0/8")).toEqual({
      ok: true,
      prefix: { address: 0x0a000000, length: 8 },
    });
    expect(parsePrefix("10.0.0.7")).toEqual({
      ok: true,
      prefix: { address: 0x0a000007, length: 32 },
    });
    expect(parsePrefix("0.0.0.0/0")).toEqual({ ok: true, prefix: { address: 0, length: 0 } });
    expect(parsePrefix("10.0.1.0/16")).toEqual({
      ok: false,
      reason: "a prefix without host bits (did you mean 10.0.0.0/16?)",
    });
    expect(parsePrefix("10.0.0.0/33")).toEqual({
      ok: false,
      reason: "a prefix length from 0 to 32",
    });
    expect(parsePrefix("h1")).toEqual({
      ok: false,
      reason: "an IPv4 address or prefix such as 10.0.1.0/24",
    });
  });

  it("finds the shortest common prefix and tests membership", () => {
    expect(formatPrefix(commonPrefix(parseIpv4("10.0.1.2")!, parseIpv4("10.0.1.3")!))).toBe(
      "10.0.1.2/31",
    );
    expect(formatPrefix(commonPrefix(parseIpv4("10.0.1.1")!, parseIpv4("10.0.1.4")!))).toBe(
      "10.0.1.0/29",
    );
    expect(formatPrefix(commonPrefix(1, 1))).toBe("0.0.0.1/32");
    expect(formatPrefix(commonPrefix(0, 0xffffffff))).toBe("0.0.0.0/0");
    const p = { address: parseIpv4("10.0.2.0")!, length: 24 };
    expect(prefixContains(p, parseIpv4("10.0.2.255")!)).toBe(true);
    expect(prefixContains(p, parseIpv4("10.0.3.0")!)).toBe(false);
  });
});

describe("MAC addresses", () => {
  it("derives switch port MACs from the device id and port, host MACs from the address", () => {
    expect(switchPortMac(1, 5)).toBe("02:00:00:01:00:05");
    expect(switchPortMac(0xabcdef, 0x1ff)).toBe("02:ab:cd:ef:01:ff");
    expect(hostMacFromIpv4(parseIpv4("10.3.1.3")!)).toBe("00:00:0a:03:01:03");
  });
});
