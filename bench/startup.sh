#!/usr/bin/env bash
# Start-up time of traefikctl against `node -e 0` on the same machine (issue 15's budgets, tighter
# than DESIGN.md's 2.5x: --version <= 1.5x, --help <= 2.0x, `config show` in examples/whoami <= 2.5x;
# and DESIGN.md's 2.5x for a command's --help: routes --help, app deploy --help),
# and proof that a command's --help loads no heavy module.
#
#   bash bench/startup.sh            # 21 interleaved rounds, budgets enforced
#   BENCH_SMOKE=1 bash bench/startup.sh   # 3 rounds, only the heavy-import check enforced (CI)
#
# Two layouts of the CLI are timed side by side (bench/support/build-cli.sh): `manifest`, what
# `npm pack` ships and `npm run build` leaves in a checkout (the budgets apply to it), and
# `no-manifest`, where oclif imports every command module to learn their flags (bin/dev.js).
# Every command runs in examples/whoami, whose traefikctl.config.yaml `config show` reads. The
# `oclif floor` row is a command that does next to nothing (it prints a few lines of shell script):
# what any command that goes through oclif costs before its own work. `config show`, with or without
# its flags, runs without oclif (dist/config-show.js, src/fast-paths/config-show.ts).
#
# Each round runs every command once, in an order rotated by one each round (hyperfine -N --runs 1,
# or bash's own `time` where hyperfine isn't installed), so slow phases of a busy machine hit every
# command alike; medians of wall and CPU (user+sys) time are then divided by the baseline's. CPU
# ratios are the steadier ones on a loaded machine.
#
# Environment: BENCH_ROUNDS (default 21), BENCH_DIR (scratch, default a temporary directory),
# BENCH_CLI_DIR (reuse a build-cli.sh output), BENCH_NO_HYPERFINE (time with bash instead),
# BENCH_STARTUP_EXTRA (more `label=command` lines to interleave, e.g. a copy of an older
# bin/run.js for a before/after).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
if [[ -z ${BENCH_DIR:-} ]]; then
  BENCH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/traefikctl-bench.XXXXXX")
  trap 'rm -rf "$BENCH_DIR"' EXIT
fi
export BENCH_DIR
# shellcheck source=support/cli-env.sh
source "$BENCH/support/cli-env.sh"

smoke=0
[[ ${BENCH_SMOKE:-0} == 1 || ${BENCH_SMOKE:-} == true ]] && smoke=1
rounds=${BENCH_ROUNDS:-$((smoke ? 3 : 21))}

if [[ -z ${BENCH_CLI_DIR:-} ]]; then
  BENCH_CLI_DIR=$BENCH_DIR/cli
  bash "$BENCH/support/build-cli.sh" "$BENCH_CLI_DIR"
fi
M=$BENCH_CLI_DIR/manifest
N=$BENCH_CLI_DIR/no-manifest
WHOAMI=$ROOT/examples/whoami

echo "## Start-up ($(date -u +%Y-%m-%dT%H:%MZ))"
echo
node -e 'import("'"$BENCH"'/support/stats.ts").then((s) => console.log(s.machineLine()))'
echo

# --- 1. No heavy module on the --help path (enforced in every mode) ------------------------------
# The recorder sees every module the process resolves, ESM and CommonJS (module.registerHooks); the
# build's dist/bundle-modules.json says which packages are inside each bundle file it loaded
# (bench/support/loaded-packages.ts). Without a manifest oclif imports every command module for
# --help, so a static import of ink in any command shows up there; with one, only oclif's help
# classes load (dist/command-help.js).
HEAVY='^(@aws-sdk/.*|@smithy/.*|ink|react|react-reconciler|execa|cosmiconfig|zod|yaml|undici)$'
imports=$BENCH_DIR/imports.txt
packages=$BENCH_DIR/packages.txt
heavy_failures=0
recorded() { # <file of urls> <args...>: runs the CLI with the recorder
  local out=$1
  shift
  (cd "$WHOAMI" && BENCH_IMPORTS_OUT=$out node --import "$BENCH/support/record-imports.ts" "$@" >/dev/null 2>&1)
}
loaded() { # <file of urls>: the packages loaded, one a line, then the file counts
  node "$BENCH/support/loaded-packages.ts" "$1" "$M/dist" >"$packages"
}
# A check that can't fail proves nothing: the recorder must flag a process that does load the bundled
# zod (config show) and one that loads execa from its package.
recorded "$imports" "$M/bin/run.js" config show
loaded "$imports"
if ! grep -qx zod "$packages"; then
  echo "FAIL  the check did not see zod in \`config show\`, which loads it; the check below would be blind."
  exit 1
