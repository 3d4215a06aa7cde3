#!/usr/bin/env bash
# Informer memory per 10,000 objects (full and metadata-only) and watch events per
# second, against a private control plane that this script starts and stops.
#
#   hack/bench/kube/run.sh [BUILD_DIR] [--objects=N]
#
# Results are printed and written to hack/bench/out/kube.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
build="${1:-$root/build}"
shift || true
ninja -C "$build" kube_informer_bench >/dev/null
state="$(mktemp -d)"
export CERTPLANE_CONTROL_PLANE_DIR="$state/control-plane"
export CERTPLANE_CONTROL_PLANE_TTL=1800  # stops itself even if this script is killed
trap '"$root/hack/control-plane" down >/dev/null 2>&1 || true; rm -rf "$state"' EXIT
eval "$("$root/hack/control-plane" up)"
mkdir -p "$root/hack/bench/out"
"$build/hack/bench/kube/kube_informer_bench" "$@" | tee "$root/hack/bench/out/kube.txt"
