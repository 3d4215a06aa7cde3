#!/usr/bin/env bash
# Builds a container image from a Dockerfile with no daemon and no registry: buildah
# builds it on a Debian base image that debootstrap makes from Debian's packages, tags
# it by the commit, and loads it into the node's containerd when there is one.
#
#   hack/image.sh                      # the controller image from ./Dockerfile
#   hack/image.sh --file tests/e2e/node/images/openssl/Dockerfile \
#                 --context tests/e2e/node/images/openssl --name certplane-openssl
#   hack/image.sh --storage-conf       # prints the storage.conf of the images, so that
#                                      # CONTAINERS_STORAGE_CONF=... buildah images works
#
# Options: --file DOCKERFILE (default ./Dockerfile), --context DIR (default the repo),
# --name NAME (default certplane-controller), --tag TAG (default: the short commit,
# plus -dirty-<hash of the uncommitted changes> when the context or the Dockerfile has
# any, so every rebuilt tree gets a new tag).
#
# The last line of stdout is the image reference, NAME:TAG, as the chart's
# image.repository and image.tag take it; logs go to stderr. When
# CERTPLANE_NODE_CONTAINERD_ADDRESS is set (hack/node up exports it), the image is
# imported into that containerd's k8s.io namespace with ${CERTPLANE_CTR:-ctr}.
# A failed build exits non-zero and leaves the image already holding the tag in place.
#
# Needs root (debootstrap, and buildah's storage as root), buildah and debootstrap
# (hack/install-deps.sh), and Debian's mirror for the Dockerfile's apt-get.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The whole script is one compound command, read before any of it runs: a build takes
# half an hour, and bash reads a script as it goes, so an edit or a `git pull` meanwhile
# would otherwise run a mix of the old and new text.
{

log() { echo "image: $*" >&2; }

dockerfile=$CERTPLANE_REPO_ROOT/Dockerfile
context=$CERTPLANE_REPO_ROOT
name=certplane-controller
tag=
print_storage_conf=false
while (($# > 0)); do
  case $1 in
    --file) dockerfile=${2:?--file needs a Dockerfile}; shift 2 ;;
    --context) context=${2:?--context needs a folder}; shift 2 ;;
    --name) name=${2:?--name needs an image name}; shift 2 ;;
    --tag) tag=${2:?--tag needs a tag}; shift 2 ;;
    --storage-conf) print_storage_conf=true; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

# --- buildah's storage, under the cache so that every clone shares the base image and
# the layer cache. The run root holds only locks and mount state: it belongs on /run,
# keyed by the storage it serves so two cache folders never share one.
image_cache=$CERTPLANE_CACHE_DIR/image
storage_conf=$image_cache/storage.conf
# overlay needs a cache folder on a file system that can be an overlay's upper layer;
# CERTPLANE_IMAGE_STORAGE_DRIVER=vfs is the slow fallback where it cannot.
driver=${CERTPLANE_IMAGE_STORAGE_DRIVER:-overlay}
runroot=/run/certplane-image-$(printf '%s' "$image_cache" | sha256sum | cut -c1-12)
mkdir -p "$image_cache/storage"
printf '[storage]\ndriver = "%s"\ngraphroot = "%s"\nrunroot = "%s"\n' \
  "$driver" "$image_cache/storage" "$runroot" >"$storage_conf.$$"
mv "$storage_conf.$$" "$storage_conf"
export CONTAINERS_STORAGE_CONF=$storage_conf
if $print_storage_conf; then
  echo "$storage_conf"
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "must run as root: debootstrap needs it, and buildah's storage is root's"
for tool in buildah debootstrap git tar flock; do
  command -v "$tool" >/dev/null || die "$tool is not installed; run hack/install-deps.sh"
done
[[ -f $dockerfile ]] || die "no Dockerfile at $dockerfile"
[[ -d $context ]] || die "no build context folder at $context"
dockerfile=$(realpath "$dockerfile")
context=$(realpath "$context")

