#!/usr/bin/env bash
# Brings certplane up on a local control plane and shows it working.
#
#   hack/quickstart.sh         install deps, build, start etcd + kube-apiserver on
#                              loopback, install the CRDs, show them; leaves it running
#   hack/quickstart.sh down    stop everything it started and remove its state
#
# The last two lines it prints are the `export KUBECONFIG=...` to use the cluster and
# the command that stops it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CERTPLANE_REPO_ROOT"

export CERTPLANE_CONTROL_PLANE_DIR="$CERTPLANE_CACHE_DIR/quickstart/control-plane"

if [[ ${1:-} == down ]]; then
  hack/control-plane down
  exit 0
fi
[[ -z ${1:-} ]] || die "usage: hack/quickstart.sh [down]"

say() { echo "quickstart: $*" >&2; }

say "installing dependencies (Debian packages)"
hack/install-deps.sh
say "building kube-apiserver, etcd, kubectl and helm from their Go modules (cached after the first time)"
bin=$(hack/build-control-plane.sh)
say "building certplane"
hack/build.sh release >/dev/null

if [[ -f $CERTPLANE_CONTROL_PLANE_DIR/kube-apiserver.pid ]] && hack/control-plane env >/dev/null 2>&1; then
  say "reusing the control plane already running in $CERTPLANE_CONTROL_PLANE_DIR"
  eval "$(hack/control-plane env)"
else
  say "starting etcd and kube-apiserver on loopback"
  eval "$(hack/control-plane up)"
fi
kubectl=("$bin/kubectl")

say "installing the CRDs"
"${kubectl[@]}" apply --server-side -f crds/ >&2
"${kubectl[@]}" wait --for=condition=Established --timeout=60s -f crds/ >/dev/null
"${kubectl[@]}" get crd >&2

echo
echo "certplane's API is installed on a local control plane. Use it with:"
# kubectl is the pinned build in the cache; the same line puts it on PATH.
echo "export KUBECONFIG=$KUBECONFIG PATH=\"$bin:\$PATH\""
echo "hack/quickstart.sh down"
