#!/usr/bin/env bash
# OCSP benchmarks.
#
#   hack/bench/ocsp/run.sh            # in process, then over HTTP beside openssl, then latency
#   BENCH_QUICK=1 hack/bench/ocsp/run.sh
#
# 1. ocsp_bench inproc: the responder's answers per second from its cache (1 and 2
#    threads), and signed per request (nonce), with no HTTP.
# 2. Over HTTP on a private local control plane: CERTS Certificates of one CA; the same
#    client (ocsp_bench http: POST, SHA-1 CertIDs, no nonce, CONNECTIONS at once) asks
#    the controller's /ocsp/<ca>, then `openssl ocsp -index` serving the same serials as
#    a responder (-multi 2: one process per core) with the same delegated responder
#    certificate and key.
# 3. Revocation latency: REVOCATIONS Certificates revoked one at a time; for each, the
#    time from `kubectl patch` returning to `openssl ocsp -url` answering revoked.
#    Beside it, openssl's: the time from marking the serial revoked in its index.txt to
#    its responder answering revoked.
# Prints the numbers and writes hack/bench/out/ocsp.json. Needs a release build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$CERTPLANE_REPO_ROOT"

certs=${CERTS:-200}
revocations=${REVOCATIONS:-20}
seconds=${SECONDS_PER_RUN:-10}
connections=${CONNECTIONS:-4}
quick=
if [[ -n ${BENCH_QUICK:-} ]]; then certs=30; revocations=5; seconds=3; quick=--quick; fi

ninja -C build ocsp_bench certplane-controller >/dev/null
echo "== in process (no HTTP)"
build/hack/bench/ocsp/ocsp_bench inproc $quick

bench_up
bench_start_controller --kube-api-qps 500 --kube-api-burst 1000 --log-level warn
base=$public_base_url
bench_apply_root_ca
bench_apply_server_template bench '*.bench.svc' '*.bench.svc'
bench_apply_profile bench '{api: {}}'
kubectl wait --for=condition=Ready --timeout=60s certificateprofile/bench >/dev/null
bench_create_certificates "$certs"
until [[ -n $(kubectl get cpca bench-root -o jsonpath='{.status.ocsp.signers[0].serialNumber}') ]]; do sleep 0.2; done
kubectl get cpca bench-root -o jsonpath='{.status.certificate}' >"$work/ca.crt"
kubectl get cpcert -n bench -o jsonpath='{range .items[*]}{.status.serialNumber}{"\n"}{end}' >"$work/serials"
url="$base/ocsp/bench-root"

echo "== over HTTP: $certs serials, $connections connections, ${seconds}s each"
build/hack/bench/ocsp/ocsp_bench http "$url" "$work/ca.crt" "$work/serials" "$seconds" "$connections" | tee "$work/http-certplane.txt"

# openssl ocsp -index on the same data, signing with the same delegated responder.
ns=certplane-system
key_id=$(kubectl get cpca bench-root -o jsonpath='{.status.ocsp.signers[0].keyID}')
kubectl get secret certplane-ocsp-bench-root -n $ns -o json | python3 -c '
import base64, json, sys
data, key_id, work = json.load(sys.stdin)["data"], sys.argv[1], sys.argv[2]
open(work + "/rsigner-chain.pem", "wb").write(base64.b64decode(data[key_id + ".crt"]))
open(work + "/rsigner.key", "wb").write(base64.b64decode(data[key_id + ".key"]))
' "$key_id" "$work"
openssl x509 -in "$work/rsigner-chain.pem" -out "$work/rsigner.crt"
expiry=$(date -u -d '+30 days' +%y%m%d%H%M%SZ)
awk -v expiry="$expiry" '{printf "V\t%s\t\t%s\tunknown\t/CN=bench\n", expiry, toupper($1)}' "$work/serials" >"$work/index.txt"
echo "unique_subject = no" >"$work/index.txt.attr"
ossl_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
openssl ocsp -index "$work/index.txt" -port "$ossl_port" -multi 2 -rsigner "$work/rsigner.crt" -rkey "$work/rsigner.key" \
  -CA "$work/ca.crt" -nmin 60 -ignore_err >"$work/openssl-ocsp.log" 2>&1 &