# --- The tag: the commit, and a hash of whatever in the context or the Dockerfile is
# not committed yet (changes, new files; a Dockerfile outside the repository counts
# whole), so that an image of an uncommitted tree never takes a commit's name.
if [[ -z $tag ]]; then
  # Read-only: no index refresh, whose lock would fail a commit made meanwhile.
  export GIT_OPTIONAL_LOCKS=0
  git -C "$CERTPLANE_REPO_ROOT" rev-parse --git-dir >/dev/null 2>&1 ||
    die "$CERTPLANE_REPO_ROOT is not a git work tree, so there is no commit to tag by: pass --tag"
  case $context/ in
    "$CERTPLANE_REPO_ROOT"/*) ;;
    *) die "the context $context is outside the repository, so no commit describes it: pass --tag" ;;
  esac
  commit=$(git -C "$CERTPLANE_REPO_ROOT" rev-parse --short HEAD)
  paths=("$context")
  outside_file=
  case $dockerfile in
    "$CERTPLANE_REPO_ROOT"/*) paths+=("$dockerfile") ;;
    *) outside_file=$dockerfile ;;
  esac
  changes=$(
    cd "$CERTPLANE_REPO_ROOT"
    git diff HEAD --binary -- "${paths[@]}"
    git ls-files -z --others --exclude-standard -- "${paths[@]}" | xargs -0r sha256sum
    if [[ -n $outside_file ]]; then sha256sum <"$outside_file"; fi
  )
  tag=$commit
  [[ -z $changes ]] || tag+=-dirty-$(printf '%s' "$changes" | sha256sum | cut -c1-12)
fi
# The name as containerd and the kubelet spell it: a bare name means Docker Hub's
# library, so the image imported under that name is the one a pod's `NAME:TAG` finds.
registry=${name%%/*}
if [[ $name == */* && ($registry == *.* || $registry == *:* || $registry == localhost) ]]; then
  full_name=$name
