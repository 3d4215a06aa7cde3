#!/usr/bin/env bash
# The CRDs on a real kube-apiserver: they install and become Established; the five
# examples apply unchanged; defaults, printer columns, short names, the certplane
# category, the status subresource and `kubectl explain` work; and every invalid spec
# is refused by the schema or a CEL rule with the message a user should read.
#
# Runs against the control plane in $KUBECONFIG (the ctest fixture's, or your own:
#   KUBECONFIG=... tests/integration/crds/crd_test.sh).
#
# Shared control plane etiquette: the examples name fixed cluster-scoped objects and the
# namespace "shop", which end-to-end tests may be using at the same time, so they are
# applied unchanged with --dry-run=server (every admission step, nothing stored). The
# checks that need stored objects use copies with a unique suffix in a unique namespace,
# and everything this script creates is deleted on exit, pass or fail.
set -euo pipefail
# `manifest | expect_refused ...` runs the check in this shell, so its counts survive.
shopt -s lastpipe

src=${CERTPLANE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
id=$(printf '%s' "$$-$RANDOM-$(date +%s%N)" | sha256sum | cut -c1-8)
ns=crds-$id
work=$(mktemp -d)
failures=0
checks=0
created_shop=false

log() { echo "crd_test: $*"; }
pass() { checks=$((checks + 1)); echo "ok   $checks - $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL $checks - $*"; }

# delete_namespace NS: this control plane runs no namespace controller (no
# kube-controller-manager), so empty the namespace of what we put there and finalize it
# ourselves, as that controller would.
delete_namespace() {
  kubectl delete certificates.certplane.io,secrets --all -n "$1" --wait=false >/dev/null 2>&1
  kubectl delete namespace "$1" --wait=false >/dev/null 2>&1
  kubectl get namespace "$1" -o json 2>/dev/null |
    python3 -c 'import json,sys; o=json.load(sys.stdin); o["spec"]["finalizers"]=[]; print(json.dumps(o))' |
    kubectl replace --raw "/api/v1/namespaces/$1/finalize" -f - >/dev/null 2>&1
}

cleanup() {
  set +e
  delete_namespace "$ns"
  kubectl delete certificateprofiles.certplane.io "web-$id" >/dev/null 2>&1
  kubectl delete certificatetemplates.certplane.io "web-server-$id" >/dev/null 2>&1
  kubectl delete certificateauthorities.certplane.io "example-issuing-$id" "example-root-$id" >/dev/null 2>&1
  if [[ $created_shop == true ]]; then delete_namespace shop; fi
  rm -rf "$work"
}
trap cleanup EXIT

# expect_refused NAME MESSAGE [kubectl args...] <manifest: the API server must refuse
# the manifest (server-side dry run) with an error containing MESSAGE.
expect_refused() {
  local name=$1 want=$2 out; shift 2
  if out=$(kubectl apply --dry-run=server "$@" -f - 2>&1); then
    fail "$name: accepted, expected refusal with \"$want\""
  elif [[ $out != *"$want"* ]]; then
    fail "$name: refused, but the message lacks \"$want\": $out"
  else
    pass "$name refused: $want"
  fi
}

# expect_accepted NAME <manifest: the API server must accept it (server-side dry run).
expect_accepted() {
  local name=$1 out
  if out=$(kubectl apply --dry-run=server -f - 2>&1); then pass "$name accepted"
  else fail "$name: refused: $out"; fi
}

# expect_cmd_fails NAME MESSAGE cmd...: the command must fail with MESSAGE in its output.
expect_cmd_fails() {
  local name=$1 want=$2 out; shift 2
  if out=$("$@" 2>&1); then fail "$name: succeeded, expected \"$want\""
  elif [[ $out != *"$want"* ]]; then fail "$name: failed, but without \"$want\": $out"
  else pass "$name refused: $want"; fi
}

# expect_cmd NAME cmd...: the command must succeed.
expect_cmd() {
  local name=$1 out; shift
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name: $out"; fi
}

# expect_eq NAME WANT GOT
expect_eq() {
  if [[ $2 == "$3" ]]; then pass "$1 = $2"; else fail "$1: want \"$2\", got \"$3\""; fi
}

command -v kubectl >/dev/null || { echo "crd_test: kubectl not on PATH" >&2; exit 1; }
[[ -n ${KUBECONFIG:-} ]] || { echo "crd_test: KUBECONFIG is not set" >&2; exit 1; }
log "namespace $ns, suffix $id, kubectl $(kubectl version --client -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"])')"

# --- The repository's examples are the shared contract, byte for byte. --------------
examples=$src/examples
for f in 01-root-ca.yaml 02-issuing-ca.yaml 03-template.yaml 04-profile.yaml 05-certificate.yaml; do
  if [[ -f $examples/$f ]]; then pass "examples/$f exists"; else fail "examples/$f is missing"; fi
