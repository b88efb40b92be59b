#!/usr/bin/env bash
# The whole bench suite (`npm run bench`): start-up, routes at scale, AWS calls. Not part of
# `npm test`. Exits 1 when a budget is missed or a check fails.
#
#   bash bench/run.sh                 # full: about 15 minutes on a quiet 2-core machine
#   BENCH_SMOKE=1 bash bench/run.sh   # CI: small N, few rounds, about 2 minutes; only the no-heavy-
#                                     # imports check and correctness checks can fail it
#
# Uses dist/ as built (`npm run build` first; BENCH_COMPILE=1 bundles a private copy instead).
# api-calls.ts needs the test stack (`bash scripts/test-stack.sh up`): without it, the full run skips
# it with a note and the smoke run fails, so that CI can't silently stop counting AWS calls.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/traefikctl-bench.XXXXXX")
trap 'rm -rf "$BENCH_DIR"' EXIT
export BENCH_DIR
# shellcheck source=support/cli-env.sh
source bench/support/cli-env.sh
smoke=0
[[ ${BENCH_SMOKE:-0} == 1 || ${BENCH_SMOKE:-} == true ]] && smoke=1

export BENCH_CLI_DIR=$BENCH_DIR/cli
bash bench/support/build-cli.sh "$BENCH_CLI_DIR"

failed=()
bash bench/startup.sh || failed+=(startup)
echo
node --import ./bench/support/register.ts bench/routes-scale.ts || failed+=(routes-scale)
echo
if bash scripts/test-stack.sh status >/dev/null 2>&1; then
  (
    eval "$(bash scripts/test-stack.sh env)"
    node --import ./bench/support/register.ts bench/api-calls.ts
  ) || failed+=(api-calls)
elif ((smoke)); then
  echo 'api-calls: the test stack is down (bash scripts/test-stack.sh up); CI runs it.'
  failed+=(api-calls)
else
  echo 'api-calls: skipped, the test stack is down (bash scripts/test-stack.sh up to count AWS calls).'
fi

echo
if ((${#failed[@]} > 0)); then
  echo "bench: ${failed[*]} failed."
  exit 1
fi
echo "bench: all checks passed$( ((smoke)) && echo ' (smoke: budgets reported, not enforced)')."
