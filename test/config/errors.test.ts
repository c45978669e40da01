import {
  ConfigError,
  describeValue,
  formatIssue,
  formatPath,
} from "@netapprox/model/config/errors.js";

describe("formatPath", () => {
  it("writes keys with dots and indexes in brackets", () => {
    expect(formatPath(["links", 3, "capacity"])).toBe("links[3].capacity");
    expect(formatPath(["jobs", 0, "match", "src", 1])).toBe("jobs[0].match.src[1]");
    expect(formatPath([])).toBe("(top level)");
  });
});

describe("formatIssue", () => {
  it("puts file, line, column, path and message on one line", () => {
    expect(
      formatIssue({ file: "t.yaml", path: ["a", 1], line: 4, column: 7, message: "expected x" }),
    ).toBe("t.yaml:4:7: a[1]: expected x");
  });

  it("leaves out what is unknown", () => {
    expect(formatIssue({ file: "<gen>", path: ["a"], message: "m" })).toBe("<gen>: a: m");
    expect(formatIssue({ file: "f", path: null, line: 2, column: 1, message: "m" })).toBe(
      "f:2:1: m",
    );
  });
});

describe("ConfigError", () => {
  it("lists its issues in document order and is user-facing", () => {
    const err = new ConfigError([
      { file: "f", path: ["b"], line: 9, column: 1, message: "second" },
      { file: "f", path: ["a"], line: 2, column: 5, message: "first" },
    ]);
    expect(err.message).toBe("f:2:5: a: first\nf:9:1: b: second");
    expect(err.userFacing).toBe(true);
    expect(err.issues.map((i) => i.message)).toEqual(["first", "second"]);
  });
});

describe("describeValue", () => {
  it("names the kind of value", () => {
    expect(describeValue("x")).toBe('"x"');
    expect(describeValue(3)).toBe("3");
    expect(describeValue(null)).toBe("nothing");
    expect(describeValue([1, 2])).toBe("a list of 2 items");
    expect(describeValue([1])).toBe("a list of 1 item");
    expect(describeValue({})).toBe("a mapping");
  });
});
