#!/usr/bin/env bash
# Runs hack/bench/compare/run.sh --smoke against the given build folder and checks that
# results.json has every scenario with numbers above zero, that results.md has the
# tables and that chart.png is a PNG. Shape only: no timing is asserted.
#
#   tests/e2e/bench/compare_smoke_test.sh BUILD_DIR [more run.sh flags]
set -euo pipefail
build_dir=$1
shift
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$repo/hack/bench/compare/run.sh" --smoke --no-build --build-dir "$build_dir" --out "$out" "$@" >"$out.log" 2>&1 ||
  { cat "$out.log"; rm -f "$out.log"; exit 1; }
rm -f "$out.log"
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
r = json.load(open(f"{out}/results.json"))
problems = []
def positive(what, v):
    if not isinstance(v, (int, float)) or v <= 0:
        problems.append(f"{what} = {v!r}, want a number > 0")
positive("machine.cores", r["machine"]["cores"])
positive("machine.memory_gib", r["machine"]["memory_gib"])
def cell(scenario, config, **kw):
    found = [c for c in r.get(scenario, []) if c.get("config") == config and all(c.get(k) == v for k, v in kw.items())]
    if not found:
        problems.append(f"no {scenario} cell for {config} {kw}")
        return {}
    c = found[0]
    if not c.get("complete", True):
        problems.append(f"{scenario} {config} {kw} did not complete: {c}")
    return c
for alg in ("ECDSA-P256", "RSA-2048"):
    c = cell("issuance", "certplane", algorithm=alg)
    for k in ("per_second", "wall_seconds", "p50_seconds", "p99_seconds", "hwm_mib", "cpu_seconds"):
        positive(f"issuance certplane {alg} {k}", c.get(k))
    positive(f"issuance certplane {alg} writes/cert", c.get("requests", {}).get("writes_per_certificate"))
f = cell("issuance", "floor")
positive("floor per_second", f.get("per_second"))
positive("floor writes/cert", f.get("requests", {}).get("writes_per_certificate"))
c = cell("renewal", "certplane")
for k in ("wall_seconds", "p99_seconds", "hwm_mib"):
    positive(f"renewal {k}", c.get(k))
positive("renewal peak_rps", c.get("rate", {}).get("peak_rps"))
c = cell("idle", "certplane")
positive("idle rss_mib", c.get("rss_mib"))
crl = r.get("crl", [])
if not crl:
    problems.append("no crl cells")
for c in crl:
    positive(f"crl {c.get('case')} milliseconds", c.get("milliseconds"))
md = open(f"{out}/results.md").read()
for heading in ("**Issuance**", "**Renewal storm**", "**Idle cost**", "**CRL**"):
    if heading not in md:
        problems.append(f"results.md lacks {heading}")
if open(f"{out}/chart.png", "rb").read(8) != b"\x89PNG\r\n\x1a\n":
    problems.append("chart.png is not a PNG")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("compare smoke: results.json, results.md and chart.png have every scenario")
PY
