#!/usr/bin/env bash
# Builds the linux-x64 .vsix with the release server inside it, so that the
# extension installs and runs offline: no download, no preflight on PATH needed.
#
#   scripts/package.sh [OUT.vsix]
#
# PREFLIGHT_BINARY=path uses that binary instead of building the release one
# (the tests package a debug build this way).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$here"

version=$(node -p "require('./package.json').version")
out=${1:-"$here/preflight-linux-x64-$version.vsix"}

binary=${PREFLIGHT_BINARY:-}
if [ -z "$binary" ]; then
  (cd "$repo" && cargo build --release --locked -p preflight --bin preflight)
  binary="${CARGO_TARGET_DIR:-$repo/target}/release/preflight"
fi
if [ ! -x "$binary" ]; then
  echo "package.sh: no executable server at $binary" >&2
  exit 1
fi
mkdir -p server
install -m 0755 "$binary" server/preflight

if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent bundle
# Dependencies are bundled into dist/extension.js; node_modules stays out.
npx --no-install vsce package --target linux-x64 --no-dependencies --skip-license --out "$out"
echo "package.sh: wrote $out"
