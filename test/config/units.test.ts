import {
  formatBitRate,
  formatBytes,
  parseBitRate,
  parseBytes,
  parseDuration,
} from "../../controller/src/config/units.js";

describe("parseBitRate", () => {
  it.each([
    [10_000_000, 10_000_000],
    ["10Mbit", 10_000_000],
    ["10M", 10_000_000],
    ["1.5Gbit/s", 1_500_000_000],
    ["10 G", 10_000_000_000],
    ["500kbit", 500_000],
    ["500Kbps", 500_000],
    ["64", 64],
    ["2 Mb/s", 2_000_000],
  ])("reads %p as %p bit/s", (text, bits) => {
    expect(parseBitRate(text)).toBe(bits);
  });

  it.each(["10 MB", "ten", "10Mbits", "-5M", "1e6", "", "M"])("rejects %p", (text) => {
    expect(parseBitRate(text)).toBeUndefined();
  });
});

describe("parseBytes", () => {
  it("takes decimal and binary prefixes", () => {
    expect(parseBytes("30MB")).toBe(30e6);
    expect(parseBytes("2GiB")).toBe(2 * 1024 ** 3);
    expect(parseBytes("1.5 kB")).toBe(1500);
    expect(parseBytes(4096)).toBe(4096);
    expect(parseBytes("4096")).toBe(4096);
  });

  it("rejects bit units and words", () => {
    expect(parseBytes("10Mbit")).toBeUndefined();
    expect(parseBytes("1 gigabyte")).toBeUndefined();
  });
});

describe("parseDuration", () => {
  it("reads units, and bare numbers as seconds", () => {
    expect(parseDuration("10ms")).toBeCloseTo(0.01, 12);
    expect(parseDuration("2s")).toBe(2);
    expect(parseDuration("1.5min")).toBe(90);
    expect(parseDuration("250us")).toBeCloseTo(0.00025, 12);
    expect(parseDuration(0.5)).toBe(0.5);
  });

  it("requires a unit in strings", () => {
    expect(parseDuration("10")).toBeUndefined();
    expect(parseDuration("10 days")).toBeUndefined();
  });
});

describe("formatting", () => {
  it("prints three significant digits with a prefix", () => {
    expect(formatBitRate(10_000_000)).toBe("10 Mbit/s");
    expect(formatBitRate(4_533_333.33)).toBe("4.53 Mbit/s");
    expect(formatBitRate(999_999)).toBe("1 Mbit/s");
    expect(formatBitRate(0)).toBe("0 bit/s");
    expect(formatBitRate(1234)).toBe("1.23 kbit/s");
    expect(formatBytes(1_500_000)).toBe("1.5 MB");
  });
});
