#!/usr/bin/env bash
# Builds kube-apiserver, kubectl, etcd, helm, zlint and promtool from their Go modules (hack/tools/*)
# into a cache folder outside the clone, keyed by version. Does nothing when that
# folder is complete. Prints the folder on stdout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out=$(tools_dir)
if [[ -x $out/kube-apiserver && -x $out/kubectl && -x $out/etcd && -x $out/helm && -x $out/zlint && -x $out/promtool ]]; then
  echo "$out"
  exit 0
fi

command -v go >/dev/null || die "go is not installed; it is needed to build the control plane"
mkdir -p "$out.partial"
export CGO_ENABLED=0 GOFLAGS=-mod=readonly
tools="$CERTPLANE_REPO_ROOT/hack/tools"

kube_ldflags=$(kube_ldflags)

build() { # module-dir output package ldflags
  [[ -x $out.partial/$2 ]] && return 0
  echo "build-control-plane: building $2 ..." >&2
  local start=$SECONDS
  (cd "$tools/$1" && go build -trimpath -ldflags "$4" -o "$out.partial/$2" "$3")
  echo "build-control-plane: $2 built in $((SECONDS - start)) s" >&2
}
build etcd etcd go.etcd.io/etcd/server/v3 "-s -w"
build helm helm helm.sh/helm/v3/cmd/helm "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
build zlint zlint github.com/zmap/zlint/v3/cmd/zlint "-s -w"
build prometheus promtool github.com/prometheus/prometheus/cmd/promtool "-s -w"
build kubernetes kubectl k8s.io/kubernetes/cmd/kubectl "$kube_ldflags"
build kubernetes kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$kube_ldflags"

rm -rf "$out" && mv "$out.partial" "$out"
echo "$out"
