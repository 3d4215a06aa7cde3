#!/usr/bin/env bash
# Configures and builds certplane into a build folder, reusing the compiler cache kept
# outside the clone.
#
#   hack/build.sh [release|asan] [target...]   (default: release, every target)
#
# With targets, only those are built (the quickstart builds the controller and the
# plugin, not the tests and benchmarks).
#
# release -> build/       (RelWithDebInfo; every test tier, the controller, benchmarks)
# asan    -> build-asan/  (ASan + UBSan; CI runs the unit and integration tests here)
# Warnings are errors, here as in CI: one setting, so that the quickstart and the tests
# never reconfigure (and rebuild) the same build folder under each other.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

flavour=${1:-release}
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
case $flavour in
  release) dir=build; extra=() ;;
  asan) dir=build-asan; extra=(-DCERTPLANE_SANITIZE=ON -DCERTPLANE_BUILD_BENCH=OFF) ;;
  *) die "unknown build flavour '$flavour' (release or asan)" ;;
esac

export CCACHE_DIR="$CERTPLANE_CACHE_DIR/ccache"
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
# Paths relative to the clone, and no working directory in the hash, so a fresh clone
# in another folder (CI's, a worktree) reuses what an earlier build compiled.
export CCACHE_BASEDIR="$CERTPLANE_REPO_ROOT"
export CCACHE_NOHASHDIR=true
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
werror=ON

cd "$CERTPLANE_REPO_ROOT"
cmake -S . -B "$dir" -G Ninja "${launcher[@]}" -DCERTPLANE_WERROR=$werror "${extra[@]}" >/dev/null
ninja -C "$dir" -j"${CERTPLANE_BUILD_JOBS:-2}" "${targets[@]}"
