import { jest } from "@jest/globals";
import { readFileSync } from "node:fs";
import { TestSwitch } from "@netapprox/controller/testswitch/server.js";
import { quickstart } from "../../examples/p4runtime-quickstart.js";

describe("the README's P4Runtime example", () => {
  it("runs against a test switch: pipeline pushed, entries written and read back", async () => {
    const ts = new TestSwitch();
    await ts.start();
    const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      expect(await quickstart(ts.address)).toBe(1);
      expect(ts.stats.pipelinePushes).toBe(1);
      expect(log.mock.calls.map((c) => c[1])).toContain("pipeline_pushed");
    } finally {
      log.mockRestore();
      await ts.stop();
    }
  });

  it("is the code the README shows", () => {
    const example = readFileSync("examples/p4runtime-quickstart.ts", "utf8");
    const body = example.slice(example.indexOf("import { readFileSync }"));
    expect(readFileSync("README.md", "utf8")).toContain(body.trim());
  });
});
