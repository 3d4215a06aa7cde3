#!/usr/bin/env bash
# What the node tests share: a node of their own (hack/node up in a fresh state folder,
# taken down on exit even when the test fails), the controller and openssl images
# built by hack/image.sh and loaded into the node, the chart installed with them, and
# small waits. Sourced by the tests under tests/e2e/node*/.
#
#   source tests/e2e/node/lib.sh
#   node_up [kube-apiserver flags...]      # also sets $kubectl, $helm, $work
#   controller_image=$(build_image controller)
#   install_chart "$controller_image" [helm flags...]
# shellcheck shell=bash
set -euo pipefail
node_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
# shellcheck source=../../../hack/lib.sh
source "$node_repo/hack/lib.sh"

test_name=$(basename "${BASH_SOURCE[1]}" .sh)
say() { echo "$test_name: $*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
# A measurement the test reports (ctest -V shows it; CI's log keeps it).
report() { echo "$test_name: MEASURED $*" >&2; }

work=$(mktemp -d "/tmp/certplane-$test_name.XXXXXX")
export CERTPLANE_NODE_DIR=$work/node
# If the test is killed before its trap runs, the node takes itself down.
export CERTPLANE_NODE_TTL=${CERTPLANE_NODE_TTL:-2400}
unset KUBECONFIG CERTPLANE_CONTROL_PLANE_DIR CERTPLANE_NODE_CONTAINERD_ADDRESS
kubectl=$(tools_dir)/kubectl
helm=$(tools_dir)/helm
release_ns=certplane-system

# On failure: what a person needs to see, then the node goes down either way.
node_test_cleanup() {
  local rc=$?
  if ((rc != 0)) && [[ -n ${KUBECONFIG:-} ]]; then
    {
      echo "--- pods"
      "$kubectl" get pods -A -o wide 2>&1 || true
      echo "--- certplane's events"
      "$kubectl" get events -n "$release_ns" --sort-by=.lastTimestamp 2>&1 | tail -n 30 || true
      for pod in $("$kubectl" get pods -n "$release_ns" -o name 2>/dev/null); do
        echo "--- $pod (last 40 lines)"
        "$kubectl" logs -n "$release_ns" "$pod" --tail=40 2>&1 || true
        "$kubectl" logs -n "$release_ns" "$pod" --previous --tail=20 2>/dev/null || true
      done
    } >&2
  fi
  "$node_repo/hack/node" down >"$work/down-on-exit.log" 2>&1 || cat "$work/down-on-exit.log" >&2
  rm -rf "$work"
}
trap node_test_cleanup EXIT

# node_up [kube-apiserver flags...]: a node of this test's own, KUBECONFIG exported.
node_up() {
  local start=$SECONDS
  CERTPLANE_NODE_APISERVER_EXTRA_ARGS="$*" "$node_repo/hack/node" up >"$work/up.out" 2>"$work/up.err" ||
    { cat "$work/up.err" >&2; fail "hack/node up failed"; }
  eval "$(cat "$work/up.out")"
  say "node up in $((SECONDS - start)) s"
}

# build_image controller|openssl: builds (or finds in the layer cache) the image, loads
# it into the node, prints its reference NAME:TAG.
build_image() {
  local which=$1 args=() start=$SECONDS ref
  shift
  case $which in
    controller) ;;
    openssl)
      args=(--file "$node_repo/tests/e2e/node/images/openssl/Dockerfile"
        --context "$node_repo/tests/e2e/node/images/openssl" --name certplane-openssl) ;;
    *) fail "build_image: unknown image $which" ;;
  esac
  "$node_repo/hack/image.sh" "${args[@]}" "$@" >"$work/image-$which.out" 2>"$work/image-$which.err" ||
    { tail -n 40 "$work/image-$which.err" >&2; fail "hack/image.sh $which failed"; }
  ref=$(tail -n 1 "$work/image-$which.out")
  say "image $ref built and loaded in $((SECONDS - start)) s"
  echo "$ref"
}

# install_chart REFERENCE [helm flags...]: the chart from this tree, with that image,
# waiting until both replicas are Ready.
install_chart() {
  local ref=$1 start=$SECONDS
  shift
  "$helm" install certplane "$node_repo/charts/certplane" -n "$release_ns" --create-namespace \
    --set image.repository="${ref%:*}" --set-string image.tag="${ref##*:}" --wait --timeout 5m "$@" \
    >"$work/helm-install.log" 2>&1 || { cat "$work/helm-install.log" >&2; fail "helm install failed"; }
  say "helm install --wait: $((SECONDS - start)) s"
}

# wait_until SECONDS DESCRIPTION COMMAND...: runs COMMAND every half second until it
# succeeds; fails the test with DESCRIPTION after SECONDS.
wait_until() {
  local limit=$1 what=$2 start=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS - start < limit)) || fail "$what: not within $limit s"
    sleep 0.5
  done
}

# The controller pods' names, and the one holding the Lease.
controller_pods() {
  "$kubectl" get pods -n "$release_ns" -l app.kubernetes.io/name=certplane \
    --field-selector=status.phase=Running -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'
}
lease_holder() {
  "$kubectl" get lease certplane-controller -n "$release_ns" -o jsonpath='{.spec.holderIdentity}' 2>/dev/null
}

# The host PID of a pod's controller process: the certplane-controller whose cgroup
# names the pod's UID (the node uses the cgroupfs driver: .../pod<uid>/<container>).
controller_pid() {
  local uid pid
  uid=$("$kubectl" get pod -n "$release_ns" "$1" -o jsonpath='{.metadata.uid}')
  for pid in $(pgrep -x certplane-contr || true); do
    grep -q "pod$uid" "/proc/$pid/cgroup" 2>/dev/null && { echo "$pid"; return 0; }
  done
  return 1
}

# Certificates whose Ready condition is True, in a namespace.
ready_certificates() {
  "$kubectl" get cpcert -n "$1" \
    -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    grep -c '^True$' || true
}

# Conditions for wait_until.
at_least_ready() { (($(ready_certificates "$1") >= $2)); }   # NAMESPACE COUNT
lease_held() { [[ -n $(lease_holder) ]]; }
lease_moved_from() { local h; h=$(lease_holder); [[ -n $h && $h != "$1" ]]; }   # OLD-HOLDER
replicas_ready() { # COUNT
  [[ $("$kubectl" get deployment certplane -n "$release_ns" -o jsonpath='{.status.readyReplicas}') == "$1" ]]
}