done
if [[ -d $src/../shared/examples ]]; then
  if diff -r "$src/../shared/examples" "$examples" >"$work/diff" 2>&1; then
    pass "examples/ is byte-identical to ../shared/examples"
  else
    fail "examples/ differs from ../shared/examples: $(head -c 2000 "$work/diff")"
  fi
fi

# --- Install. -----------------------------------------------------------------------
kinds=(certificateauthorities certificatetemplates certificateprofiles certificates certificatesyncs)
expect_cmd "kubectl apply -f crds/" kubectl apply -f "$src/crds"
for k in "${kinds[@]}"; do
  expect_cmd "$k.certplane.io is Established" \
    kubectl wait --for=condition=Established "crd/$k.certplane.io" --timeout=60s
done
# Discovery can lag Established by a moment; wait until kubectl resolves the short names.
for _ in $(seq 1 50); do kubectl get cpcert -A >/dev/null 2>&1 && break; sleep 0.2; done

# --- Every field is described, so `kubectl explain` teaches the whole API. ----------
kubectl get crd "${kinds[@]/%/.certplane.io}" -o json >"$work/crds.json"
undescribed=$(python3 - "$work/crds.json" <<'EOF'
import json, sys
missing = []
def walk(schema, path):
    for name, sub in (schema.get("properties") or {}).items():
        p = f"{path}.{name}"
        if name not in ("apiVersion", "kind", "metadata") and not sub.get("description"):
            missing.append(p)
        walk(sub, p)
    if "items" in schema:
        walk(schema["items"], path + "[]")
    if isinstance(schema.get("additionalProperties"), dict):
        walk(schema["additionalProperties"], path + "{}")
for crd in json.load(open(sys.argv[1]))["items"]:
    for v in crd["spec"]["versions"]:
        walk(v["schema"]["openAPIV3Schema"], crd["spec"]["names"]["kind"])
print(" ".join(missing))
EOF
)
if [[ -z $undescribed ]]; then pass "every schema field has a description"
else fail "fields without a description: $undescribed"; fi

# Scope, version, short names and category, as the API server reports them.
kubectl api-resources --api-group=certplane.io -o wide --no-headers >"$work/resources"
check_resource() {
  local plural=$1 short=$2 namespaced=$3 line
  line=$(grep -E "^${plural}[[:space:]]" "$work/resources" || true)
  if [[ -z $line ]]; then fail "$plural is not served"; return; fi
  if [[ $line == *"$short"* ]]; then pass "$plural has short names $short"; else fail "$plural short names: $line"; fi
  if [[ $line == *" $namespaced "* ]]; then pass "$plural namespaced=$namespaced"; else fail "$plural scope: $line"; fi
  if [[ $line == *certplane* ]]; then pass "$plural is in the certplane category"; else fail "$plural category: $line"; fi
  if [[ $line == *v1alpha1* ]]; then pass "$plural serves v1alpha1"; else fail "$plural version: $line"; fi
}
check_resource certificateauthorities cpca,cpcas false
check_resource certificatetemplates cptemplate,cptemplates false
check_resource certificateprofiles cpprofile,cpprofiles false
check_resource certificates cpcert,cpcerts true
check_resource certificatesyncs cpsync,cpsyncs true
if kubectl api-resources --no-headers 2>/dev/null | awk '{print $2}' | tr ',' '\n' | grep -qx cert; then
  owner=$(kubectl api-resources --no-headers | awk '$2 ~ /(^|,)cert(,|$)/ {print $0}')
  if [[ $owner == *cert-manager.io* ]]; then pass "cert/certs left to cert-manager"; else fail "we claim cert: $owner"; fi
else
  pass "certplane claims neither cert nor certs (cert-manager's short names)"
fi

# --- kubectl explain teaches nested fields. -----------------------------------------
explain() {
  local field=$1 want=$2 out
  if out=$(kubectl explain "$field" 2>&1) && [[ $out == *"$want"* ]]; then pass "kubectl explain $field"
  else fail "kubectl explain $field lacks \"$want\": $out"; fi
}
explain certificates.certplane.io.spec.privateKey.rotationPolicy "new key at every issuance"
explain cpcert.spec.additionalOutputFormats.passwordSecretRef.key "Key within the Secret"
explain cpcert.spec.revocation.reason "RFC 5280"
explain cpcert.status.history.revocationReason "Why that serial was revoked"
explain cpca.spec.crl.validity "nextUpdate - thisUpdate"
explain cpca.spec.nameConstraints.excluded.ipRanges "CIDR"
explain cptemplate.spec.subjectAltNames.uris.allowed "spiffe://cluster.local/ns/*/sa/*"
explain cpprofile.spec.enrollment.acme.externalAccountBinding.secretRef "base64url HMAC"
explain cpprofile.status.latestActiveCertificate.serialNumber "serial number"

