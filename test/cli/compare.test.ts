import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";

// Two committed result sets of one scenario with the same rows (the simulator's two queue
// modes of the dumbbell): what the comparison reads is checked against them.
const PACED = "results/examples/simulator/dumbbell-bmv2-paced";
const STRICT = "results/examples/simulator/dumbbell";

describe("netapprox compare on the committed examples", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "netapprox-compare-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("compares two result directories and writes the report", async () => {
    const out = join(dir, "report.md");
    const r = await cli(
      "compare",
      PACED,
      STRICT,
      "--labels",
      "simulator (bmv2-paced),simulator (strict)",
      "--out",
      out,
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^# dumbbell: simulator \(bmv2-paced\) against simulator \(strict\)$/m);
    // The queue modes come from the run files.
    expect(r.out).toContain(
      `- **A**: simulator (bmv2-paced) (\`${PACED}/summary.json\`): runner simulator; queue mode bmv2-paced; seeds 1, 2, 3.`,
    );
    expect(r.out).toContain(
      `- **B**: simulator (strict) (\`${STRICT}/summary.json\`): runner simulator; queue mode strict; seeds 1, 2, 3.`,
    );
    for (const policy of ["netapprox", "tcp-sender-sampling \\(dctcp\\)", "udp-blast", "oblivious"])
      expect(r.out).toMatch(new RegExp(`^\\| ${policy} \\| .* \\| 805/805 \\| 805/805 \\|$`, "m"));
    expect(r.out).toContain("### By approximate JCT mean (lowest first)");
    expect(r.out).toMatch(
      /^## Reading\n\nA is simulator \(bmv2-paced\), B is simulator \(strict\)\. /m,
    );
    expect(r.out).not.toContain("## Warnings");
    expect(readFileSync(out, "utf8")).toBe(r.out);
  });

  it("accepts summary.json paths, labels by runner and queue mode, and prints JSON", async () => {
    const r = await cli("compare", `${STRICT}/summary.json`, `${PACED}/summary.json`, "--json");
    expect(r.code).toBe(0);
    const c = JSON.parse(r.out) as {
      scenario: string;
      a: { label: string; queueModes: string[] };
      b: { label: string };
      policies: { policy: string; fctMean: { a: number; b: number; relative: number } }[];
      rankings: { fct: { pairs: number } };
    };
    expect(c.scenario).toBe("dumbbell");
    expect(c.a.label).toBe("simulator (strict)");
    expect(c.a.queueModes).toEqual(["strict"]);
    expect(c.b.label).toBe("simulator (bmv2-paced)");
    expect(c.policies).toHaveLength(10);
    const summaryA = JSON.parse(readFileSync(`${STRICT}/summary.json`, "utf8")) as {
      policies: { policy: string; fct: { mean: number } }[];
    };
    const netapprox = c.policies.find((p) => p.policy === "netapprox")!;
    expect(netapprox.fctMean.a).toBe(
      summaryA.policies.find((p) => p.policy === "netapprox")!.fct.mean,
    );
    expect(netapprox.fctMean.relative).toBeCloseTo(
      (netapprox.fctMean.b - netapprox.fctMean.a) / netapprox.fctMean.a,
    );
    expect(c.rankings.fct.pairs).toBe(45);
  });
});

describe("netapprox compare on bad input", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "netapprox-compare-bad-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names a missing path and what was expected", async () => {
    const missing = join(dir, "nowhere");
    const r = await cli("compare", missing, PACED);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `netapprox compare: ${missing}: no such file or directory; expected a results directory or its summary.json (written by netapprox simulate or netapprox experiment)`,
    );
  });

  it("names a directory without summary.json", async () => {
    const empty = join(dir, "empty");
    mkdirSync(empty);
    const r = await cli("compare", PACED, empty);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${empty}: no summary.json in this directory`);
  });

  it("rejects a file that is not JSON or not a summary", async () => {
    const text = join(dir, "notes.txt");
    writeFileSync(text, "hello\n");
    let r = await cli("compare", text, PACED);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^netapprox compare: ${text}: not JSON \\(`));

    // A run file is JSON but not a summary.
    const runFile = `${PACED}/runs/netapprox-seed1.json`;
    r = await cli("compare", PACED, runFile);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(`^netapprox compare: ${runFile}: format: expected "netapprox-summary/1" `),
    );
    expect(r.err).toContain('got "netapprox-run/1"');
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("rejects two different scenarios", async () => {
    const other = join(dir, "other");
    mkdirSync(other);
    const summary = JSON.parse(readFileSync(`${PACED}/summary.json`, "utf8")) as Record<
      string,
      unknown
    >;
    writeFileSync(
      join(other, "summary.json"),
      JSON.stringify({ ...summary, scenario: "leaf-spine" }),
    );
    const r = await cli("compare", PACED, other);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `netapprox compare: A (${PACED}/summary.json) is scenario "dumbbell" but B (${join(other, "summary.json")}) is scenario "leaf-spine"; expected two result sets of the same scenario`,
    );
  });

  it("checks its arguments", async () => {
    let r = await cli("compare", PACED);
    expect(r.code).toBe(2);
    expect(r.err).toContain("expected two result sets (A and B), got 1");
    r = await cli("compare", PACED, PACED, "--labels", "only-one");
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      '--labels: expected two non-empty labels separated by a comma, got "only-one"',
    );
  });
});
