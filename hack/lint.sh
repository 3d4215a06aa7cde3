#!/usr/bin/env bash
# Lints certplane and fails on any finding; hack/test.sh runs it first, so CI does too.
#
#   hack/lint.sh            every check
#   hack/lint.sh shell      only the named checks
#   hack/lint.sh --fix      rewrite what a check can fix by itself (format), then lint
#
# Checks:
#   shell  shellcheck over every shell script: *.sh, *.bash, and any other file whose
#          first line is an sh, bash, dash or ksh shebang (hack/control-plane, .ci/run).
#          Its settings are in .shellcheckrc, which editors read too.
#   format clang-format-14 over every C++ source and header: a file that would change is a
#          finding, printed as the diff that would fix it (hack/lint.sh --fix applies
#          it). The style is .clang-format.
#   layering the direct links between certplane's libraries (CMake's --graphviz of a
#          throwaway configure) against the graph in docs/layering.md
#          (hack/check-layering.py): an edge the graph does not draw, or an arrow the
#          build no longer has, is a finding.
#   tidy   clang-tidy-14 over every .cpp of src/, controller/, plugin/ and tests/support/
#          with the checks .clang-tidy chooses (it says why each family is in or out),
#          and the flags of the throwaway configure's compile_commands.json. A file that
#          was clean, and none of whose inputs (itself, every header it includes, the
#          flags, .clang-tidy, clang-tidy's version) changed since, is not checked again
#          (hack/clang-tidy-cached.py; records under $CERTPLANE_CACHE_DIR/clang-tidy).
#   threads clang-14's thread-safety analysis (-Wthread-safety -Wthread-safety-beta)
#          over every .cpp that uses base/thread_annotations.h: a member read or written
#          without the mutex it is GUARDED_BY, a REQUIRES or EXCLUDES broken, a lock
#          taken out of its ACQUIRED_AFTER order, is a finding.
#
# Each check is a function lint_NAME that prints its findings and returns non-zero when
# there is one. Every requested check runs even when an earlier one failed; the script
# exits non-zero when any failed. A missing tool fails its check, never skips it. The
# files are the ones git tracks plus new ones it does not ignore, so a fresh clone
# lints the same set and build output is never linted.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CERTPLANE_REPO_ROOT"

log() { echo "lint: $*" >&2; }

# need TOOL: true when TOOL is on PATH; otherwise says how to get it and fails.
need() {
  command -v "$1" >/dev/null && return 0
  log "$1 is not installed; hack/install-deps.sh installs it"
  return 1
}

# repo_files: the files to lint, NUL-separated, each once, as paths from the root.
repo_files() {
  git ls-files -z --cached --others --exclude-standard | sort -zu
}

# shell_scripts: the shell scripts among repo_files, NUL-separated.
shell_scripts() {
  local f first shebang='^#!.*[/[:space:]](ba|da|k)?sh([[:space:]]|$)'
  while IFS= read -r -d '' f; do
    # Skip files deleted in the work tree, and links (their target is linted itself).
    [[ -f $f && ! -L $f ]] || continue
    if [[ $f == *.sh || $f == *.bash ]]; then
      printf '%s\0' "$f"
      continue
    fi
    first=''
    IFS= read -r -n 256 first <"$f" || true  # a file without a newline still gives its start
    if [[ $first =~ $shebang ]]; then printf '%s\0' "$f"; fi
  done < <(repo_files)
}

