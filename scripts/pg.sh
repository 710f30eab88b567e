#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster in a directory of ours, reached over a
# Unix socket inside that directory (no TCP port, so it can never clash with
# another server). Used by `make test` and `make run`.
#
#   scripts/pg.sh start DIR   create (first time) and start; prints env lines
#   scripts/pg.sh stop DIR    stop (fast shutdown)
#   scripts/pg.sh env DIR     print the env lines again
#
# Roles: postgres (superuser, for set-up only), biq_owner (owns the schema,
# runs migrations), biq_app (what the server connects as: no superuser, no
# BYPASSRLS). Database: biq, owned by biq_owner.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: pg.sh start|stop|env DIR}
dir=$(realpath -m "${2:?usage: pg.sh start|stop|env DIR}")
data="$dir/data"
sock="$dir/run"

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

print_env() {
    echo "export BIQ_PG_SOCKET='$sock'"
    echo "export BIQ_PG_SUPERUSER_URL='postgresql:///postgres?host=$sock&user=postgres'"
    echo "export BIQ_MIGRATE_DATABASE_URL='postgresql:///biq?host=$sock&user=biq_owner'"
    echo "export BIQ_DATABASE_URL='postgresql:///biq?host=$sock&user=biq_app'"
}

# As root, the cluster runs as the postgres user, which must be able to
# traverse every folder above it: add o+x (traverse only, not read) where
# it is missing.
open_path_for_postgres() {
    local p="$dir"
    while [ "$p" != "/" ]; do
        p=$(dirname "$p")
        [ -d "$p" ] && ! runuser -u postgres -- test -x "$p" && chmod o+x "$p"
    done
    return 0
}

create() {
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        open_path_for_postgres
        chown postgres: "$dir"
    fi
    as_pg mkdir -p "$sock"
    as_pg "$PGBIN/initdb" -D "$data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = 256MB
log_min_messages = warning
CONF
}

bootstrap() {
    as_pg "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -U postgres -d postgres <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'biq_owner') THEN
    CREATE ROLE biq_owner LOGIN CREATEDB;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'biq_app') THEN
    CREATE ROLE biq_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
SELECT 'CREATE DATABASE biq OWNER biq_owner'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'biq') \gexec
SQL
}

case "$cmd" in
start)
    [ -f "$data/PG_VERSION" ] || create
    if ! as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        as_pg "$PGBIN/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 start >/dev/null
    fi
    bootstrap
    print_env
    ;;
stop)
    if [ -f "$data/PG_VERSION" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
env)
    print_env
    ;;
*)
    echo "pg.sh: unknown command $cmd" >&2
    exit 2
    ;;
esac
