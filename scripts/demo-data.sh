#!/usr/bin/env bash
# Loads the demo data of `make run` through the backend's own ingest
# routes, as the Forge side would: into TENANT generated history (`biq gen`:
# three projects, a bottleneck forming in the latest 30 days, reopens,
# sprints, truncated histories completed from their changelog pages); into
# REAL_TENANT the real DevLake captures of ../shared/realdata (a second
# installation: two Jira sites never share issue or status ids, so they do
# not share a tenant either). Run once; `make run` keeps a marker in ./var
# so a second run reuses what exists.
#
#   scripts/demo-data.sh BASE_URL KEYS_DIR KID APP_ID TENANT REAL_TENANT
set -euo pipefail
cd "$(dirname "$0")/.."

base=$1 keys=$2 kid=$3 app=$4 tenant=$5 real_tenant=$6
gen=$(mktemp -d /tmp/biq-demo-XXXXXX)
trap 'rm -rf "$gen"' EXIT
shared=${BIQ_SHARED_DIR:-../shared}
fields='"fields":{"storyPoints":"customfield_10016","sprint":"customfield_10020","flagged":"customfield_10021"}'

# Every /forge route answers the app's Forge functions (src/auth/modules.def).
post() {
    local token
    token=$(BIQ_DEV_MODULE="core:function backfill-consumer" \
        ./build/biq-dev token "$keys" "$kid" "$app" "$tenant")
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' --data-binary "@$2" "$base$1"
}

catalog() {
    local out=$gen/catalog.json
    { printf '{"statuses":'; cat "$1"; printf ',"sprints":'; cat "$2"
      [ -n "${3:-}" ] && { printf ',"projects":'; cat "$3"; }
      printf '}'; } >"$out"
    post /forge/catalog "$out"
}

backfill() {
    local key=$1
    shift
    local n
    n=$(cat "$@" | grep -oE '"key": *"'"$key"'-[0-9]+"' | sort -u | wc -l)
    echo "{\"total\":$n,$fields}" >"$gen/start.json"
    post "/forge/backfill/$key" "$gen/start.json"
    for page in "$@"; do post "/forge/backfill/$key/page" "$page"; done
}

echo "demo: generating history..."
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
./build/biq gen --seed 42 --issues "${BIQ_DEMO_ISSUES:-3000}" --projects 3 --now "$now" \
    --boards "$gen/boards" --out "$gen" >/dev/null 2>&1
catalog "$gen/statuses.json" "$gen/sprints.json"
for key in $(ls "$gen" | sed -n 's/-page-[0-9]*\.json$//p' | sort -u); do
    echo "demo: project $key"
    backfill "$key" "$gen/$key"-page-*.json
done
# Each project's board (columns, their statuses and WIP limits): the body
# {"boards":[configuration]} of the board intake route.
for board in "$gen"/boards/*.json; do
    [ -e "$board" ] || continue
    post "/forge/boards/$(basename "$board" .json)" "$board" ||
        echo "demo: board $(basename "$board" .json) refused (no board intake route?): order inferred"
done
for page in "$gen"/changelog-*.json; do
    [ -e "$page" ] || continue
    id=$(basename "$page" .json | sed 's/changelog-//')
    post "/forge/issues/$id/changelog" "$page"
done

if [ -d "$shared/realdata/devlake-merico" ]; then
    echo "demo: real DevLake data (projects EE, K5) in a second installation"
    tenant=$real_tenant
    echo '{"eventType":"avi:forge:installed:app","context":"ari:cloud:jira::site/devlake"}' >"$gen/install.json"
    post /forge/register "$gen/install.json"
    d=$shared/realdata/devlake-merico
    catalog "$d/statuses.json" "$d/sprints.json" "$d/projects.json"
    echo "{\"total\":30,$fields}" >"$gen/start.json"
    post /forge/backfill/EE "$gen/start.json"
    post /forge/backfill/EE/page "$d/issues-with-changelog.json"
fi
echo "demo: loaded"
