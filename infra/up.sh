#!/usr/bin/env bash
# Start PostgreSQL, Redis, Tansu (Kafka) and the S3 server for a profile.
# Usage: infra/up.sh [--profile test|dev|lane1..lane8]    (default: test)
#   test, lane1..lane8: throwaway (nanio emptied on start, Tansu memory:// + a durable Tansu on nanio), wiped on every up and down.
#   dev:  durable (nanio on disk, Tansu s3:// on nanio, persistent PostgreSQL/Redis).
# Then: . .state/<profile>/env.sh
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_profile_arg "$@"
[[ ${#REST_ARGS[@]} -eq 0 ]] || die "usage: infra/up.sh [--profile test|dev|lane1..lane8]"
need_venv

if throwaway; then
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do svc_stop "${SERVICES[i]}"; done
  rm -rf "$PDIR"
fi

start=$SECONDS
for s in "${SERVICES[@]}"; do svc_start "$s"; done
write_env
log "profile $PROFILE up in $((SECONDS - start))s: pg :$PG_PORT, redis :$REDIS_PORT, kafka :$KAFKA_PORT, s3 :$S3_PORT"
log "environment: . $ENV_FILE"
