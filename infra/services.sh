# shellcheck shell=bash
# Start/stop/readiness for each real service: s3, postgres, redis, kafka.
# Sourced by lib.sh; needs set_profile to have run. svc_start/svc_stop are the
# entry points used by up.sh, down.sh and svc.sh.

probe() { "$VENV/bin/python" "$INFRA_DIR/probe.py" "$@"; }
s3_probe_args() { echo "http://127.0.0.1:$S3_PORT $S3_ACCESS_KEY $S3_SECRET_KEY $S3_REGION"; }

# --- s3: nanio (SigV4, on disk) behind nanio_conditional.py, which adds the conditional
# writes nanio 0.1.7 ignores. test: emptied at every start; dev: kept. -------
s3_marker() { echo nanio; }
start_s3() {
  throwaway && rm -rf "$PDIR/s3"
  mkdir -p "$PDIR/s3"
  bg_start s3 nanio "$S3_PORT" env NANIO_ACCESS_KEY="$S3_ACCESS_KEY" NANIO_SECRET_KEY="$S3_SECRET_KEY" \
    "$VENV/bin/python" "$INFRA_DIR/nanio_conditional.py" "$PDIR/s3" 127.0.0.1 "$S3_PORT" "$S3_REGION"
  local buckets=("$S3_MEDIA_BUCKET")
  # shellcheck disable=SC2046
  retry 20 probe s3 $(s3_probe_args) "${buckets[@]}" || die "s3 not ready"
}
stop_s3() { pid_stop s3 "$(s3_marker)"; }

# --- postgres --------------------------------------------------------------
pg() { (cd / && runuser -u postgres -- "$PG_BIN/$1" "${@:2}"); }
pg_pid_sync() { # mirror postmaster.pid's pid into our run dir
  mkdir -p "$RUN_DIR"
  head -n1 "$PDIR/postgres/postmaster.pid" 2>/dev/null >"$(pid_file postgres)" || rm -f "$(pid_file postgres)"
}
# postgres runs as user postgres: every directory above its data dir must be traversable.
pg_make_traversable() {
  local d="" part parts
  IFS=/ read -ra parts <<<"${PDIR#/}"
  for part in "${parts[@]}"; do   # top-down, so only the real culprits get changed
    d="$d/$part"
    runuser -u postgres -- test -x "$d" || { log "chmod o+x $d (for postgres)"; chmod o+x "$d"; }
  done
}
pg_init() {
  local data="$PDIR/postgres" pw extra=()
  [[ -s "$data/PG_VERSION" ]] && return 0
  log "initdb $data"
  mkdir -p "$data"; chown postgres:postgres "$data"; chmod 700 "$data"
  throwaway && extra=(--no-sync)
  pw="$(mktemp)"; echo postgres >"$pw"; chown postgres "$pw"
  pg initdb -D "$data" -U postgres --pwfile="$pw" --auth-local=peer --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 --no-instructions "${extra[@]}" >/dev/null
  rm -f "$pw"
  { echo "listen_addresses = '127.0.0.1'"; echo "port = $PG_PORT"
    echo "unix_socket_directories = ''"   # TCP only: no socket-path length/permission issues
    if throwaway; then printf '%s\n' "fsync = off" "synchronous_commit = off" "full_page_writes = off"; fi
  } >>"$data/postgresql.conf"
}
start_postgres() {
  pg_make_traversable
  pg_init
  touch "$LOG_DIR/postgres.log"; chown postgres "$LOG_DIR/postgres.log"
  if pid_alive "$(head -n1 "$PDIR/postgres/postmaster.pid" 2>/dev/null)" postgres; then
    log "postgres already running"
  else
    pg pg_ctl start -D "$PDIR/postgres" -l "$LOG_DIR/postgres.log" -w -t 60 >/dev/null
    log "postgres started"
  fi
  pg_pid_sync
  retry 30 "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" || die "postgres not ready"
  PGPASSWORD=postgres "$PG_BIN/psql" -qAt -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres <<'SQL' >/dev/null
SELECT 'CREATE ROLE streamly LOGIN CREATEDB PASSWORD ''streamly'''
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'streamly') \gexec
SELECT 'CREATE DATABASE streamly OWNER streamly'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'streamly') \gexec
SQL
}
stop_postgres() {
  local pid; pid="$(pid_of postgres)"
  if [[ -f "$PDIR/postgres/postmaster.pid" ]] && pid_alive "$pid" postgres; then
    pg pg_ctl stop -D "$PDIR/postgres" -m fast -w -t 60 >/dev/null
    wait_gone "$pid" postgres 20 || die "postgres (pid $pid) would not exit"
    log "postgres stopped (pid $pid)"
  fi
  rm -f "$(pid_file postgres)"
}

