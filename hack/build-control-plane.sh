#!/usr/bin/env bash
# Builds the control-plane tools from their Go modules (hack/tools/*) into a cache
# folder outside the clone, keyed by version, and prints that folder on stdout.
#
#   hack/build-control-plane.sh            every tool: etcd, kube-apiserver, kubectl
#                                          (what a control plane runs), helm, zlint and
#                                          promtool (what the tests also use)
#   hack/build-control-plane.sh TOOL...    only those (the quickstart builds the three
#                                          it runs and leaves the rest to hack/test.sh)
#
# A tool already in the folder is not built again. Each binary is built under a
# temporary name and renamed into place, so an interrupted build never leaves a
# truncated binary that a later run would take for a finished one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

all_tools=(etcd kube-apiserver kubectl helm zlint promtool)
wanted=("$@")
[[ ${#wanted[@]} -gt 0 ]] || wanted=("${all_tools[@]}")
for tool in "${wanted[@]}"; do
  [[ " ${all_tools[*]} " == *" $tool "* ]] || die "unknown tool '$tool' (one of: ${all_tools[*]})"
done

out=$(tools_dir)
missing=()
for tool in "${wanted[@]}"; do
  [[ -x $out/$tool ]] || missing+=("$tool")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "$out"
  exit 0
fi

command -v go >/dev/null || die "go is not installed; it is needed to build the control plane"
mkdir -p "$out"
export CGO_ENABLED=0 GOFLAGS=-mod=readonly
tools="$CERTPLANE_REPO_ROOT/hack/tools"

kube_ldflags=$(kube_ldflags)

build() { # module-dir output package ldflags
  echo "build-control-plane: building $2 ..." >&2
  local start=$SECONDS partial="$out/.$2.partial.$$"
  (cd "$tools/$1" && go build -trimpath -ldflags "$4" -o "$partial" "$3") || {
    rm -f "$partial"
    die "building $2 failed"
  }
  mv -f "$partial" "$out/$2"
  echo "build-control-plane: $2 built in $((SECONDS - start)) s" >&2
}
for tool in "${missing[@]}"; do
  case $tool in
    etcd) build etcd etcd go.etcd.io/etcd/server/v3 "-s -w" ;;
    helm) build helm helm helm.sh/helm/v3/cmd/helm "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" ;;
    zlint) build zlint zlint github.com/zmap/zlint/v3/cmd/zlint "-s -w" ;;
    promtool) build prometheus promtool github.com/prometheus/prometheus/cmd/promtool "-s -w" ;;
    kubectl) build kubernetes kubectl k8s.io/kubernetes/cmd/kubectl "$kube_ldflags" ;;
    kube-apiserver) build kubernetes kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$kube_ldflags" ;;
  esac
done
echo "$out"
