// `netapprox sweep DIR...`: a scenario family at several exact loads (light / 50% / heavy)
// as JCT and FCT against load: two figures with their CSV, and a table.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadScenarioFile } from "@netapprox/lab/experiment/load.js";
import { readResultsFolder } from "@netapprox/lab/experiment/results-dir.js";
import {
  exactLoad,
  renderSweep,
  sweepTable,
  type SweepPoint,
} from "@netapprox/lab/experiment/sweep.js";
import { makeDirectory, writeOutputFile } from "@netapprox/model/util/files.js";
import { packageRoot } from "@netapprox/model/util/package-root.js";
import { CliError, parseOptions, type Command } from "../command.js";

export const command: Command = {
  usage: "DIR... --out DIR [--scenarios DIR] [--title TEXT] [--force] [--json]",
  description: [
    "Puts the results of one workload at several exact loads side by side, e.g.",
    "  netapprox sweep results/leaf-spine-144-light results/leaf-spine-144 results/leaf-spine-144-heavy --out results/sweep-leaf-spine-144",
    "Each DIR is a results folder; its exact load (the share of every host's link that the",
    "scenario's background exact traffic offers) is read from the scenario file of the same",
    "name in --scenarios (default: experiments/ here, or the package's). Writes",
    "sweep-jct.svg, sweep-fct.svg (mean JCT and FCT against load, one line per policy row)",
    "and sweep.csv to --out (existing files only with --force), and prints the table",
    "(--json: the points as JSON).",
  ].join("\n"),
  async run(argv) {
    const { values, positionals } = parseOptions(
      argv,
      {
        out: { type: "string" },
        scenarios: { type: "string" },
        title: { type: "string" },
        force: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
      },
      true,
    );
    if (positionals.length < 2)
      throw new CliError("expected two or more results folders of one scenario family");
    if (values.out === undefined) throw new CliError("--out DIR is required");
    const scenarioDir =
      values.scenarios ??
      (existsSync("experiments") ? "experiments" : join(packageRoot(), "experiments"));
    const others = new Set<string>();
    const points: SweepPoint[] = positionals.map((dir) => {
      const { summary } = readResultsFolder(dir);
      const file = join(scenarioDir, `${summary.scenario}.yaml`);
      if (!existsSync(file))
        throw new CliError(
          `${dir}: its scenario ${summary.scenario} has no file ${file}; pass --scenarios DIR (the folder of the scenario files)`,
        );
      const load = exactLoad(loadScenarioFile(file));
      for (const o of load.others) others.add(o);
      return { load: load.load, summary };
    });
    const loads = points.map((p) => p.load);
    if (new Set(loads).size !== loads.length)
      throw new CliError(
        `two results folders have the same exact load (${loads.map((l) => `${l * 100}%`).join(", ")}): a sweep needs one folder per load`,
      );
    const figures = renderSweep(points, {
      ...(values.title !== undefined ? { title: values.title } : {}),
      others: [...others],
    });
    makeDirectory(values.out, "output folder");
    for (const [name, text] of Object.entries(figures))
      writeOutputFile(join(values.out, name), text, {
        overwrite: values.force,
        overwriteFlag: "--force",
        what: "sweep figure",
      });
    if (values.json)
      console.log(
        JSON.stringify(
          points.map((p) => ({
            scenario: p.summary.scenario,
            exactLoad: p.load,
            policies: p.summary.policies.map((s) => ({
              label: s.label,
              jobs: s.jobs,
              jobsCompleted: s.jobsCompleted,
              jct: s.jct,
              fct: s.fct,
            })),
          })),
          null,
          2,
        ),
      );
    else {
      console.log(sweepTable(points).join("\n"));
      console.log(
        `\nwrote ${Object.keys(figures)
          .map((f) => join(values.out!, f))
          .join(", ")}`,
      );
    }
    return 0;
  },
};
