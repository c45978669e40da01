import { decodeUtf8 } from "@netapprox/p4runtime/utf8.js";

const where = (bytes: number[]) => {
  const r = decodeUtf8(Uint8Array.from(bytes));
  return "problem" in r ? r.problem : r.text;
};

describe("decodeUtf8", () => {
  it("decodes well-formed text of every sequence length, dropping a byte order mark", () => {
    const text = "a é € 😀";
    expect(where([...Buffer.from(text)])).toBe(text);
    expect(where([0xef, 0xbb, 0xbf, 0x61])).toBe("a");
  });

  it.each([
    ["a lone continuation byte", [0x61, 0x80], 1],
    ["an overlong encoding", [0xc0, 0xaf], 0],
    ["a 3-byte overlong encoding", [0xe0, 0x80, 0xaf], 0],
    ["a surrogate", [0xed, 0xa0, 0x80], 0],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
    ["a sequence cut short at the end", [0x61, 0x62, 0xe2, 0x82], 2],
    ["a sequence interrupted", [0xe2, 0x41, 0x41], 0],
  ])("finds %s", (_what, bytes, offset) => {
    expect(where(bytes)).toMatchObject({ offset });
  });

  it("counts lines and columns in characters", () => {
    expect(where([...Buffer.from("x: 1\né: "), 0xff])).toEqual({
      offset: 9,
      line: 2,
      column: 4,
      byte: 0xff,
    });
  });
});
