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

lint_layering() {
  need cmake || return 1
  need python3 || return 1
  local dir libraries=() status=0
  mapfile -t libraries < <(certplane_libraries)
  dir=$(mktemp -d)
  # A throwaway configure (about 2 s) for CMake's own record of every link.
  if cmake -S . -B "$dir" -G Ninja --graphviz="$dir/deps.dot" >"$dir/configure.log" 2>&1; then
    python3 hack/check-layering.py "$dir/deps.dot" docs/layering.md "${libraries[@]}" || status=1
  else
    cat "$dir/configure.log" >&2
    log "layering: cmake could not configure the project"
    status=1
  fi
  rm -rf "$dir"
  return "$status"
}

git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "not a git checkout: the files to lint come from git"

all_checks=(shell format layering)
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
