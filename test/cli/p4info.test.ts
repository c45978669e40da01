import { cli } from "../helpers/cli.js";

describe("netapprox p4info", () => {
  it("prints the summary of every P4Info the project ships and of the test fixtures", async () => {
    for (const file of [
      "p4/build/netapprox.p4info.json",
      "p4/build/tna/netapprox.p4info.json",
      "test/fixtures/p4info/translated-string.p4info.txtpb",
      "test/fixtures/p4info/enum-param.p4info.json",
    ]) {
      const { code, out, err } = await cli("p4info", file);
      expect({ file, code, err }).toEqual({ file, code: 0, err: "" });
      expect(out).toContain(`from ${file}:`);
    }
  });

  it("names the file and the problem when the P4Info cannot be loaded", async () => {
    const { code, err } = await cli("p4info", "no/such.p4info.json");
    expect(code).toBe(1);
    expect(err).toBe("netapprox p4info: no/such.p4info.json: cannot read the file: ENOENT");
  });
});
