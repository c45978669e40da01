import { readFileSync } from "node:fs";
import { scenarioSchema } from "@netapprox/lab/experiment/schema.js";

describe("published scenario schema", () => {
  it("schemas/scenario.schema.json is the schema the loader validates with (regenerate: npm run build && node schemas/generate.js)", () => {
    const published = JSON.parse(readFileSync("schemas/scenario.schema.json", "utf8")) as unknown;
    expect(published).toEqual(JSON.parse(JSON.stringify(scenarioSchema)));
  });
});
