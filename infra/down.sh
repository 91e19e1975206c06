#!/usr/bin/env bash
# Stop the services infra/up.sh started for a profile (by pid file only).
# Usage: infra/down.sh [--profile test|dev]    (default: test)
# Profile test also deletes its data (.state/test); dev keeps .state/dev.
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_profile_arg "$@"
[[ ${#REST_ARGS[@]} -eq 0 ]] || die "usage: infra/down.sh [--profile test|dev|lane1..lane8]"

for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do svc_stop "${SERVICES[i]}"; done
if throwaway; then
  rm -rf "$PDIR"
  log "profile $PROFILE down, data removed"
else
  log "profile $PROFILE down, data kept in $PDIR"
fi