# --- redis -----------------------------------------------------------------
start_redis() {
  local persist=(--save "" --appendonly no)
  [[ $PROFILE == dev ]] && persist=(--appendonly yes --appendfsync everysec)
  mkdir -p "$PDIR/redis"
  bg_start redis redis-server "$REDIS_PORT" /usr/bin/redis-server --bind 127.0.0.1 --port "$REDIS_PORT" \
    --dir "$PDIR/redis" --daemonize no --protected-mode no "${persist[@]}"
  retry 20 redis_ping || die "redis not ready"
}
redis_ping() { [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping)" == PONG ]]; }
stop_redis() { pid_stop redis redis-server; }

# --- kafka: noida-db (PyPI), one Kafka-protocol broker per instance, log on disk ------
# Chosen on measurements (infra/README.md, docs/kafka.md): no loss without a crash, correct
# watermarks, group join ~0.3 s, start ~0.04 s. A kill -9 loses its last ~0.25 s of
# acknowledged writes and its idempotent-producer state: the origin heals both (producer
# re-created, lost tails filled from PostgreSQL). Test: data wiped by `up`, kept across
# `svc.sh restart`; dev: kept. kafka_durable (test profile only) is a second instance for
# the tests that restart the broker, so they never restart the one other suites use.
# noida-db answers an empty Fetch at once; noida_fetch_hold.py holds it for its max_wait as
# Kafka does (idle consumers otherwise spin) and runs the native binary as its child, which a
# SIGKILL of the pid file's process kills too.
noida_start() { # NAME PORT
  local data="$PDIR/$1"
  mkdir -p "$data"
  bg_start "$1" noida-db "$2" "$VENV/bin/python" "$INFRA_DIR/noida_fetch_hold.py" "$(noida_bin)" 127.0.0.1 "$2" "$data"
  retry 30 probe kafka "127.0.0.1:$2" || die "$1 produce/consume check failed"
}
start_kafka() { noida_start kafka "$KAFKA_PORT"; }
stop_kafka() { pid_stop kafka noida-db; }
start_kafka_durable() {
  throwaway || { log "kafka_durable: the dev profile's kafka is durable already"; return 0; }
  noida_start kafka_durable "$KAFKA_DURABLE_PORT"
}
stop_kafka_durable() { pid_stop kafka_durable noida-db; }

# write_env: the file tests and the app source to find this profile's services.
write_env() {
  mkdir -p "$PDIR"
  cat >"$ENV_FILE" <<EOF
# Generated by infra/up.sh for profile '$PROFILE'. Source it: . $ENV_FILE
export STREAMLY_INFRA_PROFILE=$PROFILE
export STREAMLY_POSTGRES_URL=postgres://streamly:streamly@127.0.0.1:$PG_PORT/streamly
export STREAMLY_REDIS_URL=redis://127.0.0.1:$REDIS_PORT
export STREAMLY_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
# A broker whose log survives its restart, and the service name that restarts it.
export STREAMLY_KAFKA_DURABLE_BROKERS=127.0.0.1:$(throwaway && echo "$KAFKA_DURABLE_PORT" || echo "$KAFKA_PORT")
export STREAMLY_KAFKA_DURABLE_SERVICE=$(throwaway && echo kafka_durable || echo kafka)
# noida-db rewrites its whole log as one JSON file every second or so, and the time it takes
# follows the file's size: chat records expire after 10 s, the shortest the origin accepts
# (PostgreSQL keeps the messages; a record only has to outlive its consumers' lag).
export STREAMLY_KAFKA_TOPIC_CHAT_RETENTION_MS=10000
export STREAMLY_S3_ENDPOINT=http://127.0.0.1:$S3_PORT
export STREAMLY_S3_REGION=$S3_REGION
export STREAMLY_S3_BUCKET=$S3_MEDIA_BUCKET
export STREAMLY_S3_ACCESS_KEY=$S3_ACCESS_KEY
export STREAMLY_S3_SECRET_KEY=$S3_SECRET_KEY
case ":\${LD_LIBRARY_PATH:-}:" in
  *":$RDKAFKA_LIB_DIR:"*) ;;
  *) export LD_LIBRARY_PATH="$RDKAFKA_LIB_DIR\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" ;;
esac
EOF
}

# --- dispatch ----------------------------------------------------------------
svc_marker() { # what the service's command line contains
  case "$1" in s3) s3_marker ;; postgres) echo postgres ;; redis) echo redis-server ;; kafka|kafka_durable) echo noida-db ;; esac
}
svc_check_name() {
  case "$1" in s3|postgres|redis|kafka|kafka_durable) ;; *) die "unknown service '$1' (s3|postgres|redis|kafka|kafka_durable)" ;; esac
}
svc_start() { svc_check_name "$1"; need_venv; mkdir -p "$RUN_DIR" "$LOG_DIR"; write_env; "start_$1"; }
svc_stop()  { svc_check_name "$1"; "stop_$1"; }
