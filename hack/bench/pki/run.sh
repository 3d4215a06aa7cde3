#!/usr/bin/env bash
# hack/bench/pki/run.sh: the PKI engine's benchmark next to `openssl speed`, in one run on
# one machine, as a table of ops/s and their ratio.
#
#   hack/bench/pki/run.sh                 # full run (a few minutes; includes 1M-entry CRLs)
#   BENCH_QUICK=1 hack/bench/pki/run.sh   # seconds: short timings, no 1M CRL, no RSA-4096 keygen
#
# Builds pki_bench in BUILD_DIR (default <repo>/build) if needed. Writes the raw results
# to hack/bench/out/pki/ (git-ignored). Columns:
#   certplane   our operation: GeneratePrivateKey, IssueCertificate (one signature plus
#               building the certificate), Certificate::VerifySignedBy (hash + verify)
#   reference   `openssl speed` sign/verify of the same algorithm; for keygen, which
#               openssl speed 3.0 does not time, the bare EVP keygen calls in-process
#   ratio       certplane / reference (1.0 = as fast as the reference)
# Then RSA key generation in ms per key: certplane (GeneratePrivateKey), the bare
# EVP_PKEY_keygen calls, and `openssl genpkey` (CPU time of the CLI processes, so
# including their start-up of a few ms).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
build="${BUILD_DIR:-$repo/build}"
out="$repo/hack/bench/out/pki"
mkdir -p "$out"

if [[ ! -x "$build/hack/bench/pki/pki_bench" ]]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
ninja -C "$build" pki_bench >/dev/null

if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
  filter='^BM_(KeyGen|RawKeyGen)/[013-5]$|^BM_(Sign|Verify)/|^BM_(BuildCrl|ParseCrl)/(10000|100000)$'
  min_time=0.05
  speed_seconds=1
  genpkey_keys='2048:3 3072:2'
else
  filter='.'
  min_time=0.5
  speed_seconds=3
  genpkey_keys='2048:10 3072:5 4096:3'
fi

echo "pki bench: certplane (pki_bench)..." >&2
"$build/hack/bench/pki/pki_bench" --benchmark_filter="$filter" --benchmark_min_time="$min_time" \
  --benchmark_format=json --benchmark_out="$out/pki_bench.json" --benchmark_out_format=json >/dev/null
echo "pki bench: openssl speed..." >&2
openssl speed -mr -seconds "$speed_seconds" rsa2048 rsa3072 rsa4096 ecdsap256 ecdsap384 ed25519 \
  >"$out/openssl_speed.txt" 2>/dev/null

echo "pki bench: openssl genpkey..." >&2
: >"$out/openssl_genpkey.txt"
for spec in $genpkey_keys; do
  bits=${spec%%:*}
  keys=${spec##*:}
  # CPU seconds of the child processes, like the CPU times above.
  cpu=$(python3 -c '
import resource, subprocess, sys
bits, keys = sys.argv[1], int(sys.argv[2])
for _ in range(keys):
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:" + bits, "-out", "/dev/null"],
                   check=True, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.ru_utime + r.ru_stime)' "$bits" "$keys")
  echo "$bits $keys $cpu" >>"$out/openssl_genpkey.txt"
done

python3 - "$out/pki_bench.json" "$out/openssl_speed.txt" "$out/openssl_genpkey.txt" <<'PY'
import json, sys

bench = json.load(open(sys.argv[1]))
algorithms = ["RSA-2048", "RSA-3072", "RSA-4096", "ECDSA-P256", "ECDSA-P384", "Ed25519"]

ops = {}        # (benchmark, algorithm index or entries) -> ops/s
crl_ms = {}     # (benchmark, entries) -> (ms, der bytes)
for b in bench["benchmarks"]:
    if b.get("run_type") == "aggregate" or b.get("error_occurred"):
        continue
    name, arg = b["name"].split("/")[:2]
    # CPU time, as openssl speed reports by default (the machine may be shared).
    seconds = b["cpu_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
    if name in ("BM_BuildCrl", "BM_ParseCrl"):
        crl_ms[(name, int(arg))] = (seconds * 1e3, b.get("der_bytes"))
    else:
        ops[(name, algorithms[int(arg)])] = 1.0 / seconds

# openssl speed -mr lines: +F2 (RSA), +F4 (ECDSA), +F6 (EdDSA): sign/s and verify/s.
speed = {}
for line in open(sys.argv[2]):
    f = line.strip().split(":")
    if f[0] == "+F2":
        speed[("RSA-%s" % f[2], "sign")], speed[("RSA-%s" % f[2], "verify")] = float(f[3]), float(f[4])
    elif f[0] == "+F4":
        alg = {"256": "ECDSA-P256", "384": "ECDSA-P384"}.get(f[2])
        if alg:
            speed[(alg, "sign")], speed[(alg, "verify")] = float(f[3]), float(f[4])
    elif f[0] == "+F6" and f[3] == "Ed25519":
        speed[("Ed25519", "sign")], speed[("Ed25519", "verify")] = float(f[4]), float(f[5])

def fmt(x):
    return "%10.1f" % x if x is not None else "%10s" % "-"

print("%-8s %-11s %12s %12s %7s  %s" % ("op", "algorithm", "certplane/s", "reference/s", "ratio", "reference"))
rows = [("keygen", "BM_KeyGen", lambda a: ops.get(("BM_RawKeyGen", a)), "EVP_PKEY_keygen in-process"),
        ("sign", "BM_Sign", lambda a: speed.get((a, "sign")), "openssl speed (raw signature)"),
        ("verify", "BM_Verify", lambda a: speed.get((a, "verify")), "openssl speed (raw verify)")]
for op, bench_name, reference, what in rows:
    for a in algorithms:
        ours = ops.get((bench_name, a))
        ref = reference(a)
        if ours is None:
            continue
        ratio = "%7.2f" % (ours / ref) if ref else "%7s" % "-"
        print("%-8s %-11s %s   %s %s  %s" % (op, a, fmt(ours), fmt(ref), ratio, what))
genpkey = {}
for line in open(sys.argv[3]):
    bits, keys, cpu = line.split()
    genpkey["RSA-%s" % bits] = float(cpu) * 1e3 / int(keys)

print()
print("%-11s %12s %14s %16s" % ("keygen", "certplane ms", "EVP keygen ms", "openssl genpkey ms"))
for a in algorithms[:3]:
    ours, raw = ops.get(("BM_KeyGen", a)), ops.get(("BM_RawKeyGen", a))
    if ours is None and raw is None:
        continue
    ms = lambda per_s: "%12.1f" % (1e3 / per_s) if per_s else "%12s" % "-"
    print("%-11s %s   %s   %s" % (a, ms(ours), ms(raw), "%16.1f" % genpkey[a] if a in genpkey else "%16s" % "-"))

print()
print("%-10s %10s %12s %12s" % ("CRL", "entries", "time (ms)", "DER bytes"))
for (name, entries), (ms, size) in sorted(crl_ms.items()):
    print("%-10s %10d %12.1f %12s" % ("build" if name == "BM_BuildCrl" else "parse", entries, ms,
                                       "%d" % size if size else "-"))
PY
