import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { loadPipeline } from "@netapprox/controller/runtime/pipelines.js";

describe("loading the committed pipelines", () => {
  it("loads v1model: the P4Info matches the contract and the device config is the BMv2 JSON", () => {
    const p = loadPipeline(".", "v1model");
    expect(p.schema.tables.find("NetapproxIngress.routing_v4")).toBeDefined();
    expect(JSON.parse(new TextDecoder().decode(p.deviceConfig))).toHaveProperty("pipelines");
  });

  it("loads TNA packed for stratum_bfrt and for PI-based servers", () => {
    const bfrt = loadPipeline(".", "tna", "bfrt");
    const r = new BinaryReader(bfrt.deviceConfig);
    const [field] = r.tag();
    expect(field).toBe(1);
    expect(r.string()).toBe("netapprox");
    const pi = loadPipeline(".", "tna", "pi");
    expect(Buffer.from(pi.deviceConfig).readUInt32LE(0)).toBe("netapprox".length);
    expect(pi.schema.tables.size).toBe(bfrt.schema.tables.size);
  });

  it("says how to build when the outputs are missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "netapprox-p4build-"));
    try {
      expect(() => loadPipeline(dir, "v1model")).toThrow(
        "the v1model P4Info is missing; build the P4 programs with `npm run p4:build`",
      );
      cpSync("p4/build/netapprox.p4info.json", join(dir, "p4/build/netapprox.p4info.json"), {
        recursive: true,
      });
      expect(() => loadPipeline(dir, "v1model")).toThrow("the BMv2 JSON is missing");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
