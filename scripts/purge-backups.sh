#!/usr/bin/env bash
# Manual purge from the backups, for a customer who asks that their data
# leave our backups now rather than within the 7 days of the retention
# (security posture §4 "Manual deletion request"). Runbook:
# docs/operations.md "Purge on request".
#
#   scripts/purge-backups.sh [--pg-dir DIR] [--repo DIR] --installation ID [--no-vacuum]
#
# Refuses unless the installation is already gone from the live database
# (uninstall first: the lifecycle event deletes every row of the tenant).
# Then: VACUUM FULL of every tenant table (rewrites the files, so the dead
# rows' bytes are not copied into the next backup; each table is locked
# while it is rewritten; --no-vacuum skips it), a new full backup, and
# pgBackRest's own expiry with a one-full-backup count retention for this
# run: every older backup and all WAL archived before the new backup are
# removed from the repository.
#
# Limits, stated honestly: pgBackRest cannot take one tenant out of a
# backup, so this drops every tenant's point-in-time history before now
# (restores can only reach moments after the new backup); it cannot touch
# copies of the repository made elsewhere (disk snapshots, offsite
# copies) nor data directories kept aside by scripts/restore.sh
# (DIR/data.before-restore-*: delete them by hand); the regular time
# retention (6 days, scripts/backup-lib.sh) applies again from the next
# scheduled backup on.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/backup-lib.sh

parse_common "$@"
installation=
vacuum=1
set -- ${rest_args[@]+"${rest_args[@]}"}
while [ $# -gt 0 ]; do
    case "$1" in
    --installation) installation=$2; shift 2 ;;
    --no-vacuum) vacuum=0; shift ;;
    *) echo "purge-backups: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -n "$installation" ] || { echo "usage: purge-backups.sh [--pg-dir DIR] [--repo DIR] --installation ID" >&2; exit 2; }
case "$installation" in *"'"*) echo "purge-backups: bad installation id" >&2; exit 2 ;; esac
cluster_running || { echo "purge-backups: no cluster running in $pg_dir" >&2; exit 1; }

db() { as_pg "$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 -h "$pg_dir/run" -U postgres -d biq -c "$1"; }
tables=$(db "SELECT c.table_name FROM information_schema.columns c
             JOIN information_schema.tables t USING (table_schema, table_name)
             WHERE c.column_name = 'tenant_id' AND c.table_schema = 'public'
               AND t.table_type = 'BASE TABLE' ORDER BY 1")
for t in $tables; do
    n=$(db "SELECT count(*) FROM $t WHERE tenant_id = '$installation'")
    if [ "$n" != 0 ]; then
        echo "purge-backups: $installation still has $n rows in $t: uninstall it first" >&2
        exit 1
    fi
done
if [ "$vacuum" -eq 1 ]; then
    for t in $tables; do db "VACUUM (FULL) $t" >/dev/null; done
    echo "purge-backups: tenant tables rewritten (VACUUM FULL)"
fi
before=$(pgbr info --output=json | grep -o '"label":"[^"]*"' | cut -d'"' -f4 | tr '\n' ' ')
bash scripts/backup.sh --pg-dir "$pg_dir" --repo "$repo_dir" --stanza "$stanza" --type full \
    --repo1-retention-full-type=count --repo1-retention-full=1
after=$(pgbr info --output=json | grep -o '"label":"[^"]*"' | cut -d'"' -f4 | tr '\n' ' ')
echo "purge-backups: backups before: ${before:-none}"
echo "purge-backups: backups now:    $after(taken after the uninstall of $installation)"
