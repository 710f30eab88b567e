#!/usr/bin/env bash
# `make restore TARGET=<timestamp>`: point-in-time recovery of a local
# cluster (scripts/pg.sh) from its pgBackRest repository (scripts/backup.sh).
#
#   scripts/restore.sh [--pg-dir DIR] [--repo DIR] [--stanza NAME]
#                      [--target TIME|latest] [--set LABEL] [PGBACKREST OPTIONS...]
#
# Stops the cluster in DIR if it runs, moves its data directory aside to
# DIR/data.before-restore-<time> (never deleted here: remove it once the
# restore is checked), restores into a fresh DIR/data - the newest backup
# before TIME, then the archived WAL up to TIME inclusive (`--type=time`,
# PostgreSQL's recovery_target_time: '2025-06-01 12:00:00+00', any form
# PostgreSQL reads) or to the end of the archive (`latest`, the default) -
# starts it with archiving on (a new timeline into the same repository),
# waits until recovery has finished and the cluster has been promoted, and
# prints the env lines of scripts/pg.sh plus the seconds it took.
# --set restores one named backup (pgbackrest info lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/backup-lib.sh

parse_common "$@"
target=latest
set=
set -- ${rest_args[@]+"${rest_args[@]}"}
while [ $# -gt 0 ]; do
    case "$1" in
    --target) target=$2; shift 2 ;;
    --set) set=$2; shift 2 ;;
    *) extra_args+=("$1"); shift ;;
    esac
done

start=$(date +%s.%N)
[ -f "$conf" ] || { echo "restore: no pgBackRest configuration at $conf (no backup made yet?)" >&2; exit 1; }
if cluster_running; then
    as_pg "$PGBIN/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null
fi
if [ -e "$pg_dir/data" ]; then
    aside="$pg_dir/data.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
    mv "$pg_dir/data" "$aside"
    echo "restore: the previous data directory is kept at $aside" >&2
fi
mkdir -p "$pg_dir"
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pg_dir"; fi
as_pg mkdir -p -m 0700 "$pg_dir/data" "$pg_dir/run"
write_conf   # pg1-path now names this folder

opts=(--pg1-path="$pg_dir/data")
[ -n "$set" ] && opts+=(--set="$set")
if [ "$target" = latest ]; then
    opts+=(--type=default)
else
    opts+=(--type=time --target="$target" --target-action=promote)
fi
pgbr restore "${opts[@]}" ${extra_args[@]+"${extra_args[@]}"}

env_lines=$(bash scripts/pg.sh start "$pg_dir" --archive "$conf")
for _ in $(seq 1 600); do
    [ "$(psql_super 'SELECT pg_is_in_recovery()' 2>/dev/null || true)" = f ] && break
    sleep 0.1
done
if [ "$(psql_super 'SELECT pg_is_in_recovery()')" != f ]; then
    echo "restore: the cluster is still in recovery after 60 s (see $pg_dir/postgres.log)" >&2
    exit 1
fi
echo "$env_lines"
echo "restore: $pg_dir restored to $target in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s" >&2
