// Strict UTF-8 decoding for configuration and P4Info files: invalid bytes are an error
// that says where they are, never silently replaced (a replaced byte in a name or an
// address would be a different name or address). Pure.

/** Where the first invalid UTF-8 sequence starts: byte offset, 1-based line and column. */
export interface Utf8Problem {
  offset: number;
  line: number;
  column: number;
  byte: number;
}

/** The text of `bytes`, or the place of the first invalid sequence. */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { problem: Utf8Problem } {
  const offset = firstInvalid(bytes);
  if (offset < 0) {
    // A byte order mark is allowed and dropped.
    const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    return {
      text: Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.length - start).toString(
        "utf8",
      ),
    };
  }
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const column = Buffer.from(bytes.subarray(lineStart, offset)).toString("utf8").length + 1;
  return { problem: { offset, line, column, byte: bytes[offset]! } };
}

/** "invalid UTF-8 at line 3, column 7 (byte 0xe9): save the file as UTF-8" */
export function describeUtf8Problem(p: Utf8Problem): string {
  return `invalid UTF-8 at line ${p.line}, column ${p.column} (byte 0x${p.byte.toString(16).padStart(2, "0")}); save the file as UTF-8`;
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence, or -1. */
function firstInvalid(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    if (i + n >= b.length) return i; // cut short at the end
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}
