# shellcheck shell=bash
# Shared paths, ports and helpers for the infra/ scripts. Source it; do not run it.
# Callers run with `set -euo pipefail`.

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$INFRA_DIR/.." && pwd)"
STATE_DIR="$REPO_DIR/.state"            # git-ignored
VENV="$STATE_DIR/venv"
RDKAFKA_LIB_DIR="$STATE_DIR/lib"        # holds librdkafka.so.1 -> the newer one from confluent-kafka
PG_BIN=/usr/lib/postgresql/15/bin

# shellcheck disable=SC2034  # used by up.sh, down.sh, svc.sh
SERVICES=(s3 postgres redis kafka kafka_durable)  # start order; stop order is the reverse

# S3 credentials: nanio verifies SigV4 against these.
S3_ACCESS_KEY=streamly
S3_SECRET_KEY=streamly-secret
S3_REGION=us-east-1
S3_MEDIA_BUCKET=streamly-media

log() { printf '[infra %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# set_profile test|dev: sets PROFILE, per-profile ports and directories.
set_profile() {
  PROFILE="$1"
  case "$PROFILE" in
    dev)  PG_PORT=15432 REDIS_PORT=16379 KAFKA_PORT=19092 S3_PORT=19000 KAFKA_DURABLE_PORT=19093 ;;
    test) PG_PORT=25432 REDIS_PORT=26379 KAFKA_PORT=29092 S3_PORT=29000 KAFKA_DURABLE_PORT=29093 ;;
    # lane1..lane8: test profiles on ports of their own, so parallel sessions (one worktree each)
    # can run suites at the same time; below the kernel's ephemeral range (32768+), clear of dev.
    lane[1-8])
      local n="${PROFILE#lane}" base
      base=$(( n <= 4 ? 10000 + n * 1000 : n <= 6 ? 12000 + n * 1000 : 13000 + n * 1000 ))
      PG_PORT=$((base + 432)) REDIS_PORT=$((base + 379)) KAFKA_PORT=$((base + 92))
      S3_PORT=$((base + 0)) KAFKA_DURABLE_PORT=$((base + 93)) ;;
    # regions: the core namespace of infra/regions.sh (a network namespace of its own, so the
    # test profile's ports are free there).
    regions) PG_PORT=25432 REDIS_PORT=26379 KAFKA_PORT=29092 S3_PORT=29000 KAFKA_DURABLE_PORT=29093 ;;
    *) die "unknown profile '$PROFILE' (expected test, dev, lane1..lane8 or regions)" ;;
  esac
  PDIR="$STATE_DIR/$PROFILE"
  RUN_DIR="$PDIR/run"                   # pid files
  LOG_DIR="$PDIR/logs"
  ENV_FILE="$PDIR/env.sh"
}

# throwaway: true for the test profile and the lanes (data wiped, fsync off, a second broker).
throwaway() { [[ $PROFILE == test || $PROFILE == lane[1-8] || $PROFILE == regions ]]; }

# parse_profile_arg ARGS...: accepts `--profile P` / `--profile=P`; default test.
# Leaves the other arguments in REST_ARGS.
parse_profile_arg() {
  local p=test; REST_ARGS=()
  while (($#)); do
    case "$1" in
      --profile) [[ $# -ge 2 ]] || die "--profile needs a value"; p="$2"; shift 2 ;;
      --profile=*) p="${1#--profile=}"; shift ;;
      *) REST_ARGS+=("$1"); shift ;;
    esac
  done
  set_profile "$p"
}

need_venv() {
  [[ -x "$VENV/bin/python" && -e "$RDKAFKA_LIB_DIR/librdkafka.so.1" ]] \
    || die "tools missing: run infra/install.sh first"
}

noida_bin() { echo "$VENV"/lib/python3*/site-packages/noida_db/noida-db; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# retry TIMEOUT_S CMD...: runs CMD until it succeeds; the last try shows its output.
retry() {
  local deadline=$((SECONDS + $1)); shift
  while ((SECONDS < deadline)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  "$@"
}

# --- pid files ------------------------------------------------------------
pid_file() { echo "$RUN_DIR/$1.pid"; }

# proc_running PID: the process exists and is not a zombie.
proc_running() {
  local state
  [[ "$1" =~ ^[0-9]+$ && -r "/proc/$1/stat" ]] || return 1
  state="$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)"
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# pid_alive PID MARKER: running, and its command line contains MARKER
# (guards against a recycled pid).
pid_alive() {
  proc_running "$1" && [[ "$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" == *"$2"* ]]
}

# pid_of NAME: prints the recorded pid (empty if none).
pid_of() { local f; f="$(pid_file "$1")"; [[ -f "$f" ]] && head -n1 "$f" || true; }

# bg_start NAME MARKER PORT CMD...: starts CMD detached (own session, no stdin),
# logging to $LOG_DIR/NAME.log, records its pid and waits for it to open PORT.
bg_start() {
  local name="$1" marker="$2" port="$3" pid i; shift 3
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  pid="$(pid_of "$name")"
  if pid_alive "$pid" "$marker"; then
    log "$name already running (pid $pid)"
  else
    port_open "$port" && die "$name: 127.0.0.1:$port is already taken by a process we did not start"
    setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
    pid=$!; echo "$pid" >"$(pid_file "$name")"
    log "$name started (pid $pid)"
  fi
  for ((i = 0; i < 300; i++)); do
    port_open "$port" && return 0
    proc_running "$pid" || { tail -n 20 "$LOG_DIR/$name.log" >&2; die "$name exited during start"; }
    sleep 0.1
  done
  die "$name did not open 127.0.0.1:$port within 30s (see $LOG_DIR/$name.log)"
}

# wait_gone PID MARKER [TIMEOUT_S]: returns 1 if it is still alive after TIMEOUT_S.
wait_gone() {
  local pid="$1" marker="$2" timeout="${3:-20}" i
  for ((i = 0; i < timeout * 10; i++)); do
    pid_alive "$pid" "$marker" || return 0
    sleep 0.1
  done
  return 1
}

# pid_stop NAME MARKER: SIGTERM the recorded pid, wait, SIGKILL as a last resort.
pid_stop() {
  local name="$1" marker="$2" pid
  pid="$(pid_of "$name")"
  if pid_alive "$pid" "$marker"; then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$marker" 20; then
      log "$name (pid $pid) ignored SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" "$marker" 10 || die "$name (pid $pid) would not exit"
    fi
    log "$name stopped (pid $pid)"
  fi
  rm -f "$(pid_file "$name")"
}

# shellcheck source=infra/services.sh
source "$INFRA_DIR/services.sh"
