#!/usr/bin/env bash
# Refuses unsafe C library calls in our sources (curl's and git's banned
# lists): use snprintf, memcpy with a checked length, strtoll with checks.
set -euo pipefail
cd "$(dirname "$0")/.."
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok|strncpy|strncat|tmpnam|mktemp)[[:space:]]*\('
if grep -rnE "$banned" src tests --include='*.c' --include='*.h'; then
    echo "lint: banned function used (see above)" >&2
    exit 1
fi
