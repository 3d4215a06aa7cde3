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
#
# Run it again while it is up and it reuses the control plane and restarts the
# controller on the same ports: the ports are chosen once and kept in the state
# folder, because every certificate issued names them in its CRL distribution point
# and AIA. Every command that talks to a server is bounded by a timeout, so it never
# hangs.
#
# Environment:
#   CERTPLANE_QUICKSTART_DIR         its state (control plane, controller pid, log,
#                                    ports); default $CERTPLANE_CACHE_DIR/quickstart.
#                                    Tests use their own, so they never touch yours.
#   CERTPLANE_QUICKSTART_SKIP_BUILD  set to 1 when the caller already installed the
#                                    dependencies and built certplane and the control
#                                    plane (a test running from the build folder must
#                                    not rebuild that folder under ctest)
#   CERTPLANE_QUICKSTART_BUILD_DIR   the build folder holding the controller; default
#                                    build/ in the clone
#   CERTPLANE_QUICKSTART_TTL         seconds after which it runs `down` by itself
#                                    (tests set it, in case they are killed)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CERTPLANE_REPO_ROOT"

state="${CERTPLANE_QUICKSTART_DIR:-$CERTPLANE_CACHE_DIR/quickstart}"
build_dir="${CERTPLANE_QUICKSTART_BUILD_DIR:-build}"
controller_bin="$build_dir/controller/certplane-controller"
export CERTPLANE_CONTROL_PLANE_DIR="$state/control-plane"
controller_pid_file="$state/controller.pid"
controller_log="$state/controller.log"
ports_file="$state/ports"
watchdog_pid_file="$state/watchdog.pid"

say() { echo "quickstart: $*" >&2; }

# ours PID: true if PID is a certplane-controller (a pid file may outlive its process,
# and the number may since belong to someone else).
ours() {
  running "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q 'certplane-controller'
}

stop_controller() {
  [[ -f $controller_pid_file ]] || return 0
  local pid
  pid=$(cat "$controller_pid_file")
  if ours "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do running "$pid" || break; sleep 0.1; done
    if running "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do running "$pid" || break; sleep 0.1; done
    fi
    running "$pid" && die "the previous controller (pid $pid) did not stop"
  fi
  rm -f "$controller_pid_file"
}

stop_watchdog() {
  [[ -f $watchdog_pid_file ]] || return 0
  local pid
  pid=$(cat "$watchdog_pid_file")
  # The watchdog runs `exec hack/quickstart.sh down`: then its pid is ours, and it
  # must not kill itself before it finishes.
  if [[ $pid != "$$" ]] && running "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  fi
  rm -f "$watchdog_pid_file"
}

if [[ ${1:-} == down ]]; then
  stop_watchdog
  stop_controller
  hack/control-plane down
  rm -rf "$state"
  exit 0
fi
[[ -z ${1:-} ]] || die "usage: hack/quickstart.sh [down]"

if [[ ${CERTPLANE_QUICKSTART_SKIP_BUILD:-} == 1 ]]; then
  say "skipping dependencies and builds (CERTPLANE_QUICKSTART_SKIP_BUILD=1)"
  bin=$(tools_dir)
  for b in kubectl kube-apiserver etcd; do
    [[ -x $bin/$b ]] || die "$bin/$b is not built; run hack/build-control-plane.sh"
  done
  [[ -x $controller_bin ]] || die "$controller_bin is not built; run hack/build.sh release"
else
  say "installing dependencies (Debian packages)"
  hack/install-deps.sh
  # Only what the quickstart runs: helm, zlint and promtool, the tests and the
  # benchmarks are hack/test.sh's to build.
  say "building etcd, kube-apiserver and kubectl from their Go modules (cached after the first time)"
  bin=$(hack/build-control-plane.sh etcd kube-apiserver kubectl)
  say "building certplane (the controller and the kubectl plugin)"
  hack/build.sh release certplane-controller kubectl-certplane >/dev/null
