#!/usr/bin/env bash
# certplane and cert-manager side by side, each on a fresh private control plane of the
# same build, one after the other in one run; prints a markdown table and writes
# results.json, results.md and chart.png.
#
#   hack/bench/compare/run.sh [--cert-manager-controller BINARY --cert-manager-crds FILE]
#       [--out DIR] [--smoke] [--scenarios issuance,floor,renewal,idle,crl]
#       [--sizes 100,1000,10000] [--max-n CONFIG=N]... [--build-dir DIR] [--no-build]
#       [--certplane-controller BINARY] [--fleet N]
#
# The binary and the CRD manifest are cert-manager's own (its release page has both);
# without them the run measures certplane and the floor alone and says so. Scenarios:
#   issuance  N ECDSA P-256 Certificates (and RSA-2048 at N = 1,000) created at once (16
#             requests in flight) until every one is Ready with its Secret; for each
#             configuration: certplane with its default flags and with --kube-api-qps
#             500 --kube-api-burst 1000; cert-manager with its default flags and with the
#             same raised limits (as its scaling guide advises).
#   floor     the same N through compare_client floor: per object the user's create, a
#             Secret create and a status update, no client-side limit.
#   renewal   N certificates (--fleet, default 10,000; --smoke 10) issued with a 1 h duration; the
#             controller stops, renewBefore becomes 59m50s so that every one is due, and
#             the controller starts again (certplane on its default flags, cert-manager
#             with --kube-api-qps 200 --kube-api-burst 400): time until all are renewed,
#             the API request rate, and the 429s and 5xx the API server answered.
#   idle      the controller's memory, restarted and settled, with N Certificates and
#             Secrets (--fleet, default 10,000) and 50,000 unrelated Secrets of 10 KiB
#             in the cluster.
#   crl       publishing a CRL of 100,000 revoked serials (certplane's crl_publish_bench;
#             cert-manager publishes no CRLs).
# --smoke: N = 10 everywhere, idle with 20 unrelated Secrets, CRL of 10,000 serials; a
# ctest runs it (timings are never asserted). --max-n certplane=1000 skips that
# configuration's issuance above 1,000 (the table says so); --max-n cert-manager-tuned=N
# also caps the N of cert-manager's renewal and idle cells (they use the tuned flags). --build-dir takes the
# controller and the bench's client from another CMake build folder (default build/,
# built by hack/build.sh); --certplane-controller runs another controller binary.
#
# cert-manager runs out of cluster: only its controller (no webhook, no cainjector), with
# a CA Issuer backed by a Secret. The machine (cores, memory, load) is recorded with
# every cell: other work on the same machine shows up there, not in the numbers.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../../lib.sh"
source "$here/../lib.sh"
cd "$CERTPLANE_REPO_ROOT"

command_line="hack/bench/compare/run.sh $*"
cm_bin='' cm_crds='' out='' smoke='' scenarios=issuance,floor,renewal,idle,crl sizes='' build_dir=build no_build='' cp_bin='' fleet=''
max_n=()
while (($#)); do
  case $1 in
    --cert-manager-controller) cm_bin=$(realpath "$2"); shift 2 ;;
    --cert-manager-crds) cm_crds=$(realpath "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --smoke) smoke=1; shift ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --max-n) max_n+=("$2"); shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --no-build) no_build=1; shift ;;
    --certplane-controller) cp_bin=$(realpath "$2"); shift 2 ;;
    --fleet) fleet=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[[ -n $cm_bin && -z $cm_crds || -z $cm_bin && -n $cm_crds ]] &&
  die "--cert-manager-controller and --cert-manager-crds go together"
[[ -z $cm_bin || -x $cm_bin ]] || die "$cm_bin is not an executable"
[[ -z $cm_crds || -f $cm_crds ]] || die "$cm_crds does not exist"

if [[ -n $smoke ]]; then
  sizes=${sizes:-10} rsa_n=10 renew_n=10 idle_n=10 idle_secrets=20 crl_flag=--quick timeout=120
else
  sizes=${sizes:-100,1000,10000} rsa_n=1000 renew_n=10000 idle_n=10000 idle_secrets=50000 crl_flag='' timeout=5400
