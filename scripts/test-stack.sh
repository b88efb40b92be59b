#!/usr/bin/env bash
# The real components the integration tests talk to, all on 127.0.0.1:
#   docker    dockerd (Debian docker.io) on unix:///var/run/docker.sock, no default bridge, no
#             iptables; tests put containers on Docker networks of their own
#   registry  distribution 2.8 (Debian docker-registry) on 127.0.0.1:5001, htpasswd auth with
#             exactly the credentials moto's ECR GetAuthorizationToken hands out
#   ecr       the ECR bridge (test/stack/ecr-bridge) on 127.0.0.1:5000, in front of the registry:
#             each pushed manifest is registered in moto's ECR (PutImage, the registry's digest),
#             and a push to a repository moto's ECR doesn't have is refused as ECR refuses it
#   moto      moto_server on 127.0.0.1:5055, MOTO_ECS_SERVICE_RUNNING=1
#   runner    the task runner (test/stack/task-runner) on 127.0.0.1:5056, in front of moto's ECS: runs
#             services' tasks as real containers on the Docker network traefikctl-task-runner, each on
#             its own loopback address (127.0.10.N) that DescribeTasks reports; clients opt in with
#             AWS_ENDPOINT_URL_ECS (the test harness strips it, so existing tests keep talking to moto)
#   traefik   Traefik v3 built from the Go module proxy (test/stack/traefik, `go build`), cached by
#             version and go.sum in $TRAEFIKCTL_TEST_CACHE (default ~/.cache/traefikctl-test-stack);
#             also a FROM-scratch image, <registry>/traefik:<version>. Not a daemon: tests run it.
#
# Usage: scripts/test-stack.sh install|up|env|status|verify|down|traefik --env <env> [--stop]
#   install  (root) apt-get installs what is missing; moto_server and Go must be preinstalled
#   up       starts each component that is not already answering, builds Traefik when its cache
#            has no binary for this version (minutes the first time, then seconds); state in
#            .test-stack/ (or $TEST_STACK_DIR): pid files, logs, registry config and storage
#   env      prints `export` lines that point the AWS SDK and the tests at the stack:
#            eval "$(scripts/test-stack.sh env)"
#   status   says what answers and what this script started; exits 1 when something is down
#   verify   builds a FROM-scratch image, logs in to the registry, pushes it through the ECR bridge
#            and finds its digest in moto's ECR (about 2 s)
#   traefik --env <env>
#            after `traefikctl cluster up --env <env>` against the stack: starts the stack's Traefik
#            in the background as ECS would run that env's Traefik task (the stack's TraefikArguments,
#            entry points on free 127.0.0.1 ports, ECS refresh 1 s, ECS through the task runner),
#            registers it with the runner as the `traefik` service's task (again whenever `up`
#            restarts the runner), waits for /ping, and prints `export` lines for eval:
#            TRAEFIKCTL_TEST_TRAEFIK_WEB and TRAEFIKCTL_CONNECT_TO. With --stop: stops that env's
#            Traefik only, and its registration with the runner
#   down     stops what this script started (by pid file), nothing else, and removes the task
#            runner's containers and network
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE_DIR=${TEST_STACK_DIR:-$REPO_ROOT/.test-stack}

DOCKER_SOCK=/var/run/docker.sock
# What clients push to: the ECR bridge. The registry itself listens behind it.
REGISTRY_ADDR=127.0.0.1:5000
UPSTREAM_REGISTRY_ADDR=127.0.0.1:5001
MOTO_URL=http://127.0.0.1:5055
RUNNER_ADDR=127.0.0.1:5056
RUNNER_URL=http://$RUNNER_ADDR
# The runner's Docker network and the label on it and on every container it starts.
RUNNER_NETWORK=traefikctl-task-runner
RUNNER_LABEL=traefikctl.task-runner
# The region whose ECR the bridge registers images in (the one `env` exports).
AWS_TEST_REGION=us-east-1
TRAEFIK_MODULE=$REPO_ROOT/test/stack/traefik
TRAEFIK_VERSION=$(awk '$1 == "github.com/traefik/traefik/v3" { print $2; exit }' "$TRAEFIK_MODULE/go.mod")
CACHE_DIR=${TRAEFIKCTL_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/traefikctl-test-stack}
TRAEFIK_IMAGE=$REGISTRY_ADDR/traefik:$TRAEFIK_VERSION
# moto's ECR GetAuthorizationToken returns base64("AWS:<account>-auth-token"); the default account:
REGISTRY_USER=AWS
REGISTRY_PASSWORD=123456789012-auth-token
# Desired counts in tests are 1: moto reports that many running tasks for every new service.
MOTO_ECS_SERVICE_RUNNING=${MOTO_ECS_SERVICE_RUNNING:-1}

