import { EXPECTED, schemaIssues, type JsonSchema } from "@netapprox/model/config/schema.js";
import { formatIssue } from "@netapprox/model/config/errors.js";
import { YamlSource } from "@netapprox/model/config/yaml-source.js";

const schema: JsonSchema = {
  type: "object",
  required: ["name", "size"],
  additionalProperties: false,
  properties: {
    name: { type: "string", pattern: "^[a-z]+$", [EXPECTED]: "a lower-case name" },
    size: { type: "integer", minimum: 1 },
    kind: { enum: ["a", "b"] },
    tags: { type: "array", items: { type: "string" }, maxItems: 2 },
  },
};

function messages(text: string): string[] {
  return schemaIssues(YamlSource.parse(text, "s.yaml"), schema).map(formatIssue);
}

describe("schemaIssues", () => {
  it("accepts a valid document", () => {
    expect(messages("name: abc\nsize: 3\n")).toEqual([]);
  });

  it("uses the schema's own wording when it has one", () => {
    expect(messages("name: ABC\nsize: 3\n")).toEqual([
      's.yaml:1:7: name: expected a lower-case name, got "ABC"',
    ]);
  });

  it("derives the wording from the keyword otherwise", () => {
    expect(messages("name: abc\nsize: 0\nkind: c\ntags: [x, y, z]\n")).toEqual([
      "s.yaml:2:7: size: expected a number >= 1, got 0",
      's.yaml:3:7: kind: expected one of "a", "b", got "c"',
      "s.yaml:4:7: tags: expected at most 2 item(s), got a list of 3 items",
    ]);
    expect(messages("name: abc\nsize: 1.5\ntags: [1]\n")).toEqual([
      "s.yaml:2:7: size: expected an integer, got 1.5",
      "s.yaml:3:8: tags[0]: expected a string, got 1",
    ]);
  });

  it("reports a missing property at its mapping", () => {
    expect(messages("\nname: abc\n")).toEqual(["s.yaml:2:1: size: missing; expected an integer"]);
  });

  it("suggests the closest name for a misspelt property, else lists the allowed ones", () => {
    expect(messages("name: abc\nsize: 1\nsise: 2\nzzzzzz: 1\n")).toEqual([
      's.yaml:3:1: sise: unknown property; did you mean "size"?',
      "s.yaml:4:1: zzzzzz: unknown property; expected one of: kind, name, size, tags",
    ]);
  });
});