fi
if [[ -n $fleet ]]; then
  [[ $fleet =~ ^[1-9][0-9]*$ ]] || die "--fleet takes a number of certificates, not '$fleet'"
  renew_n=$fleet idle_n=$fleet
fi
idle_secret_bytes=10240
create_concurrency=16
tuned=(--kube-api-qps 500 --kube-api-burst 1000)
storm_qps=200 storm_burst=400
out=$(realpath -m "${out:-hack/bench/out/compare-$(date -u +%Y%m%dT%H%M%SZ)}")
mkdir -p "$out/logs"
cells=$out/cells.jsonl
: >"$cells"
has() { [[ ,$scenarios, == *,$1,* ]]; }
log() { echo "compare: $*" >&2; }
python_charts=/usr/bin/python3  # Debian's python3-matplotlib lives there
[[ -x $python_charts ]] || python_charts=python3

# --- build -------------------------------------------------------------------------
if [[ -z $no_build ]]; then
  hack/install-deps.sh
  if [[ ! -f $build_dir/build.ninja && ! -f $build_dir/Makefile ]]; then
    [[ $build_dir == build ]] || die "$build_dir is not a configured build folder"
    hack/build.sh release
  fi
  cmake --build "$build_dir" --target certplane-controller compare_client crl_publish_bench \
    -j"${CERTPLANE_BUILD_JOBS:-2}" >/dev/null
fi
build_dir=$(realpath "$build_dir")
client=$build_dir/hack/bench/compare/compare_client
cp_bin=${cp_bin:-$build_dir/controller/certplane-controller}
[[ -x $client && -x $build_dir/hack/bench/crl/crl_publish_bench ]] || die "build $build_dir first (or drop --no-build)"
[[ -x $cp_bin ]] || die "no controller at $cp_bin: build $build_dir first (or drop --no-build)"
hack/build-control-plane.sh >/dev/null

# lib.sh runs build/controller/certplane-controller from the repository root; for another
# binary, a scratch root whose build/controller/certplane-controller is a copy of it and
# whose other entries are the repository's own.
scratch_root=
if [[ $cp_bin != "$(realpath -m build/controller/certplane-controller)" ]]; then
  scratch_root=$(mktemp -d)
  for entry in hack crds examples charts; do ln -s "$CERTPLANE_REPO_ROOT/$entry" "$scratch_root/$entry"; done
  mkdir -p "$scratch_root/build/controller"
  cp "$cp_bin" "$scratch_root/build/controller/certplane-controller"  # fixed for the whole run
  cd "$scratch_root"
fi

# --- cells -------------------------------------------------------------------------
sampler_pid='' work=''
compare_cleanup() {
  [[ -n $sampler_pid ]] && kill -TERM "$sampler_pid" 2>/dev/null && wait "$sampler_pid" 2>/dev/null
  sampler_pid=
  if [[ -n $work ]]; then bench_cleanup; fi
  work=
}
on_exit() {
  compare_cleanup
  [[ -n $scratch_root ]] && rm -rf "$scratch_root"
  return 0
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# fresh NAME: a new control plane (lib.sh's bench_up) for the cell NAME.
cell_name=
fresh() {
  compare_cleanup
  cell_name=$1
  log "$cell_name"
  bench_up
  trap on_exit EXIT  # bench_up set its own
  kubectl create namespace cert-manager >/dev/null
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
}

# keep_log: the controller's last lines, for when a cell went wrong.
keep_log() {
  if [[ -f $work/controller.log ]]; then
    tail -n 300 "$work/controller.log" >"$out/logs/$cell_name.log" || true
  fi
}

stop_controller() {
  keep_log
  if kill -TERM "$controller_pid" 2>/dev/null; then wait "$controller_pid" 2>/dev/null || true; fi
  controller_pid=
}

certplane_objects() {
  kubectl apply -f "$here/certplane-issuer.yaml" >/dev/null
  kubectl wait --for=condition=Ready --timeout=120s certificateprofile/bench >/dev/null
}

# start_cert_manager FLAGS...: cert-manager's controller out of cluster.
start_cert_manager() {
  local port
  port=$(free_port)
  "$cm_bin" --kubeconfig "$KUBECONFIG" --leader-elect=false --cluster-resource-namespace=cert-manager \
    --metrics-listen-address "127.0.0.1:$port" "$@" >"$work/controller.log" 2>&1 &
  controller_pid=$!
}

cert_manager_objects() {
  kubectl apply --server-side -f "$cm_crds" >/dev/null
  kubectl wait --for=condition=Established --timeout=60s -f "$cm_crds" >/dev/null
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=Bench Root" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
  kubectl create secret tls bench-ca -n bench --cert "$work/ca.crt" --key "$work/ca.key" >/dev/null
  kubectl apply -f - >/dev/null <<'EOF'
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: bench-ca, namespace: bench}
spec: {ca: {secretName: bench-ca}}
EOF
}

