#!/usr/bin/env bash
# The PostgreSQL that tally-bench measures Tally against (the row-lock baseline).
#
#   ops/postgres.sh start    install PostgreSQL from Debian packages if missing, create the cluster on first
#                            use, start it on 127.0.0.1 only, create database tally_bench; prints its JDBC URL
#   ops/postgres.sh stop     stop it (fast shutdown)
#   ops/postgres.sh status   running or not, and its durability settings
#   ops/postgres.sh url      the JDBC URL tally-bench takes with --postgres
#
# The cluster lives in a folder this script owns ($TALLY_BENCH_PGDATA, default /var/tmp/tally-bench/postgres),
# listens on 127.0.0.1:$TALLY_BENCH_PGPORT (default 55432), trusts local connections (bench data only), and is
# durable the way a billing database is configured: fsync = on, synchronous_commit = on, full_page_writes = on.
# As root it runs as the postgres OS user (initdb refuses root).
set -euo pipefail

DATA="${TALLY_BENCH_PGDATA:-/var/tmp/tally-bench/postgres}"
PORT="${TALLY_BENCH_PGPORT:-55432}"
DB=tally_bench
URL="jdbc:postgresql://127.0.0.1:${PORT}/${DB}?user=postgres"

bin_dir() {
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [[ -z "$found" ]]; then
    echo "postgres.sh: installing PostgreSQL from Debian packages" >&2
    if [[ "$(id -u)" != 0 ]]; then echo "postgres.sh: need root to apt-get install postgresql" >&2; exit 1; fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    found="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi
  echo "$found"
}

# Runs a command as the owner of the cluster: postgres when we are root, else ourselves.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

psql_() {
  "$(bin_dir)/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

running() {
  [[ -f "$DATA/postmaster.pid" ]] && as_owner "$(bin_dir)/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
  local bin
  bin="$(bin_dir)"
  if [[ ! -f "$DATA/PG_VERSION" ]]; then
    mkdir -p "$DATA"
    chmod 700 "$DATA"
    if [[ "$(id -u)" == 0 ]]; then
      chown postgres:postgres "$DATA"
      # postgres must be able to reach its folder.
      local parent
      parent="$(dirname "$DATA")"
      chmod o+x "$parent"
    fi
    as_owner "$bin/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$DATA/postgresql.conf" <<CONF

# ---- tally-bench (ops/postgres.sh) ----
listen_addresses = '127.0.0.1'
port = ${PORT}
unix_socket_directories = '${DATA}'
max_connections = 100
shared_buffers = 512MB
# Durable: a commit is acknowledged only once its WAL is flushed to disk.
fsync = on
synchronous_commit = on
full_page_writes = on
wal_buffers = 16MB
max_wal_size = 4GB
checkpoint_timeout = 15min
CONF
  fi
  if ! running; then
    as_owner "$bin/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >/dev/null
  fi
  if [[ "$(psql_ -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]]; then
    psql_ -d postgres -c "CREATE DATABASE $DB" >/dev/null
  fi
  echo "PostgreSQL $(psql_ -d "$DB" -c 'SHOW server_version') on 127.0.0.1:$PORT, data $DATA," \
    "fsync=$(psql_ -d "$DB" -c 'SHOW fsync') synchronous_commit=$(psql_ -d "$DB" -c 'SHOW synchronous_commit')" >&2
  echo "$URL"
}

stop() {
  if running; then as_owner "$(bin_dir)/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi
  echo "PostgreSQL stopped ($DATA)" >&2
}

status() {
  if running; then
    echo "running on 127.0.0.1:$PORT, data $DATA: fsync=$(psql_ -d "$DB" -c 'SHOW fsync')" \
      "synchronous_commit=$(psql_ -d "$DB" -c 'SHOW synchronous_commit') wal_sync_method=$(psql_ -d "$DB" -c 'SHOW wal_sync_method')"
  else
    echo "not running (data $DATA)"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
