import { readFileSync } from "node:fs";
import { policySchema } from "@netapprox/model/policy/schema.js";

describe("published policy schema", () => {
  it("schemas/policy.schema.json is the schema the loader validates with (regenerate: npm run build && node schemas/generate.js)", () => {
    const published = JSON.parse(readFileSync("schemas/policy.schema.json", "utf8")) as unknown;
    expect(published).toEqual(JSON.parse(JSON.stringify(policySchema)));
  });
});
