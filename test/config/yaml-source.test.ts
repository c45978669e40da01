import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { YamlSource } from "@netapprox/model/config/yaml-source.js";

const text = `# comment
name: demo
links:
  - endpoints: [{switch: s1, port: 2}, {host: h1}]
    capacity: 10Mbit
  - {endpoints: [], capacity:}
`;

describe("YamlSource", () => {
  const source = YamlSource.parse(text, "demo.yaml");

  it("exposes the document as plain data", () => {
    expect(source.data).toEqual({
      name: "demo",
      links: [
        { endpoints: [{ switch: "s1", port: 2 }, { host: "h1" }], capacity: "10Mbit" },
        { endpoints: [], capacity: null },
      ],
    });
  });

  it("locates values, keys and list items (1-based line and column)", () => {
    expect(source.position(["name"])).toEqual({ line: 2, column: 7 });
    expect(source.position(["name"], "key")).toEqual({ line: 2, column: 1 });
    expect(source.position(["links", 0, "capacity"])).toEqual({ line: 5, column: 15 });
    expect(source.position(["links", 0, "endpoints", 1, "host"])).toEqual({ line: 4, column: 47 });
    expect(source.position(["links", 1])).toEqual({ line: 6, column: 5 });
  });

  it("points an empty value at its key, and a missing one at the nearest parent", () => {
    expect(source.position(["links", 1, "capacity"])).toEqual({ line: 6, column: 21 });
    expect(source.position(["links", 0, "buffer"])).toEqual({ line: 4, column: 5 });
    expect(source.position(["links", 7])).toEqual({ line: 4, column: 3 });
  });

  it("builds issues with the file and position", () => {
    expect(source.issue(["links", 0, "capacity"], "expected more")).toEqual({
      file: "demo.yaml",
      path: ["links", 0, "capacity"],
      line: 5,
      column: 15,
      message: "expected more",
    });
  });

  it("reports the first syntax error with its position", () => {
    expect(() => YamlSource.parse("a: [1, 2\nb: 3\n", "bad.yaml")).toThrow(
      "bad.yaml:2:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    );
  });

  it("names the path of a duplicate key", () => {
    expect(() => YamlSource.parse("top:\n  a: 1\n  a: 2\n", "dup.yaml")).toThrow(
      "dup.yaml:3:3: top.a: invalid YAML: a key appears twice in the same mapping",
    );
  });

  it("reports unreadable files without a stack", () => {
    const dir = mkdtempSync(join(tmpdir(), "netapprox-yaml-"));
    try {
      expect(() => YamlSource.read(join(dir, "nope.yaml"))).toThrow(
        `${join(dir, "nope.yaml")}: cannot read file: no such file`,
      );
      expect(() => YamlSource.read(dir)).toThrow(
        `${dir}: cannot read file: is a directory, expected a YAML file`,
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe("YamlSource.read: strict UTF-8 and aliases", () => {
  const dir = mkdtempSync(join(tmpdir(), "yaml-source-"));
  afterAll(() => rmSync(dir, { recursive: true }));

  it("refuses invalid UTF-8, naming the line and column, instead of replacing it", () => {
    const file = join(dir, "latin1.yaml");
    // "café" saved as Latin-1: 0xe9 is not UTF-8.
    writeFileSync(
      file,
      Buffer.concat([Buffer.from("name: x\nhost: caf"), Buffer.of(0xe9), Buffer.from("\n")]),
    );
    expect(() => YamlSource.read(file)).toThrow(
      new Error(
        `${file}:2:10: invalid UTF-8 at line 2, column 10 (byte 0xe9); save the file as UTF-8`,
      ),
    );
    const good = join(dir, "utf8.yaml");
    writeFileSync(good, "\ufeffname: café\n");
    expect(YamlSource.read(good).data).toEqual({ name: "café" });
  });

  it("names the file when it refuses an alias bomb", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i <= 6; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      lines.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    expect(() => YamlSource.parse(lines.join("\n") + "\n", "bomb.yaml")).toThrow(
      /^bomb\.yaml: invalid YAML: .*too many aliases/,
    );
  });
});
