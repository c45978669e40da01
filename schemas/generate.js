#!/usr/bin/env node
// Writes the published JSON Schemas (for editors) from the ones the controller validates
// with, formatted as the repository's Prettier settings want them.
// Run after `npm run build`: node schemas/generate.js
import { readFileSync, writeFileSync } from "node:fs";
import { URL } from "node:url";
import * as prettier from "prettier";

const dist = new URL("../dist/controller/src/", import.meta.url);
const { topologySchema } = await import(new URL("topology/schema.js", dist).href);
const { policySchema } = await import(new URL("policy/schema.js", dist).href);
const { scenarioSchema } = await import(new URL("experiment/schema.js", dist).href);
const options = JSON.parse(readFileSync(new URL("../.prettierrc.json", import.meta.url), "utf8"));
for (const [name, schema] of [
  ["topology", topologySchema],
  ["policy", policySchema],
  ["scenario", scenarioSchema],
]) {
  const text = await prettier.format(JSON.stringify(schema), { ...options, parser: "json" });
  writeFileSync(new URL(`${name}.schema.json`, import.meta.url), text);
  console.log(`wrote schemas/${name}.schema.json`);
}
