#!/usr/bin/env bash
# ACME benchmark: C concurrent ACME clients (default 50), each with its own account,
# complete N orders (default 500) against certplane on a private local control plane,
# proving their names with dns-01 through a DNS responder the bench serves.
#
#   hack/bench/acme/run.sh [N] [C]        (BENCH_QUICK=1: 20 orders, 5 clients)
#
# Prints orders per second, p50/p99 order latency (newOrder to downloaded chain), the
# controller's peak RSS and CPU seconds, and API requests per order by verb from
# kube-apiserver's apiserver_request_total. Writes hack/bench/out/acme.json. Needs a
# release build (hack/build.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$CERTPLANE_REPO_ROOT"

n=${1:-500}
c=${2:-50}
if [[ -n ${BENCH_QUICK:-} ]]; then n=20; c=5; fi
qps=${BENCH_QPS:-500}
burst=${BENCH_BURST:-1000}
bench=build/hack/bench/acme/acme_bench
[[ -x build/controller/certplane-controller && -x $bench ]] || die "build certplane first: hack/build.sh"
bench_up

bench_apply_root_ca
bench_apply_server_template bench-acme '*.bench.test'
bench_apply_profile bench-acme '{acme: {challenges: [dns-01]}}'

# The bench binary serves DNS first and waits for the controller, which needs its port.
port_file="$work/dns.port"
read -r p1 p2 p3 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
directory="http://127.0.0.1:$p1/acme/bench/directory"
"$bench" --directory "$directory" --dns-port-file "$port_file" --clients "$c" --orders "$n" \
  --json "$work/acme-bench.json" >"$work/bench.out" 2>&1 &
bench_pid=$!
for _ in $(seq 100); do [[ -s $port_file ]] && break; sleep 0.1; done
[[ -s $port_file ]] || die "acme_bench did not start its DNS responder"
dns_port=$(cat "$port_file")

requests() { kubectl get --raw /metrics | grep '^apiserver_request_total{' ; }
requests >"$work/before.txt"
build/controller/certplane-controller --kubeconfig "$KUBECONFIG" --namespace certplane-system --leader-elect=false \
  --http-bind-address "127.0.0.1:$p1" --health-probe-bind-address "127.0.0.1:$p2" --metrics-bind-address "127.0.0.1:$p3" \
  --public-base-url "http://127.0.0.1:$p1" --kube-api-qps "$qps" --kube-api-burst "$burst" --log-level warn \
  --acme-dns-server "127.0.0.1:$dns_port" --https-bind-address= --acme-plain-http >"$work/controller.log" 2>&1 &
controller_pid=$!
kubectl wait --for=condition=Ready --timeout=60s certificateprofile/bench >/dev/null
rc=0
wait "$bench_pid" || rc=$?
requests >"$work/after.txt"
hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$controller_pid/status")
ticks=$(awk '{print $14 + $15}' "/proc/$controller_pid/stat")
cpu=$(python3 -c "import os; print(round($ticks / os.sysconf('SC_CLK_TCK'), 1))")
cat "$work/bench.out"
[[ $rc -eq 0 ]] || { tail -20 "$work/controller.log" >&2; die "acme_bench failed (rc=$rc)"; }

mkdir -p hack/bench/out
python3 - "$work" "$hwm_kb" "$cpu" "$(nproc)" "$(awk '/MemTotal/ {print $2}' /proc/meminfo)" <<'PY' | tee hack/bench/out/acme.json
import json, re, sys
work, hwm_kb, cpu, cores, mem_kb = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def load(path):
    out = {}
    for line in open(path):
        m = re.match(r'apiserver_request_total\{(.*)\} (\S+)', line)
        if not m: continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        key = labels.get("verb", "")
        out[key] = out.get(key, 0) + float(m.group(2))
    return out
before, after = load(f"{work}/before.txt"), load(f"{work}/after.txt")
bench = json.load(open(f"{work}/acme-bench.json"))
done = max(bench["completed"], 1)
per_order = {v: round((after.get(v, 0) - before.get(v, 0)) / done, 2) for v in sorted(after) if after.get(v, 0) - before.get(v, 0) > 0}
writes = sum(per_order.get(v, 0) for v in ("POST", "PUT", "PATCH", "DELETE"))
bench.update({"controller_peak_rss_mib": round(hwm_kb / 1024, 1), "controller_cpu_seconds": cpu,
              "api_requests_per_order": per_order, "api_writes_per_order": round(writes, 2),
              "machine": {"cores": cores, "memory_gib": round(mem_kb / 1024 / 1024, 1)}})
print(json.dumps(bench, indent=2))
PY
