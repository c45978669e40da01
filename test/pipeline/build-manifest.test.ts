import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  SourcesManifestError,
  checkP4Build,
  compareSources,
  currentSources,
  describeStaleness,
  isStale,
  parseSourcesManifest,
  sha256Hex,
} from "@netapprox/model/pipeline/build-manifest.js";
import { PIPELINE_TARGETS } from "@netapprox/model/pipeline/contract.js";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const H1 = "a".repeat(64);
const H2 = "b".repeat(64);

describe("the committed P4 outputs", () => {
  test.each(PIPELINE_TARGETS)("%s outputs were built from the current P4 sources", (target) => {
    const staleness = checkP4Build(root, target);
    // On failure the message names the changed files and says to run npm run p4:build.
    expect(isStale(staleness) ? describeStaleness(target, staleness) : "up to date").toBe(
      "up to date",
    );
  });

  test("each manifest covers the shared includes and the target's own program", () => {
    expect([...currentSources(root, "v1model").keys()]).toEqual(
      expect.arrayContaining(["p4/include/defines.p4", "p4/v1model/netapprox.p4"]),
    );
    expect([...currentSources(root, "tna").keys()]).not.toContain("p4/v1model/netapprox.p4");
  });
});

describe("parseSourcesManifest", () => {
  test("reads sha256sum output, text and binary mode", () => {
    expect(parseSourcesManifest(`${H1}  p4/a.p4\n${H2} *p4/b c.p4\n\n`, "m")).toEqual([
      { path: "p4/a.p4", sha256: H1 },
      { path: "p4/b c.p4", sha256: H2 },
    ]);
  });

  test("names the file and line of a malformed entry", () => {
    expect(() => parseSourcesManifest(`${H1}  p4/a.p4\nnot a hash  p4/b.p4\n`, "SOURCES")).toThrow(
      "SOURCES:2: expected '<64 hex digits>  <path>'",
    );
    expect(() => parseSourcesManifest(`${H1}  x\n${H2}  x\n`, "S")).toThrow(
      new SourcesManifestError("S", 2, "'x' is listed twice"),
    );
    expect(() => parseSourcesManifest("\n", "S")).toThrow(/S: lists no source files/);
  });
});

describe("compareSources", () => {
  const recorded = [
    { path: "p4/a.p4", sha256: H1 },
    { path: "p4/b.p4", sha256: H2 },
  ];

  test("is not stale when every hash matches", () => {
    const s = compareSources(
      recorded,
      new Map([
        ["p4/a.p4", H1],
        ["p4/b.p4", H2],
      ]),
    );
    expect(isStale(s)).toBe(false);
  });

  test("reports changed, new and deleted sources", () => {
    const s = compareSources(
      recorded,
      new Map([
        ["p4/a.p4", H2],
        ["p4/c.p4", H1],
      ]),
    );
    expect(s).toEqual({ changed: ["p4/a.p4"], added: ["p4/c.p4"], removed: ["p4/b.p4"] });
    expect(describeStaleness("tna", s)).toBe(
      "tna outputs are older than their P4 sources (changed: p4/a.p4; new: p4/c.p4; " +
        "deleted: p4/b.p4); run npm run p4:build",
    );
  });
});

describe("checkP4Build on a scratch tree", () => {
  let dir: string;
  const write = (rel: string, text: string) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "netapprox-p4build-"));
    write("p4/include/defines.p4", "const bit<8> X = 1;\n");
    write("p4/v1model/netapprox.p4", '#include "../include/defines.p4"\n');
    write("p4/tna/netapprox.p4", "// tna\n");
    write("p4/include/README.txt", "not a P4 source\n");
    write(
      "p4/build/SOURCES.sha256",
      `${sha256Hex("const bit<8> X = 1;\n")}  p4/include/defines.p4\n` +
        `${sha256Hex('#include "../include/defines.p4"\n')}  p4/v1model/netapprox.p4\n`,
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("passes right after a build", () => {
    expect(isStale(checkP4Build(dir, "v1model"))).toBe(false);
  });

  test("fails when a shared source changes without a rebuild", () => {
    write("p4/include/defines.p4", "const bit<8> X = 2;\n");
    expect(checkP4Build(dir, "v1model").changed).toEqual(["p4/include/defines.p4"]);
  });

  test("fails when a source is added under a target's folders", () => {
    write("p4/v1model/extra/more.p4", "// more\n");
    expect(checkP4Build(dir, "v1model").added).toEqual(["p4/v1model/extra/more.p4"]);
  });

  test("names the missing manifest and how to create it", () => {
    expect(() => checkP4Build(dir, "tna")).toThrow(
      /^p4\/build\/tna\/SOURCES\.sha256: cannot read it \(ENOENT\): run npm run p4:build/,
    );
  });
});
