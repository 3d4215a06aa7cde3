# shellcheck shell=bash
# Shared settings and small helpers for hack/ scripts. Source it; it does nothing by itself.

# Where built tools and caches live: outside the clone, so a fresh clone reuses them.
CERTPLANE_CACHE_DIR="${CERTPLANE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/certplane}"
CERTPLANE_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The one place the pinned versions are named for scripts; the go.mod files pin the same.
# (zlint and promtool are pinned in their hack/tools/*/go.mod alone: no script needs their versions.)
KUBERNETES_VERSION=v1.36.3
ETCD_VERSION=v3.6.8
HELM_VERSION=v3.21.4

# kube_ldflags prints the -ldflags of every Kubernetes binary built here: stripped, and
# stamped with the pinned release (what `kubectl version` and the node report).
kube_ldflags() {
  local minor=${KUBERNETES_VERSION#v1.} flags="-s -w" pkg
  minor=${minor%%.*}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$flags"
}

# tools_dir prints the folder holding the control-plane binaries for the current pins.
# The key includes a hash of the wrapper modules, so changing a pin or a dependency
# builds anew instead of reusing stale binaries.
tools_dir() {
  local hash
  local t="$CERTPLANE_REPO_ROOT/hack/tools" m
  # Only the modules this folder is built from, so adding another tool's module (the
  # node's, below) does not rebuild it.
  hash=$(for m in go.mod go.sum; do cat "$t/etcd/$m" "$t/helm/$m" "$t/kubernetes/$m" "$t/zlint/$m" "$t/prometheus/$m"; done |
    cat - "$CERTPLANE_REPO_ROOT"/hack/build-control-plane.sh <(declare -f kube_ldflags) | sha256sum | cut -c1-12)
  echo "$CERTPLANE_CACHE_DIR/bin/k8s-$KUBERNETES_VERSION-etcd-$ETCD_VERSION-helm-$HELM_VERSION-$hash"
}

# The node's runtime and DNS (hack/build-node.sh); their go.mod files pin the same.
CONTAINERD_VERSION=v2.2.10
RUNC_VERSION=v1.4.4
COREDNS_VERSION=v1.14.7

# node_tools_dir prints the folder holding hack/node's binaries (kubelet and the other
# node components, containerd, runc, CoreDNS), keyed like tools_dir by the versions and
# a hash of the modules and the script they are built from.
node_tools_dir() {
  local hash t="$CERTPLANE_REPO_ROOT/hack/tools"
  hash=$(cat "$t"/kubernetes/go.{mod,sum} "$t"/containerd/go.{mod,sum} "$t"/runc/go.{mod,sum} \
    "$t"/coredns/go.{mod,sum} "$CERTPLANE_REPO_ROOT"/hack/build-node.sh <(declare -f kube_ldflags) |
    sha256sum | cut -c1-12)
  echo "$CERTPLANE_CACHE_DIR/bin/node-k8s-$KUBERNETES_VERSION-containerd-$CONTAINERD_VERSION-runc-$RUNC_VERSION-coredns-$COREDNS_VERSION-$hash"
}

# python_tools_dir prints the virtual environment of the Python test tools (moto,
# boto3, Azure's SDK), keyed by their pinned requirements; hack/install-deps.sh makes it.
python_tools_dir() {
  local hash
  hash=$(sha256sum <"$CERTPLANE_REPO_ROOT/hack/tools/python/requirements.txt" | cut -c1-12)
  echo "$CERTPLANE_CACHE_DIR/python-$hash"
}

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# running PID: true while the process exists and is not a zombie (kill -0 succeeds on
# zombies, and an exited server may stay one until its new parent reaps it).
running() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ -n $st && $st != Z* ]]
}

# free_port prints a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
