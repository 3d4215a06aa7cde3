#!/usr/bin/env bash
# hack/quickstart.sh twice in a row, then down, in a state folder and control plane of
# its own (never a developer's quickstart):
#   - both runs succeed and print the export line;
#   - the second run restarts the controller on the ports the first one chose, so the
#     first run's certificate still passes `openssl verify -crl_check -crl_download`
#     against the CRL URL written into it;
#   - `down` leaves no controller, no etcd, no kube-apiserver, no watchdog and no
#     state behind.
# The quickstart skips installing and building (CERTPLANE_QUICKSTART_SKIP_BUILD): ctest
# runs from the build folder this test was built into, and must not rebuild it.
#
#   tests/e2e/quickstart/quickstart_test.sh BUILD_DIR
set -euo pipefail
build_dir=$1
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
work=$(mktemp -d)
export CERTPLANE_QUICKSTART_DIR="$work/quickstart"
export CERTPLANE_QUICKSTART_SKIP_BUILD=1
export CERTPLANE_QUICKSTART_BUILD_DIR="$build_dir"
# If this test is killed before its trap runs, everything stops by itself.
export CERTPLANE_QUICKSTART_TTL=900
unset KUBECONFIG CERTPLANE_CONTROL_PLANE_DIR

fail() { echo "quickstart_test: FAIL: $*" >&2; exit 1; }
# alive PID: the process exists and is not a zombie (an orphan stays one until reaped).
alive() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ -n $st && $st != Z* ]]
}
cleanup() {
  local rc=$?
  cp "$CERTPLANE_QUICKSTART_DIR/controller.log" "$work/controller.log" 2>/dev/null || true
  "$repo/hack/quickstart.sh" down >"$work/down-on-exit.log" 2>&1 || cat "$work/down-on-exit.log" >&2
  if ((rc != 0)) && [[ -f $work/controller.log ]]; then
    echo "--- controller log (last 40 lines)" >&2
    tail -n 40 "$work/controller.log" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# run_quickstart N: runs it (bounded), keeps its output, checks the export line.
run_quickstart() {
  local n=$1 start=$SECONDS
  if ! timeout 600 "$repo/hack/quickstart.sh" >"$work/run$n.out" 2>"$work/run$n.err"; then
    cat "$work/run$n.err" "$work/run$n.out" >&2
    fail "run $n of hack/quickstart.sh failed"
  fi
  grep -q '^export KUBECONFIG=' "$work/run$n.out" || { cat "$work/run$n.out" >&2; fail "run $n printed no export line"; }
  echo "quickstart_test: run $n took $((SECONDS - start)) s" >&2
}

run_quickstart 1
eval "$(grep '^export KUBECONFIG=' "$work/run1.out")"
first_pid=$(cat "$CERTPLANE_QUICKSTART_DIR/controller.pid")
first_ports=$(cat "$CERTPLANE_QUICKSTART_DIR/ports")
read -r http_port _ <<<"$first_ports"
cp_dir="$CERTPLANE_QUICKSTART_DIR/control-plane"
etcd_pid=$(cat "$cp_dir/etcd.pid")
apiserver_pid=$(cat "$cp_dir/kube-apiserver.pid")
for key in tls.crt ca.crt; do
  timeout 60 kubectl get secret frontend-tls -n shop -o "jsonpath={.data.${key//./\\.}}" | base64 -d >"$work/$key"
done
timeout 30 openssl x509 -in "$work/tls.crt" -noout -ext crlDistributionPoints | grep -q "http://127.0.0.1:$http_port/" ||
  fail "the certificate does not name the controller's port $http_port in its CRL distribution point"

run_quickstart 2
grep -q 'reusing the control plane' "$work/run2.err" || fail "run 2 did not reuse the running control plane"
second_pid=$(cat "$CERTPLANE_QUICKSTART_DIR/controller.pid")
[[ $second_pid != "$first_pid" ]] || fail "run 2 did not restart the controller"
! alive "$first_pid" || fail "run 1's controller (pid $first_pid) is still running"
[[ $(cat "$CERTPLANE_QUICKSTART_DIR/ports") == "$first_ports" ]] || fail "run 2 moved the controller's ports"
# The first run's certificate, checked against the CRL its distribution point names.
timeout 60 openssl verify -crl_check -crl_download -CAfile "$work/ca.crt" -untrusted "$work/tls.crt" "$work/tls.crt" \
  >"$work/verify.out" 2>&1 || { cat "$work/verify.out" >&2; fail "run 1's certificate does not verify against its CRL after run 2"; }
grep -q ': OK' "$work/verify.out" || fail "openssl verify printed no OK: $(cat "$work/verify.out")"
# HTTPS: the URL it names answers, verified with the CA the controller publishes.
read -r _ _ _ https_port <<<"$first_ports"
grep -q "^HTTPS (ACME directories, the bundle API): https://127.0.0.1:$https_port" "$work/run2.out" ||
  fail "run 2 did not name the HTTPS port $https_port: $(cat "$work/run2.out")"
timeout 60 kubectl get configmap certplane-serving-ca -n certplane-system -o 'jsonpath={.data.ca\.crt}' >"$work/serving-ca.crt"
timeout 30 curl -fsS --cacert "$work/serving-ca.crt" -o /dev/null "https://127.0.0.1:$https_port/ca/example-issuing.crt" ||
  fail "https://127.0.0.1:$https_port does not verify with the CA in ConfigMap certplane-serving-ca"

watchdog_pid=$(cat "$CERTPLANE_QUICKSTART_DIR/watchdog.pid")
timeout 120 "$repo/hack/quickstart.sh" down >"$work/down.out" 2>&1 || { cat "$work/down.out" >&2; fail "down failed"; }
for pid in "$second_pid" "$etcd_pid" "$apiserver_pid" "$watchdog_pid"; do
  ! alive "$pid" || fail "process $pid ($(ps -o comm= -p "$pid")) is still running after down"
done
[[ ! -e $CERTPLANE_QUICKSTART_DIR ]] || fail "down left $CERTPLANE_QUICKSTART_DIR behind"
if ss -ltnH 2>/dev/null | grep -q "127.0.0.1:$http_port "; then fail "something still listens on $http_port after down"; fi
echo "quickstart_test: two runs, the first run's certificate verified against its CRL after the second, down clean" >&2
