// The folder of the netapprox package (where package.json, p4/ and topologies/
// live), found from this module's location so it works from the sources (tests)
// and from the compiled dist/ alike.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "netapprox"
    ) {
      cached = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the netapprox package folder (package.json)");
    dir = up;
  }
}

/** The package's version (package.json), for --version and netapprox_build_info. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as {
    version?: string;
  };
  return pkg.version ?? "unknown";
}