# --- The five examples apply unchanged. ----------------------------------------------
# 05 creates the namespace shop and a Certificate in it; a dry run of the Certificate
# needs the namespace to exist, so create it if nobody has (and remove it on exit).
if ! kubectl get namespace shop >/dev/null 2>&1; then
  kubectl create namespace shop --save-config >/dev/null && created_shop=true
fi
for f in "$examples"/*.yaml; do
  if out=$(kubectl apply --dry-run=server -f "$f" 2>&1); then
    pass "examples/$(basename "$f") applies unchanged: $(echo "$out" | tr '\n' ' ')"
  else
    fail "examples/$(basename "$f") is refused: $out"
  fi
done

# --- Stored copies of the examples (unique names, own namespace). -------------------
kubectl create namespace "$ns" >/dev/null
copy() {
  sed -e "s/example-root/example-root-$id/g" -e "s/example-issuing/example-issuing-$id/g" \
      -e "s/name: web-server\$/name: web-server-$id/" -e "s/name: web\$/name: web-$id/" \
      -e "s/\\bshop\\b/$ns/g" "$examples/$1"
}
for f in 01-root-ca.yaml 02-issuing-ca.yaml 03-template.yaml 04-profile.yaml 05-certificate.yaml; do
  copy "$f" >"$work/$f"
  expect_cmd "a copy of $f is stored" kubectl apply -f "$work/$f"
done

# Defaults the API server fills in.
jp() { kubectl get "$@" 2>&1 || true; }
expect_eq "Certificate spec.privateKey.encoding defaults" PKCS8 \
  "$(jp cpcert frontend -n "$ns" -o jsonpath='{.spec.privateKey.encoding}')"
expect_eq "Certificate keeps spec.privateKey.rotationPolicy" Always \
  "$(jp cpcert frontend -n "$ns" -o jsonpath='{.spec.privateKey.rotationPolicy}')"
expect_eq "Profile spec.revocation.revokeOnDelete defaults" false \
  "$(jp cpprofile "web-$id" -o jsonpath='{.spec.revocation.revokeOnDelete}')"
expect_eq "Profile keeps spec.renewal.renewBeforeDays" 30 \
  "$(jp cpprofile "web-$id" -o jsonpath='{.spec.renewal.renewBeforeDays}')"
expect_eq "CA spec.crl.shards defaults" 1 \
  "$(jp cpca "example-root-$id" -o jsonpath='{.spec.crl.shards}')"
expect_eq "CA keeps spec.maxPathLength 0" 0 \
  "$(jp cpca "example-issuing-$id" -o jsonpath='{.spec.maxPathLength}')"
expect_eq "Template keeps spec.subjectAltNames.emailAddresses.allowed empty" "[]" \
  "$(jp cptemplate "web-server-$id" -o jsonpath='{.spec.subjectAltNames.emailAddresses.allowed}')"

# The certplane category lists all four kinds.
out=$(kubectl get certplane -A 2>&1 || true)
for want in "certificateauthority.certplane.io/example-root-$id" "certificatetemplate.certplane.io/web-server-$id" \
            "certificateprofile.certplane.io/web-$id" "certificate.certplane.io/frontend"; do
  if [[ $out == *"$want"* ]]; then pass "kubectl get certplane lists $want"
  else fail "kubectl get certplane lacks $want: $out"; fi
done

# --- Status is a subresource, and the printer columns show it. ----------------------
status='{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Issued","message":"issued","lastTransitionTime":"2030-01-01T00:00:00Z","observedGeneration":1}],"serialNumber":"5eed0123abcdef","notBefore":"2030-01-01T00:00:00Z","notAfter":"2030-01-31T00:00:00Z","renewalTime":"2030-01-01T00:00:00Z","revision":1}}'
expect_cmd "Certificate status is written through /status" \
  kubectl patch cpcert frontend -n "$ns" --subresource=status --type=merge -p "$status"
kubectl patch cpcert frontend -n "$ns" --type=merge -p '{"status":{"serialNumber":"ffff"}}' >/dev/null 2>&1 || true
expect_eq "status is not written through the main resource" 5eed0123abcdef \
  "$(jp cpcert frontend -n "$ns" -o jsonpath='{.status.serialNumber}')"
header=$(kubectl get cpcert frontend -n "$ns" | sed -n 1p | tr -s ' ')
expect_eq "Certificate printer columns" "NAME READY SECRET PROFILE SERIAL NOTAFTER AGE" "$header"
row=$(kubectl get cpcert frontend -n "$ns" --no-headers | tr -s ' ')
if [[ $row == "frontend True frontend-tls web-$id 5eed0123abcdef 2030-01-31T00:00:00Z "* ]]; then
  pass "Certificate row shows ready, secret, profile, serial, expiry"
else fail "Certificate row: $row"; fi
wide=$(kubectl get cpcert frontend -n "$ns" -o wide | sed -n 1p | tr -s ' ')
expect_eq "Certificate wide columns" "NAME READY SECRET PROFILE SERIAL NOTAFTER RENEWAL REVOKED REASON ACME-ORDER AGE" "$wide"
expect_eq "CertificateAuthority printer columns" "NAME TYPE READY PARENT SERIAL NOTAFTER CRL AGE" \
  "$(kubectl get cpca "example-issuing-$id" | sed -n 1p | tr -s ' ')"
expect_eq "CertificateTemplate printer columns" "NAME DEFAULT MAX AGE" \
  "$(kubectl get cptemplate "web-server-$id" | sed -n 1p | tr -s ' ')"
row=$(kubectl get cptemplate "web-server-$id" --no-headers | tr -s ' ')
if [[ $row == "web-server-$id 720h 2160h "* ]]; then pass "Template row shows its durations"
else fail "Template row: $row"; fi
expect_eq "CertificateProfile printer columns" "NAME READY CA TEMPLATE CERTIFICATES AGE" \
  "$(kubectl get cpprofile "web-$id" | sed -n 1p | tr -s ' ')"
kubectl patch cpca "example-issuing-$id" --subresource=status --type=merge \
  -p '{"status":{"crl":{"number":7,"entries":2}}}' >/dev/null
row=$(kubectl get cpca "example-issuing-$id" --no-headers | tr -s ' ')
if [[ $row == "example-issuing-$id Intermediate example-root-$id 7 "* ]]; then
  pass "CA row shows type, parent and CRL number"
else fail "CA row: $row"; fi

# --- Invalid specs are refused before the controller sees them. ---------------------
ca() { printf 'apiVersion: certplane.io/v1alpha1\nkind: CertificateAuthority\nmetadata: {name: bad-%s}\nspec: %s\n' "$id" "$1"; }
cert() { printf 'apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata: {name: bad, namespace: %s}\nspec: %s\n' "$ns" "$1"; }
tmpl() { printf 'apiVersion: certplane.io/v1alpha1\nkind: CertificateTemplate\nmetadata: {name: bad-%s}\nspec: %s\n' "$id" "$1"; }
prof() { printf 'apiVersion: certplane.io/v1alpha1\nkind: CertificateProfile\nmetadata: {name: bad-%s}\nspec: %s\n' "$id" "$1"; }
base='profileRef: {name: web}, secretName: s'

ca '{type: Intermediate, subject: {commonName: X}}' | expect_refused "an Intermediate without parentRef" \
  "an Intermediate CA needs spec.parentRef"
ca '{type: Root, parentRef: {name: r}, subject: {commonName: X}}' | expect_refused "a Root with a parentRef" \
  "only an Intermediate CA has a parentRef"
ca '{type: Imported}' | expect_refused "an Imported CA without secretRef" "an Imported CA needs spec.secretRef"
ca '{type: Root, secretRef: {name: s}, subject: {commonName: X}}' | expect_refused "a Root with a secretRef" \
  "only an Imported CA has a secretRef"
ca '{type: Root}' | expect_refused "a Root without a subject" "needs spec.subject with a commonName"
# A CA named like another CA's CRL shard would share its ConfigMap (a at shard 1 is
# certplane-crl-a.shard-1); a name that only contains "shard" is fine.
printf 'apiVersion: certplane.io/v1alpha1\nkind: CertificateAuthority\nmetadata: {name: a-%s.shard-1}\nspec: {type: Root, subject: {commonName: X}}\n' "$id" |
  expect_refused "a CA named like a CRL shard" "metadata.name must not end with .shard-<number>"
printf 'apiVersion: certplane.io/v1alpha1\nkind: CertificateAuthority\nmetadata: {name: a-%s.shard-x}\nspec: {type: Root, subject: {commonName: X}}\n' "$id" |
  expect_accepted "a CA whose name has .shard- without a number"
ca '{type: Sub, subject: {commonName: X}}' | expect_refused "an unknown CA type" 'Unsupported value: "Sub"'
ca '{type: Root, subject: {commonName: X}, keyAlgorithm: DSA-1024}' | expect_refused "a CA key algorithm outside the enum" \
  'spec.keyAlgorithm: Unsupported value: "DSA-1024"'
ca '{type: Root, subject: {commonName: X}, duration: 10y}' | expect_refused "a CA duration in years" \
  "must be a duration such as 87600h"
ca '{type: Root, subject: {commonName: X}, duration: 8760h, renewBefore: 9000h}' | expect_refused \
  "a CA renewBefore beyond its duration" "renewBefore must be less than duration"
ca '{type: Root, subject: {commonName: X}, crl: {validity: 30s}}' | expect_refused "a CRL validity under 1m" \
  "spec.crl.validity: Invalid value: \"30s\": must be at least 1m"
ca '{type: Root, subject: {commonName: X}, crl: {validity: 1h, refreshBefore: 2h}}' | expect_refused \
  "a CRL refreshBefore beyond its validity" "refreshBefore must be less than validity"
ca '{type: Root, subject: {commonName: X}, crl: {validity: 1h, delta: {validity: 1h}}}' | expect_refused \
  "a delta CRL validity not below the CRL's" "delta.validity must be less than validity"
ca '{type: Root, subject: {commonName: X}, crl: {delta: {validity: 30s}}}' | expect_refused \
  "a delta CRL validity under 1m" "spec.crl.delta.validity: Invalid value: \"30s\": must be at least 1m"
ca '{type: Root, subject: {commonName: X}, crl: {delta: {distributionPointURLs: [not a url]}}}' | expect_refused \
  "a delta CRL URL that is not a URL" "must be an absolute URL"
ca '{type: Root, subject: {commonName: X}, crl: {delta: {}}}' | expect_accepted "delta CRLs with the default validity"
ca '{type: Root, subject: {commonName: X}, nameConstraints: {permitted: {ipRanges: [10.0.0.0/40]}}}' | expect_refused \
  "a name constraint that is not a CIDR" "must be a CIDR"
ca '{type: Root, subject: {commonName: X}, maxPathLength: -1}' | expect_refused "a negative maxPathLength" \
  "spec.maxPathLength: Invalid value: -1"
expect_cmd_fails "changing a CA's type" "spec.type cannot be changed" \
  kubectl patch cpca "example-root-$id" --dry-run=server --type=merge -p '{"spec":{"type":"Imported","secretRef":{"name":"x"}}}'

cert "{$base, dnsNames: [a.example.com], privateKey: {algorithm: RSA-1024}}" | expect_refused \
  "a certificate key algorithm outside the enum" 'spec.privateKey.algorithm: Unsupported value: "RSA-1024"'
cert "{$base, dnsNames: [a.example.com], duration: ten days}" | expect_refused "a duration that does not parse" \
  'spec.duration: Invalid value: "ten days": must be a duration such as 720h, 90m or 1h30m'
cert "{$base, dnsNames: [a.example.com], duration: 30m}" | expect_refused "a duration under 1h" \
  'spec.duration: Invalid value: "30m": must be at least 1h'
cert "{$base, dnsNames: [a.example.com], duration: 1h, renewBefore: 1h}" | expect_refused "renewBefore equal to duration" \
  "spec.renewBefore: Invalid value: renewBefore must be less than duration"
cert "{$base, dnsNames: [a.example.com], duration: 720h, renewBefore: 800h}" | expect_refused "renewBefore over duration" \
  "renewBefore must be less than duration"
cert "{$base, dnsNames: [a.example.com], duration: 720h, renewBeforeDays: 30}" | expect_refused \
  "renewBeforeDays equal to duration" "renewBeforeDays must be less than duration"
cert "{$base, dnsNames: [a.example.com], renewBefore: 24h, renewBeforeDays: 1}" | expect_refused \
  "both renewBefore and renewBeforeDays" "set renewBefore or renewBeforeDays, not both"
cert "{$base, dnsNames: [a.example.com], renewBefore: 1m}" | expect_refused "renewBefore under 5m" "must be at least 5m"
cert "{$base}" | expect_refused "a certificate without any name" "a certificate needs at least one identity"
cert "{profileRef: {name: web}, dnsNames: [a.example.com]}" | expect_refused "a certificate without secretName or csr" \
  "set exactly one of secretName"
cert "{$base, dnsNames: [a..example.com]}" | expect_refused "a malformed DNS name" \
  'spec.dnsNames[0]: Invalid value: "a..example.com": must be a DNS name'
cert "{$base, dnsNames: [a.example.com, a.example.com]}" | expect_refused "a duplicated DNS name" \
  'spec.dnsNames[1]: Duplicate value: "a.example.com"'
cert "{$base, ipAddresses: [10.0.0.256]}" | expect_refused "a malformed IP address" \
  'spec.ipAddresses[0]: Invalid value: "10.0.0.256": must be an IPv4 or IPv6 address'
cert "{$base, uris: [not a uri]}" | expect_refused "a malformed URI" 'spec.uris[0]: Invalid value: "not a uri"'
cert "{$base, emailAddresses: [nobody]}" | expect_refused "a malformed email" 'spec.emailAddresses[0]: Invalid value: "nobody"'
cert "{$base, dnsNames: [a.example.com], keyUsages: [keyCertSign]}" | expect_refused "a CA key usage on a leaf" \
  'spec.keyUsages[0]: Unsupported value: "keyCertSign"'
cert "{$base, dnsNames: [a.example.com], extendedKeyUsages: [anyExtendedKeyUsage]}" | expect_refused \
  "an unknown extended key usage" 'Unsupported value: "anyExtendedKeyUsage"'
cert "{$base, dnsNames: [a.example.com], privateKey: {algorithm: Ed25519, encoding: PKCS1}}" | expect_refused \
  "an Ed25519 key in PKCS1" "Ed25519 keys can only be encoded as PKCS8"
cert "{$base, dnsNames: [a.example.com], additionalOutputFormats: [{type: PKCS12}]}" | expect_refused \
  "PKCS12 without a password" "PKCS12 needs passwordSecretRef"
cert "{$base, dnsNames: [a.example.com], additionalOutputFormats: [{type: DER}, {type: DER}]}" | expect_refused \
  "two outputs of one type" 'spec.additionalOutputFormats[1]: Duplicate value'
cert "{$base, dnsNames: [a.example.com], additionalOutputFormats: [{type: JKS}]}" | expect_refused \
  "an unknown output format" 'Unsupported value: "JKS"'
cert "{$base, dnsNames: [a.example.com], revocation: {reason: removeFromCRL}}" | expect_refused \
  "a revocation reason outside RFC 5280's list" 'spec.revocation.reason: Unsupported value: "removeFromCRL"'
cert "{$base, dnsNames: [a.example.com], revocation: {}}" | expect_refused "a revocation without a reason" \
  "spec.revocation.reason: Required value"
cert "{$base, dnsNames: [a.example.com], duration: 1h, renewBefore: 59m50s}" | expect_accepted \
  "duration 1h with renewBefore 59m50s"
cert "{$base, dnsNames: ['*.example.com'], ipAddresses: ['fd00::1'], uris: ['spiffe://cluster.local/ns/a/sa/b'], emailAddresses: [ops@example.com]}" \
  | expect_accepted "a wildcard, an IPv6 address, a SPIFFE ID and an email"

tmpl '{defaultDuration: 3000h, maxDuration: 2160h}' | expect_refused "a template default over its maximum" \
  "defaultDuration must not exceed maxDuration"
tmpl '{minDuration: 48h, defaultDuration: 24h}' | expect_refused "a template default under its minimum" \
  "defaultDuration must not be less than minDuration"
tmpl '{maxDuration: forever}' | expect_refused "a template maxDuration that does not parse" "must be a duration"
tmpl '{subjectAltNames: {ipAddresses: {allowed: [10.0.0.0/33]}}}' | expect_refused "a template CIDR that does not parse" \
  'spec.subjectAltNames.ipAddresses.allowed[0]: Invalid value: "10.0.0.0/33": must be a CIDR range'
tmpl '{keyAlgorithms: [ECDSA-P521]}' | expect_refused "a template key algorithm outside the enum" 'Unsupported value: "ECDSA-P521"'
tmpl '{keyUsages: [signing]}' | expect_refused "a template key usage outside the enum" 'Unsupported value: "signing"'

prof '{caRef: {name: a}, templateRef: {name: b}, enrollment: {api: {}, acme: {}}}' | expect_refused \
  "a profile with two enrollment methods" "set exactly one enrollment method, api or acme"
prof '{caRef: {name: a}, templateRef: {name: b}, enrollment: {}}' | expect_refused \
  "a profile without an enrollment method" "set exactly one enrollment method, api or acme"
prof '{caRef: {name: a}, templateRef: {name: b}, enrollment: {api: {}}, renewal: {renewBefore: 24h, renewBeforeDays: 1}}' \
  | expect_refused "a profile with both renewal defaults" "set renewBefore or renewBeforeDays, not both"
prof '{caRef: {name: a}, templateRef: {name: b}, enrollment: {api: {}}, namespaceSelector: {matchExpressions: [{key: team, operator: In}]}}' \
  | expect_refused "an In selector without values" "In and NotIn need at least one value"
prof '{caRef: {name: a}, templateRef: {name: b}, enrollment: {api: {}}, namespaceSelector: {matchExpressions: [{key: team, operator: Exists, values: [x]}]}}' \
  | expect_refused "an Exists selector with values" "Exists and DoesNotExist take no values"
prof '{caRef: {name: a}, templateRef: {name: b}, enrollment: {acme: {challenges: [dns-02]}}}' | expect_refused \
  "an unknown ACME challenge" 'Unsupported value: "dns-02"'
prof '{templateRef: {name: b}, enrollment: {api: {}}}' | expect_refused "a profile without caRef" "spec.caRef: Required value"
prof '{caRef: {name: a}, templateRef: {name: b}, enrollment: {acme: {validation: {allowedCIDRs: [10.0.0.0/33]}}}}' \
  | expect_refused "an ACME validator CIDR that does not parse" \
  'spec.enrollment.acme.validation.allowedCIDRs[0]: Invalid value: "10.0.0.0/33": must be a CIDR range'
prof '{caRef: {name: a}, templateRef: {name: b}, enrollment: {acme: {validation: {allowedCIDRs: [127.0.0.1]}}}}' \
  | expect_refused "an ACME validator address without a prefix length" "must be a CIDR range"
prof '{caRef: {name: a}, templateRef: {name: b}, enrollment: {acme: {validation: {allowedCIDRs: [127.0.0.0/8, "fd00::/8"]}}}}' \
  | expect_accepted "ACME validator CIDRs for loopback and ULA"
expect_cmd "kubectl explain describes allowedCIDRs" \
  bash -c "kubectl explain certificateprofiles.certplane.io.spec.enrollment.acme.validation.allowedCIDRs | tr -s ' \n' ' ' | grep -q 'besides public unicast ones'"

# --- CSR enrollment: spec.csr instead of secretName, and what cannot go with it. ----
csr_pem=$(openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/csr.key" \
  -subj /CN=a.example.com -addext subjectAltName=DNS:a.example.com 2>/dev/null)
csr_json=$(printf '%s\n' "$csr_pem" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')
csrbase="profileRef: {name: web}, csr: $csr_json, dnsNames: [a.example.com]"
cert "{$csrbase}" | expect_accepted "a certificate with csr and no secretName"
cert "{$csrbase, acme: {account: acct-1, order: o-1}}" | expect_accepted "a certificate with csr and acme"
cert "{$csrbase, secretName: s}" | expect_refused "both secretName and csr" "set exactly one of secretName"
cert "{$csrbase, privateKey: {algorithm: RSA-2048}}" | expect_refused "privateKey with csr" \
  "privateKey does not apply with csr"
cert "{$csrbase, privateKey: {}}" | expect_refused "an empty privateKey with csr" "privateKey does not apply with csr"
cert "{$csrbase, autoRenew: true}" | expect_refused "autoRenew true with csr" "autoRenew cannot be true with csr"
cert "{$csrbase, autoRenew: false}" | expect_accepted "autoRenew false with csr"
cert "{$csrbase, additionalOutputFormats: [{type: DER}]}" | expect_refused "additionalOutputFormats with csr" \
  "additionalOutputFormats does not apply with csr"
cert "{$csrbase, secretTemplate: {labels: {a: b}}}" | expect_refused "secretTemplate with csr" \
  "secretTemplate does not apply with csr"
cert "{profileRef: {name: web}, csr: not a csr, dnsNames: [a.example.com]}" | expect_refused "a csr that is not PEM" \
  "must be a PEM certificate request"
cert "{$base, dnsNames: [a.example.com], acme: {account: a, order: o}}" | expect_refused "acme without csr" \
  "acme needs csr"
cert "{$base, dnsNames: [a.example.com], privateKey: {algorithm: RSA-2048}}" | expect_accepted \
  "privateKey with secretName"

# Stored, the CSR and the ACME order cannot change, appear or go.
printf 'apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata: {name: enrolled, namespace: %s}\nspec: {%s, acme: {account: acct-1, order: o-1}}\n' \
  "$ns" "$csrbase" >"$work/enrolled.yaml"
expect_cmd "a CSR enrollment is stored" kubectl apply -f "$work/enrolled.yaml"
expect_eq "a CSR enrollment gets no privateKey default" "" \
  "$(jp cpcert enrolled -n "$ns" -o jsonpath='{.spec.privateKey}')"
other_pem=$(openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/other.key" \
  -subj /CN=a.example.com -addext subjectAltName=DNS:a.example.com 2>/dev/null)
other_json=$(printf '%s\n' "$other_pem" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')
expect_cmd_fails "changing the csr" "csr is immutable" \
  kubectl patch cpcert enrolled -n "$ns" --dry-run=server --type=merge -p "{\"spec\":{\"csr\":$other_json}}"
expect_cmd_fails "replacing the csr by a secretName" "csr cannot be added or removed after creation" \
  kubectl patch cpcert enrolled -n "$ns" --dry-run=server --type=json \
  -p '[{"op":"remove","path":"/spec/csr"},{"op":"add","path":"/spec/secretName","value":"s"}]'
expect_cmd_fails "adding a csr to a Secret certificate" "csr cannot be added or removed after creation" \
  kubectl patch cpcert frontend -n "$ns" --dry-run=server --type=json \
  -p "[{\"op\":\"remove\",\"path\":\"/spec/secretName\"},{\"op\":\"remove\",\"path\":\"/spec/privateKey\"},{\"op\":\"add\",\"path\":\"/spec/csr\",\"value\":$csr_json}]"
expect_cmd_fails "changing the ACME order" "acme is immutable" \
  kubectl patch cpcert enrolled -n "$ns" --dry-run=server --type=merge -p '{"spec":{"acme":{"order":"o-2"}}}'
expect_cmd_fails "removing the ACME order" "acme cannot be added or removed after creation" \
  kubectl patch cpcert enrolled -n "$ns" --dry-run=server --type=json -p '[{"op":"remove","path":"/spec/acme"}]'
expect_cmd "other spec fields of a CSR enrollment stay editable" \
  kubectl patch cpcert enrolled -n "$ns" --dry-run=server --type=merge -p '{"spec":{"duration":"48h"}}'
expect_cmd "status.certificate is written through /status" \
  kubectl patch cpcert enrolled -n "$ns" --subresource=status --type=merge \
  -p '{"status":{"certificate":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}}'
row=$(kubectl get cpcert enrolled -n "$ns" -o wide --no-headers | tr -s ' ')
# (kubectl leaves empty cells blank: no Ready, no Secret, no serial yet.)
if [[ $row == "enrolled web o-1 "* ]]; then pass "a CSR enrollment's row shows no Secret and its ACME order"
else fail "CSR enrollment row: $row"; fi

# --- CertificateSync: one destination, one way of selecting, exactly one credential. ---
sync_manifest() { # spec body (YAML, indented two spaces under spec:)
  printf 'apiVersion: certplane.io/v1alpha1\nkind: CertificateSync\nmetadata: {name: s, namespace: %s}\nspec:\n%s\n' "$ns" "$1"
}
acm='  awsCertificateManager: {region: eu-west-1, auth: {secretRef: {name: aws}}}'
sync_manifest "  certificates: {names: [frontend]}
$acm" | expect_accepted "a sync of one certificate to ACM"
expect_eq "preserveARN defaults to true" true \
  "$(sync_manifest "  certificates: {names: [frontend]}
$acm" | kubectl apply --dry-run=server -o jsonpath='{.spec.awsCertificateManager.preserveARN}' -f -)"
sync_manifest "  certificates: {names: [frontend]}" |
  expect_refused "a sync without a destination" "set exactly one destination"
sync_manifest "  certificates: {names: [frontend]}
$acm
  azureKeyVault: {vaultURL: 'https://v.vault.azure.net', auth: {secretRef: {name: az}}}" |
  expect_refused "a sync with two destinations" "set exactly one destination"
sync_manifest "  certificates: {names: [frontend], selector: {matchLabels: {a: b}}}
$acm" | expect_refused "names and a selector at once" "set exactly one of names and selector"
sync_manifest "  certificates: {names: [frontend]}
  awsCertificateManager: {region: eu-west-1, auth: {}}" |
  expect_refused "AWS auth without credentials" "set exactly one of secretRef and webIdentity"
sync_manifest "  certificates: {names: [frontend]}
  awsCertificateManager: {region: eu-west-1, auth: {webIdentity: {roleARN: 'not-an-arn', serviceAccountName: sa}}}" |
  expect_refused "a role that is not an IAM role ARN" "roleARN"
sync_manifest "  certificates: {names: [frontend]}
  azureKeyVault: {vaultURL: 'http://v.vault.azure.net', auth: {secretRef: {name: az}}}" |
  expect_refused "a vault over plain http" "should match '^https://'"
sync_manifest "  certificates: {names: [frontend]}
  awsSecretsManager: {region: eu-west-1, fields: [certificate, password], auth: {secretRef: {name: aws}}}" |
  expect_refused "an unknown Secrets Manager field" "Unsupported value: \"password\""

# --- Revocation is final (a transition rule), except that a hold may be lifted. -----
revoke() { kubectl patch cpcert "$1" -n "$ns" --type=merge -p "{\"spec\":{\"revocation\":{\"reason\":\"$2\"}}}" "${@:3}"; }
unrevoke() { kubectl patch cpcert "$1" -n "$ns" --type=json -p '[{"op":"remove","path":"/spec/revocation"}]' "${@:2}"; }
final="revocation is final"
expect_cmd "revoking with keyCompromise" revoke frontend keyCompromise
expect_cmd_fails "removing a revocation" "$final" unrevoke frontend --dry-run=server
expect_cmd_fails "changing a revocation reason" "$final" revoke frontend superseded --dry-run=server
expect_cmd_fails "turning a revocation into a hold" "$final" revoke frontend certificateHold --dry-run=server
expect_cmd "other spec fields stay editable after revocation" \
  kubectl patch cpcert frontend -n "$ns" --type=merge -p '{"spec":{"duration":"48h"}}' --dry-run=server
expect_eq "the revocation stays" keyCompromise "$(jp cpcert frontend -n "$ns" -o jsonpath='{.spec.revocation.reason}')"

printf 'apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata: {name: held, namespace: %s}\nspec: {%s, dnsNames: [held.example.com]}\n' \
  "$ns" "$base" >"$work/held.yaml"
kubectl apply -f "$work/held.yaml" >/dev/null
expect_cmd "putting a certificate on hold" revoke held certificateHold
expect_cmd "lifting a hold" unrevoke held --dry-run=server
expect_cmd "changing a hold to a final reason" revoke held keyCompromise
expect_cmd_fails "lifting a revocation that followed a hold" "$final" unrevoke held --dry-run=server

echo "crd_test: $checks checks, $failures failed"
((failures == 0))
