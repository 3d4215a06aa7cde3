#!/usr/bin/env bash
# Runs every test of certplane, from a fresh Debian machine or a warm one:
#   1. installs the Debian packages (hack/install-deps.sh; quick when present),
#   2. lints (hack/lint.sh: shellcheck over every script, clang-format over the C++); a
#      finding fails the run,
#   3. builds kube-apiserver, etcd, kubectl and helm from their Go modules when the
#      cache outside the clone lacks them (hack/build-control-plane.sh),
#   4. builds certplane (release) and runs every tier: unit, integration, e2e, and the
#      fuzzers briefly,
#   5. builds the node's binaries (hack/build-node.sh: kubelet, containerd, runc,
#      CoreDNS ...; cached like the control plane's) and runs the node tier (ctest label
#      `node`): hack/node, the image hack/image.sh builds, the chart installed on the
#      node with workloads mounting its Secrets, an upgrade and failover,
#   6. builds it again with ASan + UBSan and runs the unit and integration tests,
#   7. stops every control plane and node it started, even when interrupted.
# CERTPLANE_TEST_NODE=0 leaves out step 5 on a developer's machine (the node needs root
# and takes over the machine's iptables); CI ignores it and always runs the node tier.
# .ci/run calls exactly this.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CERTPLANE_REPO_ROOT"
started=$SECONDS
step() { echo; echo "== $* ($((SECONDS - started)) s)"; }

cleanup() {
  for dir in build build-asan; do
    CERTPLANE_CONTROL_PLANE_DIR="$CERTPLANE_REPO_ROOT/$dir/test-control-plane" \
      hack/control-plane down >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "dependencies"
hack/install-deps.sh
step "lint"
hack/lint.sh
step "control-plane binaries"
hack/build-control-plane.sh
step "build (release)"
hack/build.sh release

# A skipped test is a failure here: a missing tool is an install step, and gtest
# reports a failed SetUpTestSuite as "skipped", which must not pass unnoticed.
run_ctest() { # build-dir label-regex
  local log="$1/ctest-last.log"
  ctest --test-dir "$1" --output-on-failure --no-tests=error -j"${CERTPLANE_TEST_JOBS:-2}" -L "$2" 2>&1 |
    tee "$log"
  local rc=${PIPESTATUS[0]}
  if grep -q '\*\*\*Skipped' "$log"; then
    echo "test.sh: some tests were skipped (see above); skipping is not allowed" >&2
    return 1
  fi
  return "$rc"
}

step "tests (release): unit, integration, e2e, fuzz"
run_ctest build 'unit|integration|e2e|fuzz'

if [[ ${CI:-} == true || ${CERTPLANE_TEST_NODE:-1} != 0 ]]; then
  step "node binaries (hack/build-node.sh)"
  hack/build-node.sh
  step "tests (release): node"
  run_ctest build node
fi

step "build (ASan + UBSan)"
hack/build.sh asan
step "tests (ASan + UBSan): unit, integration"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
run_ctest build-asan 'unit|integration'

step "all tests passed"
