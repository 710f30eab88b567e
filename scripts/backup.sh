#!/usr/bin/env bash
# `make backup`: a pgBackRest backup of a local cluster (scripts/pg.sh)
# that archives its WAL (pg.sh start DIR --archive CONF). Creates the
# stanza the first time; the backup's own expire run then applies the
# retention of scripts/backup-lib.sh (6 days by time, see
# docs/operations.md "Backups").
#
#   scripts/backup.sh [--pg-dir DIR] [--repo DIR] [--stanza NAME]
#                     [--type full|diff|incr] [--conf-only] [PGBACKREST OPTIONS...]
#
# --conf-only writes REPO/pgbackrest.conf and stops (what `pg.sh start
# --archive` needs before the cluster starts). Without --type: full when
# the repository has no backup yet, else differential. Further options go
# to `pgbackrest backup` as they are (the retention test passes
# --repo1-retention-full-type=count --repo1-retention-full=1).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/backup-lib.sh

parse_common "$@"
type=
conf_only=0
set -- ${rest_args[@]+"${rest_args[@]}"}
while [ $# -gt 0 ]; do
    case "$1" in
    --type) type=$2; shift 2 ;;
    --conf-only) conf_only=1; shift ;;
    *) extra_args+=("$1"); shift ;;
    esac
done

command -v pgbackrest >/dev/null || { echo "backup: pgbackrest is not installed (scripts/deps.sh pgbackrest)" >&2; exit 1; }
write_conf
[ "$conf_only" -eq 1 ] && exit 0

if ! cluster_running; then
    echo "backup: no cluster running in $pg_dir (start it with scripts/pg.sh start $pg_dir --archive $conf)" >&2
    exit 1
fi
if [ "$(psql_super 'SHOW archive_mode')" != on ]; then
    echo "backup: the cluster in $pg_dir does not archive WAL (start it with --archive $conf)" >&2
    exit 1
fi
pgbr stanza-create >/dev/null
if [ -z "$type" ]; then
    if pgbr info --output=json | grep -q '"label"'; then type="diff"; else type="full"; fi
fi
start=$SECONDS
pgbr backup --type="$type" ${extra_args[@]+"${extra_args[@]}"}
label=$(pgbr info --output=json | grep -o '"label":"[^"]*"' | tail -1 | cut -d'"' -f4)
echo "backup: $type backup $label of $pg_dir done in $((SECONDS - start)) s (repository $repo_dir/repo)"
