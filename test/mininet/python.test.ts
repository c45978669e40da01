// Runs the launcher's Python unit tests (test/mininet/python: plan checks and command
// lines; no Mininet, BMv2 or root needed) with the Python the launcher uses.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const PYTHON = process.env.NETAPPROX_PYTHON ?? "/usr/bin/python3";
const unavailable = existsSync(PYTHON) ? undefined : `${PYTHON} not found`;
if (unavailable) process.stderr.write(`launcher Python tests skipped: ${unavailable}\n`);
const describePython = unavailable ? describe.skip : describe;

describePython(`launcher Python tests${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  test("unittest passes", () => {
    const dir = join(import.meta.dirname, "python");
    const run = spawnSync(PYTHON, ["-m", "unittest", "discover", "-s", dir, "-t", dir], {
      encoding: "utf8",
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
    });
    if (run.status !== 0) throw new Error(`python unittest failed:\n${run.stderr}${run.stdout}`);
    expect(run.stderr).toMatch(/Ran \d+ tests/);
    expect(run.stderr).toMatch(/\nOK\n?$/);
  });
});
