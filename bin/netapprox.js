#!/usr/bin/env node
// The netapprox command: runs the compiled CLI (built by `npm ci` / `npm run build`).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/controller/src/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error("netapprox: the controller is not built; run `npm ci` (or `npm run build`) first");
  process.exit(2);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
