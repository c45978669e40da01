// package.json's `engines` is a promise to the user: every package the lock file installs
// (dev dependencies too: `npm ci` installs them) must run on the oldest Node it names.
import { readFileSync } from "node:fs";
import semver from "semver";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

describe("engines", () => {
  it("names a minimum Node version", () => {
    expect(semver.minVersion(pkg.engines.node)).not.toBeNull();
  });

  it("every locked package runs on the oldest Node that engines allows", () => {
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    const refusing = Object.entries(lock.packages)
      .filter(([path]) => path !== "")
      .flatMap(([path, p]) => {
        const wants = Array.isArray(p.engines) ? undefined : p.engines?.node;
        return wants !== undefined && !semver.satisfies(oldest, wants)
          ? [`${path}@${p.version ?? "?"} wants node ${wants}`]
          : [];
      });
    expect(refusing).toEqual([]);
  });

  it("the README states the same minimum", () => {
    const readme = readFileSync("README.md", "utf8");
    const minimum = semver.minVersion(pkg.engines.node)!;
    expect(readme).toContain(`Node.js ${minimum.major}.${minimum.minor} or newer`);
  });
});