# Daemons, in start order (the bridge needs the registry and moto, the runner the engine and moto);
# traefik is built, not started (`traefik --env` starts one per env).
COMPONENTS=(docker registry moto ecr runner)

say() { printf 'test-stack: %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}

# --- probes: is the component answering, whoever started it? -------------------------------------

docker_answers() {
  DOCKER_HOST=unix://$DOCKER_SOCK timeout 5 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1
}

registry_answers() {
  # 401 without credentials, 200 with moto's: both prove it is our kind of registry.
  local addr=${1:-$UPSTREAM_REGISTRY_ADDR}
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$addr/v2/") == 401 ]] &&
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 -u "$REGISTRY_USER:$REGISTRY_PASSWORD" \
      "http://$addr/v2/") == 200 ]]
}

# The registry's answers through the bridge, and the bridge's own ECR refusal of a repository
# that moto's ECR doesn't have (a plain registry would answer 401 or 200 there).
ecr_answers() {
  registry_answers "$REGISTRY_ADDR" &&
    curl -s --max-time 3 -u "$REGISTRY_USER:$REGISTRY_PASSWORD" \
      "http://$REGISTRY_ADDR/v2/test-stack-probe-no-such-repository/tags/list" |
    grep -q 'does not exist in the registry with id'
}

# Not POST /moto-api/reset: that wipes every backend under a test suite that may be running.
moto_alive() {
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$MOTO_URL/moto-api/") == 200 ]]
}

runner_answers() {
  curl -s --max-time 3 "$RUNNER_URL/_runner/health" | grep -q '"component":"task-runner"'
}

answers() {
  case $1 in
    docker) docker_answers ;;
    registry) registry_answers ;;
    moto) moto_alive ;;
    ecr) ecr_answers ;;
    runner) runner_answers ;;
  esac
}

# --- pid files: only what this script started is ours to stop -------------------------------------

pid_file() { printf '%s/%s.pid\n' "$STATE_DIR" "$1"; }

# The pid of a live process this script started for $1, or nothing. A pid whose command line no
# longer matches (reused pid after a reboot) is not ours.
our_pid() {
  local file pid pattern
  file=$(pid_file "$1")
  [[ -f $file ]] || return 0
  pid=$(<"$file")
  case $1 in
    docker) pattern=dockerd ;;
    registry) pattern=docker-registry ;;
    moto) pattern=moto_server ;;
    ecr) pattern=ecr-bridge.ts ;;
    runner) pattern=task-runner.ts ;;
    traefik-*) pattern=traefik ;;
  esac
  if [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] && [[ $(tr '\0' ' ' <"/proc/$pid/cmdline") == *"$pattern"* ]]; then
    printf '%s\n' "$pid"
  fi
}

# Starts "$@" in its own session (so that the caller's job control cannot take it down), logging
# to $STATE_DIR/$name.log; the pid is written by the process itself before it execs, into a
# temporary file renamed into place: wait_for reads the file meanwhile, and an empty one (created,
# not yet written) read as "the process is gone" failed a start that was going well.
spawn() {
  local name=$1
  shift
  local log="$STATE_DIR/$name.log" pidf
  pidf=$(pid_file "$name")
  rm -f "$pidf"
  : >"$log"
  # shellcheck disable=SC2016 # the inner shell expands them
  setsid bash -c 'echo $$ >"$0.new" && mv -f "$0.new" "$0"; exec "$@"' "$pidf" "$@" </dev/null >>"$log" 2>&1 &
}

