#!/usr/bin/env bash
# `make bench`: every figure of docs/performance.md beside its baseline.
#
#  1. installs what is missing (scripts/deps.sh, plus wrk) and builds
#     build/libbiq.a, bench/flow_bench.c and bench/auth_bench.c;
#  2. starts a throwaway PostgreSQL cluster (scripts/pg.sh) in a temp folder;
#  3. flow_bench: 128k generated issues (just over 1M transitions) in one
#     project, the 30-day dashboard on one thread (best of 3), against the
#     same rows COPYed into PostgreSQL for per-status P50/P90 by window
#     functions;
#  4. auth_bench: FIT verifications per CPU-second against
#     `openssl speed rsa2048`'s verify rate;
#  5. bench/ingest.sh: a generated 50k-issue project posted page by page to
#     the real server, against a bare COPY of the same rows;
#  6. bench/dashboard.sh: wrk at 1, 16, 64 and 256 connections, warm, cold
#     and uncached, on that project;
#  7. bench/events.sh: durable events per second (1 and 16 projects)
#     against pgbench's one-row INSERT commits;
#  8. bench/attack.sh: RSS and /healthz + dashboard p99 while 1000
#     anonymous uploads and 64 held 4 MiB pages press on the server;
#  9. bench/recovery.sh: RPO and RTO of the pgBackRest set-up on a
#     generated 50k-issue site (its own archiving cluster): acknowledged
#     events lost by a restore to "latest" after kill -9 of the primary,
#     seconds from restore to /readyz 200;
# 10. bench/cluster.sh: `make cluster`'s topology (primary, hot standby,
#     PgBouncer, HAProxy) with 1 and then 3 instances: cold dashboards and
#     durable events through HAProxy, the scaling ratio, the replica lag
#     under the event load (issue 16);
# 11. stops and removes the cluster, also on failure.
# Prints figures only: never fails because something is slow.
#
# Environment: BENCH_ISSUES (default 128000), BENCH_SEED (default 7: among
# seeds 1..12 the one whose project has the longest workflow, about 8
# status transitions per issue).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh wrk pgbackrest >/dev/null
JOBS=$(nproc 2>/dev/null || echo 2)
CC=${CC:-cc}
PKGS="libmicrohttpd jansson openssl libpq libcurl"

echo "== build"
make -s -j"$JOBS" build/libbiq.a build/obj/bench/flow_bench.o build/biq build/biq-dev
mkdir -p build/bench
# shellcheck disable=SC2046 # pkg-config output is a word list on purpose
"$CC" -o build/bench/flow_bench build/obj/bench/flow_bench.o build/libbiq.a \
    $(pkg-config --libs $PKGS) -lpthread -lm

pgdir=$(mktemp -d /tmp/biq-bench-XXXXXX)
cleanup() {
    bash scripts/pg.sh stop "$pgdir/cluster" || true
    rm -rf "$pgdir"
}
trap cleanup EXIT
eval "$(bash scripts/pg.sh start "$pgdir/cluster")"

# One backend, no parallel workers (the flow core runs on one thread), and
# enough work_mem that sorts stay in memory: PostgreSQL at its best for a
# single query, not its defaults.
conninfo="$BIQ_MIGRATE_DATABASE_URL&options=-c%20max_parallel_workers_per_gather%3D0%20-c%20work_mem%3D512MB"

echo "== machine"
echo "cpu:        $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "nproc:      $(nproc)"
echo "memory:     $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "compiler:   $("$CC" --version | head -1)"
echo "postgresql: $(/usr/lib/postgresql/15/bin/postgres --version)"
echo
echo "== flow_bench --issues ${BENCH_ISSUES:-128000} --seed ${BENCH_SEED:-7}"
build/bench/flow_bench --issues "${BENCH_ISSUES:-128000}" --seed "${BENCH_SEED:-7}" \
    --conninfo "$conninfo"

echo
echo "== token verification vs openssl speed rsa2048 (one thread)"
make -s -j"$JOBS" build/obj/bench/auth_bench.o build/obj/tests/support/fit_sign.o
# shellcheck disable=SC2046
"$CC" -o build/bench/auth_bench build/obj/bench/auth_bench.o build/obj/tests/support/fit_sign.o \
    build/libbiq.a $(pkg-config --libs $PKGS) -lpthread -lm
auth_out=$(build/bench/auth_bench --seconds 3)
echo "$auth_out"
cold=$(echo "$auth_out" | sed -n 's/^cold .*: \([0-9]*\)\/s.*/\1/p')
warm=$(echo "$auth_out" | sed -n 's/^warm .*: \([0-9]*\)\/s.*/\1/p')
theirs=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ { print int($7) }')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f of raw RSA verify", a / b }'; }
printf '%-44s | %14s | %14s | %s\n' "figure" "value" "baseline" "ratio"
printf '%-44s | %14s | %14s | %s\n' "FIT verifications/CPU-s, cold (whole check)" "$cold" \
    "$theirs" "$(ratio "$cold" "$theirs")"
printf '%-44s | %14s | %14s | %s\n' "FIT verifications/CPU-s, warm (cached token)" "$warm" \
    "$theirs" "$(ratio "$warm" "$theirs")"

echo
echo "== page ingest through the server vs COPY (bench/ingest.sh, ${BENCH_INGEST_ISSUES:-50000} issues)"
bash bench/ingest.sh "$pgdir"

echo
echo "== dashboard requests with wrk, warm and cold cache (bench/dashboard.sh)"
bash bench/dashboard.sh "$pgdir"

echo
echo "== durable events per second through the server (bench/events.sh)"
bash bench/events.sh "$pgdir"

echo
echo "== memory and latency under attack (bench/attack.sh, issue 12)"
bash bench/attack.sh "$pgdir"

echo
echo "== recovery: RPO and RTO with pgBackRest (bench/recovery.sh, ${BENCH_RECOVERY_ISSUES:-50000} issues)"
bash bench/recovery.sh "$pgdir"

echo
echo "== the cluster: dashboards and events through HAProxy, 1 and 3 instances (bench/cluster.sh, issue 16)"
bash bench/cluster.sh "$pgdir"
