# Shared by the benchmarks that need a cluster: a private control plane with the CRDs
# and the namespaces certplane-system and bench, and the controller on free loopback
# ports. Everything stops and is removed when the script exits.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
#   bench_up                                  # sets work, KUBECONFIG, PATH
#   bench_start_controller --kube-api-qps 500 # sets controller_pid, public_base_url
# Source hack/lib.sh first.

bench_up() {
  local bin
  bin=$(hack/build-control-plane.sh)
  export PATH="$bin:$PATH"
  work=$(mktemp -d)
  export CERTPLANE_CONTROL_PLANE_DIR="$work/control-plane" CERTPLANE_CONTROL_PLANE_TTL=3600
  controller_pid=
  trap bench_cleanup EXIT
  eval "$(hack/control-plane up 2>/dev/null)"
  kubectl apply --server-side -f crds/ >/dev/null
  kubectl wait --for=condition=Established --timeout=60s -f crds/ >/dev/null
  kubectl create namespace certplane-system >/dev/null
  kubectl create namespace bench >/dev/null
}

bench_cleanup() {
  [[ -n ${controller_pid:-} ]] && kill -TERM "$controller_pid" 2>/dev/null && wait "$controller_pid" 2>/dev/null
  hack/control-plane down >/dev/null 2>&1 || true
  rm -rf "$work"
}

# Starts build/controller/certplane-controller with the given extra flags; its log is
# $work/controller.log.
bench_start_controller() {
  local p1 p2 p3
  read -r p1 p2 p3 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
  public_base_url="http://127.0.0.1:$p1"
  build/controller/certplane-controller --kubeconfig "$KUBECONFIG" --namespace certplane-system --leader-elect=false \
    --http-bind-address "127.0.0.1:$p1" --health-probe-bind-address "127.0.0.1:$p2" \
    --metrics-bind-address "127.0.0.1:$p3" --public-base-url "$public_base_url" "$@" >"$work/controller.log" 2>&1 &
  controller_pid=$!
}
