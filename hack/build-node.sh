#!/usr/bin/env bash
# Builds what hack/node runs beside the control plane, from Go modules under hack/tools:
# kubelet, kube-controller-manager, kube-scheduler and kube-proxy (the same release and
# ldflags as hack/build-control-plane.sh), containerd, containerd-shim-runc-v2 and ctr,
# runc (cgo, with seccomp) and CoreDNS. Output goes to a cache folder outside the clone
# keyed by versions and a hash of the inputs (node_tools_dir in hack/lib.sh); nothing is
# done when that folder is complete. Prints per-binary build times on stderr and the
# folder on stdout.
#
#   hack/build-node.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

binaries=(kubelet kube-controller-manager kube-scheduler kube-proxy containerd
  containerd-shim-runc-v2 ctr runc coredns)
out=$(node_tools_dir)
complete=1
for b in "${binaries[@]}"; do [[ -x $out/$b ]] || complete=; done
if [[ -n $complete ]]; then
  echo "$out"
  exit 0
fi

command -v go >/dev/null || die "go is not installed; it is needed to build the node"
command -v gcc >/dev/null || die "gcc is not installed (build-essential); runc needs cgo"
[[ -f /usr/include/seccomp.h ]] || die "libseccomp-dev is not installed; run hack/install-deps.sh"
mkdir -p "$out.partial"
export GOFLAGS=-mod=readonly
tools="$CERTPLANE_REPO_ROOT/hack/tools"

kube_ldflags=$(kube_ldflags)

build() { # cgo module-dir output package ldflags [go build args...]
  local cgo=$1 dir=$2 name=$3 pkg=$4 ldflags=$5; shift 5
  [[ -x $out.partial/$name ]] && return 0
  echo "build-node: building $name ..." >&2
  local start=$SECONDS
  (cd "$tools/$dir" && CGO_ENABLED=$cgo go build -trimpath -ldflags "$ldflags" "$@" -o "$out.partial/$name" "$pkg")
  echo "build-node: $name built in $((SECONDS - start)) s" >&2
}
ctrd=github.com/containerd/containerd/v2
ctrd_ldflags="-s -w -X $ctrd/version.Version=$CONTAINERD_VERSION -X $ctrd/version.Package=$ctrd"
build 0 kubernetes kubelet k8s.io/kubernetes/cmd/kubelet "$kube_ldflags"
build 0 kubernetes kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$kube_ldflags"
build 0 kubernetes kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler "$kube_ldflags"
build 0 kubernetes kube-proxy k8s.io/kubernetes/cmd/kube-proxy "$kube_ldflags"
build 0 containerd containerd $ctrd/cmd/containerd "$ctrd_ldflags"
build 0 containerd containerd-shim-runc-v2 $ctrd/cmd/containerd-shim-runc-v2 "$ctrd_ldflags"
build 0 containerd ctr $ctrd/cmd/ctr "$ctrd_ldflags"
# runc needs cgo for its nsexec C code and, with the seccomp tag, libseccomp.
build 1 runc runc github.com/opencontainers/runc "-s -w -X main.version=${RUNC_VERSION#v}" -tags seccomp
build 0 coredns coredns github.com/coredns/coredns "-s -w"

rm -rf "$out" && mv "$out.partial" "$out"
echo "$out"
