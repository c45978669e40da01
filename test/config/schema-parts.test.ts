import { EXPECTED, schemaIssues, type JsonSchema } from "@netapprox/model/config/schema.js";
import {
  DURATION,
  NAME,
  oneOfWords,
  PATH,
  POSITIVE_BIT_RATE,
  POSITIVE_DURATION,
} from "@netapprox/model/config/schema-parts.js";
import { formatIssue } from "@netapprox/model/config/errors.js";
import { YamlSource } from "@netapprox/model/config/yaml-source.js";

const schema: JsonSchema = {
  type: "object",
  additionalProperties: false,
  [EXPECTED]: "a mapping",
  properties: {
    name: NAME,
    path: PATH,
    wait: DURATION,
    timeout: POSITIVE_DURATION,
    rate: POSITIVE_BIT_RATE,
  },
};

function messages(text: string): string[] {
  return schemaIssues(YamlSource.parse(text, "s.yaml"), schema).map(formatIssue);
}

describe("shared schema parts", () => {
  it("accept the values the config files use", () => {
    expect(
      messages('name: leaf-1.a\npath: x.yaml\nwait: 0\ntimeout: "500ms"\nrate: 10Mbit\n'),
    ).toEqual([]);
    expect(messages("wait: 1.5\ntimeout: 2s\nrate: 1000000bit\n")).toEqual([]);
  });

  it("reject bad values with the shared wording", () => {
    const got = messages('name: 1abc\npath: ""\nwait: -1\ntimeout: 0\nrate: 0\n');
    expect(got).toHaveLength(5);
    expect(got[0]).toContain("name: expected a name made of letters");
    expect(got[1]).toContain("path: expected a file path");
    expect(got[2]).toContain('wait: expected a duration such as "500ms"');
    expect(got[3]).toContain('timeout: expected a positive duration such as "500ms"');
    expect(got[4]).toContain(
      'rate: expected a positive bit rate with its unit such as "10Mbit", "500k" or "1G" (a bare number has no unit), got 0',
    );
  });

  it("reject a rate without a unit: 10 could be bit/s or Mbit/s", () => {
    for (const rate of ["10", '"10"', "10.5"]) {
      expect(messages(`rate: ${rate}\n`)).toEqual([
        `s.yaml:1:7: rate: expected a positive bit rate with its unit such as "10Mbit", "500k" or "1G" (a bare number has no unit), got ${rate.includes('"') ? rate : rate}`,
      ]);
    }
  });

  it("reject strings that are not a duration or a rate", () => {
    const got = messages("wait: soon\nrate: fast\n");
    expect(got).toHaveLength(2);
    expect(got[0]).toContain("wait: expected a duration");
    expect(got[1]).toContain("rate: expected a positive bit rate");
  });
});

describe("oneOfWords", () => {
  it("quotes the values and joins the last with 'or'", () => {
    expect(oneOfWords(["a", "b", "c"])).toBe('"a", "b" or "c"');
    expect(oneOfWords(["a", "b"])).toBe('"a" or "b"');
    expect(oneOfWords(["a"])).toBe('"a"');
  });
});
