#!/usr/bin/env bash
# A world of three regions with real latency between them, for tests and benchmarks (issue 14).
# Usage: infra/regions.sh up|down|status
#
# Network namespaces (root needed), each with a TUN device `sltun` on 10.77.0.0/16, all joined
# through the userspace link emulator (`streamly-load netem`; these kernels have no tc netem):
#   slr-core          10.77.0.1   PostgreSQL, Redis, the broker, S3 (infra/up.sh --profile regions)
#                                 and two origins (links :7000 and :7001, operator :9091 and :9092)
#   slr-R-edge        10.77.N.1   the region's edge (HTTP :8080, operator :9090, WebRTC UDP :10000,
#                                 cascade relay UDP :10001, announced in the edge directory)
#                                 and its Redis (127.0.0.1:6379 inside)
#   slr-R-c1, -c2     10.77.N.11, .12   client hosts
# for R = eu (N=1), us (N=2), ap (N=3). One-way delays (override with REGIONS_DELAYS, a JSON
# array of {"between": [a, b], "delay_ms": …, "jitter_ms": …, "loss": …, "rate_kbps": …}):
#   inside a region 1 ms; eu–us 40, eu–ap 70, us–ap 110; core–eu 10, core–us 30, core–ap 60.
# Edges route clients by prefix: 10.77.1.0/24 → eu, 10.77.2.0/24 → us, 10.77.3.0/24 → ap.
#
# Run a command in a namespace: ip netns exec slr-eu-c1 curl http://10.77.1.1:8080/api/v1/route
# State, logs and the emulator configuration: .state/regions-world (world.env describes it all).
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set_profile regions
WORLD="$STATE_DIR/regions-world"  # beside the profile directory, which up.sh and down.sh wipe
REGIONS=(eu us ap)
[[ $(id -u) -eq 0 ]] || die "regions.sh needs root (network namespaces)"

region_index() { case "$1" in eu) echo 1 ;; us) echo 2 ;; ap) echo 3 ;; esac; }
namespaces() {
  echo slr-core
  for r in "${REGIONS[@]}"; do echo "slr-$r-edge" "slr-$r-c1" "slr-$r-c2"; done
}

bin_dir() {
  if [[ -n ${STREAMLY_BIN_DIR:-} ]]; then echo "$STREAMLY_BIN_DIR"; return; fi
  (cd "$REPO_DIR" && swift build --show-bin-path)
}

# add_host NAMESPACE ADDRESS: the namespace, loopback up, its TUN device with ADDRESS/16.
add_host() {
  ip netns add "$1"
  ip -n "$1" link set lo up
  ip -n "$1" tuntap add dev sltun mode tun
  ip -n "$1" addr add "$2/16" dev sltun
  ip -n "$1" link set sltun up
}

# start_in NAMESPACE NAME MARKER CMD...: CMD detached inside NAMESPACE, pid in $WORLD/NAME.pid.
start_in() {
  local ns="$1" name="$2"; shift 3
  setsid ip netns exec "$ns" "$@" >>"$WORLD/$name.log" 2>&1 </dev/null &
  echo $! >"$WORLD/$name.pid"
}

# wait_http NAMESPACE URL: until URL answers 200 inside NAMESPACE (90 s).
wait_http() {
  local deadline=$((SECONDS + 90))
  until [[ "$(ip netns exec "$1" curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$2")" == 200 ]]; do
    ((SECONDS < deadline)) || die "$2 in $1 not ready within 90 s (logs: $WORLD)"
    sleep 0.3
  done
}

netem_config() {
  local ports="" r n links
  ports+="{\"namespace\": \"slr-core\", \"device\": \"sltun\", \"group\": \"core\", \"addresses\": [\"10.77.0.1\"]}"
  for r in "${REGIONS[@]}"; do
    n=$(region_index "$r")
    ports+=", {\"namespace\": \"slr-$r-edge\", \"device\": \"sltun\", \"group\": \"$r\", \"addresses\": [\"10.77.$n.1\"]}"
    ports+=", {\"namespace\": \"slr-$r-c1\", \"device\": \"sltun\", \"group\": \"$r\", \"addresses\": [\"10.77.$n.11\"]}"
    ports+=", {\"namespace\": \"slr-$r-c2\", \"device\": \"sltun\", \"group\": \"$r\", \"addresses\": [\"10.77.$n.12\"]}"
  done
  local default_links='[{"between": ["eu", "us"], "delay_ms": 40}, {"between": ["eu", "ap"], "delay_ms": 70},
    {"between": ["us", "ap"], "delay_ms": 110}, {"between": ["core", "eu"], "delay_ms": 10},
    {"between": ["core", "us"], "delay_ms": 30}, {"between": ["core", "ap"], "delay_ms": 60}]'
  links="${REGIONS_DELAYS:-$default_links}"
  printf '{"ports": [%s],\n "links": %s,\n "intra": {"delay_ms": 1}}\n' "$ports" "$links"
}

