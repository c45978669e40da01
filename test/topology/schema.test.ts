import { readFileSync } from "node:fs";
import { topologySchema } from "@netapprox/model/topology/schema.js";

describe("published topology schema", () => {
  it("schemas/topology.schema.json is the schema the loader validates with (regenerate: npm run build && node schemas/generate.js)", () => {
    const published = JSON.parse(readFileSync("schemas/topology.schema.json", "utf8")) as unknown;
    expect(published).toEqual(JSON.parse(JSON.stringify(topologySchema)));
  });
});
