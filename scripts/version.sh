#!/usr/bin/env bash
# The one place versions come from: `git describe --always --dirty`, in
# the forms each artifact needs (scripts/deb.sh, scripts/image.sh,
# scripts/sbom.sh).
#
#   scripts/version.sh          the describe string itself (e.g. 1943265-dirty, v1.2-3-gabc)
#   scripts/version.sh deb      a Debian native version: 0.0.<commits>+g<hash>[+dirty],
#                               or <tag>+<n>.g<hash> after a v<tag> tag
#   scripts/version.sh oci      an OCI tag ([A-Za-z0-9_.-]): the deb form with + as -
set -euo pipefail
cd "$(dirname "$0")/.."

describe=$(git describe --always --dirty --tags 2>/dev/null || echo unknown)
form=${1:-describe}
deb_version() {
    local d=$describe dirty=
    case "$d" in *-dirty) dirty=+dirty; d=${d%-dirty} ;; esac
    if [[ "$d" =~ ^v?([0-9]+\.[0-9A-Za-z.]*)-([0-9]+)-g([0-9a-f]+)$ ]]; then
        echo "${BASH_REMATCH[1]}+${BASH_REMATCH[2]}.g${BASH_REMATCH[3]}$dirty"
    elif [[ "$d" =~ ^v?([0-9]+\.[0-9A-Za-z.]*)$ ]]; then
        echo "${BASH_REMATCH[1]}$dirty"
    else
        echo "0.0.$(git rev-list --count HEAD 2>/dev/null || echo 0)+g$d$dirty"
    fi
}
case "$form" in
describe) echo "$describe" ;;
deb) deb_version ;;
oci) deb_version | tr '+' '-' ;;
*) echo "usage: version.sh [deb|oci]" >&2; exit 2 ;;
esac