up() {
  local bin r n prefixes=""
  bin="$(bin_dir)"
  for exe in streamly-origin streamly-edge streamly-load; do
    [[ -x "$bin/$exe" ]] || die "$bin/$exe missing: swift build first (or set STREAMLY_BIN_DIR)"
  done
  down_quietly
  mkdir -p "$WORLD"
  add_host slr-core 10.77.0.1
  for r in "${REGIONS[@]}"; do
    n=$(region_index "$r")
    add_host "slr-$r-edge" "10.77.$n.1"
    add_host "slr-$r-c1" "10.77.$n.11"
    add_host "slr-$r-c2" "10.77.$n.12"
    prefixes+="${prefixes:+,}10.77.$n.0/24=$r"
  done
  netem_config >"$WORLD/netem.json"
  setsid "$bin/streamly-load" netem --config "$WORLD/netem.json" >>"$WORLD/netem.log" 2>&1 </dev/null &
  echo $! >"$WORLD/netem.pid"
  sleep 0.5
  proc_running "$(cat "$WORLD/netem.pid")" || { cat "$WORLD/netem.log" >&2; die "the emulator did not start"; }

  # The core: PostgreSQL, Redis, the broker, S3, then two origins.
  ip netns exec slr-core "$INFRA_DIR/up.sh" --profile regions
  umask 077
  {
    echo "STREAMLY_CLUSTER_SECRET=$(openssl rand -hex 32)"
    echo "STREAMLY_AUTH_JWT_SECRET=$(openssl rand -hex 32)"
    echo "STREAMLY_AUTH_PLAYBACK_SECRET=$(openssl rand -hex 32)"
  } >"$WORLD/secrets.env"
  umask 022
  set -a
  # shellcheck disable=SC1091
  . "$WORLD/secrets.env"
  # shellcheck disable=SC1091
  . "$ENV_FILE"
  set +a
  local i
  for i in 1 2; do
    STREAMLY_NODE_ID="origin-$i" STREAMLY_LINK_HOST=0.0.0.0 STREAMLY_LINK_PORT=$((6999 + i)) \
      STREAMLY_OPERATOR_HOST=0.0.0.0 STREAMLY_OPERATOR_PORT=$((9090 + i)) STREAMLY_STORAGE_BACKEND=s3 \
      STREAMLY_S3_CREATE_BUCKET=true STREAMLY_CHAT_SEQUENCER_GROUP=per-origin \
      start_in slr-core "origin-$i" streamly-origin "$bin/streamly-origin" --dev
  done
  for i in 1 2; do wait_http slr-core "http://127.0.0.1:$((9090 + i))/readyz"; done

  # One edge (and its Redis) per region.
  for r in "${REGIONS[@]}"; do
    n=$(region_index "$r")
    start_in "slr-$r-edge" "redis-$r" redis-server /usr/bin/redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    STREAMLY_NODE_ID="edge-$r" STREAMLY_REGION="$r" STREAMLY_HTTP_HOST=0.0.0.0 STREAMLY_HTTP_PORT=8080 \
      STREAMLY_PUBLIC_URL="http://10.77.$n.1:8080" STREAMLY_HTTPS_ENABLED=false STREAMLY_OPERATOR_HOST=0.0.0.0 \
      STREAMLY_ORIGINS="10.77.0.1:7000,10.77.0.1:7001" STREAMLY_REDIS_URL=redis://127.0.0.1:6379 \
      STREAMLY_RTC_ANNOUNCED_IPS="10.77.$n.1" STREAMLY_ROUTE_PREFIXES="$prefixes" \
      STREAMLY_RTC_RELAY_ENABLED=true STREAMLY_RTC_RELAY_HOST="10.77.$n.1" STREAMLY_RTC_RELAY_PORT=10001 \
      STREAMLY_VOD_CACHE_DIR="$WORLD/cache-$r" \
      start_in "slr-$r-edge" "edge-$r" streamly-edge "$bin/streamly-edge" --dev
  done
  for r in "${REGIONS[@]}"; do wait_http "slr-$r-edge" "http://127.0.0.1:9090/readyz"; done

  cat >"$WORLD/world.env" <<ENV
# Generated by infra/regions.sh up. Source it.
export STREAMLY_REGIONS="${REGIONS[*]}"
export STREAMLY_REGIONS_CORE=slr-core
export STREAMLY_REGIONS_ORIGINS=10.77.0.1:7000,10.77.0.1:7001
$(for r in "${REGIONS[@]}"; do n=$(region_index "$r"); up_r=$(echo "$r" | tr a-z A-Z)
  echo "export STREAMLY_REGIONS_${up_r}_EDGE=http://10.77.$n.1:8080"
  echo "export STREAMLY_REGIONS_${up_r}_CLIENTS=\"slr-$r-c1 slr-$r-c2\""; done)
ENV
  log "regions up: core 10.77.0.1, edges ${REGIONS[*]} at 10.77.{1,2,3}.1:8080; . $WORLD/world.env"
}

stop_pid() { # NAME
  local f="$WORLD/$1.pid" pid
  [[ -f $f ]] || return 0
  pid="$(cat "$f")"
  if proc_running "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do proc_running "$pid" || break; sleep 0.1; done
    proc_running "$pid" && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

down_quietly() {
  local r ns
  if [[ -d $WORLD ]]; then
    for r in "${REGIONS[@]}"; do stop_pid "edge-$r"; stop_pid "redis-$r"; done
    stop_pid origin-1
    stop_pid origin-2
  fi
  if ip netns list | grep -q '^slr-core\b'; then
    ip netns exec slr-core "$INFRA_DIR/down.sh" --profile regions >/dev/null 2>&1 || true
  fi
  [[ -d $WORLD ]] && stop_pid netem
  for ns in $(namespaces); do ip netns delete "$ns" 2>/dev/null || true; done
  return 0
}

case "${1:-}" in
  up) up ;;
  down) down_quietly; rm -rf "$WORLD"; log "regions down" ;;
  status)
    for ns in $(namespaces); do printf '%-12s %s\n' "$ns" "$(ip netns list | grep -q "^$ns\b" && echo up || echo absent)"; done
    [[ -f $WORLD/netem.pid ]] && proc_running "$(cat "$WORLD/netem.pid")" && echo "netem running" || echo "netem not running" ;;
  *) die "usage: infra/regions.sh up|down|status" ;;
esac
