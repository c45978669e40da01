import {
  formatHostPort,
  parseBytes,
  parseDurationMs,
  parseHostPort,
  parseRateBitsPerSec,
} from "@netapprox/transport/units.js";

describe("command-line quantities", () => {
  test("rates: a unit or prefix is required, as in configuration files", () => {
    expect(() => parseRateBitsPerSec("100")).toThrow(
      "100 has no unit: write 100Mbit for Mbit/s or 100bit for bit/s",
    );
    expect(() => parseRateBitsPerSec("2.5")).toThrow(/no unit/);
    expect(parseRateBitsPerSec("2.5M")).toBe(2.5e6);
    expect(parseRateBitsPerSec("500k")).toBe(500e3);
    expect(parseRateBitsPerSec("10M")).toBe(10e6);
    expect(parseRateBitsPerSec("1G")).toBe(1e9);
    expect(parseRateBitsPerSec("10Mbit/s")).toBe(10e6);
    expect(parseRateBitsPerSec("64000bps")).toBe(64000);
    expect(() => parseRateBitsPerSec("fast")).toThrow(/not a rate/);
    expect(() => parseRateBitsPerSec("0M")).toThrow(/positive/);
    expect(() => parseRateBitsPerSec("99999999999999999999999Tbit")).toThrow(
      "99999999999999999999999Tbit is above 10 Tbit/s, faster than any link",
    );
  });

  test("sizes: decimal and binary suffixes", () => {
    expect(parseBytes("1500")).toBe(1500);
    expect(parseBytes("64k")).toBe(64_000);
    expect(parseBytes("10MB")).toBe(10_000_000);
    expect(parseBytes("1Mi")).toBe(1_048_576);
    expect(parseBytes("2KiB")).toBe(2048);
    expect(() => parseBytes("-3")).toThrow(/not a size/);
    expect(() => parseBytes("0")).toThrow(/at least one byte/);
  });

  test("durations: ms, s, m; a bare number is seconds", () => {
    expect(parseDurationMs("250ms")).toBe(250);
    expect(parseDurationMs("2s")).toBe(2000);
    expect(parseDurationMs("1.5m")).toBe(90_000);
    expect(parseDurationMs("10")).toBe(10_000);
    expect(() => parseDurationMs("soon")).toThrow(/not a duration/);
  });

  test("host:port, with IPv6 brackets and an empty host", () => {
    expect(parseHostPort("10.0.0.2:5000")).toEqual({ host: "10.0.0.2", port: 5000 });
    expect(parseHostPort(":7000")).toEqual({ host: "0.0.0.0", port: 7000 });
    expect(parseHostPort("[::1]:80")).toEqual({ host: "::1", port: 80 });
    expect(parseHostPort("h2:9", "x")).toEqual({ host: "h2", port: 9 });
    expect(() => parseHostPort("10.0.0.2")).toThrow(/not host:port/);
    expect(() => parseHostPort("a:70000")).toThrow(/above 65535/);
    expect(formatHostPort({ host: "::1", port: 80 })).toBe("[::1]:80");
    expect(formatHostPort({ host: "10.0.0.1", port: 80 })).toBe("10.0.0.1:80");
  });
});
