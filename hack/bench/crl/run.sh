#!/usr/bin/env bash
# CRL benchmarks.
#
#   hack/bench/crl/run.sh            # publish cost for 100k and 1M serials, then latency
#   BENCH_QUICK=1 hack/bench/crl/run.sh
#
# 1. crl_publish_bench: the controller's work for one publication (sign, encode, ledger
#    text) with 100k and 1M revoked serials, in one CRL and over 2000-entry shards.
# 2. Revocation latency on a private local control plane: REVOCATIONS Certificates are
#    revoked one at a time (each waits for the previous to be published), and for each
#    the time from `kubectl patch` returning to its serial being listed in the CRL that
#    the controller serves over HTTP is taken; then a burst of BURST revocations at once,
#    timed until the last one is listed. Prints p50/p90/p99/max and writes
#    hack/bench/out/crl.json. Needs a release build (hack/build.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$CERTPLANE_REPO_ROOT"

revocations=${REVOCATIONS:-50}
burst=${BURST:-200}
quick=
if [[ -n ${BENCH_QUICK:-} ]]; then revocations=10; burst=20; quick=--quick; fi

ninja -C build crl_publish_bench certplane-controller >/dev/null
echo "== publishing (no API write)"
build/hack/bench/crl/crl_publish_bench $quick

bench_up
bench_start_controller --kube-api-qps 500 --kube-api-burst 1000 --log-level warn
base=$public_base_url

bench_apply_root_ca
kubectl apply -f - >/dev/null <<'YAML'
apiVersion: certplane.io/v1alpha1
kind: CertificateTemplate
metadata: {name: bench}
spec:
  subject: {commonName: {allowed: ["*.bench.svc"]}}
  keyAlgorithms: [ECDSA-P256]
  defaultDuration: 720h
  maxDuration: 720h
YAML
bench_apply_profile bench '{api: {}}'
kubectl wait --for=condition=Ready --timeout=60s certificateprofile/bench >/dev/null
total=$((revocations + burst))
bench_create_certificates "$total"

# Whether the CRL served over HTTP lists every serial in the file $1.
crl_lists() {
  curl -fsS "$base/crl/bench-root.crl" -o "$work/crl.der" || return 1
  openssl crl -inform DER -in "$work/crl.der" -noout -text | grep -o 'Serial Number: [0-9A-F]*' | awk '{print $3}' \
    | sort >"$work/listed"
  [[ -z $(comm -23 <(sort "$1") "$work/listed") ]]
}
serial_of() { kubectl get cpcert "$1" -n bench -o jsonpath='{.status.serialNumber}{"\n"}' | tr a-f A-F; }

: >"$work/latencies"
for ((i = 0; i < revocations; i++)); do
  serial_of "c$i" >"$work/want"
  kubectl patch cpcert "c$i" -n bench --type=merge -p '{"spec":{"revocation":{"reason":"keyCompromise"}}}' >/dev/null
  t0=$(date +%s.%N)
  until crl_lists "$work/want"; do sleep 0.05; done
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}' >>"$work/latencies"
done

: >"$work/want"
for ((i = revocations; i < total; i++)); do serial_of "c$i" >>"$work/want"; done
names=$(for ((i = revocations; i < total; i++)); do echo "c$i"; done)
t0=$(date +%s.%N)
echo "$names" | xargs -P 8 -I{} kubectl patch cpcert {} -n bench --type=merge \
  -p '{"spec":{"revocation":{"reason":"superseded"}}}' >/dev/null
t_patched=$(date +%s.%N)
until crl_lists "$work/want"; do sleep 0.05; done
t1=$(date +%s.%N)
crl_number=$(kubectl get cpca bench-root -o jsonpath='{.status.crl.number}')

mkdir -p hack/bench/out
python3 - "$work/latencies" "$t0" "$t_patched" "$t1" "$burst" "$crl_number" <<'PY'
import json, sys
lat = sorted(float(x) for x in open(sys.argv[1]))
t0, tp, t1, burst, number = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
def pct(p): return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]
r = {"single_revocations": len(lat), "p50_seconds": pct(50), "p90_seconds": pct(90), "p99_seconds": pct(99),
     "max_seconds": lat[-1], "burst": burst, "burst_patch_seconds": round(tp - t0, 2),
     "burst_to_last_listed_seconds": round(t1 - t0, 2), "burst_after_last_patch_seconds": round(t1 - tp, 2),
     "crl_number": number}
json.dump(r, open("hack/bench/out/crl.json", "w"), indent=2)
print(f"== revocation -> listed in the CRL served over HTTP ({len(lat)} revocations, one at a time)")
print(f"p50 {r['p50_seconds']:.2f} s  p90 {r['p90_seconds']:.2f} s  p99 {r['p99_seconds']:.2f} s  max {r['max_seconds']:.2f} s")
print(f"== burst of {burst}: patched in {r['burst_patch_seconds']} s; all listed {r['burst_to_last_listed_seconds']} s "
      f"after the first patch ({r['burst_after_last_patch_seconds']} s after the last); CRL number now {number}")
PY