# start CONFIG [FLAGS...]: the controller of CONFIG with its flags (none = defaults).
start() {
  local config=$1; shift
  case $config in
    certplane*) bench_start_controller --log-level warn "$@" ;;
    cert-manager*) start_cert_manager "$@" ;;
  esac
}

# setup CONFIG FLAGS...: the issuer side and the running controller.
setup() {
  local config=$1; shift
  case $config in
    certplane*) start "$config" "$@"; certplane_objects ;;
    cert-manager*)
      cert_manager_objects
      start "$config" "$@"
      kubectl wait --for=condition=Ready --timeout=120s issuer/bench-ca -n bench >/dev/null ;;
  esac
}

flags_of() {
  case $1 in
    certplane|cert-manager) ;;
    *-tuned) echo "${tuned[@]}" ;;
  esac
}
kind_of() { [[ $1 == cert-manager* ]] && echo cert-manager || echo certplane; }

sampled_rows() { local c; c=$(grep -c '"requests"' "$work/samples.jsonl" 2>/dev/null) || true; echo "${c:-0}"; }
# Returns once the sampler has written its first row with a request count: by then it
# handles SIGTERM (its last row), so even a cell shorter than one interval gets the two
# rows a rate needs, however slowly python starts on a loaded machine.
start_sampler() {
  local rows
  rows=$(sampled_rows)
  python3 "$here/metrics.py" sample --pid "${controller_pid:-$$}" --out "$work/samples.jsonl" &
  sampler_pid=$!
  for _ in $(seq 200); do
    (($(sampled_rows) > rows)) && return
    sleep 0.05
  done
}
stop_sampler() {
  if kill -TERM "$sampler_pid" 2>/dev/null; then wait "$sampler_pid" 2>/dev/null || true; fi
  sampler_pid=
}

# record SCENARIO CONFIG JSON...: one line of cells.jsonl, the given objects merged
# with the cell's context.
record() {
  local scenario=$1 config=$2; shift 2
  printf '%s\n' "$@" | jq -c -s --arg s "$scenario" --arg c "$config" --arg lb "$load_before" \
    --arg la "$(cut -d' ' -f1-3 /proc/loadavg)" \
    'add + {scenario: $s, config: $c, loadavg_before: $lb, loadavg_after: $la}' >>"$cells"
}
skip() { # scenario config n why
  jq -c -n --arg s "$1" --arg c "$2" --argjson n "$3" --arg w "$4" \
    '{scenario: $s, config: $c, n: $n, skipped: $w}' >>"$cells"
  log "skipped $1 $2 n=$3: $4"
}

