// The layer rule (eslint/layer-rule.js with the table in eslint/layers.js): the table is
// ordered and covers every source file, and ESLint with the project's own config reports
// imports that go up or sideways, and passes those that go down.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint } from "eslint";
import { globToRegExp, layerIndex } from "../../eslint/layer-rule.js";
import { LAYERS } from "../../eslint/layers.js";

const FIXTURES = "eslint/fixtures/layers";
const SOURCE_ROOTS = readdirSync("packages").map((name) => `packages/${name}/src`);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe("the layer table", () => {
  test("lists layers bottom first: each may import only layers listed before it", () => {
    const seen = new Set<string>();
    for (const layer of LAYERS) {
      expect(seen.has(layer.name)).toBe(false);
      const notBelow = layer.may.filter((lower) => !seen.has(lower));
      expect([layer.name, notBelow]).toEqual([layer.name, []]);
      seen.add(layer.name);
    }
  });

  test("puts every source file in exactly one layer", () => {
    const globs = LAYERS.map((l) => ({ name: l.name, res: l.files.map(globToRegExp) }));
    for (const file of SOURCE_ROOTS.flatMap(filesUnder)) {
      const layers = globs.filter((g) => g.res.some((re) => re.test(file))).map((g) => g.name);
      expect([file, layers.length]).toEqual([file, 1]);
    }
  });

  test("finds layers by path and by package name", () => {
    const index = layerIndex(LAYERS);
    expect(index.ofPath("packages/p4runtime/src/p4info.ts")?.name).toBe("p4runtime");
    expect(index.ofPath("packages/cli/src/commands/demo.ts")?.name).toBe("cli");
    expect(index.ofPath("packages/cli/src")).toBeUndefined();
    expect(index.ofPath("test/p4runtime/wire.test.ts")).toBeUndefined();
    expect(index.ofModule("@netapprox/p4runtime")?.name).toBe("p4runtime");
    expect(index.ofModule("@netapprox/model/allocation/allocate.js")?.name).toBe("model");
    expect(index.ofModule("rxjs")).toBeUndefined();
  });

  test("globs: ** spans directories, * one name", () => {
    expect(globToRegExp("a/**").test("a/b/c.ts")).toBe(true);
    expect(globToRegExp("a/**").test("ab/c.ts")).toBe(false);
    expect(globToRegExp("a/**/c.ts").test("a/c.ts")).toBe(true);
    expect(globToRegExp("a/*.ts").test("a/b/c.ts")).toBe(false);
    expect(globToRegExp("a.b/*").test("axb/c")).toBe(false);
  });
});

describe("ESLint with the project's config", () => {
  const eslint = new ESLint();

  /** Lints a fixture as if it stood at its path below the fixture folder. */
  async function layerErrors(repoPath: string): Promise<string[]> {
    const text = readFileSync(join(FIXTURES, repoPath), "utf8");
    const [result] = await eslint.lintText(text, { filePath: repoPath });
    const messages = result!.messages;
    // Only the layer rule may speak: anything else means the fixture itself is broken.
    expect(messages.filter((m) => m.ruleId !== "netapprox/layers")).toEqual([]);
    return messages.map((m) => `${m.line}: ${m.message}`);
  }

  test("reports the bottom layer importing the controller", async () => {
    expect(await layerErrors("packages/p4runtime/src/imports-runtime.ts")).toEqual([
      "2: packages/p4runtime/src/imports-runtime.ts is in layer 'p4runtime', which may not import layer 'controller' (@netapprox/controller/runtime/controller.js); it may import: no other layer (eslint/layers.js)",
    ]);
  });

  test("reports sideways imports, re-exports included", async () => {
    const errors = await layerErrors("packages/transport/src/imports-targets.ts");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^4: .*layer 'transport', which may not import layer 'controller'.*it may import: model/,
    );
  });

  test("reports layered code importing what is in no layer", async () => {
    expect(await layerErrors("packages/model/src/config/imports-test.ts")).toEqual([
      "3: packages/model/src/config/imports-test.ts is in layer 'model' and may not import test/fixtures/topology.js, which is in no layer (eslint/layers.js)",
    ]);
  });

  test("reports a relative import into another package", async () => {
    expect(await layerErrors("packages/lab/src/simulator/imports-relative.ts")).toEqual([
      "3: packages/lab/src/simulator/imports-relative.ts reaches into layer 'model' by a relative path (../../../model/src/allocation/allocate.js); import it by its package name (@netapprox/model/...)",
    ]);
  });

  test("passes imports of the own package, lower layers by name and npm packages", async () => {
    expect(await layerErrors("packages/controller/src/runtime/imports-down.ts")).toEqual([]);
  });

  test("leaves the fixtures out of the normal lint run", async () => {
    expect(
      await eslint.isPathIgnored(join(FIXTURES, "packages/p4runtime/src/imports-runtime.ts")),
    ).toBe(true);
  });
});