# Severity: style, shellcheck's default and lowest, so every finding counts. The
# style-level findings in these scripts were real hazards ("A && B || C" runs C when B
# fails; "$var[" reads as an array index), fixing them all cost little, and a finding
# that is a deliberate choice is disabled on its own line with the reason.
lint_shell() {
  need shellcheck || return 1
  local scripts=()
  mapfile -d '' scripts < <(shell_scripts)
  if ((${#scripts[@]} == 0)); then
    log "found no shell scripts to check"
    return 1
  fi
  log "shellcheck $(shellcheck --version | sed -n 's/^version: //p') over ${#scripts[@]} scripts"
  shellcheck --severity=style -- "${scripts[@]}"
}

# cxx_sources: the C++ sources and headers among repo_files, NUL-separated.
cxx_sources() {
  local f
  while IFS= read -r -d '' f; do
    [[ -f $f && ! -L $f ]] || continue
    case $f in *.cpp | *.cc | *.h | *.hpp) printf '%s\0' "$f" ;; esac
  done < <(repo_files)
}

# The formatter's version is pinned: each major version lays some constructs out
# differently, so "no findings" must mean the same thing on every machine.
clang_format=clang-format-14

lint_format() {
  need "$clang_format" || return 1
  local sources=() f status=0
  mapfile -d '' sources < <(cxx_sources)
  if ((${#sources[@]} == 0)); then
    log "found no C++ sources to check"
    return 1
  fi
  if ((fix)); then
    "$clang_format" -i -- "${sources[@]}"
  fi
  log "$("$clang_format" --version | sed 's/^[^0-9]*//') over ${#sources[@]} files"
  for f in "${sources[@]}"; do
    # diff prints what formatting would change; an unchanged file prints nothing.
    if ! "$clang_format" -- "$f" | diff -u --label "$f" --label "$f (formatted)" "$f" -; then
      status=1
    fi
  done
  ((status == 0)) || log "format: run 'hack/lint.sh --fix format' to apply the changes above"
  return "$status"
}

# The libraries the layering check covers: certplane's own, not the tests'.
certplane_libraries() {
  grep -rhoE --include=CMakeLists.txt 'add_library\([A-Za-z0-9_]+' src controller plugin | sed 's/^add_library(//' | sort -u
}

# configure_once: a throwaway configure of the project (about 2 s) in $configured_dir,
# made once per run and shared by the checks that read the build's own records: CMake's
# --graphviz of every link, and compile_commands.json with every file's flags. Called
# directly, never in a command substitution, so that configured_dir outlives the call.
configured_dir=''
configure_once() {
  [[ -z $configured_dir ]] || return 0
  local dir
  dir=$(mktemp -d)
  if ! cmake -S . -B "$dir" -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON --graphviz="$dir/deps.dot" \
    >"$dir/configure.log" 2>&1; then
    cat "$dir/configure.log" >&2
    rm -rf "$dir"
    log "cmake could not configure the project"
    return 1
  fi
  configured_dir=$dir
}
cleanup_configured_tree() { if [[ -n $configured_dir ]]; then rm -rf "$configured_dir"; fi; }
trap cleanup_configured_tree EXIT

lint_layering() {
  need cmake || return 1
  need python3 || return 1
  local libraries=()
  mapfile -t libraries < <(certplane_libraries)
  configure_once || return 1
  python3 hack/check-layering.py "$configured_dir/deps.dot" docs/layering.md "${libraries[@]}"
}

# Pinned like the formatter, since each major version adds checks and changes findings.
clang_tidy=clang-tidy-14

# tidy_units: the .cpp files clang-tidy checks, NUL-separated: the shipped code and the
# test support every test links. The test cases themselves are left out for CI's time
# budget: about 190 more files would roughly double the first, uncached pass (about 340 s
# on two cores for these 181); the sanitizer tier runs them instead.
tidy_units() {
  local f
  while IFS= read -r -d '' f; do
    case $f in src/*.cpp | controller/*.cpp | plugin/*.cpp | tests/support/*.cpp) printf '%s\0' "$f" ;; esac
  done < <(cxx_sources)
}

lint_tidy() {
  need "$clang_tidy" || return 1
  need clang++-14 || return 1
  need cmake || return 1
  local units=()
  mapfile -d '' units < <(tidy_units)
  if ((${#units[@]} == 0)); then
    log "found no C++ files for clang-tidy"
    return 1
  fi
  configure_once || return 1
  log "$("$clang_tidy" --version | sed -n 's/^.*LLVM version //p') over ${#units[@]} files"
  python3 hack/clang-tidy-cached.py --build "$configured_dir" --cache "$CERTPLANE_CACHE_DIR/clang-tidy" \
    --jobs "$(nproc)" --clang-tidy "$clang_tidy" --clang clang++-14 -- "${units[@]}"
}

# The analyser's version is pinned like the formatter's: what a major version finds,
# notably under -Wthread-safety-beta, moves between versions.
clang_cxx=clang++-14

# The flags of the real build (see its compile_commands.json) that change what the
# headers declare: the project's definition (CMakeLists.txt) and those the imported
# targets of cpprestsdk, spdlog and fmt carry. Include paths: src/, and the Debian
# packages' headers in /usr/include, where clang finds them by itself.
thread_safety_flags=(
  -std=c++20 -fsyntax-only -Isrc
  -D_TURN_OFF_PLATFORM_STRING
  -DCPPREST_FORCE_HTTP_CLIENT_ASIO -DCPPREST_FORCE_HTTP_LISTENER_ASIO -DCPPREST_NO_SSL_LEAK_SUPPRESS
  -DFMT_SHARED -DSPDLOG_COMPILED_LIB -DSPDLOG_FMT_EXTERNAL -DSPDLOG_SHARED_LIB
  # -beta for one check: the lock order that ACQUIRED_AFTER/ACQUIRED_BEFORE declare is
  # enforced only there (clang 14). -negative stays off: it would want a REQUIRES(!mu)
  # on every caller of every function that takes a lock, where EXCLUDES on the function
  # already catches the self-deadlock within a class.
  -Wthread-safety -Wthread-safety-beta -Werror
)

# thread_safety_units: the .cpp files of certplane (src/, controller/, plugin/) that use
# the annotations, NUL-separated: those that include base/mutex.h or
# base/thread_annotations.h, or a header that does, themselves or through their own
# header (foo.cpp's foo.h). The analysis checks function bodies where they are
# compiled: a class's .cpp, and a template's (the informer's store) in every .cpp
# that instantiates it.
thread_safety_units() {
  local sources=() annotated=() f own pattern
  local -A uses=()
  mapfile -d '' sources < <(cxx_sources)
  mapfile -d '' annotated < <(grep -lZE '^#include "base/(mutex|thread_annotations)\.h"' -- "${sources[@]}")
  # As the includes name them: from src/, dots escaped.
  pattern="base/mutex.h|base/thread_annotations.h"
  for f in "${annotated[@]}"; do
    if [[ $f == src/*.h ]]; then pattern+="|${f#src/}"; fi
  done
  pattern="^#include \"(${pattern//./\\.})\""
  while IFS= read -r -d '' f; do uses[$f]=1; done < <(grep -lZE "$pattern" -- "${sources[@]}")
  for f in "${sources[@]}"; do
    case $f in src/*.cpp | controller/*.cpp | plugin/*.cpp) ;; *) continue ;; esac
    own=${f%.cpp}.h
    if [[ -n ${uses[$f]:-} || -n ${uses[$own]:-} ]]; then printf '%s\0' "$f"; fi
  done
}

lint_threads() {
  need "$clang_cxx" || return 1
  local units=()
  mapfile -d '' units < <(thread_safety_units)
  if ((${#units[@]} == 0)); then
    log "found no C++ files that use base/thread_annotations.h"
    return 1
  fi
  log "$("$clang_cxx" --version | sed -n '1s/^[^0-9]*//p') -Wthread-safety over ${#units[@]} files"
  # One file per run, as many at once as there are cores (a file takes 1 to 5 s). xargs
  # fails when any run does; each run prints its own findings.
  printf '%s\0' "${units[@]}" | xargs -0 -n 1 -P "$(nproc)" "$clang_cxx" "${thread_safety_flags[@]}"
}

git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "not a git checkout: the files to lint come from git"

all_checks=(shell format layering tidy threads)
fix=0
checks=()
for arg in "$@"; do
  if [[ $arg == --fix ]]; then fix=1; else checks+=("$arg"); fi
done
((${#checks[@]})) || checks=("${all_checks[@]}")
for check in "${checks[@]}"; do
  declare -F "lint_$check" >/dev/null || die "unknown check $check (checks: ${all_checks[*]})"
done

failed=()
for check in "${checks[@]}"; do
  # In an if, set -e is off inside the function: each check returns its own status.
  if "lint_$check"; then
    log "$check: no findings"
  else
    failed+=("$check")
  fi
done
if ((${#failed[@]})); then
  log "failed: ${failed[*]}"
  exit 1
fi
