#!/usr/bin/env node
// The netapprox command: runs the compiled CLI (built by `npm ci` / `npm run build`).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../packages/cli/dist/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error("netapprox: the controller is not built; run `npm ci` (or `npm run build`) first");
  process.exit(2);
}
// A failure in background work (a socket, a timer) ends the process with one line, not a trace.
const fatal = (what) => (err) => {
  const message =
    err instanceof Error ? (process.env.NETAPPROX_DEBUG ? err.stack : err.message) : String(err);
  console.error(`netapprox: ${what}: ${message}`);
  process.exit(70);
};
process.on("uncaughtException", fatal("internal error"));
process.on("unhandledRejection", fatal("internal error (unhandled rejection)"));
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