fi
recorded "$imports" --input-type=module -e "await import('$ROOT/node_modules/execa/index.js')"
loaded "$imports"
if ! grep -qx execa "$packages"; then
  echo "FAIL  the check did not see execa loaded on purpose; the check below would be blind."
  exit 1
fi
for layout in manifest no-manifest; do
  for args in '--version' '--help' 'routes --help' 'app deploy --help'; do
    # shellcheck disable=SC2086 # args are words
    recorded "$imports" "$BENCH_CLI_DIR/$layout/bin/run.js" $args
    loaded "$imports"
    count=$(grep -c . "$imports")
    if ! grep -q '/bin/run.js$' "$imports"; then
      echo "FAIL  $layout: traefikctl $args: the recorder saw nothing ($count modules)"
      heavy_failures=$((heavy_failures + 1))
    elif grep -Eq "$HEAVY" "$packages"; then
      echo "FAIL  $layout: traefikctl $args loads heavy modules: $(grep -E "$HEAVY" "$packages" | tr '\n' ' ')"
      heavy_failures=$((heavy_failures + 1))
    else
      echo "PASS  $layout: traefikctl $args loads no AWS SDK, ink, react, execa, cosmiconfig, zod, yaml or undici ($count modules, $(grep '^bundle files' "$packages"))"
    fi
  done
done

# The built CLI loads oclif from its bundle, not from the package's ~150 files (a command goes through
# oclif; the help pages don't load its runtime, checked below).
recorded "$imports" "$M/bin/run.js" autocomplete script bash
if grep -q '/node_modules/@oclif/' "$imports"; then
  echo "FAIL  autocomplete script bash loads oclif from node_modules, not from the bundle:"
  grep '/node_modules/@oclif/' "$imports" | head -3 | sed 's/^/        /'
  heavy_failures=$((heavy_failures + 1))
elif ! grep -q '/dist/cli.js$' "$imports"; then
  echo "FAIL  autocomplete script bash did not load dist/cli.js, oclif's entry in the bundle"
  heavy_failures=$((heavy_failures + 1))
else
  echo "PASS  autocomplete script bash loads oclif from the bundle (dist/), no file of node_modules/@oclif"
fi
without_oclif() { # <dist file> <args...>: the command runs from that file, without oclif's runtime
  local file=$1
  shift
  recorded "$imports" "$M/bin/run.js" "$@"
  if grep -q '/dist/cli.js$' "$imports" || grep -q '/node_modules/@oclif/' "$imports"; then
    echo "FAIL  $* loaded oclif's runtime; it should run from dist/$file"
    heavy_failures=$((heavy_failures + 1))
  elif ! grep -q "/dist/$file\$" "$imports"; then
    echo "FAIL  $* did not load dist/$file"
    heavy_failures=$((heavy_failures + 1))
  else
    echo "PASS  $* runs from dist/$file without oclif's runtime"
  fi
}
# A command's help page comes from dist/command-help.js (src/help/command-fast-path.ts): oclif's help
# classes from the bundle, without oclif's runtime (dist/cli.js: Config.load, hooks, the parser).
without_oclif command-help.js app deploy --help
# The root page is printed from the manifest by dist/root-help.js (src/help/root.ts), without oclif.
recorded "$imports" "$M/bin/run.js" --help
loaded "$imports"
if grep -q '/dist/cli.js$' "$imports" || grep -qx '@oclif/core' "$packages"; then
  echo "FAIL  --help loaded oclif; the root page should come from dist/root-help.js alone"
  heavy_failures=$((heavy_failures + 1))
elif ! grep -q '/dist/root-help.js$' "$imports"; then
  echo "FAIL  --help did not load dist/root-help.js"
  heavy_failures=$((heavy_failures + 1))
else
  echo "PASS  --help prints the root page from dist/root-help.js without loading oclif"
fi

# `config show` runs from dist/config-show.js (src/fast-paths/config-show.ts), without oclif.
without_oclif config-show.js config show

# --version answers without oclif (bin/run.js); it must print exactly what oclif prints.
fast=$(node "$M/bin/run.js" --version)
oclif=$(cd "$M" && node --input-type=module -e \
  "import { execute } from '$M/dist/cli.js'; await execute({ dir: '$M/bin/run.js', args: ['--version'] })")
