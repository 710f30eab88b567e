#!/usr/bin/env bash
# `make sbom`: CycloneDX 1.5 JSON software bills of materials, generated
# from what this machine and tree really hold (Debian 12 packages no SBOM
# generator: `apt-cache search sbom|spdx|cyclonedx` finds only SPDX
# licence-list libraries, so this short script does it from dpkg-query
# and the npm lockfiles):
#
#   OUTDIR/biq-deb.cdx.json    the Debian package: biq, and the Debian
#                              packages of every shared library it links and
#                              of its loader (ldd -> dpkg -S -> dpkg-query),
#                              with the files
#   OUTDIR/biq-image.cdx.json  the OCI image: the same, plus the
#                              ca-certificates and tzdata it copies
#   OUTDIR/forge-app.cdx.json  the Forge app and its Custom UI: every package
#                              of forge/ and ui/ package-lock.json (scope
#                              required; devDependencies "excluded"), and
#                              tools/devhost's (development only, "excluded")
#
#   scripts/sbom.sh [OUTDIR]   (default build/sbom)
# Versions of biq: scripts/version.sh (git describe).
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(realpath -m "${1:-build/sbom}")
mkdir -p "$out"
version=$(bash scripts/version.sh deb)
describe=$(bash scripts/version.sh)
bin=build-deb/biq
[ -x "$bin" ] || make -s -j2 BUILD=build-deb CC="gcc -D_FORTIFY_SOURCE=2 -fstack-clash-protection -fcf-protection" \
    LDFLAGS="-Wl,-z,relro -Wl,-z,now" "$bin"
now=$(date -u -d "@$(git log -1 --format=%ct)" +%Y-%m-%dT%H:%M:%SZ)

# owner PATH: the Debian package (name:arch) that ships PATH, trying the
# /usr-merged spellings dpkg may have recorded.
owner() {
    local p=$1 r o
    r=$(realpath "$p")
    for q in "$p" "/usr$p" "${p#/usr}" "$r" "/usr$r" "${r#/usr}"; do
        o=$(dpkg -S "$q" 2>/dev/null | head -1 | sed 's/: .*//; s/, .*//')
        [ -n "$o" ] && { echo "$o"; return 0; }
    done
    return 1
}

# deb_components FILE...: one CycloneDX component per Debian package, with
# the files it provides here as properties (biq:file), as JSON lines.
deb_components() {
    local f pkg map name arch ver src files
    map=$(for f in "$@"; do
        pkg=$(owner "$f") || { echo "sbom: no Debian package owns $f" >&2; exit 1; }
        printf '%s\t%s\n' "$pkg" "$f"
    done) || return 1
    # shellcheck disable=SC2013 # package names have no blanks
    for pkg in $(cut -f1 <<<"$map" | sort -u); do
        name=${pkg%%:*}
        arch=${pkg#*:}
        [ "$arch" = "$pkg" ] && arch=all
        ver=$(dpkg-query -W -f='${Version}' "$pkg")
        src=$(dpkg-query -W -f='${source:Package}' "$pkg")
        files=$(awk -F'\t' -v p="$pkg" '$1 == p { print $2 }' <<<"$map")
        jq -cn --arg n "$name" --arg a "$arch" --arg v "$ver" --arg s "$src" --arg files "$files" \
            '{type: "library", "bom-ref": "deb:\($n):\($a)", name: $n, version: $v,
              purl: "pkg:deb/debian/\($n)@\($v | @uri)?arch=\($a)&distro=debian-12",
              supplier: {name: "Debian"},
              properties: ([{name: "biq:debian-source", value: $s}] +
                           [$files | split("\n")[] | {name: "biq:file", value: .}])}'
    done
}

biq_component() {
    jq -cn --arg v "$version" --arg d "$describe" --arg r "$(git rev-parse HEAD)" \
        '{type: "application", "bom-ref": "biq", name: "biq", version: $v,
          purl: "pkg:deb/bottleneckiq/biq@\($v | @uri)?arch=amd64",
          supplier: {name: "Desveladisimo"}, licenses: [{license: {name: "proprietary"}}],
          properties: [{name: "biq:git-describe", value: $d}, {name: "biq:git-revision", value: $r},
                       {name: "biq:file", value: "/usr/bin/biq"}]}'
}

# bom NAME VERSION COMPONENTS_FILE: the CycloneDX document
bom() {
    jq -s --arg name "$1" --arg v "$2" --arg now "$now" \
        '{bomFormat: "CycloneDX", specVersion: "1.5", version: 1,
          metadata: {timestamp: $now, tools: [{vendor: "BottleneckIQ", name: "scripts/sbom.sh"}],
                     component: {type: "application", "bom-ref": "root", name: $name, version: $v}},
          components: .,
          dependencies: [{ref: "root", dependsOn: [.[]["bom-ref"]]}]}' "$3"
}

libs=$(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
loader=$(ldd "$bin" | awk '$1 ~ /^\// { print $1 }')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086 # $libs is a list of paths without blanks
{ biq_component; deb_components $libs "$loader"; } >"$tmp/deb"
bom biq "$version" "$tmp/deb" >"$out/biq-deb.cdx.json"
# shellcheck disable=SC2086 # $libs is a list of paths without blanks
{ biq_component; deb_components $libs "$loader" /usr/share/ca-certificates/mozilla /usr/share/zoneinfo; } >"$tmp/image"
bom biq-image "$(bash scripts/version.sh oci)" "$tmp/image" >"$out/biq-image.cdx.json"

# npm: every entry of each lockfile's "packages" (lockfile v2/v3)
npm_components() { # npm_components DIR
    jq -c --arg dir "$1" '
      .packages | to_entries[] | select(.key != "") |
      (.key | sub("^.*node_modules/"; "")) as $name |
      {type: "library", "bom-ref": "npm:\($dir):\(.key)", name: $name, version: .value.version,
       purl: "pkg:npm/\($name | sub("^@"; "%40"))@\(.value.version)",
       scope: (if .value.dev or $dir == "tools/devhost" then "excluded" else "required" end),
       licenses: (if .value.license then [{license: {name: .value.license}}] else [] end),
       properties: ([{name: "biq:lockfile", value: "\($dir)/package-lock.json"}, {name: "biq:path", value: .key}] +
                    (if .value.integrity then [{name: "biq:npm-integrity", value: .value.integrity}] else [] end))}' \
      "$1/package-lock.json"
}
{ npm_components forge; npm_components ui; npm_components tools/devhost; } >"$tmp/npm"
bom bottleneckiq-forge-app "$version" "$tmp/npm" >"$out/forge-app.cdx.json"
for f in "$out"/*.cdx.json; do
    echo "sbom: $f ($(jq '.components | length' "$f") components)"
done
