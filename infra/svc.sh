#!/usr/bin/env bash
# Start, stop or restart one service of a profile, e.g. mid-test:
#   infra/svc.sh restart redis --profile test
#   infra/svc.sh status --profile dev
# Services: postgres | redis | kafka | s3. Data is kept across a restart as far
# as the service keeps it (test: redis, kafka and s3 are in memory and come back empty;
# the S3 buckets and the PostgreSQL role/database are re-created on start).
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_profile_arg "$@"
set -- "${REST_ARGS[@]}"
usage="usage: infra/svc.sh start|stop|restart NAME [--profile test|dev] | status [--profile P]"

case "${1:-}" in
  start)   [[ $# -eq 2 ]] || die "$usage"; svc_start "$2" ;;
  stop)    [[ $# -eq 2 ]] || die "$usage"; svc_stop "$2" ;;
  restart) [[ $# -eq 2 ]] || die "$usage"; svc_stop "$2"; svc_start "$2" ;;
  status)
    for s in "${SERVICES[@]}"; do
      pid="$(pid_of "$s")"
      if pid_alive "$pid" "$(svc_marker "$s")"; then echo "$s running pid=$pid"; else echo "$s stopped"; fi
    done ;;
  *) die "$usage" ;;
esac