fi
mkdir -p "$state"

if hack/control-plane env >/dev/null 2>&1; then
  say "reusing the control plane already running in $CERTPLANE_CONTROL_PLANE_DIR"
  eval "$(hack/control-plane env)"
else
  say "starting etcd and kube-apiserver on loopback"
  eval "$(hack/control-plane up)"
fi
export PATH="$bin:$PATH"

if [[ -n ${CERTPLANE_QUICKSTART_TTL:-} ]]; then
  stop_watchdog
  setsid bash -c "sleep '$CERTPLANE_QUICKSTART_TTL'; CERTPLANE_QUICKSTART_DIR='$state' exec '$CERTPLANE_REPO_ROOT/hack/quickstart.sh' down" \
    </dev/null >/dev/null 2>&1 &
  echo $! >"$watchdog_pid_file"
fi

# Bounds for everything that talks to a server: a request that hangs fails the
# quickstart with a reason instead of blocking it.
kube() { timeout 120 kubectl --request-timeout=60s "$@"; }
kube_wait() { timeout 150 kubectl wait "$@"; }  # each call passes its own --timeout, below 150 s

say "installing the CRDs"
kube apply --server-side --force-conflicts -f crds/ >&2
kube_wait --for=condition=Established --timeout=60s -f crds/ >/dev/null

# The controller runs out of cluster with the admin kubeconfig. Its HTTP port serves
# the CRLs and CA certificates named in every certificate's CRL distribution point and
# AIA, so those URLs work here, and they must keep working across reruns: the ports
# are chosen once and reused.
stop_controller
port_free() {
  python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try: s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError: sys.exit(1)' "$1"
}
if [[ -f $ports_file ]]; then
  read -r port health_port metrics_port https_port <"$ports_file"
  # A ports file from before HTTPS has three ports: give it a fourth.
  if [[ -z ${https_port:-} ]]; then
    https_port=$(free_port)
    echo "$port $health_port $metrics_port $https_port" >"$ports_file"
  fi
  for p in "$port" "$health_port" "$metrics_port" "$https_port"; do
    port_free "$p" || die "port $p, which earlier certificates name in their CRL and CA URLs, is in use by another process; free it, or start afresh with 'hack/quickstart.sh down'"
  done
  say "restarting the controller on its ports $port (http), $https_port (https), $health_port (health), $metrics_port (metrics)"
else
  read -r port health_port metrics_port https_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
  echo "$port $health_port $metrics_port $https_port" >"$ports_file"
fi
kube create namespace certplane-system --dry-run=client -o yaml | kube apply -f - >/dev/null
say "starting the controller (log: $controller_log)"
setsid "$controller_bin" --kubeconfig "$KUBECONFIG" --namespace certplane-system \
  --leader-elect=false --http-bind-address "127.0.0.1:$port" --public-base-url "http://127.0.0.1:$port" \
  --health-probe-bind-address "127.0.0.1:$health_port" --metrics-bind-address "127.0.0.1:$metrics_port" \
  --https-bind-address "127.0.0.1:$https_port" --https-ip-addresses 127.0.0.1 \
  </dev/null >"$controller_log" 2>&1 &
controller_pid=$!
echo "$controller_pid" >"$controller_pid_file"
deadline=$((SECONDS + 60))
until curl -fsS --max-time 2 "http://127.0.0.1:$health_port/readyz" >/dev/null 2>&1; do
  running "$controller_pid" || die "the controller exited during start-up: $(tail -n 3 "$controller_log")"
  ((SECONDS < deadline)) || die "the controller was not ready within 60 s; see $controller_log"
  sleep 0.2
done

