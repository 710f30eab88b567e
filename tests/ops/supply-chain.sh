#!/usr/bin/env bash
# Supply-chain checks (issue 20), run by `make test`:
#  - forge/, ui/ and tools/devhost each have a package-lock.json (v2 or
#    later) and their package.json dependencies have not drifted from it
#    (the same specs as the lockfile's root entry, every direct dependency
#    locked): what `npm ci` needs, and `npm ci` is the only install our
#    scripts and tests run (no `npm install` in them);
#  - the SBOMs of scripts/sbom.sh are CycloneDX JSON; those of the Debian
#    package and the image list every shared library the binary links
#    (ldd), and the Forge app's lists every package of the ui/ and forge/
#    lockfiles (name and version);
#  - SECURITY.md states how to report and the timelines of the posture;
#  - the operations scripts are shellcheck-clean (when shellcheck is there).
# Prints "ok -"/"not ok -" lines and "N passed, N failed".
# shellcheck disable=SC2317 # functions called through check
set -euo pipefail
cd "$(dirname "$0")/../.."

passed=0
failed=0
check() {
    local name=$1
    shift
    if "$@"; then echo "ok - $name"; passed=$((passed + 1)); else echo "not ok - $name"; failed=$((failed + 1)); fi
}
work=$(mktemp -d /tmp/biq-sbom-XXXXXX)
trap 'rm -rf "$work"' EXIT

lock_in_step() { # lock_in_step DIR
    local d=$1 kind drift
    if [ ! -f "$d/package.json" ] || [ ! -f "$d/package-lock.json" ]; then
        echo "  $d: no package-lock.json"
        return 1
    fi
    [ "$(jq '.lockfileVersion >= 2' "$d/package-lock.json")" = true ] || { echo "  $d: lockfile older than v2"; return 1; }
    for kind in dependencies devDependencies optionalDependencies peerDependencies; do
        drift=$(jq -rn --slurpfile p "$d/package.json" --slurpfile l "$d/package-lock.json" --arg k "$kind" \
            '($p[0][$k] // {}) as $want | ($l[0].packages[""][$k] // {}) as $have |
             [($want | keys[]) as $n | select($have[$n] != $want[$n]) | $n] +
             [($have | keys[]) as $n | select($want[$n] == null) | $n] |
             map(. as $n | "\($k).\($n)") | join(" ")')
        [ -z "$drift" ] || { echo "  $d: package.json and package-lock.json differ: $drift"; return 1; }
        drift=$(jq -r --arg k "$kind" '(.packages[""][$k] // {}) as $deps | . as $l |
             [$deps | keys[] | select($l.packages["node_modules/\(.)"] == null)] | join(" ")' "$d/package-lock.json")
        [ -z "$drift" ] || { echo "  $d: not locked: $drift"; return 1; }
    done
    [ "$(jq -r .name "$d/package.json")" = "$(jq -r .name "$d/package-lock.json")" ] ||
        { echo "  $d: name differs"; return 1; }
}
for d in forge ui tools/devhost; do
    check "$d: package-lock.json present and in step with package.json" lock_in_step "$d"
done
only_npm_ci() {
    local hits
    hits=$(grep -rnE '\bnpm (install|i|update|add)\b' scripts tests ui/test forge/test Makefile 2>/dev/null |
        grep -v 'tests/ops/supply-chain.sh' || true)
    [ -z "$hits" ] || { echo "$hits"; return 1; }
    grep -q 'npm ci' scripts/test.sh
}
check "scripts and tests install npm packages with npm ci only" only_npm_ci

if ! bash scripts/sbom.sh "$work" >"$work/sbom.log" 2>&1; then
    cat "$work/sbom.log"
    check "make sbom writes the SBOMs" false
else
    check "make sbom writes the SBOMs" true
fi
is_cdx() { [ "$(jq -r '.bomFormat + " " + .specVersion' "$1" 2>/dev/null)" = "CycloneDX 1.5" ]; }
for f in biq-deb biq-image forge-app; do
    check "$f.cdx.json is CycloneDX 1.5 JSON" is_cdx "$work/$f.cdx.json"
done
lists_libs() { # lists_libs SBOM: every library ldd names for the binary
    local missing
    missing=$(comm -23 \
        <(ldd build-deb/biq | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | xargs -n1 basename | sort -u) \
        <(jq -r '.components[].properties[]? | select(.name == "biq:file") | .value' "$1" | xargs -n1 basename | sort -u))
    [ -z "$missing" ] || { echo "  missing: $missing"; return 1; }
}
n=$(ldd build-deb/biq | grep -c '/')
check "the package's SBOM lists all $n shared libraries of ldd" lists_libs "$work/biq-deb.cdx.json"
check "the image's SBOM lists all $n shared libraries of ldd" lists_libs "$work/biq-image.cdx.json"
check "the image's SBOM lists ca-certificates and tzdata" \
    test "$(jq '[.components[].name | select(. == "ca-certificates" or . == "tzdata")] | length' "$work/biq-image.cdx.json")" = 2
lists_npm() { # lists_npm DIR: every package of DIR's lockfile, name@version
    local missing
    missing=$(comm -23 \
        <(jq -r '.packages | to_entries[] | select(.key != "") | "\(.key | sub("^.*node_modules/"; ""))@\(.value.version)"' \
            "$1/package-lock.json" | sort -u) \
        <(jq -r --arg l "$1/package-lock.json" '.components[] | select(any(.properties[]; .value == $l)) |
            "\(.name)@\(.version)"' "$work/forge-app.cdx.json" | sort -u))
    [ -z "$missing" ] || { echo "  missing: $missing" | head -5; return 1; }
}
for d in ui forge; do
    check "the Forge app's SBOM lists every package of $d/package-lock.json ($(jq '.packages | length - 1' "$d/package-lock.json"))" \
        lists_npm "$d"
done
security_md() {
    local k
    for k in 'security@bottleneckiq.com' '1 business day' 'Critical' 'same week' 'two weeks' \
             'next monthly release' '72 hours' 'Supported versions'; do
        grep -qi "$k" SECURITY.md || { echo "  SECURITY.md lacks '$k'"; return 1; }
    done
}
check "SECURITY.md: reporting, triage, severity timelines, disclosure, versions" security_md
if command -v shellcheck >/dev/null; then
    check "the operations scripts are shellcheck-clean" shellcheck -x scripts/backup-lib.sh scripts/backup.sh \
        scripts/restore.sh scripts/purge-backups.sh scripts/deb.sh scripts/image.sh scripts/sbom.sh \
        scripts/version.sh scripts/pg.sh scripts/run.sh tests/ops/*.sh bench/recovery.sh
fi
echo "supply chain: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
