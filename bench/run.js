#!/usr/bin/env node
// `npm run bench`: runs every compiled benchmark (bench/*.ts -> dist/bench/*.js, built by
// `npm run build`) one after another, each in its own process so that its time and memory
// figures are its own. Add a benchmark by adding a bench/<name>.ts file; no list to edit.
// Optional arguments select benchmarks by name: npm run bench -- allocation
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { URL, fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist/bench/", import.meta.url));
if (!existsSync(dist)) {
  console.error("bench: dist/bench/ is missing; run `npm run build` first");
  process.exit(2);
}
const wanted = process.argv.slice(2);
const files = readdirSync(dist)
  .filter((f) => f.endsWith(".js"))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.js$/, "")))
  .sort();
if (files.length === 0) {
  console.error(
    `bench: no benchmark${wanted.length ? ` named ${wanted.join(", ")}` : ""} in dist/bench/`,
  );
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file.replace(/\.js$/, "")} ==`);
  const result = spawnSync(process.execPath, [dist + file], { stdio: "inherit" });
  if (result.status !== 0) {
    failed++;
    console.error(`bench: ${file} failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
