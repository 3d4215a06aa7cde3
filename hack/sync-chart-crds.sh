#!/usr/bin/env bash
# The chart ships the CRDs as copies of crds/ (Helm reads a chart's crds/ folder and
# cannot reach outside the chart). crds/ is the one source: edit there, then sync.
#
#   hack/sync-chart-crds.sh            copy crds/*.yaml to charts/certplane/crds/ and
#                                      remove chart CRDs that crds/ no longer has
#   hack/sync-chart-crds.sh --check    change nothing; exit 1 naming every file that
#                                      differs, is missing or is extra (tests run this)
#
# Two folders may follow the mode (source, then the chart's copy); the defaults are
# crds/ and charts/certplane/crds/ of this repository.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

check=false
if [[ ${1:-} == --check ]]; then check=true; shift; fi
src=${1:-$CERTPLANE_REPO_ROOT/crds}
dst=${2:-$CERTPLANE_REPO_ROOT/charts/certplane/crds}
[[ -d $src ]] || die "no CRD folder $src"
shopt -s nullglob
sources=("$src"/*.yaml)
((${#sources[@]} > 0)) || die "no CRDs (*.yaml) in $src"

drift=()
for f in "${sources[@]}"; do
  name=$(basename "$f")
  if [[ ! -f $dst/$name ]]; then
    drift+=("missing from the chart: $name")
  elif ! cmp -s "$f" "$dst/$name"; then
    drift+=("differs: $name")
  fi
done
for f in "$dst"/*; do
  name=$(basename "$f")
  [[ -f $src/$name ]] || drift+=("only in the chart: $name")
done

if ((${#drift[@]} == 0)); then
  $check || echo "sync-chart-crds: $dst already matches $src"
  exit 0
fi
if $check; then
  printf 'sync-chart-crds: %s\n' "${drift[@]}" >&2
  echo "sync-chart-crds: the chart's CRDs ($dst) drifted from $src; run hack/sync-chart-crds.sh" >&2
  exit 1
fi
mkdir -p "$dst"
for f in "$dst"/*; do
  [[ -f $src/$(basename "$f") ]] || rm -rf -- "$f"
done
cp -- "${sources[@]}" "$dst/"
printf 'sync-chart-crds: %s (fixed)\n' "${drift[@]}"