# wait_for NAME SECONDS: polls until NAME answers; fails early when the process died.
wait_for() {
  local name=$1 seconds=$2 pid deadline
  deadline=$((SECONDS + seconds))
  while ((SECONDS < deadline)); do
    if answers "$name"; then return 0; fi
    if [[ -f $(pid_file "$name") ]]; then
      pid=$(our_pid "$name")
      if [[ -z $pid ]]; then
        say "$name exited during start-up; last lines of $STATE_DIR/$name.log:"
        tail -n 15 "$STATE_DIR/$name.log" >&2 || true
        return 1
      fi
    fi
    sleep 0.2
  done
  say "$name did not answer within ${seconds}s; last lines of $STATE_DIR/$name.log:"
  tail -n 15 "$STATE_DIR/$name.log" >&2 || true
  return 1
}

require_root() {
  [[ $(id -u) == 0 ]] || die "$1 needs root (it runs dockerd / apt-get). Rerun with sudo."
}

is_static_busybox() {
  local busybox
  busybox=$(command -v busybox 2>/dev/null) || return 1
  [[ $(ldd "$busybox" 2>&1) == *'not a dynamic executable'* ]]
}

find_moto_server() {
  local candidate
  for candidate in "$(command -v moto_server 2>/dev/null || true)" \
    "${PYENV_ROOT:-$HOME/.pyenv}/shims/moto_server" /root/.pyenv/shims/moto_server; do
    if [[ -n $candidate && -x $candidate ]]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

# --- subcommands ----------------------------------------------------------------------------------

cmd_install() {
  require_root install
  local -a packages=()
  command -v dockerd >/dev/null || packages+=(docker.io)
  command -v docker >/dev/null || packages+=(docker.io)
  command -v docker-registry >/dev/null || [[ -x /usr/bin/docker-registry ]] || packages+=(docker-registry)
  command -v htpasswd >/dev/null || packages+=(apache2-utils)
  # Test images are built FROM scratch around a static busybox (no base image can be pulled).
  is_static_busybox || packages+=(busybox-static)
  command -v curl >/dev/null || packages+=(curl)
  command -v setsid >/dev/null || packages+=(util-linux)

  if ((${#packages[@]})); then
    # Deduplicate (docker.io may be listed twice).
    mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
    say "installing ${packages[*]}"
    # Keep the packages' init scripts from starting a system dockerd (bridge, iptables) behind our back.
    local policy=/usr/sbin/policy-rc.d created_policy=
    if [[ ! -e $policy ]]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy"
      chmod 755 "$policy"
      created_policy=1
    fi
    local rc=0
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; } || rc=$?
    [[ -n $created_policy ]] && rm -f "$policy"
    ((rc == 0)) || die "apt-get install ${packages[*]} failed (exit $rc)"
  else
    say "docker, docker-registry, htpasswd and busybox are installed"
  fi
  is_static_busybox || die "busybox on PATH ($(command -v busybox)) is not the static one; install busybox-static"
  command -v go >/dev/null || die "go is not installed: Traefik is built with Go >= 1.26 from the Go module proxy (the polyglot machine has it)"
  bridge_node >/dev/null || die "no Node.js that runs TypeScript (22.18 or newer) for the ECR bridge: run npm ci (it installs Node 24)"

  local moto
  moto=$(find_moto_server) ||
    die "moto_server is not installed. It comes preinstalled (moto 5.2.1 with its server extras, via pyenv); PyPI is not reachable from here, so it cannot be installed by this script."
  "$moto" --help >/dev/null 2>&1 || die "$moto does not run (try: $moto --help)"
  say "moto_server: $moto"
}

start_docker() {
  local driver_args=()
  if [[ -f $STATE_DIR/docker-storage-driver ]]; then
    driver_args=(--storage-driver "$(<"$STATE_DIR/docker-storage-driver")")
  fi
  # No bridge and no iptables: containers run with --network host, and nothing touches the
  # machine's firewall. 127.0.0.0/8 registries are insecure (plain HTTP) by default.
  spawn docker dockerd --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    --host "unix://$DOCKER_SOCK" --pidfile "$STATE_DIR/dockerd-self.pid" \
    --shutdown-timeout 5 --log-level warn "${driver_args[@]}"
}

write_registry_config() {
  mkdir -p "$STATE_DIR/registry-data"
  htpasswd -Bbn "$REGISTRY_USER" "$REGISTRY_PASSWORD" >"$STATE_DIR/registry.htpasswd"
  cat >"$STATE_DIR/registry.yml" <<EOF
# Generated by scripts/test-stack.sh: the test registry for traefikctl's integration tests.
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry-data
  delete:
    enabled: true
http:
  addr: $UPSTREAM_REGISTRY_ADDR
  secret: $(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: traefikctl-test-registry
    path: $STATE_DIR/registry.htpasswd
EOF
}

start_registry() {
  write_registry_config
  spawn registry docker-registry serve "$STATE_DIR/registry.yml"
}

start_moto() {
  local moto
  moto=$(find_moto_server) || die "moto_server is not installed (see: scripts/test-stack.sh install)"
  MOTO_ECS_SERVICE_RUNNING=$MOTO_ECS_SERVICE_RUNNING spawn moto "$moto" -H 127.0.0.1 -p 5055
}

# Tasks otherwise step towards STOPPED on every DescribeTasks (notes/moto.md §1.5); a reset does not
# clear this, so once per server start is enough.
configure_moto() {
  curl -sf --max-time 5 -X POST "$MOTO_URL/moto-api/state-manager/set-transition" \
    -H 'Content-Type: application/json' \
    -d '{"model_name":"ecs::task","transition":{"progression":"manual","times":1000000}}' >/dev/null ||
    die "moto answers but refused the ecs::task transition; see $STATE_DIR/moto.log"
}

# A Node.js that runs the bridge's TypeScript as it is (type stripping: 22.18 or newer): the
# project's own Node 24 (the `node` dev dependency that `npm ci` installs, or an older checkout's .tools)
# when it is there: sudo may not keep the caller's PATH.
bridge_node() {
  local candidate
  for candidate in "$REPO_ROOT/node_modules/.bin/node" "$REPO_ROOT/.tools/node_modules/.bin/node" \
    "$(command -v node 2>/dev/null || true)"; do
    if [[ -n $candidate && -x $candidate ]] && "$candidate" -e 'process.exit(process.features.typescript ? 0 : 1)' 2>/dev/null; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

start_ecr() {
  local node
  node=$(bridge_node) || die "no Node.js that runs TypeScript (22.18 or newer) for the ECR bridge: run npm ci (it installs Node 24)"
  spawn ecr "$node" "$REPO_ROOT/test/stack/ecr-bridge/ecr-bridge.ts" --listen "$REGISTRY_ADDR" \
    --upstream "$UPSTREAM_REGISTRY_ADDR" --moto "$MOTO_URL" --region "$AWS_TEST_REGION"
}

start_runner() {
  local node
  node=$(bridge_node) || die "no Node.js that runs TypeScript (22.18 or newer) for the task runner: run npm ci (it installs Node 24)"
  spawn runner "$node" "$REPO_ROOT/test/stack/task-runner/task-runner.ts" --listen "$RUNNER_ADDR" \
    --moto "$MOTO_URL" --registry "$REGISTRY_ADDR" --docker "unix://$DOCKER_SOCK" \
    --network "$RUNNER_NETWORK" --addresses 127.0.10
}

# The runner stops and removes its containers on SIGTERM; this removes what a killed one left, and
# its network. Only when no runner answers any more (one not started by this script is left alone).
remove_runner_containers() {
  docker_answers || return 0
  runner_answers && return 0
  local ids
  export DOCKER_HOST=unix://$DOCKER_SOCK
  ids=$(docker ps -aq --filter "label=$RUNNER_LABEL=$RUNNER_NETWORK")
  if [[ -n $ids ]]; then
    # shellcheck disable=SC2086 # one id per word
    docker rm -f $ids >/dev/null && say "removed $(wc -w <<<"$ids") task runner containers"
  fi
  if docker network inspect "$RUNNER_NETWORK" >/dev/null 2>&1; then
    docker network rm "$RUNNER_NETWORK" >/dev/null && say "removed the Docker network $RUNNER_NETWORK"
  fi
}

# The runner keeps external tasks in memory: `traefik --env` records each env's cluster, and a runner
# that `up` starts again is told about the Traefiks still running.
register_traefik() {
  curl -sf --max-time 5 -X POST "$RUNNER_URL/_runner/external-tasks" -H 'Content-Type: application/json' \
    -d "{\"cluster\":\"$1\",\"service\":\"traefik\",\"address\":\"127.0.0.1\",\"region\":\"$AWS_TEST_REGION\"}" \
    >/dev/null
}

register_running_traefiks() {
  local file name
  for file in "$STATE_DIR"/traefik-*.cluster; do
    [[ -e $file ]] || continue
    name=$(basename "$file" .cluster)
    if [[ -n $(our_pid "$name") ]] && register_traefik "$(<"$file")"; then
      say "registered the running $name with the task runner again"
    fi
  done
}

# --- Traefik: built from the Go module proxy, cached outside the repo ------------------------------

# Cached by version and by the module's go.mod and go.sum, so a change to either builds anew.
traefik_binary() {
  local key
  key=$(cat "$TRAEFIK_MODULE/go.mod" "$TRAEFIK_MODULE/go.sum" | sha256sum | cut -c1-12)
  printf '%s/traefik-%s-%s/traefik\n' "$CACHE_DIR" "$TRAEFIK_VERSION" "$key"
}

traefik_ready() {
  local binary=$1
  [[ -x $binary ]] && [[ $("$binary" version 2>/dev/null | awk '/^Version:/ { print $2 }') == "$TRAEFIK_VERSION" ]]
}

build_traefik() {
  local binary dir started log
  binary=$(traefik_binary)
  if traefik_ready "$binary"; then
    say "traefik $TRAEFIK_VERSION is built ($binary)"
    printf '%s\n' "$binary" >"$STATE_DIR/traefik.path"
    return 0
  fi
  command -v go >/dev/null || die "go is not installed: it builds Traefik from the Go module proxy"
  dir=$(dirname "$binary")
  mkdir -p "$dir"
  log=$STATE_DIR/traefik-build.log
  say "building traefik $TRAEFIK_VERSION from the Go module proxy with $(go version | awk '{ print $3 }') (the first build downloads about 2 GB of modules and takes several minutes; log: $log)"
  started=$SECONDS
  # GOTOOLCHAIN=local: never fetch another Go. -trimpath, and the version that /api/version reports.
  if ! (cd "$TRAEFIK_MODULE" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -trimpath \
    -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION -X github.com/traefik/traefik/v3/pkg/version.BuildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    -o "$dir/traefik.partial" github.com/traefik/traefik/v3/cmd/traefik) >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "go build of traefik $TRAEFIK_VERSION failed (log: $log)"
  fi
  mv -f "$dir/traefik.partial" "$binary"
  traefik_ready "$binary" || die "$binary was built but does not report version $TRAEFIK_VERSION"
  printf '%s\n' "$binary" >"$STATE_DIR/traefik.path"
  say "built traefik $TRAEFIK_VERSION in $((SECONDS - started))s: $binary ($(du -h "$binary" | cut -f1); module cache $(du -sh "$(go env GOMODCACHE)" 2>/dev/null | cut -f1))"
}

# An ECR call to moto, as the bridge makes them (moto reads the region from the credential scope).
moto_ecr() {
  curl -s --max-time 10 -X POST "$MOTO_URL/" -H 'Content-Type: application/x-amz-json-1.1' \
    -H "X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.$1" \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/$AWS_TEST_REGION/ecr/aws4_request, SignedHeaders=host, Signature=0" \
    -d "$2"
}

# The FROM-scratch image of the binary, in the engine and (through the bridge, so moto's ECR has
# it too) in the registry. Pushing an image the registry has takes a second.
build_traefik_image() {
  local binary work
  binary=$(traefik_binary)
  work=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" RETURN
  mkdir -p "$work/context" "$work/docker-config"
  chmod 700 "$work/docker-config"
  cp "$binary" "$work/context/traefik"
  printf 'FROM scratch\nCOPY traefik /traefik\nEXPOSE 80 8080\nENTRYPOINT ["/traefik"]\n' >"$work/context/Dockerfile"
  export DOCKER_HOST=unix://$DOCKER_SOCK DOCKER_CONFIG=$work/docker-config
  docker build -q -t "$TRAEFIK_IMAGE" -t "traefik:$TRAEFIK_VERSION" "$work/context" >/dev/null 2>"$work/build.err" || {
    cat "$work/build.err" >&2
    die "docker build of the traefik image failed"
  }
  moto_ecr CreateRepository '{"repositoryName":"traefik"}' >/dev/null
  printf '%s' "$REGISTRY_PASSWORD" | docker login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_ADDR" >/dev/null 2>&1 ||
    die "docker login $REGISTRY_ADDR failed"
  docker push -q "$TRAEFIK_IMAGE" >/dev/null 2>"$work/push.err" || {
    cat "$work/push.err" >&2
    die "docker push $TRAEFIK_IMAGE failed"
  }
  say "traefik image $TRAEFIK_IMAGE is in the engine, the registry and moto's ECR"
}

cmd_up() {
  mkdir -p "$STATE_DIR"
  local -a started=()
  local name
  for name in "${COMPONENTS[@]}"; do
    if answers "$name"; then
      if [[ -n $(our_pid "$name") ]]; then
        say "$name already answers (started by this script)"
      else
        say "$name already answers (not started by this script: left as it is)"
      fi
      continue
    fi
    case $name in
      docker)
        require_root "starting dockerd"
        command -v dockerd >/dev/null || die "dockerd is not installed: run scripts/test-stack.sh install"
        start_docker
        ;;
      registry)
        command -v docker-registry >/dev/null || die "docker-registry is not installed: run scripts/test-stack.sh install"
        command -v htpasswd >/dev/null || die "htpasswd is not installed: run scripts/test-stack.sh install"
        start_registry
        ;;
      moto) start_moto ;;
      ecr)
        # It forwards to the registry and asks moto: both must answer first.
        { wait_for registry 15 && wait_for moto 45; } || die "the ECR bridge needs the registry and moto"
        start_ecr
        ;;
      # It needs the engine (which may still fall back to another storage driver below) and moto.
      runner) continue ;;
    esac
    started+=("$name")
  done

  # They start in parallel; wait for each in turn.
  local failed=()
  for name in "${started[@]}"; do
    case $name in
      docker)
        if ! wait_for docker 30; then
          if grep -qiE 'graphdriver|overlay|storage-driver' "$STATE_DIR/docker.log" && [[ ! -f $STATE_DIR/docker-storage-driver ]]; then
            say "overlay2 does not work here; retrying dockerd with the vfs storage driver"
            echo vfs >"$STATE_DIR/docker-storage-driver"
            start_docker
            wait_for docker 30 || failed+=(docker)
          else
            failed+=(docker)
          fi
        fi
        ;;
      registry) wait_for registry 15 || failed+=(registry) ;;
      moto) wait_for moto 45 || failed+=(moto) ;;
      ecr) wait_for ecr 15 || failed+=(ecr) ;;
    esac
    [[ " ${failed[*]} " == *" $name "* ]] || say "$name is up"
  done
  if moto_alive; then configure_moto; fi
  if ((${#failed[@]} == 0)) && ! answers runner; then
    start_runner
    if wait_for runner 20; then
      say "runner is up"
      register_running_traefiks
    else
      failed+=(runner)
    fi
  fi
  ((${#failed[@]} == 0)) || die "could not start: ${failed[*]}"
  build_traefik
  build_traefik_image
}

cmd_env() {
  cat <<EOF
export AWS_ENDPOINT_URL=$MOTO_URL
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN
export DOCKER_HOST=unix://$DOCKER_SOCK
export TRAEFIKCTL_TEST_MOTO_URL=$MOTO_URL
export AWS_ENDPOINT_URL_ECS=$RUNNER_URL
export TRAEFIKCTL_TEST_RUNNER_URL=$RUNNER_URL
export TRAEFIKCTL_TEST_REGISTRY=$REGISTRY_ADDR
export TRAEFIKCTL_TEST_TRAEFIK=$(traefik_path)
export TRAEFIKCTL_TEST_TRAEFIK_IMAGE=$TRAEFIK_IMAGE
EOF
}

# Where `up` put the binary (recorded, so `env` run by another user than `sudo up` agrees), else
# where it would put it.
traefik_path() {
  if [[ -s $STATE_DIR/traefik.path ]]; then
    cat "$STATE_DIR/traefik.path"
  else
    traefik_binary
  fi
}

cmd_status() {
  local name pid all_up=0
  for name in "${COMPONENTS[@]}"; do
    pid=$(our_pid "$name")
    if answers "$name"; then
      printf '%-9s up%s\n' "$name" "${pid:+ (pid $pid, started by this script)}"
    else
      printf '%-9s down%s\n' "$name" "${pid:+ (pid $pid alive but not answering; see $STATE_DIR/$name.log)}"
      all_up=1
    fi
  done
  local binary
  binary=$(traefik_path)
  if traefik_ready "$binary"; then
    printf '%-9s built (%s, %s)\n' traefik "$TRAEFIK_VERSION" "$binary"
  else
    printf '%-9s not built (scripts/test-stack.sh up builds %s)\n' traefik "$TRAEFIK_VERSION"
    all_up=1
  fi
  local file env
  for file in "$STATE_DIR"/traefik-*.pid; do
    [[ -e $file ]] || continue
    env=$(basename "$file" .pid)
    pid=$(our_pid "$env")
    if [[ -n $pid ]]; then
      printf '%-9s running (pid %s, log %s)\n' "$env" "$pid" "$STATE_DIR/$env.log"
    else
      printf '%-9s not running (started by `traefik --env %s`)\n' "$env" "${env#traefik-}"
    fi
  done
  return $all_up
}

cmd_verify() {
  docker_answers || die "docker is not answering: run scripts/test-stack.sh up"
  ecr_answers || die "the registry (through the ECR bridge) is not answering: run scripts/test-stack.sh up"
  local work image digest
  work=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" RETURN
  mkdir -p "$work/context" "$work/docker-config"
  chmod 700 "$work/docker-config"
  cp "$(command -v busybox)" "$work/context/busybox"
  printf 'FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT ["/bin/busybox"]\nCMD ["true"]\n' >"$work/context/Dockerfile"
  image="$REGISTRY_ADDR/test-stack/verify:$(date +%s)"
  moto_ecr CreateRepository '{"repositoryName":"test-stack/verify"}' >/dev/null
  export DOCKER_HOST=unix://$DOCKER_SOCK DOCKER_CONFIG=$work/docker-config
  docker build -q -t "$image" "$work/context" >/dev/null 2>"$work/build.err" || {
    cat "$work/build.err" >&2
    die "docker build failed"
  }
  printf '%s' "$REGISTRY_PASSWORD" | docker login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_ADDR" >/dev/null 2>&1 ||
    die "docker login $REGISTRY_ADDR failed"
  docker push -q "$image" >/dev/null || die "docker push $image failed"
  # The bridge registered the push in moto's ECR under the registry's digest.
  digest=$(docker inspect --format '{{index .RepoDigests 0}}' "$image" | sed 's/.*@//')
  moto_ecr DescribeImages "{\"repositoryName\":\"test-stack/verify\",\"imageIds\":[{\"imageTag\":\"${image##*:}\"}]}" |
    grep -q "\"$digest\"" || die "moto's ECR has no image $digest after the push through the ECR bridge"
  docker run --rm --network host "$image" >/dev/null || die "docker run $image failed"
  docker rmi -f "$image" >/dev/null
  say "docker build, login, push to $REGISTRY_ADDR (registered in moto's ECR as $digest) and run work"
}

stop_one() {
  local name=$1 pid i
  pid=$(our_pid "$name")
  if [[ -z $pid ]]; then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    [[ -d /proc/$pid ]] || break
    sleep 0.2
  done
  if [[ -d /proc/$pid ]]; then
    say "$name (pid $pid) ignored SIGTERM for 20s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$name")"
  say "$name stopped"
}

cmd_down() {
  local name file any=
  for file in "$STATE_DIR"/traefik-*.pid; do
    [[ -e $file ]] || continue
    name=$(basename "$file" .pid)
    [[ -n $(our_pid "$name") ]] && any=1
    stop_one "$name"
    rm -f "$STATE_DIR/$name.cluster"
  done
  for name in runner ecr moto registry docker; do
    [[ -n $(our_pid "$name") ]] && any=1
    stop_one "$name"
    [[ $name == runner ]] && remove_runner_containers
  done
  [[ -n $any ]] || say "nothing started by this script is running"
}

cmd_traefik() {
  local env= stop=
  while (($#)); do
    case $1 in
      --env)
        env=${2:-}
        shift $(($# > 1 ? 2 : 1))
        ;;
      --env=*) env=${1#--env=} && shift ;;
      --stop) stop=1 && shift ;;
      *) die "traefik: unknown argument $1 (usage: scripts/test-stack.sh traefik --env <env> [--stop])" ;;
    esac
  done
  [[ $env =~ ^[a-z][a-z0-9-]{0,19}$ ]] || die "traefik: give the env of a \`traefikctl cluster up\` (--env dev)"
  if [[ -n $stop ]]; then
    # Only this env's Traefik, and its registration with the runner (a test stops its own).
    if [[ -s $STATE_DIR/traefik-$env.cluster ]]; then
      curl -s --max-time 5 -X DELETE --get "$RUNNER_URL/_runner/external-tasks" \
        --data-urlencode "cluster=$(<"$STATE_DIR/traefik-$env.cluster")" --data-urlencode service=traefik \
        --data-urlencode "region=$AWS_TEST_REGION" >/dev/null || true
    fi
    stop_one "traefik-$env"
    rm -f "$STATE_DIR/traefik-$env.cluster"
    return 0
  fi
  runner_answers || die "the task runner is not answering: run scripts/test-stack.sh up"
  local binary node name=traefik-$env line cluster='' web_entry=web
  local -a args=()
  local -A ports=()
  binary=$(traefik_path)
  traefik_ready "$binary" || die "traefik is not built: run scripts/test-stack.sh up"
  node=$(bridge_node) || die "no Node.js that runs TypeScript (22.18 or newer): run npm ci (it installs Node 24)"
  mkdir -p "$STATE_DIR"

  # One Traefik per env: a second call replaces the first.
  stop_one "$name" 2>/dev/null

  # The stack's TraefikArguments, with entry points moved to free 127.0.0.1 ports.
  local plan
  plan=$("$node" "$REPO_ROOT/test/stack/task-runner/stack-traefik.ts" --moto "$MOTO_URL" \
    --region "$AWS_TEST_REGION" --env "$env") || die "no cluster up stack for $env (run: traefikctl cluster up --env $env)"
  while IFS= read -r line; do
    case $line in
      cluster=*) cluster=${line#cluster=} ;;
      entrypoint=*) web_entry=${line#entrypoint=} ;;
      port.*=*)
        line=${line#port.}
        ports[${line%%=*}]=${line#*=}
        ;;
      arg=*) args+=("${line#arg=}") ;;
    esac
  done <<<"$plan"
  [[ -n $cluster && -n ${ports[$web_entry]:-} && -n ${ports[traefik]:-} ]] ||
    die "the stack's TraefikArguments have no $web_entry and traefik entry points"

  # As on ECS: only Traefik's own environment (fake credentials, no instance metadata, ECS through
  # the runner and everything else to moto), nothing of the caller's.
  spawn "$name" env -i PATH=/usr/bin:/bin HOME="${HOME:-/tmp}" \
    AWS_ENDPOINT_URL_ECS="$RUNNER_URL" AWS_ENDPOINT_URL="$MOTO_URL" \
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION="$AWS_TEST_REGION" \
    AWS_EC2_METADATA_DISABLED=true "$binary" "${args[@]}"

  # The `traefik` service's running task is this process, so the API router on its task
  # definition's labels (basic auth with cluster up's hash) is discovered as on AWS.
  register_traefik "$cluster" || die "the task runner refused the external task for $cluster/traefik"
  printf '%s\n' "$cluster" >"$STATE_DIR/$name.cluster"

  local deadline=$((SECONDS + 20)) pid
  until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:${ports[traefik]}/ping") == 200 ]]; do
    pid=$(our_pid "$name")
    if [[ -z $pid ]] || ((SECONDS >= deadline)); then
      say "traefik for $env did not answer /ping; last lines of $STATE_DIR/$name.log:"
      tail -n 15 "$STATE_DIR/$name.log" >&2 || true
      stop_one "$name" 2>/dev/null
      die "traefik for $env did not start"
    fi
    sleep 0.2
  done
  say "traefik for $env (cluster $cluster): $web_entry on 127.0.0.1:${ports[$web_entry]}, ping on 127.0.0.1:${ports[traefik]}, log $STATE_DIR/$name.log"
  printf 'export TRAEFIKCTL_TEST_TRAEFIK_WEB=127.0.0.1:%s\n' "${ports[$web_entry]}"
  printf 'export TRAEFIKCTL_CONNECT_TO=127.0.0.1:%s\n' "${ports[$web_entry]}"
}

case ${1:-} in
  install) cmd_install ;;
  up) cmd_up ;;
  env) cmd_env ;;
  status) cmd_status ;;
  verify) cmd_verify ;;
  down) cmd_down ;;
  traefik)
    shift
    cmd_traefik "$@"
    ;;
  *)
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
