#!/usr/bin/env bash
# Builds private copies of the CLI for the bench, so that a concurrent `npm run build` (which
# deletes dist/) can't break a run, and so that both layouts can be timed side by side:
#   $1/manifest/     bin/, package.json, dist/ and oclif.manifest.json: what `npm pack` ships
#   $1/no-manifest/  the same without the manifest: `node bin/run.js` in a fresh checkout
#   $1/no-vendor/    the packed layout without dist/vendor: oclif loaded from its package, as it is
#                    without a build step or on Node < 22.15 (what the bundle saves)
# dist/ is copied from the repository when it exists (run `npm run build` first), or compiled
# into the copy with BENCH_COMPILE=1 or when there is none. node_modules is a symlink.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:?usage: build-cli.sh <out-dir>}
export PATH=$ROOT/.tools/node_modules/.bin:$ROOT/node_modules/.bin:$PATH

rm -rf "$OUT/manifest" "$OUT/no-manifest"
mkdir -p "$OUT/manifest" "$OUT/no-manifest"
for variant in manifest no-manifest; do
  cp -R "$ROOT/bin" "$ROOT/package.json" "$OUT/$variant/"
  ln -s "$ROOT/node_modules" "$OUT/$variant/node_modules"
done
if [[ ${BENCH_COMPILE:-0} == 1 || ! -d $ROOT/dist/commands ]]; then
  echo "build-cli: compiling src/ into $OUT/manifest/dist" >&2
  # Others' work in progress may not typecheck; tsc still emits, and the CLI is what we time.
  tsc -p "$ROOT/tsconfig.build.json" --outDir "$OUT/manifest/dist" >&2 || true
else
  cp -R "$ROOT/dist" "$OUT/manifest/dist"
fi
ln -s "$OUT/manifest/dist" "$OUT/no-manifest/dist"
(cd "$OUT/manifest" && oclif manifest >/dev/null)
test -s "$OUT/manifest/oclif.manifest.json"
test -s "$OUT/manifest/dist/vendor/oclif-core.js"
rm -rf "$OUT/no-vendor"
mkdir -p "$OUT/no-vendor/dist"
cp -R "$ROOT/bin" "$ROOT/package.json" "$OUT/manifest/oclif.manifest.json" "$OUT/no-vendor/"
ln -s "$ROOT/node_modules" "$OUT/no-vendor/node_modules"
for entry in "$OUT/manifest/dist"/*; do
  [[ $(basename "$entry") == vendor ]] || ln -s "$entry" "$OUT/no-vendor/dist/"
done
