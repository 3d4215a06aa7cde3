#!/usr/bin/env bash
# run-fuzzers.sh [seconds-per-target]
#
# Builds the Azure Key Vault sync's libFuzzer targets and runs each for the given number
# of seconds (default 20) over corpus/; fails on any crash, leak or sanitizer report.
# The work is done by ../run-fuzzers.sh, which documents the output and environment.
exec "$(dirname "${BASH_SOURCE[0]}")/../run-fuzzers.sh" sync_azure "$@"
