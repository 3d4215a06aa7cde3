#!/usr/bin/env bash
# hack/clang-tidy-cached.py skips a file only when it was clean and none of its inputs
# changed: this runs it on a two-file project in a scratch folder and checks each way
# a finding could hide behind a stale record (the file, a header it includes, the
# flags, the checks), and that an unchanged clean file is really skipped.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
script="$repo/hack/clang-tidy-cached.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src="$work/src" build="$work/build" cache="$work/cache"
mkdir -p "$src" "$build"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

cat >"$work/tidy.yaml" <<'YAML'
Checks: '-*,bugprone-use-after-move'
WarningsAsErrors: '*'
HeaderFilterRegex: '.*'
YAML
clean_header='#pragma once
#include <string>
#include <utility>
inline std::string Twice(std::string s) { return s + s; }'
moved_header='#pragma once
#include <string>
#include <utility>
inline std::string Twice(std::string s) { std::string t = std::move(s); return t + s; }'
printf '%s\n' "$clean_header" >"$src/twice.h"
cat >"$src/main.cpp" <<'CPP'
#include <string>
#include <utility>
#include "twice.h"
int main() {
  std::string a = "x";
  std::string b = std::move(a);
  return static_cast<int>(Twice(b).size() + a.size());
}
CPP
write_commands() {  # $1: extra flag
  cat >"$build/compile_commands.json" <<JSON
[{"directory": "$build", "file": "$src/main.cpp",
  "command": "/usr/bin/c++ -std=c++20 -I$src $1 -o main.o -c $src/main.cpp"}]
JSON
}
write_commands ""

# run EXPECTED_STATUS EXPECTED_SUMMARY: runs the checker and compares its exit status
# and the summary line it prints last.
run() {
  local status=0 out
  out=$(python3 "$script" --build "$build" --cache "$cache" --config "$work/tidy.yaml" --jobs 1 \
    "$src/main.cpp" 2>&1) || status=$?
  [[ $status == "$1" ]] || fail "exit status $status, wanted $1; output: $out"
  [[ $out == *"$2"* ]] || fail "wanted '$2' in the output: $out"
  printf '%s\n' "$out"
}

echo "--- a finding fails the run and leaves no record"
[[ $(run 1 "1 with findings") == *"bugprone-use-after-move"* ]] || fail "the finding was not printed"
run 1 "0 unchanged since a clean check" >/dev/null

echo "--- once the file is clean, the next run skips it"
sed -i 's/std::string b = std::move(a);/std::string b = a;/' "$src/main.cpp"
run 0 "0 unchanged since a clean check, 0 with findings" >/dev/null
run 0 "1 unchanged since a clean check, 0 with findings" >/dev/null

echo "--- a finding brought in by an included header is found despite the record"
printf '%s\n' "$moved_header" >"$src/twice.h"
[[ $(run 1 "0 unchanged since a clean check, 1 with findings") == *"twice.h"* ]] || fail "the header's finding was not printed"
printf '%s\n' "$clean_header" >"$src/twice.h"
run 0 "1 unchanged since a clean check" >/dev/null

echo "--- other flags or other checks check the file again"
write_commands "-DOTHER=1"
run 0 "0 unchanged since a clean check" >/dev/null
# A check added to the configuration finds what the old checks passed: Twice() copies
# its parameter only to read it.
sed -i "s/^Checks: .*/Checks: '-*,bugprone-use-after-move,performance-unnecessary-value-param'/" "$work/tidy.yaml"
[[ $(run 1 "0 unchanged since a clean check, 1 with findings") == *"performance-unnecessary-value-param"* ]] ||
  fail "the new check's finding was not printed"
# Editing only a comment of the configuration keeps the records.
sed -i "s/^Checks: .*/Checks: '-*,bugprone-use-after-move'/" "$work/tidy.yaml"
run 0 "1 unchanged since a clean check" >/dev/null
printf '%s\n' "# a comment" >>"$work/tidy.yaml"
run 0 "1 unchanged since a clean check" >/dev/null

echo "--- a file missing from compile_commands.json is a finding, not a silent skip"
touch "$src/other.cpp"
status=0
out=$(python3 "$script" --build "$build" --cache "$cache" --config "$work/tidy.yaml" "$src/other.cpp" 2>&1) || status=$?
[[ $status == 1 && $out == *"not in"*"compile_commands.json"* ]] || fail "missing entry: status $status, output: $out"
echo "PASS"
