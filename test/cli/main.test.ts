// The command line as a whole: grouped help, --version, host tools under `host`, typos
// answered with a suggestion, and parser errors in plain words.
import { readFileSync } from "node:fs";
import { didYouMean, editDistance } from "@netapprox/cli/command.js";
import { cli } from "../helpers/cli.js";

const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;

describe("netapprox --help", () => {
  it("groups the commands, user commands first, each with a one-line description", async () => {
    const { code, out } = await cli("--help");
    expect(code).toBe(0);
    const groups = [
      "Start here:",
      "Plan and check (offline):",
      "Run and watch a network:",
      "Experiments and results:",
      "On the hosts of an experiment",
    ];
    const at = groups.map((g) => out.indexOf(g));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    for (const name of [
      "demo",
      "alloc",
      "controller",
      "status",
      "switch",
      "simulate",
      "report",
      "sweep",
    ])
      expect(out).toMatch(new RegExp(`^ {2}${name} +\\S.{10,}$`, "m"));
    // Host tools are one line under `host`, not listed among the user commands.
    expect(out).not.toMatch(/^ {2}approx-send /m);
    expect(out).toMatch(/^ {2}host +approx-send, approx-recv/m);
  });

  it("prints the version", async () => {
    for (const flag of ["--version", "-V"]) {
      const { code, out } = await cli(flag);
      expect(code).toBe(0);
      expect(out).toBe(`netapprox ${version} (Node.js ${process.versions.node})`);
    }
  });

  it("lists the host tools under `netapprox host` and runs them there and by their old names", async () => {
    const help = await cli("host", "--help");
    expect(help.out).toMatch(/^ {2}approx-send +send one approximate job/m);
    const viaHost = await cli("host", "approx-marking", "--port", "5000");
    const direct = await cli("approx-marking", "--port", "5000");
    expect(viaHost.code).toBe(0);
    expect(viaHost.out).toContain("iptables");
    expect(direct).toEqual(viaHost);
    const toolHelp = await cli("host", "approx-send", "--help");
    expect(toolHelp.out).toMatch(/^usage: netapprox host approx-send --to HOST:PORT/);
    expect(toolHelp.out).toContain("RATE      bits per second, always with a unit");
  });

  it("suggests the command meant by a typo", async () => {
    const r = await cli("simualte", "x.yaml");
    expect(r.code).toBe(2);
    expect(r.err.split("\n")[0]).toBe(
      "netapprox: unknown command 'simualte'; did you mean 'simulate'?",
    );
    expect((await cli("host", "aprox-send")).err.split("\n")[0]).toBe(
      "netapprox host: unknown tool 'aprox-send'; did you mean 'approx-send'?",
    );
    expect((await cli("frobnicate")).err.split("\n")[0]).toBe(
      "netapprox: unknown command 'frobnicate'",
    );
  });

  it("answers flag mistakes in its own words, with the flag meant", async () => {
    const typo = await cli("alloc", "--topolgy", "t.yaml");
    expect(typo.code).toBe(2);
    expect(typo.err).toBe(
      "netapprox alloc: unknown option --topolgy; did you mean --topology? (--help lists the options)",
    );
    expect((await cli("alloc", "--topology")).err).toBe(
      "netapprox alloc: --topology needs a value (--help says which)",
    );
    expect((await cli("status", "--json=yes")).err).toBe("netapprox status: --json takes no value");
    expect((await cli("status", "extra")).err).toBe(
      "netapprox status: unexpected argument 'extra': this command takes only options (--help lists them)",
    );
    for (const r of [typo, await cli("alloc", "--topology")])
      expect(r.err).not.toMatch(/positional argument starting with|ERR_PARSE_ARGS/);
  });

  it("explains units in the help of commands that take rates or durations", async () => {
    expect((await cli("topo", "--help")).out).toContain("T         a duration with its unit");
    expect((await cli("p4info", "--help")).out).not.toContain("Units:");
  });
});

describe("did you mean", () => {
  it("finds a close name, or none", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("raed", "read")).toBe(1);
    expect(didYouMean("--sed", ["--seeds", "--out"])).toBe("--seeds");
    expect(didYouMean("sim", ["simulate", "status"])).toBe("simulate");
    expect(didYouMean("xyz", ["simulate", "status"])).toBeUndefined();
  });
});