ossl_pid=$!
trap 'kill $ossl_pid 2>/dev/null || true; bench_cleanup' EXIT
sleep 1
kill -0 $ossl_pid 2>/dev/null || { echo "openssl ocsp did not start:" >&2; cat "$work/openssl-ocsp.log" >&2; exit 1; }
build/hack/bench/ocsp/ocsp_bench http "http://127.0.0.1:$ossl_port" "$work/ca.crt" "$work/serials" "$seconds" "$connections" \
  | tee "$work/http-openssl.txt"

ask() {  # $1: url, $2: serial hex
  openssl ocsp -issuer "$work/ca.crt" -serial "0x$2" -url "$1" -CAfile "$work/ca.crt" -no_nonce 2>/dev/null
}
: >"$work/latencies"
: >"$work/openssl-latencies"
for ((i = 0; i < revocations; i++)); do
  serial=$(kubectl get cpcert "c$i" -n bench -o jsonpath='{.status.serialNumber}')
  kubectl patch cpcert "c$i" -n bench --type=merge -p '{"spec":{"revocation":{"reason":"keyCompromise"}}}' >/dev/null
  t0=$(date +%s.%N)
  until ask "$url" "$serial" | grep -q ': revoked'; do sleep 0.02; done
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}' >>"$work/latencies"
  upper=$(echo "$serial" | tr a-f A-F)
  now=$(date -u +%y%m%d%H%M%SZ)
  t0=$(date +%s.%N)
  sed -i "s/^V\t\([0-9Z]*\)\t\t$upper\t/R\t\1\t$now,keyCompromise\t$upper\t/" "$work/index.txt"
  until ask "http://127.0.0.1:$ossl_port" "$serial" | grep -q ': revoked'; do
    sleep 0.02
    if [[ $(echo "$(date +%s.%N) - $t0 > 10" | bc) == 1 ]]; then echo "openssl never answered revoked (index not reloaded)" >&2; break; fi
  done
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}' >>"$work/openssl-latencies"
done

mkdir -p hack/bench/out
python3 - "$work" "$certs" "$connections" <<'PY'
import json, re, sys
work, certs, conns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def rate(f):
    m = re.search(r": (\d+) responses/s", open(f"{work}/{f}").read())
    return int(m.group(1)) if m else None
def pcts(f):
    lat = sorted(float(x) for x in open(f"{work}/{f}"))
    pct = lambda p: lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]
    return {"n": len(lat), "p50_seconds": pct(50), "p90_seconds": pct(90), "max_seconds": lat[-1]}
r = {"certificates": certs, "connections": conns,
     "http_responses_per_second": {"certplane": rate("http-certplane.txt"), "openssl_ocsp_index": rate("http-openssl.txt")},
     "revocation_to_revoked": {"certplane": pcts("latencies"), "openssl_ocsp_index_after_index_edit": pcts("openssl-latencies")}}
json.dump(r, open("hack/bench/out/ocsp.json", "w"), indent=2)
c, o = r["revocation_to_revoked"]["certplane"], r["revocation_to_revoked"]["openssl_ocsp_index_after_index_edit"]
print(f"== responses/s over HTTP: certplane {r['http_responses_per_second']['certplane']}, "
      f"openssl ocsp -index {r['http_responses_per_second']['openssl_ocsp_index']}")
print(f"== revocation -> revoked: certplane p50 {c['p50_seconds']:.2f} s p90 {c['p90_seconds']:.2f} s max {c['max_seconds']:.2f} s "
      f"(kubectl patch to answer); openssl p50 {o['p50_seconds']:.2f} s max {o['max_seconds']:.2f} s (index.txt edit to answer)")
PY
