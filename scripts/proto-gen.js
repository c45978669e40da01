#!/usr/bin/env node
// Generates the typed TypeScript for proto/ (P4Runtime, P4Info, google.rpc) into
// packages/p4runtime/src/proto with buf + protoc-gen-es from node_modules (no system protoc).
// `--check` generates into a temporary folder and fails if the committed code differs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../..");
const committed = join(root, "packages/p4runtime/src/proto");
const bin = join(root, "node_modules/.bin");

function generate(outDir) {
  const template = JSON.stringify({
    version: "v2",
    plugins: [
      {
        local: join(bin, "protoc-gen-es"),
        out: outDir,
        opt: ["target=ts", "import_extension=js"],
      },
    ],
  });
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(join(bin, "buf"), ["generate", "--template", template], {
    cwd: join(root, "proto"),
    stdio: "inherit",
  });
}

function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

export function checkGenerated() {
  const tmp = mkdtempSync(join(tmpdir(), "netapprox-proto-"));
  try {
    generate(join(tmp, "out"));
    const want = listFiles(join(tmp, "out"));
    const have = listFiles(committed);
    const stale = [];
    for (const f of new Set([...want, ...have])) {
      const a = want.includes(f) ? readFileSync(join(tmp, "out", f), "utf8") : null;
      const b = have.includes(f) ? readFileSync(join(committed, f), "utf8") : null;
      if (a !== b) stale.push(f);
    }
    return stale;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) {
    const stale = checkGenerated();
    if (stale.length > 0) {
      console.error(
        `packages/p4runtime/src/proto is stale (run npm run proto:gen): ${stale.join(", ")}`,
      );
      process.exit(1);
    }
    console.log("packages/p4runtime/src/proto is up to date with proto/");
  } else {
    generate(committed);
    console.log("generated packages/p4runtime/src/proto from proto/");
  }
}
