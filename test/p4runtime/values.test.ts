import fc from "fast-check";
import {
  bigintToBytes,
  bigintToIpv4,
  bigintToIpv6,
  bigintToMac,
  bitLength,
  bytesToBigint,
  canonical,
  encodeLpm,
  encodeRange,
  encodeTernary,
  encodeValue,
  fromUint128,
  fullMask,
  ipv4ToBigint,
  ipv6ToBigint,
  macToBigint,
  P4ValueError,
  prefixMask,
  toBigint,
  toUint128,
} from "@netapprox/p4runtime/values.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("canonical bytestrings", () => {
  it("encodes zero as a single zero byte and strips leading zeros", () => {
    expect(hex(bigintToBytes(0n))).toBe("00");
    expect(hex(bigintToBytes(1n))).toBe("01");
    expect(hex(bigintToBytes(0x1ffn))).toBe("01ff");
    expect(hex(encodeValue(0x0a000001, 32))).toBe("0a000001");
    expect(hex(encodeValue(5, 32))).toBe("05");
  });

  it("normalises padded bytestrings and keeps one byte for zero", () => {
    expect(hex(canonical(Uint8Array.from([0, 0, 0x12]), 16))).toBe("12");
    expect(hex(canonical(Uint8Array.from([0, 0, 0]), 16))).toBe("00");
  });

  it("rejects an empty bytestring and values wider than the field", () => {
    expect(() => canonical(new Uint8Array(), 8, "f")).toThrow("f: empty bytestring");
    expect(() => canonical(Uint8Array.from([0x02, 0x00]), 9, "port")).toThrow(
      "port: value 0x0200 needs 10 bits, field is 9 bits wide",
    );
    expect(() => encodeValue(512, 9, "action 'set_port' parameter 'port'")).toThrow(
      "action 'set_port' parameter 'port': value 512 needs 10 bits, field is 9 bits wide",
    );
    expect(() => encodeValue(511, 9)).not.toThrow();
  });

  it("round-trips any value through bytes (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (n) => {
        const b = bigintToBytes(n);
        expect(bytesToBigint(b)).toBe(n);
        expect(b.length === 1 || b[0] !== 0).toBe(true);
        expect(bitLength(b)).toBe(n === 0n ? 0 : n.toString(2).length);
      }),
    );
  });
});

describe("value syntax", () => {
  it("reads numbers, hex, MAC, IPv4 and IPv6", () => {
    expect(toBigint(42)).toBe(42n);
    expect(toBigint("42")).toBe(42n);
    expect(toBigint("0x2A")).toBe(42n);
    expect(toBigint("00:00:00:00:01:0a")).toBe(0x10an);
    expect(toBigint("10.0.1.2")).toBe(0x0a000102n);
    expect(toBigint("::1")).toBe(1n);
    expect(toBigint(Uint8Array.from([1, 0]))).toBe(256n);
  });

  it("refuses what it cannot read, naming the subject", () => {
    expect(() => toBigint("ten", "field x")).toThrow("field x: cannot read 'ten'");
    expect(() => toBigint(-1, "f")).toThrow("f: -1 is not a non-negative safe integer");
    expect(() => toBigint(1.5, "f")).toThrow("not a non-negative safe integer");
    expect(() => ipv4ToBigint("10.0.0.256")).toThrow("octet above 255");
    expect(() => macToBigint("00:11")).toThrow("not of the form");
    expect(() => ipv6ToBigint("1::2::3")).toThrow("not a valid IPv6 address");
  });

  it("formats and parses addresses symmetrically", () => {
    expect(bigintToMac(macToBigint("aa:bb:cc:00:11:22"))).toBe("aa:bb:cc:00:11:22");
    expect(bigintToIpv4(ipv4ToBigint("192.168.7.9"))).toBe("192.168.7.9");
    expect(bigintToIpv6(ipv6ToBigint("2001:db8::1"))).toBe("2001:db8::1");
    expect(bigintToIpv6(ipv6ToBigint("::ffff:10.0.0.1"))).toBe("::ffff:a00:1");
    expect(ipv6ToBigint("1:2:3:4:5:6:7:8")).toBe(0x00010002000300040005000600070008n);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (n) => {
        expect(ipv6ToBigint(bigintToIpv6(n))).toBe(n);
      }),
    );
  });

  it("converts election ids to and from Uint128", () => {
    const id = (5n << 64n) | 7n;
    expect(toUint128(id)).toEqual({ high: 5n, low: 7n });
    expect(fromUint128(toUint128(id))).toBe(id);
    expect(() => toUint128(1n << 128n)).toThrow(RangeError);
  });
});

