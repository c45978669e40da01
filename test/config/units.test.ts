import {
  bitRateText,
  readBitRate,
  formatBitRate,
  formatBytes,
  parseBitRate,
  parseBytes,
  parseDuration,
} from "@netapprox/model/config/units.js";

describe("parseBitRate", () => {
  it.each([
    [0, 0],
    ["10Mbit", 10_000_000],
    ["10M", 10_000_000],
    ["1.5Gbit/s", 1_500_000_000],
    ["10 G", 10_000_000_000],
    ["500kbit", 500_000],
    ["500Kbps", 500_000],
    ["64bit", 64],
    ["64000bps", 64_000],
    ["2 Mb/s", 2_000_000],
    ["10Tbit", 10e12],
  ])("reads %p as %p bit/s", (text, bits) => {
    expect(parseBitRate(text)).toBe(bits);
  });

  it.each(["10 MB", "ten", "10Mbits", "-5M", "1e6", "", "M", "64", 10_000_000, "11Tbit"])(
    "rejects %p",
    (text) => {
      expect(parseBitRate(text)).toBeUndefined();
    },
  );

  it("says why: no unit, or beyond any link", () => {
    expect(readBitRate(10)).toEqual({
      problem: "10 has no unit: write 10Mbit for Mbit/s or 10bit for bit/s",
    });
    expect(readBitRate("99999999999999999999999Tbit")).toEqual({
      problem: "99999999999999999999999Tbit is above 10 Tbit/s, faster than any link",
    });
    expect(readBitRate("fast")).toEqual({
      problem: "'fast' is not a bit rate such as 10Mbit, 500k or 1G",
    });
  });

  it("writes rates back with their unit", () => {
    expect([10e6, 1_500_000, 2_500_001, 0, 40e9].map(bitRateText)).toEqual([
      "10Mbit",
      "1500kbit",
      "2500001bit",
      "0bit",
      "40Gbit",
    ]);
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