if [[ $fast == "$oclif" ]]; then
  echo "PASS  --version prints oclif's own line: $fast"
else
  echo "FAIL  --version prints '$fast', oclif prints '$oclif'"
  heavy_failures=$((heavy_failures + 1))
fi
echo

# DESIGN.md's "a dry run's rendering within 2.5x", reported (not enforced): the dry run of a machine
# without AWS credentials (none in the environment, no files, no instance metadata: nothing leaves the
# machine), which renders the plan offline. `env` adds its own exec (about 1 ms).
NO_AWS='-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_ECS AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent'

# --- 2. Interleaved timing ---------------------------------------------------------------------------
labels=(
  'node -e 0'
  'traefikctl --version'
  'traefikctl --help'
  'traefikctl config show'
  'traefikctl config show --env dev --json'
  'app deploy --dry-run, no AWS credentials'
  'oclif floor: autocomplete script bash'
  'traefikctl routes --help'
  'traefikctl app deploy --help'
  'no manifest: --help'
  'no manifest: app deploy --help'
)
commands=(
  'node -e 0'
  "node $M/bin/run.js --version"
  "node $M/bin/run.js --help"
  "node $M/bin/run.js config show"
  "node $M/bin/run.js config show --env dev --json"
  "env $NO_AWS node $M/bin/run.js app deploy whoami --tag v2 --dry-run"
  "node $M/bin/run.js autocomplete script bash"
  "node $M/bin/run.js routes --help"
  "node $M/bin/run.js app deploy --help"
  "node $N/bin/run.js --help"
  "node $N/bin/run.js app deploy --help"
)
while IFS= read -r line; do
  [[ -n $line ]] || continue
  labels+=("${line%%=*}")
  commands+=("${line#*=}")
done <<<"${BENCH_STARTUP_EXTRA:-}"

runs=$BENCH_DIR/startup-runs
rm -rf "$runs"
mkdir -p "$runs"
cd "$WHOAMI"
# One untimed round fills Node's compile cache and the page cache.
for command in "${commands[@]}"; do
  # shellcheck disable=SC2086 # commands are words, as hyperfine -N splits them
  $command >/dev/null 2>&1
done
# One run of each command, as hyperfine's --export-json writes it. Without hyperfine, bash's `time`
# keyword reads the same wall and rusage figures (ms resolution) for the child.
time_round() { # <out.json> <command>...
  local out=$1
  shift
  if [[ -z ${BENCH_NO_HYPERFINE:-} ]] && command -v hyperfine >/dev/null; then
    hyperfine -N --runs 1 --style none --export-json "$out" "$@" >/dev/null
    return
  fi
  local command measured real user sys results=() TIMEFORMAT='%3R %3U %3S'
  for command in "$@"; do
    # shellcheck disable=SC2086 # commands are words
    measured=$({ time $command >/dev/null 2>&1; } 2>&1) || {
      echo "FAIL  $command exited non-zero" >&2
      return 1
    }
    read -r real user sys <<<"$measured"
    results+=("{\"command\":\"${command//\"/\\\"}\",\"times\":[$real],\"user\":$user,\"system\":$sys,\"exit_codes\":[0]}")
  done
  local IFS=,
  printf '{"results":[%s]}\n' "${results[*]}" >"$out"
}
if [[ -n ${BENCH_NO_HYPERFINE:-} ]] || ! command -v hyperfine >/dev/null; then
  echo "(timing with bash's time keyword: hyperfine is not installed or BENCH_NO_HYPERFINE is set)"
fi
load_before=$(cut -d' ' -f1 /proc/loadavg)
for ((round = 0; round < rounds; round++)); do
  rotated=()
  for ((i = 0; i < ${#commands[@]}; i++)); do
    rotated+=("${commands[$(((i + round) % ${#commands[@]}))]}")
  done
  time_round "$runs/$round.json" "${rotated[@]}"
done
load_after=$(cut -d' ' -f1 /proc/loadavg)

summary_args=()
for ((i = 0; i < ${#commands[@]}; i++)); do summary_args+=("${labels[$i]}=${commands[$i]}"); done
status=0
node --import "$BENCH/support/register.ts" "$BENCH/support/startup-summary.ts" "$runs" "$rounds" "$load_before" "$load_after" "${summary_args[@]}" ||
  status=$?
if ((heavy_failures > 0)); then
  echo "$heavy_failures start-up check(s) failed (enforced in every mode)."
  exit 1
fi
exit "$status"
