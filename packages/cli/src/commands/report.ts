// `netapprox report DIR...`: renders results folders again with the current renderer
// (report.md, every figure and its CSV), without running anything: from the run files
// when the folder has them (summary.json is made again too), else from summary.json.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadScenarioFile } from "@netapprox/lab/experiment/load.js";
import { figureNames, summaryForFile, writeReport } from "@netapprox/lab/experiment/report.js";
import { previousReportContext, readResultsFolder } from "@netapprox/lab/experiment/results-dir.js";
import { writeOutputFile } from "@netapprox/model/util/files.js";
import { CliError, parseOptions, type Command } from "../command.js";

export const command: Command = {
  usage: "DIR... [--scenario FILE] [--json]",
  description: [
    "Renders each results folder (written by netapprox simulate, experiment or demo) again:",
    "report.md, the figures (jct, fct, fct-cdf, delivered; SVG) and each figure's data as",
    "CSV, replacing the ones there. Nothing is run again. From DIR/runs/*.json when present",
    "(then summary.json is written again as well), else from DIR/summary.json (older",
    "summaries hold no flow times: no CDF then). The report's description and notes are",
    "kept from the report.md it replaces, or taken from --scenario FILE.",
    "  --json   print what was written, per folder, as JSON",
  ].join("\n"),
  async run(argv) {
    const { values, positionals } = parseOptions(
      argv,
      { scenario: { type: "string" }, json: { type: "boolean", default: false } },
      true,
    );
    if (positionals.length === 0)
      throw new CliError(
        "expected one or more results folders (e.g. results/examples/simulator/dumbbell)",
      );
    if (values.scenario !== undefined && positionals.length > 1)
      throw new CliError("--scenario goes with one results folder");
    const scenario = values.scenario === undefined ? undefined : loadScenarioFile(values.scenario);
    const done: { dir: string; from: string; files: string[]; stale: string[] }[] = [];
    for (const dir of positionals) {
      const folder = readResultsFolder(dir);
      const previous = previousReportContext(dir);
      const context = {
        description: scenario?.description ?? previous.description,
        notes: scenario?.notes ?? previous.notes,
        ...(folder.queueModes.length > 0 ? { queueModes: folder.queueModes } : {}),
      };
      const files: string[] = [];
      if (folder.runs.length > 0) {
        const path = join(dir, "summary.json");
        writeOutputFile(path, JSON.stringify(summaryForFile(folder.summary), null, 2) + "\n", {
          overwrite: true,
          what: "results file",
        });
        files.push(path);
      }
      files.push(...writeReport(dir, folder.summary, folder.runs, context));
      const made = new Set(figureNames(folder.summary));
      const stale = ["jct", "fct", "fct-cdf", "delivered"]
        .filter((f) => !made.has(f) && existsSync(join(dir, `${f}.svg`)))
        .map((f) => join(dir, `${f}.svg`));
      done.push({
        dir,
        from: folder.runs.length > 0 ? `${folder.runs.length} run files` : "summary.json",
        files,
        stale,
      });
    }
    if (values.json) console.log(JSON.stringify(done, null, 2));
    else
      for (const d of done) {
        console.log(`${d.dir}: from ${d.from}, wrote ${d.files.length} files`);
        for (const s of d.stale)
          console.log(
            `  note: ${s} is from an older renderer and cannot be drawn again from this folder's data`,
          );
      }
    return 0;
  },
};
