#!/usr/bin/env bash
# Compiles the netapprox P4 programs with p4c and refreshes the committed outputs
# in p4/build/. This script runs an installed compiler; it does not build one
# (see docs/p4.md for installing p4c, BMv2 and the Tofino backend).
#
#   scripts/p4-build.sh [--target all|v1model|tna]     (npm run p4:build -- --target tna)
#
# all (default): v1model always; TNA when p4c has the Tofino backend, otherwise a
# notice (the TNA outputs then stay as they were, and the source-hash test says so
# once the shared sources change). Environment: P4C (default: p4c); BFAS (the Tofino
# assembler; default: bfas next to p4c).
#
# Outputs:
#   p4/build/netapprox.json                 BMv2 JSON (simple_switch_grpc p4_device_config)
#   p4/build/netapprox.p4info.{txtpb,json}  P4Info (v1model)
#   p4/build/SOURCES.sha256                 sha256sum of the sources the v1model outputs came from
#   p4/build/tna/netapprox.p4info.{txtpb,json}, bfrt.json, pipe/{tofino.bin,context.json}
#   p4/build/tna/SOURCES.sha256             the same for TNA
#   p4/build/COMPILER                       the compiler version
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
P4C="${P4C:-p4c}"
TARGET=all

usage() { echo "usage: $0 [--target all|v1model|tna]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --target) [ $# -ge 2 ] || usage; TARGET="$2"; shift 2 ;;
    --target=*) TARGET="${1#--target=}"; shift ;;
    -h|--help) usage ;;
    *) echo "p4-build: unknown argument '$1'" >&2; usage ;;
  esac
done
case "$TARGET" in all|v1model|tna) ;; *) echo "p4-build: unknown target '$TARGET'" >&2; usage ;; esac

if ! command -v "$P4C" >/dev/null 2>&1; then
  echo "p4-build: '$P4C' not found. Install p4c (see docs/p4.md) or set P4C=/path/to/p4c." >&2
  exit 1
fi

if command -v sha256sum >/dev/null 2>&1; then SHA256=(sha256sum); else SHA256=(shasum -a 256); fi

cd "$ROOT"
BUILD=p4/build
# A repository-relative scratch folder: p4c records its path in the BMv2 JSON
# ("program"), which should not name a random temporary folder.
WORK="$BUILD/.work"
rm -rf "$WORK"
trap 'rm -rf "$WORK"' EXIT

# The sources one target is compiled from, repository-relative, sorted.
sources_of() {
  find p4/include "p4/$1" -name '*.p4' -type f | LC_ALL=C sort
}

write_hashes() { # <target dir name> <manifest path>
  # shellcheck disable=SC2046
  "${SHA256[@]}" $(sources_of "$1") > "$2"
}

has_tofino_backend() {
  local targets
  targets="$("$P4C" --target-help 2>/dev/null || true)"
  [[ "$targets" == *tofino* ]]
}

build_v1model() {
  echo "p4-build: v1model (BMv2) ..."
  local out="$WORK/v1model"
  mkdir -p "$out"
  "$P4C" --target bmv2 --arch v1model --std p4-16 -o "$out" \
    --p4runtime-files "$out/netapprox.p4info.txtpb,$out/netapprox.p4info.json" \
    p4/v1model/netapprox.p4
  mkdir -p "$BUILD"
  cp "$out/netapprox.json" "$out/netapprox.p4info.txtpb" "$out/netapprox.p4info.json" "$BUILD/"
  write_hashes v1model "$BUILD/SOURCES.sha256"
  echo "p4-build: wrote $BUILD/netapprox.json and its P4Info"
}

build_tna() {
  echo "p4-build: tna (Tofino) ..."
  local out="$WORK/tna"
  mkdir -p "$out"
  # Compile (-S) and assemble (bfas) as two steps: the driver of p4c 1.2.5.x crashes
  # when it starts the assembler itself (it hands a pathlib.Path to shlex.split).
  # Standard P4Info externs (meters, counters, action profiles) rather than
  # Tofino-specific ones: what P4Runtime servers on Tofino (Stratum) expect.
  "$P4C" --target tofino --arch tna --std p4-16 -S -o "$out" \
    --p4runtime-files "$out/netapprox.p4info.txtpb,$out/netapprox.p4info.json" \
    --p4runtime-force-std-externs --bf-rt-schema "$out/bfrt.json" \
    p4/tna/netapprox.p4
  local bfas="${BFAS:-$(dirname "$(command -v "$P4C")")/bfas}"
  [ -x "$bfas" ] || bfas="$(command -v bfas || true)"
  if [ -z "$bfas" ]; then
    echo "p4-build: the Tofino assembler 'bfas' was not found next to $P4C (set BFAS=...)." >&2
    exit 1
  fi
  "$bfas" --no-warn --target tofino --table-handle-offset0 -o "$out/pipe" "$out/pipe/netapprox.bfa"
  local dest="$BUILD/tna"
  rm -rf "$dest"
  mkdir -p "$dest/pipe"
  cp "$out/netapprox.p4info.txtpb" "$out/netapprox.p4info.json" "$out/bfrt.json" "$dest/"
  cp "$out/pipe/tofino.bin" "$out/pipe/context.json" "$dest/pipe/"
  write_hashes tna "$dest/SOURCES.sha256"
  echo "p4-build: wrote $dest (P4Info, bfrt.json, pipe/tofino.bin, pipe/context.json)"
}

case "$TARGET" in
  v1model) build_v1model ;;
  tna)
    if ! has_tofino_backend; then
      echo "p4-build: '$P4C' has no Tofino backend (not listed by '$P4C --target-help')." >&2
      exit 1
    fi
    build_tna ;;
  all)
    build_v1model
    if has_tofino_backend; then
      build_tna
    else
      echo "p4-build: NOTICE: '$P4C' has no Tofino backend; TNA outputs in $BUILD/tna left unchanged." >&2
    fi ;;
esac

"$P4C" --version 2>/dev/null | head -n 1 > "$BUILD/COMPILER"
echo "p4-build: done ($(cat "$BUILD/COMPILER"))"
