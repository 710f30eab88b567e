#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster in a directory of ours, reached over a
# Unix socket inside that directory (no TCP port, so it can never clash with
# another server). Used by `make test` and `make run`.
#
#   scripts/pg.sh start DIR   create (first time) and start; prints env lines
#   scripts/pg.sh start DIR --archive CONF
#                             the same with WAL archiving to pgBackRest (CONF
#                             names its config, scripts/backup.sh writes it;
#                             the stanza is CONF's one section besides
#                             [global]) and durable commits (fsync and
#                             synchronous_commit on): `make run` and the
#                             restore drill. Written to DIR/data/biq-archive.conf
#                             on every such start (restarts a running cluster
#                             that was not archiving); a start without
#                             --archive leaves an existing file alone.
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
archive_conf=
if [ "${3:-}" = "--archive" ]; then
    archive_conf=$(realpath "${4:?usage: pg.sh start DIR --archive PGBACKREST_CONF}")
fi
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

# WAL archiving through pgBackRest, in a file of its own that
# postgresql.conf includes last (so its settings win). The socket folder is
# written again too: a data directory restored from a backup of another
# DIR still names that DIR's socket in postgresql.conf.
write_archive_conf() {
    local stanza
    stanza=$(sed -n 's/^\[\(.*\)\]$/\1/p' "$archive_conf" | grep -vx global | head -1)
    [ -n "$stanza" ] || { echo "pg.sh: no stanza section in $archive_conf" >&2; exit 2; }
    as_pg tee "$data/biq-archive.conf" >/dev/null <<CONF
# written by scripts/pg.sh start --archive: WAL archiving to pgBackRest
unix_socket_directories = '$sock'
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=$archive_conf --stanza=$stanza --pg1-path=$data archive-push %p'
archive_timeout = 60
fsync = on
synchronous_commit = on
full_page_writes = on
CONF
    grep -q "^include_if_exists = 'biq-archive.conf'" "$data/postgresql.conf" ||
        echo "include_if_exists = 'biq-archive.conf'" | as_pg tee -a "$data/postgresql.conf" >/dev/null
}

case "$cmd" in
start)
    [ -f "$data/PG_VERSION" ] || create
    if [ -n "$archive_conf" ]; then
        as_pg mkdir -p "$sock"
        write_archive_conf
        if as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1 &&
           [ "$(as_pg "$PGBIN/psql" -X -At -h "$sock" -U postgres -d postgres -c 'SHOW archive_mode')" != on ]; then
            as_pg "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
        fi
    fi
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
