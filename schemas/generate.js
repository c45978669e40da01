#!/usr/bin/env node
// Writes the published JSON Schemas (for editors) from the ones the controller validates
// with. Run after `npm run build`: node schemas/generate.js
import { writeFileSync } from "node:fs";

const dist = new URL("../dist/controller/src/", import.meta.url);
const { topologySchema } = await import(new URL("topology/schema.js", dist).href);
const { policySchema } = await import(new URL("policy/schema.js", dist).href);
for (const [name, schema] of [
  ["topology", topologySchema],
  ["policy", policySchema],
]) {
  const file = new URL(`${name}.schema.json`, import.meta.url);
  writeFileSync(file, JSON.stringify(schema, null, 2) + "\n");
  console.log(`wrote schemas/${name}.schema.json`);
}
