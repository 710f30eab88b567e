#!/usr/bin/env bash
# `make image`: the OCI image of the backend, built without pulling
# anything: a root filesystem assembled here from this tree's binary and
# this Debian 12 machine's files, committed with buildah `from scratch`
# (vfs storage under build/, no daemon, no user namespace needed as root).
# Where buildah is missing or cannot run, the same rootfs becomes an OCI
# image layout by hand (one tar layer, config and manifest per the OCI
# image spec, sha256 digests) - the script says which path it took.
#
#   scripts/image.sh [OUTDIR]   (default build/image)
#     OUTDIR/rootfs    the root filesystem (what the image holds)
#     OUTDIR/oci       the OCI image layout, tagged with scripts/version.sh oci
#     OUTDIR/libs.txt  the shared libraries copied, as ldd lists them
#
# The rootfs: /usr/bin/biq (the hardened, stripped build of scripts/deb.sh),
# exactly the shared libraries `ldd` lists for it (and the loader), CA
# certificates, tzdata, /etc/passwd and /etc/group with the non-root user
# biq (65532), /tmp. Running the image needs a container runtime, which
# these machines cannot offer (docs/operations.md, "Artifacts");
# tests/ops/image-rootfs.sh runs it chrooted instead.
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(realpath -m "${1:-build/image}")
tag=$(bash scripts/version.sh oci)
describe=$(bash scripts/version.sh)
build="build-deb"
root="$out/rootfs"

make -s -j2 BUILD="$build" CC="gcc -D_FORTIFY_SOURCE=2 -fstack-clash-protection -fcf-protection" \
    LDFLAGS="-Wl,-z,relro -Wl,-z,now" "$build/biq"

rm -rf "$root" "$out/oci"
mkdir -p "$root"/{usr/bin,usr/lib,usr/lib64,etc/ssl/certs,usr/share,tmp}
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
chmod 1777 "$root/tmp"
install -m 0755 "$build/biq" "$root/usr/bin/biq"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/biq"

# exactly what ldd lists: "name => /path (addr)" and the loader "/path (addr)"
ldd "$root/usr/bin/biq" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
    sort -u >"$out/libs.txt"
while read -r lib; do
    real=$(realpath "$lib")
    dest="$root/usr${lib#/usr}"     # /lib/x/y and /usr/lib/x/y both land in usr/lib/x/y
    mkdir -p "$(dirname "$dest")"
    cp -L "$real" "$dest"
done <"$out/libs.txt"

cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
cp -a /usr/share/zoneinfo "$root/usr/share/zoneinfo"
cat >"$root/etc/passwd" <<'PW'
root:x:0:0:root:/root:/sbin/nologin
biq:x:65532:65532:BottleneckIQ:/nonexistent:/sbin/nologin
PW
printf 'root:x:0:\nbiq:x:65532:\n' >"$root/etc/group"
printf 'hosts: files dns\npasswd: files\ngroup: files\n' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
printf '%s\n' "$describe" >"$root/etc/biq-version"

created=$(date -u -d "@$(git log -1 --format=%ct)" +%Y-%m-%dT%H:%M:%SZ)
revision=$(git rev-parse HEAD)
mkdir -p "$out/oci"

by_buildah() {
    command -v buildah >/dev/null || return 1
    local b=(buildah --root "$out/storage" --runroot "$out/storage-run" --storage-driver vfs) c
    c=$("${b[@]}" from --name "biq-image-$$" scratch) || return 1
    # shellcheck disable=SC2064 # the container name is fixed here
    trap "${b[*]} rm $c >/dev/null 2>&1 || true" RETURN
    "${b[@]}" copy "$c" "$root/." / >/dev/null &&
    "${b[@]}" config --user 65532:65532 --entrypoint '["/usr/bin/biq"]' --cmd serve \
        --env BIQ_LISTEN=0.0.0.0:8080 --port 8080/tcp --workingdir / \
        --label org.opencontainers.image.title=biq \
        --label org.opencontainers.image.version="$describe" \
        --label org.opencontainers.image.revision="$revision" \
        --label org.opencontainers.image.created="$created" "$c" &&
    "${b[@]}" commit --quiet --format oci --timestamp "$(git log -1 --format=%ct)" \
        "$c" "oci:$out/oci:$tag" >/dev/null
}