describe("match encoders", () => {
  it("LPM clears bits past the prefix and treats /0 as a wildcard", () => {
    const m = encodeLpm("10.1.2.3/16", 32, "dst")!;
    expect(hex(m.value)).toBe("0a010000");
    expect(m.prefixLen).toBe(16);
    expect(encodeLpm("0.0.0.0/0", 32, "dst")).toBeUndefined();
    expect(encodeLpm({ value: "2001:db8::", prefixLen: 32 }, 128, "dst")!.prefixLen).toBe(32);
    expect(() => encodeLpm("10.0.0.0/33", 32, "dst")).toThrow(
      "dst: prefix length 33 is outside 0..32",
    );
  });

  it("ternary masks the value and treats a zero mask as a wildcard", () => {
    const t = encodeTernary("10.0.0.7&&&255.255.255.0", 32, "src")!;
    expect(hex(t.value)).toBe("0a000000");
    expect(hex(t.mask)).toBe("ffffff00");
    expect(encodeTernary({ value: 1, mask: 0 }, 8, "p")).toBeUndefined();
    expect(() => encodeTernary("1&&&2&&&3", 8, "p")).toThrow("not of the form value&&&mask");
  });

  it("range checks order and treats the full range as a wildcard", () => {
    const r = encodeRange("1000..2000", 16, "port")!;
    expect([bytesToBigint(r.low), bytesToBigint(r.high)]).toEqual([1000n, 2000n]);
    expect(encodeRange({ low: 0, high: 65535 }, 16, "port")).toBeUndefined();
    expect(() => encodeRange("5..4", 16, "port")).toThrow("port: range low 5 is above high 4");
    expect(() => encodeRange("0..70000", 16, "port")).toThrow(
      "port high: value 70000 needs 17 bits",
    );
  });

  it("wraps errors in P4ValueError with the subject", () => {
    try {
      encodeValue("zz", 8, "table 't' field 'f'");
      throw new Error("no error");
    } catch (err) {
      expect(err).toBeInstanceOf(P4ValueError);
      expect((err as P4ValueError).subject).toBe("table 't' field 'f'");
    }
  });
});

describe("the byte-level encoders agree with bigint arithmetic (property)", () => {
  // Values and widths, with the value fitting the width.
  const sized = fc
    .integer({ min: 1, max: 128 })
    .chain((w) => fc.tuple(fc.constant(w), fc.bigInt({ min: 0n, max: fullMask(w) })));

  it("reads decimal, hex, IPv4 and MAC texts as toBigint does", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 48n) - 1n }), fc.boolean(), (n, upper) => {
        const h = n.toString(16).padStart(12, "0");
        const macText = h.match(/../g)!.join(":");
        const texts = [
          n.toString(),
          `0x${n.toString(16)}`,
          upper ? macText.toUpperCase() : macText,
          ` ${n.toString()} `,
        ];
        if (n <= 0xffffffffn) texts.push(bigintToIpv4(n));
        for (const text of texts) {
          expect(hex(encodeValue(text, 48))).toBe(hex(bigintToBytes(toBigint(text))));
        }
      }),
    );
    // Near misses take the general path and fail or succeed as it does.
    for (const text of [
      "1.2.3",
      "1.2.3.4.5",
      "1..2.3",
      "01:02:03:04:05",
      "1:2:3:4:5:6:7:8",
      "0x",
      "+1",
    ]) {
      let want: string;
      try {
        want = hex(bigintToBytes(toBigint(text)));
      } catch (err) {
        want = (err as Error).message;
      }
      let got: string;
      try {
        got = hex(encodeValue(text, 128));
      } catch (err) {
        got = (err as Error).message;
      }
      expect(got).toBe(want);
    }
    expect(() => encodeValue("10.0.0.256", 32)).toThrow("octet above 255");
    expect(() => encodeValue("255.255.255.255", 31)).toThrow("needs 32 bits, field is 31");
  });

  it("LPM", () => {
    fc.assert(
      fc.property(
        sized.chain(([w, n]) =>
          fc.tuple(fc.constant(w), fc.constant(n), fc.integer({ min: 1, max: w })),
        ),
        ([w, n, len]) => {
          const m = encodeLpm({ value: n, prefixLen: len }, w, "f")!;
          expect(hex(m.value)).toBe(hex(bigintToBytes(n & prefixMask(len, w))));
        },
      ),
    );
  });

  it("ternary", () => {
    fc.assert(
      fc.property(
        sized.chain(([w, n]) =>
          fc.tuple(fc.constant(w), fc.constant(n), fc.bigInt({ min: 0n, max: fullMask(w) })),
        ),
        ([w, n, mask]) => {
          const t = encodeTernary({ value: n, mask }, w, "f");
          if (mask === 0n) expect(t).toBeUndefined();
          else {
            expect(hex(t!.value)).toBe(hex(bigintToBytes(n & mask)));
            expect(hex(t!.mask)).toBe(hex(bigintToBytes(mask)));
          }
        },
      ),
    );
  });

  it("range", () => {
    fc.assert(
      fc.property(
        sized.chain(([w, n]) =>
          fc.tuple(fc.constant(w), fc.constant(n), fc.bigInt({ min: 0n, max: fullMask(w) })),
        ),
        ([w, a, b]) => {
          if (a > b) {
            expect(() => encodeRange({ low: a, high: b }, w, "f")).toThrow(
              `f: range low ${a} is above high ${b}`,
            );
            return;
          }
          const r = encodeRange({ low: a, high: b }, w, "f");
          if (a === 0n && b === fullMask(w)) expect(r).toBeUndefined();
          else
            expect([hex(r!.low), hex(r!.high)]).toEqual([
              hex(bigintToBytes(a)),
              hex(bigintToBytes(b)),
            ]);
        },
      ),
    );
    expect(encodeRange({ low: 0, high: 511 }, 9, "p")).toBeUndefined();
    expect(encodeRange({ low: 0, high: 255 }, 9, "p")).toBeDefined();
  });
});
