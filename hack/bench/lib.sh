# shellcheck shell=bash
# Shared by the benchmarks that need a cluster: a private control plane with the CRDs
# and the namespaces certplane-system and bench, and the controller on free loopback
# ports. Everything stops and is removed when the script exits.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
#   bench_up                                  # sets work, KUBECONFIG, PATH
#   bench_start_controller --kube-api-qps 500 # sets controller_pid, public_base_url
#   bench_apply_root_ca                       # the CA bench-root
#   bench_apply_server_template bench '*.bench.svc' '*.bench.svc'
#   bench_apply_profile bench '{api: {}}'     # the profile bench
#   bench_create_certificates 1000            # c0..c999 in namespace bench, all Ready
# Source hack/lib.sh first.

bench_up() {
  local bin
  bin=$(hack/build-control-plane.sh)
  export PATH="$bin:$PATH"
  work=$(mktemp -d)
  export CERTPLANE_CONTROL_PLANE_DIR="$work/control-plane" CERTPLANE_CONTROL_PLANE_TTL=3600
  controller_pid=
  trap bench_cleanup EXIT
  eval "$(hack/control-plane up 2>/dev/null)"
  kubectl apply --server-side -f crds/ >/dev/null
  kubectl wait --for=condition=Established --timeout=60s -f crds/ >/dev/null
  kubectl create namespace certplane-system >/dev/null
  kubectl create namespace bench >/dev/null
}

bench_cleanup() {
  [[ -n ${controller_pid:-} ]] && kill -TERM "$controller_pid" 2>/dev/null && wait "$controller_pid" 2>/dev/null
  hack/control-plane down >/dev/null 2>&1 || true
  rm -rf "$work"
}

# Starts build/controller/certplane-controller with the given extra flags; its log is
# $work/controller.log. HTTPS is off: its serving certificate would be one more issuance
# in every count the benchmarks take.
bench_start_controller() {
  local p1 p2 p3
  read -r p1 p2 p3 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
  public_base_url="http://127.0.0.1:$p1"
  build/controller/certplane-controller --kubeconfig "$KUBECONFIG" --namespace certplane-system --leader-elect=false \
    --http-bind-address "127.0.0.1:$p1" --health-probe-bind-address "127.0.0.1:$p2" \
    --metrics-bind-address "127.0.0.1:$p3" --public-base-url "$public_base_url" \
    --https-bind-address= "$@" >"$work/controller.log" 2>&1 &
  controller_pid=$!
}

# Creates the root CA bench-root (ECDSA P-256) that the benchmarks issue from.
bench_apply_root_ca() {
  kubectl apply -f - >/dev/null <<'YAML'
apiVersion: certplane.io/v1alpha1
kind: CertificateAuthority
metadata: {name: bench-root}
spec: {type: Root, subject: {commonName: Bench Root}, keyAlgorithm: ECDSA-P256}
YAML
}

# bench_apply_server_template NAME DNS_GLOB [COMMON_NAME_GLOB]
# Creates the CertificateTemplate NAME for TLS server certificates (ECDSA P-256 or
# RSA 2048, serverAuth, 30 days by default and 90 at most) whose DNS names match
# DNS_GLOB and, when COMMON_NAME_GLOB is given, with a common name matching it (without
# it the template allows no common name).
bench_apply_server_template() {
  local name=$1 dns=$2 subject=
  if [[ -n ${3:-} ]]; then subject="  subject: {commonName: {allowed: [\"$3\"]}}"$'\n'; fi
  kubectl apply -f - >/dev/null <<YAML
apiVersion: certplane.io/v1alpha1
kind: CertificateTemplate
metadata: {name: $name}
spec:
${subject}  subjectAltNames: {dnsNames: {allowed: ["$dns"]}}
  keyAlgorithms: [ECDSA-P256, RSA-2048]
  keyUsages: [digitalSignature, keyEncipherment]
  extendedKeyUsages: [serverAuth]
  defaultDuration: 720h
  maxDuration: 2160h
YAML
}

# bench_apply_profile TEMPLATE ENROLLMENT [RENEWAL]
# Creates the CertificateProfile bench: the CA bench-root, the template TEMPLATE, and
# ENROLLMENT and RENEWAL as the spec's enrollment and renewal, in YAML flow style
# ('{api: {}}', '{acme: {challenges: [dns-01]}}').
bench_apply_profile() {
  local renewal=
  if [[ -n ${3:-} ]]; then renewal="  renewal: $3"; fi
  kubectl apply -f - >/dev/null <<YAML
apiVersion: certplane.io/v1alpha1
kind: CertificateProfile
metadata: {name: bench}
spec:
  caRef: {name: bench-root}
  templateRef: {name: $1}
  enrollment: $2
$renewal
YAML
}

# Creates Certificates c0..c<N-1> of the profile bench in namespace bench (one request,
# a List), then waits until every one is Ready.
bench_create_certificates() {
  python3 - "$1" >"$work/certs.json" <<'PY'
import json, sys
n = int(sys.argv[1])
items = [{"apiVersion": "certplane.io/v1alpha1", "kind": "Certificate",
          "metadata": {"name": f"c{i}", "namespace": "bench"},
          "spec": {"profileRef": {"name": "bench"}, "secretName": f"c{i}-tls", "commonName": f"c{i}.bench.svc"}}
         for i in range(n)]
print(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
PY
  kubectl create -f "$work/certs.json" >/dev/null
  kubectl wait --for=condition=Ready --timeout=600s cpcert --all -n bench >/dev/null
}
