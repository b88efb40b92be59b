# Sourced by the bench scripts: Node 24 first on PATH, and a private HOME-like state for the CLI so
# that no user configuration, plugin or update check changes what is measured. The update-check
# plugin finds a fresh version cache, as on a machine that has run traefikctl before, so it never
# spawns its registry lookup (no traffic leaves 127.0.0.1).
# Needs BENCH_DIR (a scratch directory) and ROOT (the repository).
export PATH=$ROOT/.tools/node_modules/.bin:$ROOT/node_modules/.bin:$PATH
export XDG_CACHE_HOME=$BENCH_DIR/xdg/cache XDG_CONFIG_HOME=$BENCH_DIR/xdg/config XDG_DATA_HOME=$BENCH_DIR/xdg/data
mkdir -p "$XDG_CACHE_HOME/traefikctl" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
printf '{"current":"%s","latest":"%s"}\n' "$(node -p 'require(process.argv[1]).version' "$ROOT/package.json")" \
  "$(node -p 'require(process.argv[1]).version' "$ROOT/package.json")" >"$XDG_CACHE_HOME/traefikctl/version"
unset DEBUG NODE_OPTIONS