# capped CONFIG N: N, or the --max-n of CONFIG when that is smaller (renewal and idle
# run at the capped size rather than not at all; the table shows the N used).
capped() {
  local entry n=$2
  for entry in ${max_n[@]+"${max_n[@]}"}; do
    [[ ${entry%%=*} == "$1" && $n -gt ${entry#*=} ]] && n=${entry#*=}
  done
  echo "$n"
}

over_limit() { # config n -> true when --max-n excludes it
  local entry
  for entry in ${max_n[@]+"${max_n[@]}"}; do
    [[ ${entry%%=*} == "$1" && $2 -gt ${entry#*=} ]] && return 0
  done
  return 1
}

issuance_cell() { # config n algorithm
  local config=$1 n=$2 alg=$3 flags result proc='{}' rate='{}'
  if over_limit "$config" "$n"; then skip issuance "$config" "$n" "over --max-n (time budget)"; return; fi
  fresh "issuance-$config-$n-$alg"
  read -ra flags <<<"$(flags_of "$config")"
  [[ $config == floor ]] || setup "$config" ${flags[@]+"${flags[@]}"}
  python3 "$here/metrics.py" scrape "$work/before.json"
  start_sampler
  if [[ $config == floor ]]; then
    result=$("$client" floor --n "$n" --concurrency "$create_concurrency") || true
  else
    result=$("$client" issue --kind "$(kind_of "$config")" --n "$n" --algorithm "$alg" \
      --concurrency "$create_concurrency" --timeout "$timeout") || true
  fi
  python3 "$here/metrics.py" scrape "$work/after.json"
  [[ $config == floor ]] || proc=$(python3 "$here/metrics.py" proc --pid "$controller_pid")
  stop_sampler
  rate=$(python3 "$here/metrics.py" rate "$work/samples.jsonl")
  [[ -n $result ]] || result='{"complete": false}'
  record issuance "$config" "$result" "$proc" "{\"rate\": $rate}" "{\"algorithm\": \"$alg\", \"flags\": \"${flags[*]+${flags[*]}}\"}" \
    "{\"requests\": $(python3 "$here/metrics.py" delta "$work/before.json" "$work/after.json" --n "$n" \
      --subtract-json "$(jq -c '.bench_requests // {}' <<<"$result")")}"
  keep_log
}

renewal_cell() { # product n
  local product=$1 n=$2 kind flags result issued
  kind=$(kind_of "$product")
  fresh "renewal-$product-$n"
  read -ra flags <<<"${tuned[*]}"
  setup "$product" "${flags[@]}"
  issued=$("$client" issue --kind "$kind" --n "$n" --duration 1h --concurrency "$create_concurrency" --timeout "$timeout") ||
    { log "renewal: issuance did not complete: $issued"; skip renewal "$product" "$n" "issuance did not complete"; keep_log; return; }
  stop_controller
  "$client" patch --kind "$kind" --n "$n" --merge '{"spec":{"renewBefore":"59m50s"}}' >/dev/null
  sleep 12  # the last issued is now past its renewal time too
  python3 "$here/metrics.py" scrape "$work/before.json"
  local t0
  t0=$(date +%s.%N)
  # certplane on its default flags (a ceiling that halves on 429), to show the API server
  # stays healthy under them; cert-manager with the raised limits its scaling guide advises.
  local storm_flags=(--kube-api-qps "$storm_qps" --kube-api-burst "$storm_burst") qps_flag=$storm_qps burst_flag=$storm_burst
  if [[ $kind == certplane ]]; then storm_flags=(); qps_flag='"default"'; burst_flag='"default"'; fi
  start "$product" "${storm_flags[@]}"
  start_sampler
  result=$("$client" wait --kind "$kind" --n "$n" --min-revision 2 --t0 "$t0" --timeout "$timeout") || true
  python3 "$here/metrics.py" scrape "$work/after.json"
  local proc
  proc=$(python3 "$here/metrics.py" proc --pid "$controller_pid")
  stop_sampler
  [[ -n $result ]] || result='{"complete": false}'
  record renewal "$product" "$result" "$proc" "{\"rate\": $(python3 "$here/metrics.py" rate "$work/samples.jsonl")}" \
    "{\"qps_flag\": $qps_flag, \"burst_flag\": $burst_flag, \"issuance\": $issued}" \
    "{\"requests\": $(python3 "$here/metrics.py" delta "$work/before.json" "$work/after.json" --n "$n" \
      --subtract-json "$(jq -c '.bench_requests // {}' <<<"$result")")}"
  keep_log
}

idle_cell() { # product n secrets
  local product=$1 n=$2 secrets=$3 created issued settled
  fresh "idle-$product-$n"
  kubectl create namespace unrelated >/dev/null
  created=$("$client" secrets --n "$secrets" --size "$idle_secret_bytes" --namespace unrelated --concurrency "$create_concurrency")
  read -ra flags <<<"${tuned[*]}"
  setup "$product" "${flags[@]}"
  issued=$("$client" issue --kind "$(kind_of "$product")" --n "$n" --concurrency "$create_concurrency" --timeout "$timeout") ||
    { skip idle "$product" "$n" "issuance did not complete"; keep_log; return; }
  stop_controller
  start "$product" "${flags[@]}"
  sleep 2
  settled=$(python3 "$here/metrics.py" settle --pid "$controller_pid" --max "$([[ -n $smoke ]] && echo 30 || echo 300)")
  record idle "$product" "$settled" "{\"n\": $n, \"unrelated_secrets\": $secrets, \"unrelated_secret_bytes\": $idle_secret_bytes}" \
    "{\"unrelated_created\": $created, \"issuance\": $issued}"
  keep_log
}

crl_cell() {
  local line
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  cell_name=crl
  log crl
  "$build_dir/hack/bench/crl/crl_publish_bench" $crl_flag | tee "$out/logs/crl.txt" >&2
  # "one CRL     100000 entries     1 shards      690.1 ms ... payload    432000 bytes"
  while read -r line; do
    record crl certplane "$(sed -E 's/^(one CRL|sharded) +([0-9]+) entries +([0-9]+) shards +([0-9.]+) ms.* ([0-9]+) bytes$/{"case": "\1", "serials": \2, "shards": \3, "milliseconds": \4, "largest_configmap_bytes": \5}/' <<<"$line")"
  done < <(grep -E '^(one CRL|sharded)' "$out/logs/crl.txt")
}

# --- the run -----------------------------------------------------------------------
configs=(certplane certplane-tuned)
products=(certplane)
if [[ -n $cm_bin ]]; then
  configs+=(cert-manager cert-manager-tuned)
  products+=(cert-manager)
else
  log "no --cert-manager-controller: measuring certplane and the floor alone"
fi
has floor && configs+=(floor)
if [[ -n $smoke && -z $cm_bin ]]; then
  configs=(certplane)
  if has floor; then configs+=(floor); fi
fi

jq -n --arg cmd "$command_line" --argjson smoke "${smoke:-0}" \
  --arg cm "${cm_bin:-}" --arg cmcrds "${cm_crds:-}" \
  --arg cmsha "$([[ -n $cm_bin ]] && sha256sum "$cm_bin" | cut -c1-16)" \
  --arg cpsha "$(sha256sum "$cp_bin" | cut -c1-16)" --arg cp "$cp_bin" \
  --arg cpdate "$(date -u -r "$cp_bin" +%FT%TZ)" \
  --arg rev "$(git -C "$CERTPLANE_REPO_ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$CERTPLANE_REPO_ROOT" diff --quiet HEAD 2>/dev/null || echo +dirty)" \
  --arg kube "$KUBERNETES_VERSION" --arg etcd "$ETCD_VERSION" \
  --argjson cores "$(nproc)" --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
  --argjson mem "$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)" \
  --arg started "$(date -u +%FT%TZ)" --argjson concurrency "$create_concurrency" \
  --arg tuned "${tuned[*]}" --argjson sq "$storm_qps" --argjson sb "$storm_burst" \
  '{command: $cmd, smoke: ($smoke == 1), started: $started, certplane_revision: $rev,
    certplane_controller: $cp, certplane_controller_sha256: $cpsha, certplane_controller_built: $cpdate, cert_manager_controller: $cm, cert_manager_crds: $cmcrds,
    cert_manager_controller_sha256: $cmsha, kubernetes: $kube, etcd: $etcd,
    machine: {cores: $cores, cpu: $cpu, memory_gib: $mem},
    create_concurrency: $concurrency, tuned_flags: $tuned, storm_qps: $sq, storm_burst: $sb}' >"$out/meta.json"

if has issuance || has floor; then
  IFS=, read -ra ns <<<"$sizes"
  for n in "${ns[@]}"; do
    for config in "${configs[@]}"; do
      [[ $config == floor ]] && ! has floor && continue
      [[ $config != floor ]] && ! has issuance && continue
      issuance_cell "$config" "$n" ECDSA-P256
    done
  done
  if has issuance && [[ ,$sizes, == *,$rsa_n,* ]]; then
    for config in "${configs[@]}"; do
      [[ $config == floor ]] || issuance_cell "$config" "$rsa_n" RSA-2048
    done
  fi
fi
if has renewal; then
  for product in "${products[@]}"; do renewal_cell "$product" "$(capped "$product-tuned" "$renew_n")"; done
fi
if has idle; then
  for product in "${products[@]}"; do idle_cell "$product" "$(capped "$product-tuned" "$idle_n")" "$idle_secrets"; done
fi
compare_cleanup
has crl && crl_cell

"$python_charts" "$here/report.py" "$out"
cat "$out/results.md"
log "results in $out (results.json, results.md, chart.png)"
