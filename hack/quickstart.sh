#!/usr/bin/env bash
# Brings certplane up on a local control plane and shows it working.
#
#   hack/quickstart.sh         install deps, build, start etcd + kube-apiserver on
#                              loopback, install the CRDs, start the controller, apply
#                              the examples, wait until they are Ready, verify the
#                              frontend certificate with openssl; leaves it all running
#   hack/quickstart.sh down    stop everything it started and remove its state
#
# The last two lines it prints are the `export KUBECONFIG=...` to use the cluster and
# the command that stops it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CERTPLANE_REPO_ROOT"

state="$CERTPLANE_CACHE_DIR/quickstart"
export CERTPLANE_CONTROL_PLANE_DIR="$state/control-plane"
controller_pid_file="$state/controller.pid"
controller_log="$state/controller.log"

stop_controller() {
  [[ -f $controller_pid_file ]] || return 0
  local pid
  pid=$(cat "$controller_pid_file")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$controller_pid_file"
}

if [[ ${1:-} == down ]]; then
  stop_controller
  hack/control-plane down
  rm -rf "$state"
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
mkdir -p "$state"

if hack/control-plane env >/dev/null 2>&1; then
  say "reusing the control plane already running in $CERTPLANE_CONTROL_PLANE_DIR"
  eval "$(hack/control-plane env)"
else
  say "starting etcd and kube-apiserver on loopback"
  eval "$(hack/control-plane up)"
fi
export PATH="$bin:$PATH"

say "installing the CRDs"
kubectl apply --server-side --force-conflicts -f crds/ >&2
kubectl wait --for=condition=Established --timeout=60s -f crds/ >/dev/null

# The controller runs out of cluster with the admin kubeconfig. Its HTTP port serves
# the CA certificates named in every certificate's AIA, so the URLs work here.
stop_controller
read -r port health_port metrics_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
kubectl create namespace certplane-system --dry-run=client -o yaml | kubectl apply -f - >/dev/null
say "starting the controller (log: $controller_log)"
setsid build/controller/certplane-controller --kubeconfig "$KUBECONFIG" --namespace certplane-system \
  --leader-elect=false --http-bind-address "127.0.0.1:$port" --public-base-url "http://127.0.0.1:$port" \
  --health-probe-bind-address "127.0.0.1:$health_port" --metrics-bind-address "127.0.0.1:$metrics_port" \
  </dev/null >"$controller_log" 2>&1 &
echo $! >"$controller_pid_file"

say "applying the examples"
kubectl apply -f examples/ >&2
wait_ready() { # kind name [namespace]
  local args=("$1" "$2")
  [[ -n ${3:-} ]] && args+=(-n "$3")
  kubectl wait --for=condition=Ready --timeout=90s "${args[@]}" >/dev/null ||
    die "$1/$2 did not become Ready; see $controller_log"
}
wait_ready certificateauthority example-root
wait_ready certificateauthority example-issuing
wait_ready certificateprofile web
wait_ready certificate frontend shop

echo >&2
kubectl get certificateauthorities,certificatetemplates,certificateprofiles >&2
echo >&2
kubectl get certificates -n shop >&2
echo >&2

say "verifying shop/frontend-tls with openssl"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for key in tls.crt ca.crt; do
  kubectl get secret frontend-tls -n shop -o "jsonpath={.data.${key//./\\.}}" | base64 -d >"$tmp/$key"
done
openssl verify -CAfile "$tmp/ca.crt" -untrusted "$tmp/tls.crt" "$tmp/tls.crt" >&2
openssl x509 -in "$tmp/tls.crt" -noout -subject -issuer -enddate -ext subjectAltName,crlDistributionPoints >&2

# The leaf names its issuing CA's CRL, served by the controller: openssl fetches it.
say "checking shop/frontend-tls against its CA's CRL (openssl -crl_check -crl_download)"
kubectl wait --for=jsonpath='{.status.crl.number}' --timeout=60s cpca/example-issuing >/dev/null 2>&1 || true
openssl verify -crl_check -crl_download -CAfile "$tmp/ca.crt" -untrusted "$tmp/tls.crt" "$tmp/tls.crt" >&2

echo
echo "certplane is running on a local control plane (controller log: $controller_log). Use it with:"
echo "export KUBECONFIG=$KUBECONFIG PATH=\"$bin:\$PATH\""
echo "hack/quickstart.sh down"
