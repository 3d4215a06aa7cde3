#!/usr/bin/env bash
# Runs every test of certplane, from a fresh Debian machine or a warm one:
#   1. installs the Debian packages (hack/install-deps.sh; quick when present),
#   2. builds kube-apiserver, etcd, kubectl and helm from their Go modules when the
#      cache outside the clone lacks them (hack/build-control-plane.sh),
#   3. builds certplane (release) and runs every tier: unit, integration, e2e, and the
#      fuzzers briefly,
#   4. builds it again with ASan + UBSan and runs the unit and integration tests,
#   5. stops every control plane it started, even when interrupted.
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
step "control-plane binaries"
hack/build-control-plane.sh
step "build (release)"
hack/build.sh release

step "tests (release): unit, integration, e2e, fuzz"
ctest --test-dir build --output-on-failure --no-tests=error -j"${CERTPLANE_TEST_JOBS:-2}" \
  -L 'unit|integration|e2e|fuzz'

step "build (ASan + UBSan)"
hack/build.sh asan
step "tests (ASan + UBSan): unit, integration"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir build-asan --output-on-failure --no-tests=error -j"${CERTPLANE_TEST_JOBS:-2}" \
  -L 'unit|integration'

step "all tests passed"
