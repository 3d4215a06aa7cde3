#!/usr/bin/env bash
# Operator issuance benchmark: N ECDSA P-256 Certificates created at once on a private
# local control plane, until every one is Ready with its Secret.
#
#   hack/bench/operator/run.sh [N]        (default 1000; BENCH_QUICK=1 makes it 50)
#
# Prints: wall time, certificates per second, the controller's peak RSS (VmHWM) and
# CPU seconds, and API requests per certificate by verb, taken from kube-apiserver's
# own apiserver_request_total before and after. Writes the numbers as JSON to
# hack/bench/out/operator.json. Needs a release build (hack/build.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$CERTPLANE_REPO_ROOT"

n=${1:-1000}
[[ -n ${BENCH_QUICK:-} ]] && n=50
qps=${BENCH_QPS:-500}
burst=${BENCH_BURST:-1000}
controller=build/controller/certplane-controller
[[ -x $controller ]] || die "build certplane first: hack/build.sh"
bench_up
bench_start_controller --kube-api-qps "$qps" --kube-api-burst "$burst" --workers 4 --log-level warn

bench_apply_root_ca
bench_apply_server_template bench '*.bench.svc' '*.bench.svc'
bench_apply_profile bench '{api: {}}' '{autoRenewByDefault: true, renewBeforeDays: 10}'
kubectl wait --for=condition=Ready --timeout=60s certificateprofile/bench >/dev/null

python3 - "$n" >"$work/certs.json" <<'EOF'
import json, sys
n = int(sys.argv[1])
items = [{"apiVersion": "certplane.io/v1alpha1", "kind": "Certificate",
          "metadata": {"name": f"c{i}", "namespace": "bench"},
          "spec": {"profileRef": {"name": "bench"}, "secretName": f"c{i}-tls",
                   "commonName": f"c{i}.bench.svc", "dnsNames": [f"c{i}.bench.svc"]}} for i in range(n)]
print(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
EOF

requests() { kubectl get --raw /metrics | grep '^apiserver_request_total{' ; }
requests >"$work/before.txt"
start=$(date +%s.%N)
kubectl create -f "$work/certs.json" >/dev/null
created=$(date +%s.%N)
while :; do
  ready=$(kubectl get certificates -n bench -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True || true)
  [[ $ready -ge $n ]] && break
  sleep 0.5
done
end=$(date +%s.%N)
requests >"$work/after.txt"
if [[ -n ${BENCH_DEBUG:-} ]]; then
  diff "$work/before.txt" "$work/after.txt" | grep '^>' | grep -E 'certplane|secrets|events' >&2 || true
fi
secrets=$(kubectl get secrets -n bench -l certplane.io/certificate-name -o name | wc -l)
hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$controller_pid/status")
cpu_ticks=$(awk '{print $14 + $15}' "/proc/$controller_pid/stat")
clk=$(getconf CLK_TCK)

mkdir -p hack/bench/out
python3 - "$n" "$start" "$created" "$end" "$secrets" "$hwm_kb" "$cpu_ticks" "$clk" "$work/before.txt" "$work/after.txt" "$qps" "$burst" <<'EOF'
import json, re, sys, os
n, start, created, end, secrets, hwm_kb, ticks, clk = sys.argv[1:9]
before_f, after_f, qps, burst = sys.argv[9:13]
n = int(n); start = float(start); created = float(created); end = float(end)
def load(path):
    out = {}
    for line in open(path):
        m = re.match(r'apiserver_request_total\{(.*)\} ([0-9.e+]+)', line)
        if not m: continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        # Only what the controller's work costs: our resources, not the bench's own polling.
        if labels.get("resource") not in ("certificates", "secrets", "events", "certificateauthorities",
                                          "certificateprofiles", "certificatetemplates", "leases"):
            continue
        key = (labels.get("verb"), labels.get("resource"), labels.get("subresource", ""))
        out[key] = out.get(key, 0) + float(m.group(2))
    return out
b, a = load(before_f), load(after_f)
delta = {k: a.get(k, 0) - b.get(k, 0) for k in a}
# kube-apiserver labels verbs by HTTP method (POST, PUT, PATCH, DELETE) and APPLY.
writes = {k: v for k, v in delta.items() if k[0] in ("POST", "PUT", "PATCH", "APPLY", "DELETE") and v > 0}
# The bench itself creates the Certificates: that is the user's write, not the controller's.
writes.pop(("POST", "certificates", ""), None)
by_verb = {}
for (verb, res, sub), v in writes.items():
    name = f"{verb} {res}{'/' + sub if sub else ''}"
    by_verb[name] = round(v / n, 3)
wall = end - start
result = {
    "machine": {"cores": os.cpu_count(), "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
    "certificates": n, "secrets": int(secrets), "algorithm": "ECDSA-P256", "qps": float(qps), "burst": int(burst),
    "wall_seconds": round(wall, 2), "create_seconds": round(created - start, 2),
    "certificates_per_second": round(n / wall, 1),
    "controller_peak_rss_mib": round(int(hwm_kb) / 1024, 1),
    "controller_cpu_seconds": round(int(ticks) / int(clk), 2),
    "controller_writes_per_certificate": round(sum(writes.values()) / n, 3),
    "controller_writes_per_certificate_by_verb": by_verb,
}
json.dump(result, open("hack/bench/out/operator.json", "w"), indent=2)
print(f"| certificates | {n} ECDSA P-256 (qps {qps}, burst {burst}) |")
print("|---|---|")
print(f"| wall time, create to all Ready | {wall:.1f} s (kubectl create: {created - start:.1f} s) |")
print(f"| certificates per second | {n / wall:.1f} |")
print(f"| controller peak RSS | {int(hwm_kb) / 1024:.1f} MiB |")
print(f"| controller CPU | {int(ticks) / int(clk):.1f} s |")
print(f"| controller writes per certificate | {sum(writes.values()) / n:.2f} |")
for k, v in sorted(by_verb.items()):
    print(f"| &nbsp;&nbsp;{k} | {v} |")
print(f"| Secrets written | {secrets} |")
EOF