# The OCI image layout by hand: blobs/sha256/<digest> for the layer (tar of
# the rootfs, owned by root), the config and the manifest; index.json names
# the manifest with the tag (org.opencontainers.image.ref.name).
by_hand() {
    local blobs="$out/oci/blobs/sha256" layer diff lsize cfg cdig csize man mdig msize
    mkdir -p "$blobs"
    tar --sort=name --numeric-owner --owner=0 --group=0 --mtime="@$(git log -1 --format=%ct)" \
        -C "$root" -cf "$out/layer.tar" .
    diff=$(sha256sum "$out/layer.tar" | cut -d' ' -f1)
    gzip -9n <"$out/layer.tar" >"$out/layer.tar.gz"
    layer=$(sha256sum "$out/layer.tar.gz" | cut -d' ' -f1)
    lsize=$(stat -c %s "$out/layer.tar.gz")
    mv "$out/layer.tar.gz" "$blobs/$layer"
    rm -f "$out/layer.tar"
    cfg=$(jq -cn --arg diff "sha256:$diff" --arg created "$created" --arg v "$describe" --arg r "$revision" \
        '{created: $created, architecture: "amd64", os: "linux",
          config: {User: "65532:65532", Entrypoint: ["/usr/bin/biq"], Cmd: ["serve"],
                   Env: ["BIQ_LISTEN=0.0.0.0:8080"], ExposedPorts: {"8080/tcp": {}}, WorkingDir: "/",
                   Labels: {"org.opencontainers.image.title": "biq", "org.opencontainers.image.version": $v,
                            "org.opencontainers.image.revision": $r, "org.opencontainers.image.created": $created}},
          rootfs: {type: "layers", diff_ids: [$diff]}}')
    printf '%s' "$cfg" >"$out/config.json"
    cdig=$(sha256sum "$out/config.json" | cut -d' ' -f1)
    csize=$(stat -c %s "$out/config.json")
    mv "$out/config.json" "$blobs/$cdig"
    man=$(jq -cn --arg c "sha256:$cdig" --argjson cs "$csize" --arg l "sha256:$layer" --argjson ls "$lsize" \
        '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
          config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
          layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l, size: $ls}]}')
    printf '%s' "$man" >"$out/manifest.json"
    mdig=$(sha256sum "$out/manifest.json" | cut -d' ' -f1)
    msize=$(stat -c %s "$out/manifest.json")
    mv "$out/manifest.json" "$blobs/$mdig"
    printf '{"imageLayoutVersion":"1.0.0"}' >"$out/oci/oci-layout"
    jq -cn --arg d "sha256:$mdig" --argjson s "$msize" --arg t "$tag" \
        '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: $d, size: $s, annotations: {"org.opencontainers.image.ref.name": $t}}]}' >"$out/oci/index.json"
}

if [ "${BIQ_IMAGE_BY_HAND:-0}" != 1 ] && by_buildah 2>"$out/buildah.log"; then
    how="buildah $(buildah --version | awk '{print $3}') from scratch"
else
    [ "${BIQ_IMAGE_BY_HAND:-0}" = 1 ] || { echo "image: buildah failed, building the OCI layout by hand:" >&2; cat "$out/buildah.log" >&2; }
    rm -rf "$out/oci"
    by_hand
    how="by hand (tar + OCI JSON)"
fi
rm -rf "$out/storage" "$out/storage-run"
echo "image: $out/oci (tag $tag, $how): rootfs $(du -sh "$root" | cut -f1), $(wc -l <"$out/libs.txt") shared libraries"
