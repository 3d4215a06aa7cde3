#!/usr/bin/env bash
# run-fuzzers.sh AREA [seconds-per-target]
#
# Builds the libFuzzer targets of one fuzz area (tests/fuzz/AREA: pki, acme) with
# clang-14 (-fsanitize=fuzzer,address,undefined) in their own build folder, then runs
# each target for the given number of seconds (default 20) starting from the area's
# checked-in corpus (corpus/seeds and corpus/malformed). Fails if any target crashes,
# leaks, trips a sanitizer or times out on one input; the input that did it is saved in
# the build folder and named in the output. Prints one line per target with its
# executions. The targets are the ones the area's CMakeLists.txt declares
# (certplane_add_fuzz_area); each area's run-fuzzers.sh calls this with its name.
#
# Environment: CERTPLANE_FUZZ_BUILD_DIR (default <repo>/build-fuzz, git-ignored),
# CERTPLANE_FUZZ_CC / CERTPLANE_FUZZ_CXX (default clang-14 / clang++-14).
set -euo pipefail

usage() { echo "usage: $0 AREA [seconds-per-target]" >&2; exit 2; }
area="${1:-}"
seconds="${2:-20}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[[ -n "$area" && -f "$here/$area/CMakeLists.txt" ]] || usage
[[ "$seconds" =~ ^[0-9]+$ ]] || usage
repo="$(cd "$here/../.." && pwd)"
build="${CERTPLANE_FUZZ_BUILD_DIR:-$repo/build-fuzz}"
cc="${CERTPLANE_FUZZ_CC:-clang-14}"
cxx="${CERTPLANE_FUZZ_CXX:-clang++-14}"
# Where a target's saved corpus, artifacts and log go: the PKI area came first and kept
# the bare target names, so the inputs found by earlier runs carry over.
prefix="$area-"
[[ "$area" == pki ]] && prefix=""

command -v "$cxx" >/dev/null || { echo "run-fuzzers: $cxx not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 1; }

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" "${launcher[@]}" \
  -DCERTPLANE_BUILD_FUZZ=ON -DCERTPLANE_SANITIZE=ON -DCERTPLANE_BUILD_BENCH=OFF -DCERTPLANE_WERROR=ON >/dev/null
ninja -C "$build" "${area}_fuzzers"
mapfile -t targets <"$build/tests/fuzz/$area/fuzz-targets.txt"

failed=0
summary=()
for target in "${targets[@]}"; do
  binary="$build/tests/fuzz/$area/fuzz_${area}_$target"
  work="$build/fuzz-corpus/$prefix$target"        # new inputs libFuzzer finds; kept between runs
  artifacts="$build/fuzz-artifacts/$prefix$target"
  log="$build/fuzz-logs/$prefix$target.log"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  echo "run-fuzzers: $target for ${seconds}s" >&2
  status=0
  # -timeout: one input taking 10 s is a bug (a hang), not slowness.
  "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$work" "$here/$area/corpus/seeds" "$here/$area/corpus/malformed" >"$log" 2>&1 || status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  if ((status != 0)); then
    failed=1
    summary+=("$(printf '%-10s FAILED (exit %d) after %s executions; see %s' "$target" "$status" "$runs" "$log")")
    grep -E 'ERROR|SUMMARY|Test unit written|invariant broken' "$log" | head -20 >&2 || true
  else
    summary+=("$(printf '%-10s ok  %8s executions in %ss' "$target" "$runs" "$seconds")")
  fi
done

printf '%s\n' "${summary[@]}"
if ((failed)); then
  echo "run-fuzzers: a target failed" >&2
  exit 1
fi
echo "run-fuzzers: ${#targets[@]} targets, no crash"
