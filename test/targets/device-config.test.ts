import { BinaryReader } from "@bufbuild/protobuf/wire";
import { packTofinoBfrt, packTofinoPi } from "@netapprox/controller/targets/device-config.js";
import { capabilitiesOf } from "@netapprox/controller/targets/capabilities.js";

const artifacts = {
  programName: "netapprox",
  tofinoBin: Uint8Array.of(1, 2, 3),
  contextJson: new TextEncoder().encode("{}"),
  bfrtJson: new TextEncoder().encode('{"tables":[]}'),
};

describe("Tofino device config packaging", () => {
  it("packs name, binary and context with little-endian lengths for PI servers", () => {
    expect(Buffer.from(packTofinoPi(artifacts)).toString("hex")).toBe(
      "09000000" +
        Buffer.from("netapprox").toString("hex") +
        "03000000" +
        "010203" +
        "02000000" +
        "7b7d",
    );
  });

  it("builds a BfPipelineConfig with the field numbers stratum_bfrt reads", () => {
    const r = new BinaryReader(packTofinoBfrt({ ...artifacts, pipeScope: [0, 1] }));
    const top: Record<number, Uint8Array | string> = {};
    while (r.pos < r.len) {
      const [field] = r.tag();
      top[field] = field === 1 ? r.string() : r.bytes();
    }
    expect(top[1]).toBe("netapprox");
    expect(new TextDecoder().decode(top[2] as Uint8Array)).toBe('{"tables":[]}');
    const p = new BinaryReader(top[3] as Uint8Array);
    const profile: Record<number, unknown> = {};
    while (p.pos < p.len) {
      const [field] = p.tag();
      if (field === 1) profile[1] = p.string();
      else if (field === 4) {
        const packed = new BinaryReader(p.bytes());
        const scope: number[] = [];
        while (packed.pos < packed.len) scope.push(packed.int32());
        profile[4] = scope;
      } else profile[field] = [...p.bytes()];
    }
    expect(profile).toEqual({ 1: "pipe", 2: [0x7b, 0x7d], 3: [1, 2, 3], 4: [0, 1] });
  });

  it("refuses program names Tofino cannot load and a missing bfrt.json", () => {
    expect(() => packTofinoPi({ ...artifacts, programName: "net-approx" })).toThrow(
      "contain no '-'",
    );
    expect(() => packTofinoBfrt({ ...artifacts, bfrtJson: undefined })).toThrow(
      "stratum_bfrt needs bfrt.json",
    );
  });
});

describe("target capabilities", () => {
  it("flag BMv2 and Tofino differences explicitly", () => {
    const bmv2 = capabilitiesOf("bmv2");
    const tofino = capabilitiesOf("tofino");
    expect([bmv2.queueConfig, tofino.queueConfig]).toEqual(["bmv2-thrift", "tm-config-file"]);
    expect([bmv2.pipeline, tofino.pipeline]).toEqual(["v1model", "tna"]);
    expect(bmv2.registersOverP4Runtime).toBe(false);
    expect(tofino.rpcTimeoutMs).toBeGreaterThan(bmv2.rpcTimeoutMs);
    expect(capabilitiesOf("tofino", { deviceConfigFormat: "tofino-pi" }).deviceConfigFormat).toBe(
      "tofino-pi",
    );
  });
});