elif [[ $name == */* ]]; then
  full_name=docker.io/$name
else
  full_name=docker.io/library/$name
fi
reference=$name:$tag
full_reference=$full_name:$tag

# --- The Debian base image: debootstrap once into a tarball keyed by its inputs, then
# imported into buildah's storage as debian:bookworm and debian:bookworm-slim (the
# Dockerfile's FROMs; no registry can serve them).
base_suite=bookworm
base_variant=minbase
base_include=()  # minbase already has apt, which is all the Dockerfiles need
base_mirror=http://deb.debian.org/debian
# What /etc/apt/sources.list.d/debian.sources says in Debian's own images: with the
# security and updates suites, so the images' apt-get installs patched packages.
base_sources="Types: deb
URIs: $base_mirror
Suites: $base_suite $base_suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: $base_suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"
# What makes bookworm-slim slim, as in Debian's own: dpkg leaves out documentation
# (but the copyright files), manual pages and translations, and they are deleted from
# the rootfs. The build stage's debian:bookworm keeps them.
slim_dpkg_cfg="path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/lintian/*
"

# The first line of what buildah lists, "" when nothing has the name (no pipe to head:
# under pipefail, a listing that head stops reading early fails the script).
first_line() { local out; out=$("$@" 2>/dev/null) || true; echo "${out%%$'\n'*}"; }
image_id() { first_line buildah images --noheading --no-trunc --format '{{.ID}}' "$1"; }

debootstrap_base() {
  local start=$SECONDS rootfs
  rootfs=$(mktemp -d "$image_cache/rootfs.XXXXXX")
  log "debootstrap --variant=$base_variant $base_suite (once per debootstrap version) ..."
  local include=()
  ((${#base_include[@]} == 0)) || include=("--include=$(IFS=,; echo "${base_include[*]}")")
  if ! debootstrap --variant="$base_variant" "${include[@]}" "$base_suite" "$rootfs" "$base_mirror" \
    >"$image_cache/debootstrap.log" 2>&1; then
    tail -n 20 "$image_cache/debootstrap.log" >&2
    rm -rf "$rootfs"
    die "debootstrap failed (log: $image_cache/debootstrap.log)"
  fi
  rm -f "$rootfs/etc/apt/sources.list"
  printf '%s' "$base_sources" >"$rootfs/etc/apt/sources.list.d/debian.sources"
  # The host's name and resolver do not belong in an image; the builder provides both.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs/etc/resolv.conf" "$rootfs/etc/hostname"
  tar --numeric-owner --xattrs --xattrs-include='*' -C "$rootfs" -cf "$base_tarball.partial" .
  rm -rf "$rootfs"
  mv "$base_tarball.partial" "$base_tarball"
  log "debootstrap done in $((SECONDS - start)) s: $base_tarball ($(du -m "$base_tarball" | cut -f1) MB)"
}

import_base() { # image-name slim(true|false)
  local start=$SECONDS ctr mnt
  ctr=$(buildah from --pull=never scratch)
  mnt=$(buildah mount "$ctr")
  tar --numeric-owner --xattrs --xattrs-include='*' -C "$mnt" -xpf "$base_tarball"
  if $2; then
    printf '%s' "$slim_dpkg_cfg" >"$mnt/etc/dpkg/dpkg.cfg.d/slim"
    find "$mnt/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    find "$mnt/usr/share/doc" -mindepth 1 -type d -empty -delete
    find "$mnt/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
    rm -rf "$mnt"/usr/share/man/* "$mnt"/usr/share/info/* "$mnt"/usr/share/lintian/*
  fi
  buildah umount "$ctr" >/dev/null
  buildah config --os linux --arch "$(dpkg --print-architecture)" \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd bash "$ctr"
  buildah commit --quiet --rm "$ctr" "$1" >/dev/null
  log "base image $1 imported in $((SECONDS - start)) s"
}

# The keys: the rootfs by what debootstrap is given; the images by that and by how they
# are made from it (the function's own text, so editing it makes them anew).
debootstrap_version=$(dpkg-query -W -f='${Version}' debootstrap)
base_key=$(printf '%s\n' "$base_suite" "$base_variant" "${base_include[*]}" "$debootstrap_version" \
  "$base_sources" | sha256sum | cut -c1-12)
base_tarball=$image_cache/debian-$base_suite-$base_variant-$base_key.tar
import_key=$(printf '%s\n' "$base_key" "$slim_dpkg_cfg" "$(declare -f import_base)" | sha256sum | cut -c1-12)
base_image=localhost/certplane-base:$base_suite-$base_variant-$import_key
slim_image=localhost/certplane-base:$base_suite-$base_variant-slim-$import_key

ensure_base() {
  [[ -f $base_tarball ]] || debootstrap_base
  [[ -n $(image_id "$base_image") ]] || import_base "$base_image" false
  [[ -n $(image_id "$slim_image") ]] || import_base "$slim_image" true
  # Retagged whenever they differ: a name moves to the last image given it, so this
  # also undoes a debian:bookworm that something else put in this storage.
  [[ $(image_id docker.io/library/debian:bookworm) == "$(image_id "$base_image")" ]] ||
    buildah tag "$base_image" docker.io/library/debian:bookworm
  [[ $(image_id docker.io/library/debian:bookworm-slim) == "$(image_id "$slim_image")" ]] ||
    buildah tag "$slim_image" docker.io/library/debian:bookworm-slim
}

# One run at a time makes the base image; builds themselves may overlap (buildah's
# storage has its own locks).
exec 9>"$image_cache/base.lock"
flock 9
base_start=$SECONDS
ensure_base
flock -u 9
log "base image ready in $((SECONDS - base_start)) s"

# --- The build, under a temporary name: the tag moves to the new image only once it
# is built, so a failed build leaves the image that holds the tag untouched.
#  --pull=never: the FROMs are the base image above; there is no registry to ask.
#  --isolation=chroot: RUN steps need no OCI runtime. The default (oci) needs runc,
#    which install-deps does not install for the builder ("exec: no command" without
#    it), and runc on this machine needs workarounds: root lacks CAP_SYS_RESOURCE, so
#    setting oom_score_adj fails.
#  --network=host: the RUN steps' apt-get reaches Debian's mirror through the host.
#  No --ulimit: under chroot isolation RUN steps inherit this shell's limits, which
#    apt and the compiler are fine with; the trial's raised limits were for runc.
#  --layers: each instruction's result is cached by its inputs, so an unchanged
#    Dockerfile and context rebuild from the cache.
#  --force-rm: a failed step's working container is removed too (buildah keeps it by
#    default, and they pile up in the cache).
#  --volume .../ccache: the compiler cache folder under CERTPLANE_CACHE_DIR replaces
#    the Dockerfile's cache mount, so a rebuild after a change compiles only what
#    changed. The host build (hack/build.sh) uses the same folder with the same flags and
#    relative paths, but on a cold CI machine the image's compiles did not hit its
#    entries (16 hits of 785 compiles; the cause is not found yet): a first image build
#    compiles the controller itself.
# Every change to the context leaves a build stage of more than a gigabyte in the layer
# cache (measured: 1.4 GB); past a bound (CERTPLANE_IMAGE_CACHE_MAX_GB), the unnamed
# images, the layer cache among them, are pruned and this build starts cold.
max_gb=${CERTPLANE_IMAGE_CACHE_MAX_GB:-20}
used_gb=$(($(du -sm "$image_cache/storage" | cut -f1) / 1024))
if ((used_gb > max_gb)); then
  log "the layer cache holds $used_gb GB (more than $max_gb): pruning the unnamed images"
  buildah rmi --prune >&2 || true
fi
building=localhost/certplane-building:$$-$RANDOM
cleanup() { buildah rmi "$building" >/dev/null 2>&1 || true; }
trap cleanup EXIT
log "building $reference from $dockerfile (context $context) ..."
build_start=$SECONDS
rc=0
mkdir -p "$CERTPLANE_CACHE_DIR/ccache"
buildah bud --pull=never --layers --force-rm --isolation=chroot --network=host \
  --volume "$CERTPLANE_CACHE_DIR/ccache:/root/.cache/ccache" \
  -f "$dockerfile" -t "$building" "$context" >&2 || rc=$?
if ((rc != 0)); then
  log "the build of $reference failed (buildah exit $rc) after $((SECONDS - build_start)) s;" \
    "$( [[ -n $(image_id "$full_reference") ]] && echo "the image already tagged $reference is unchanged" || echo "no image is tagged $reference")"
  exit "$rc"
fi
buildah tag "$building" "$full_reference"
cleanup
trap - EXIT
size=$(first_line buildah images --noheading --format '{{.Size}}' "$full_reference")
id=$(image_id "$full_reference")
log "built $reference in $((SECONDS - build_start)) s (image ${id:7:12}, $size)"

# --- Into the node's container runtime: containerd imports a docker-archive into the
# namespace the kubelet's CRI uses.
if [[ -n ${CERTPLANE_NODE_CONTAINERD_ADDRESS:-} ]]; then
  ctr_bin=${CERTPLANE_CTR:-ctr}
  command -v "$ctr_bin" >/dev/null || die "$ctr_bin is not installed (set CERTPLANE_CTR to the node's ctr)"
  [[ -S $CERTPLANE_NODE_CONTAINERD_ADDRESS ]] ||
    die "no containerd socket at CERTPLANE_NODE_CONTAINERD_ADDRESS=$CERTPLANE_NODE_CONTAINERD_ADDRESS (is the node up?)"
  archive=$(mktemp "$image_cache/export.XXXXXX.tar")
  trap 'rm -f "$archive"' EXIT
  rm -f "$archive"  # buildah refuses to write over an existing archive
  load_start=$SECONDS
  buildah push --quiet "$full_reference" "docker-archive:$archive:$full_reference" >&2
  "$ctr_bin" --address "$CERTPLANE_NODE_CONTAINERD_ADDRESS" -n k8s.io images import "$archive" >&2
  log "imported $full_reference into the containerd at $CERTPLANE_NODE_CONTAINERD_ADDRESS in $((SECONDS - load_start)) s"
else
  log "CERTPLANE_NODE_CONTAINERD_ADDRESS is not set: built into buildah's storage only, loaded into no runtime"
fi
echo "$reference"
exit 0
}
