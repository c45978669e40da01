import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable } from "@netapprox/model/util/executables.js";

describe("findExecutable", () => {
  test("executables are found on PATH, or by path", () => {
    const dir = mkdtempSync(join(tmpdir(), "netapprox-exe-"));
    try {
      const tool = join(dir, "simple_switch_grpc");
      writeFileSync(tool, "#!/bin/sh\n");
      chmodSync(tool, 0o755);
      writeFileSync(join(dir, "not-executable"), "");
      expect(findExecutable("simple_switch_grpc", `/nonexistent:${dir}`)).toBe(tool);
      expect(findExecutable(tool, "")).toBe(tool);
      expect(findExecutable("not-executable", dir)).toBeUndefined();
      expect(findExecutable("absent", dir)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
