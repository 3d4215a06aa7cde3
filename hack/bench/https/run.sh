#!/usr/bin/env bash
# HTTPS handshake benchmark: the controller's HTTPS listener (HttpServer with a
# ServingIdentity, ECDSA P-256 certificate) on a loopback port, measured with
# `openssl s_time`, handshakes only (no request): TLS 1.2 and TLS 1.3 with a full
# handshake each (-new), and TLS 1.2 resuming the first session (-reuse, a session
# ticket). TLS 1.3 resumption is not measured: s_time reads nothing after the
# handshake, so it never receives a TLS 1.3 ticket, and with a request (-www) the
# listener (cpprestsdk) closes without a close_notify, after which OpenSSL's client
# drops the session (that also hides TLS 1.2 resumption). TLS 1.3 resumption itself is
# shown by tests/integration/http (s_client -sess_in reports "Reused, TLSv1.3").
# One client process; the server and the client share the machine's cores.
#
#   hack/bench/https/run.sh            # 10 s per measurement
#   BENCH_QUICK=1 hack/bench/https/run.sh
#
# Prints connections per second and writes hack/bench/out/https.json. Needs a release
# build (hack/build.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
cd "$CERTPLANE_REPO_ROOT"

seconds=${SECONDS_PER_RUN:-10}
[[ -n ${BENCH_QUICK:-} ]] && seconds=2
ninja -C build https_bench_server >/dev/null
work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=bench CA" \
  -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=bench" \
  -keyout "$work/leaf.key" -out "$work/leaf.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$work/ext"
openssl x509 -req -in "$work/leaf.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 1 \
  -extfile "$work/ext" -out "$work/leaf.crt" 2>/dev/null
cat "$work/leaf.crt" "$work/ca.crt" >"$work/chain.pem"

port=$(free_port)
mkfifo "$work/stdin"
build/hack/bench/https/https_bench_server "$port" "$work/chain.pem" "$work/leaf.key" <"$work/stdin" >"$work/server.out" 2>&1 &
server_pid=$!
exec 3>"$work/stdin"  # held open: the server runs until it closes
for _ in $(seq 50); do grep -q ready "$work/server.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$work/server.out" || die "the server did not start: $(cat "$work/server.out")"

# s_time prints "N connections in T real seconds" per mode; connections per second.
measure() { # version mode
  openssl s_time -connect "127.0.0.1:$port" "-$1" "-$2" -time "$seconds" -CAfile "$work/ca.crt" 2>/dev/null |
    awk '/connections in [0-9.]+ real seconds/ { printf "%.1f\n", $1 / $4; exit }'
}
declare -A result
for run in tls1_2:new tls1_2:reuse tls1_3:new; do
  version=${run%%:*} mode=${run##*:}
  result[$version-$mode]=$(measure "$version" "$mode")
  printf '%-8s %-6s %8s connections/s\n' "$version" "$mode" "${result[$version-$mode]}"
done
exec 3>&-

mkdir -p hack/bench/out
jq -n --argjson s "$seconds" --arg t12n "${result[tls1_2-new]}" --arg t12r "${result[tls1_2-reuse]}" \
  --arg t13n "${result[tls1_3-new]}" --arg cores "$(nproc)" \
  '{seconds_per_run: $s, cores: ($cores|tonumber), certificate: "ECDSA P-256",
    tls1_2: {full_handshakes_per_second: ($t12n|tonumber), resumed_per_second: ($t12r|tonumber)},
    tls1_3: {full_handshakes_per_second: ($t13n|tonumber)}}' \
  >hack/bench/out/https.json
echo "wrote hack/bench/out/https.json"
