#!/usr/bin/env bash
# Builds private copies of the CLI for the bench, so that a concurrent `npm run build` (which
# deletes dist/) can't break a run, and so that both layouts can be timed side by side:
#   $1/manifest/     bin/, package.json, dist/ and oclif.manifest.json: what `npm pack` ships
#   $1/no-manifest/  the same without the manifest: `node bin/dev.js`'s case, where oclif imports
#                    every command module to learn their flags
# dist/ is the bundle (rolldown.config.ts), copied from the repository when it exists (run
# `npm run build` first), or bundled into the copy with BENCH_COMPILE=1 or when there is none.
# node_modules is a symlink (the AWS SDK, ink, react and undici load from it).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:?usage: build-cli.sh <out-dir>}
export PATH=$ROOT/node_modules/.bin:$PATH

rm -rf "$OUT/manifest" "$OUT/no-manifest"
mkdir -p "$OUT/manifest" "$OUT/no-manifest"
for variant in manifest no-manifest; do
  cp -R "$ROOT/bin" "$ROOT/package.json" "$OUT/$variant/"
  ln -s "$ROOT/node_modules" "$OUT/$variant/node_modules"
done
if [[ ${BENCH_COMPILE:-0} == 1 || ! -s $ROOT/dist/cli.js ]]; then
  echo "build-cli: bundling src/ into $OUT/manifest/dist" >&2
  (cd "$ROOT" && rolldown -c rolldown.config.ts --dir "$OUT/manifest/dist" >/dev/null)
else
  cp -R "$ROOT/dist" "$OUT/manifest/dist"
fi
ln -s "$OUT/manifest/dist" "$OUT/no-manifest/dist"
(cd "$OUT/manifest" && oclif manifest >/dev/null)
test -s "$OUT/manifest/oclif.manifest.json"
test -s "$OUT/manifest/dist/cli.js"
test -s "$OUT/manifest/dist/bundle-modules.json"
# The library modules the bench imports directly, compiled from the same sources (build-lib.mjs).
# Their runtime dependencies (AWS SDK, undici, ...) resolve from here, as the CLI copies' do.
node "$ROOT/bench/support/build-lib.mjs" "$OUT/lib"
ln -sfn "$ROOT/node_modules" "$OUT/node_modules"
test -s "$OUT/lib/lib/routes/source.js"
