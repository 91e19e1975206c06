#!/usr/bin/env bash
# The run command (README): installs what is missing, starts the durable local
# infrastructure (profile dev), builds, and runs one origin and one edge with the
# local defaults until Ctrl-C, which stops everything it started.
# Environment: STREAMLY_CONFIGURATION=release for an optimised build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

infra/install.sh
infra/up.sh --profile dev
# shellcheck disable=SC1091
. .state/dev/env.sh

configuration="${STREAMLY_CONFIGURATION:-debug}"
swift build -c "$configuration"
bin="$(swift build -c "$configuration" --show-bin-path)"

# Development mode (--dev) with secrets of this checkout's own: generated once into the
# state folder, the same for the origin and the edge, never the public built-in ones.
secrets=.state/dev/secrets.env
if [[ ! -s $secrets ]]; then
  mkdir -p .state/dev
  umask 077
  {
    echo "STREAMLY_CLUSTER_SECRET=$(openssl rand -hex 32)"
    echo "STREAMLY_AUTH_JWT_SECRET=$(openssl rand -hex 32)"
    echo "STREAMLY_AUTH_PLAYBACK_SECRET=$(openssl rand -hex 32)"
  } >"$secrets"
fi
set -a
# shellcheck disable=SC1090
. "$secrets"
set +a

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  infra/down.sh --profile dev || true
}
trap stop INT TERM EXIT

# Media and attachments go to the dev S3 server (nanio, persistent) rather than the embedded
# local-directory default. One origin: its chat sequencer uses the shared group (docs/kafka.md).
# Node ids the same at every run: the sequencer and the transcode workers join their groups as
# static members named after the node, and noida-db never evicts a member that left without a
# word, so an origin named after its pid (the default) would find the last run's origin still
# holding every partition and sequence nothing; under the same name it takes that place back.
STREAMLY_NODE_ID=origin-dev STREAMLY_STORAGE_BACKEND="${STREAMLY_STORAGE_BACKEND:-s3}" STREAMLY_S3_CREATE_BUCKET=true \
  "$bin/streamly-origin" --dev & pids+=($!)
# The web app (http://127.0.0.1:8080/) uploads attachments straight to S3 with presigned URLs:
# its Content-Security-Policy admits the S3 endpoint.
STREAMLY_NODE_ID=edge-dev \
  STREAMLY_WEB_CSP_ORIGINS="${STREAMLY_WEB_CSP_ORIGINS:-$STREAMLY_S3_ENDPOINT}" "$bin/streamly-edge" --dev & pids+=($!)

cat <<MSG
StreamLy is running:
  web app http://127.0.0.1:8080/ (or https://127.0.0.1:8443/)
  edge   http://127.0.0.1:8080  (/healthz), https://127.0.0.1:8443 (h2 + http/1.1, self-signed), operator http://127.0.0.1:9090 (/readyz /metrics)
  origin link 127.0.0.1:7000, operator http://127.0.0.1:9091
  infrastructure: $(grep -o 'STREAMLY_[A-Z_]*=[^ ]*' .state/dev/env.sh | tr '\n' ' ')
Ctrl-C stops everything.
MSG
wait -n "${pids[@]}"