say "applying the examples"
kube apply -f examples/ >&2
wait_ready() { # kind name [namespace]
  local args=("$1" "$2")
  [[ -n ${3:-} ]] && args+=(-n "$3")
  kube_wait --for=condition=Ready --timeout=90s "${args[@]}" >/dev/null ||
    die "$1/$2 did not become Ready; see $controller_log"
}
wait_ready certificateauthority example-root
wait_ready certificateauthority example-issuing
wait_ready certificateprofile web
wait_ready certificate frontend shop

echo >&2
kube get certificateauthorities,certificatetemplates,certificateprofiles >&2
echo >&2
kube get certificates -n shop >&2
echo >&2

say "verifying shop/frontend-tls with openssl"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for key in tls.crt ca.crt; do
  kube get secret frontend-tls -n shop -o "jsonpath={.data.${key//./\\.}}" | base64 -d >"$tmp/$key"
done
timeout 30 openssl verify -CAfile "$tmp/ca.crt" -untrusted "$tmp/tls.crt" "$tmp/tls.crt" >&2
timeout 30 openssl x509 -in "$tmp/tls.crt" -noout -subject -issuer -enddate -ext subjectAltName,crlDistributionPoints >&2

# The leaf names its issuing CA's CRL, served by the controller: openssl fetches it.
# openssl retries a refused connection without end, hence the timeout.
say "checking shop/frontend-tls against its CA's CRL (openssl -crl_check -crl_download)"
kube_wait --for=jsonpath='{.status.crl.number}' --timeout=60s cpca/example-issuing >/dev/null 2>&1 || true
timeout 30 openssl verify -crl_check -crl_download -CAfile "$tmp/ca.crt" -untrusted "$tmp/tls.crt" "$tmp/tls.crt" >&2 ||
  die "openssl could not check shop/frontend-tls against the CRL its certificate names (exit $?); see $controller_log"

# ACME and the bundle API answer over HTTPS, with a serving certificate the controller
# issued itself; clients trust the CA it publishes in ConfigMap certplane-serving-ca.
say "checking the HTTPS port with the CA the controller publishes (ConfigMap certplane-serving-ca)"
# (kubectl wait fails at once on an object that does not exist yet, so first wait for it.)
deadline=$((SECONDS + 60))
until kube get configmap certplane-serving-ca -n certplane-system >/dev/null 2>&1; do
  ((SECONDS < deadline)) || die "the controller did not publish its serving CA in ConfigMap certplane-serving-ca; see $controller_log"
  sleep 0.5
done
kube_wait --for=jsonpath='{.data.ca\.crt}' --timeout=60s configmap/certplane-serving-ca -n certplane-system >/dev/null ||
  die "the controller did not publish its serving CA in ConfigMap certplane-serving-ca; see $controller_log"
kube get configmap certplane-serving-ca -n certplane-system -o 'jsonpath={.data.ca\.crt}' >"$tmp/serving-ca.crt"
deadline=$((SECONDS + 60))
until curl -fsS --max-time 5 --cacert "$tmp/serving-ca.crt" -o /dev/null "https://127.0.0.1:$https_port/ca/example-issuing.crt"; do
  ((SECONDS < deadline)) || die "https://127.0.0.1:$https_port did not verify with the published CA; see $controller_log"
  sleep 0.5
done

echo
echo "HTTPS (ACME directories, the bundle API): https://127.0.0.1:$https_port, trusting the CA in"
echo "  kubectl get configmap certplane-serving-ca -n certplane-system -o 'jsonpath={.data.ca\.crt}'"
echo "HTTP (CRLs, CA certificates): http://127.0.0.1:$port"
echo "certplane is running on a local control plane (controller log: $controller_log). Use it with:"
echo "export KUBECONFIG=$KUBECONFIG PATH=\"$bin:\$PATH\""
if [[ -n ${CERTPLANE_QUICKSTART_DIR:-} ]]; then
  echo "CERTPLANE_QUICKSTART_DIR=$CERTPLANE_QUICKSTART_DIR hack/quickstart.sh down"
else
  echo "hack/quickstart.sh down"
fi
