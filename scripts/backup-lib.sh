# shellcheck shell=bash
# backup-lib.sh - shared by scripts/backup.sh, restore.sh and
# purge-backups.sh (sourced, not run): the options they take, the
# pgBackRest configuration they write, and pgBackRest run as the cluster's
# owner.
#
# Options (all optional):
#   --pg-dir DIR   the cluster folder of scripts/pg.sh (default ./var/pg)
#   --repo DIR     the backup folder: DIR/pgbackrest.conf, DIR/repo (the
#                  pgBackRest repository), DIR/log (default ./var/backup)
#   --stanza NAME  the pgBackRest stanza (default biq)
# Anything the calling script does not know is kept in $extra_args and
# passed to pgBackRest as is (e.g. --repo1-retention-full=1).

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
pg_dir=$PWD/var/pg
repo_dir=$PWD/var/backup
stanza=biq
# shellcheck disable=SC2034 # used by the scripts that source this
extra_args=()
rest_args=()

# parse_common ARGS...: takes the common options; the rest go to $rest_args.
parse_common() {
    while [ $# -gt 0 ]; do
        case "$1" in
        --pg-dir) pg_dir=$2; shift 2 ;;
        --repo) repo_dir=$2; shift 2 ;;
        --stanza) stanza=$2; shift 2 ;;
        *) rest_args+=("$1"); shift ;;
        esac
    done
    pg_dir=$(realpath -m "$pg_dir")
    repo_dir=$(realpath -m "$repo_dir")
    conf=$repo_dir/pgbackrest.conf
}

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The retention promised by the security posture (docs/operations.md,
# "Retention"): full backups kept by age, 6 days, with a full backup every
# day. pgBackRest keeps the newest full backup older than that (so any
# moment of the last 6 days stays restorable) and expires every older one
# with its differentials and the WAL before the oldest full backup kept:
# a backup is gone at most 7 days after it was taken (plus one backup run).
RETENTION_OPTIONS="repo1-retention-full-type=time
repo1-retention-full=6"

# open_path DIR: as root, lets the postgres user traverse every folder
# above DIR (o+x where missing, as scripts/pg.sh does).
open_path() {
    local p=$1
    [ "$(id -u)" -eq 0 ] || return 0
    while [ "$p" != "/" ]; do
        p=$(dirname "$p")
        [ -d "$p" ] && ! runuser -u postgres -- test -x "$p" && chmod o+x "$p"
    done
    return 0
}

# write_conf: DIR/pgbackrest.conf for this cluster and repository,
# readable by the postgres user (archive_command runs as it).
write_conf() {
    mkdir -p "$repo_dir"
    open_path "$repo_dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$repo_dir"; fi
    as_pg mkdir -p "$repo_dir/repo" "$repo_dir/log" "$repo_dir/lock" "$repo_dir/spool"
    as_pg tee "$conf.tmp" >/dev/null <<CONF
# written by scripts/backup-lib.sh: pgBackRest for the cluster in $pg_dir
[global]
repo1-path=$repo_dir/repo
$RETENTION_OPTIONS
log-path=$repo_dir/log
lock-path=$repo_dir/lock
spool-path=$repo_dir/spool
log-level-console=warn
log-level-file=info
compress-type=lz4
start-fast=y
process-max=2

[$stanza]
pg1-path=$pg_dir/data
pg1-socket-path=$pg_dir/run
pg1-user=postgres
CONF
    as_pg mv "$conf.tmp" "$conf"
}

# pgbr COMMAND [OPTIONS...]: pgBackRest with our configuration, as postgres.
pgbr() {
    local cmd=$1
    shift
    as_pg pgbackrest --config="$conf" --stanza="$stanza" "$@" "$cmd"
}

cluster_running() {
    [ -f "$pg_dir/data/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1
}

# psql_super SQL: one query as the superuser of the cluster, unaligned.
psql_super() {
    as_pg "$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 -h "$pg_dir/run" -U postgres -d postgres -c "$1"
}
