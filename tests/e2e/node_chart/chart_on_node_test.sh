#!/usr/bin/env bash
# certplane as users run it, on a real node (hack/node), from its own image:
#   1. `helm install` of the chart with the image hack/image.sh built: both replicas
#      Ready through their probes, exactly one holding the Lease (and saying so in its
#      leader metric), each running as UID 65532 (the live process, seen from the host)
#      on a read-only root filesystem (a write to / fails inside the pod);
#   2. the examples, unchanged, become Ready;
#   3. workloads mounting the Secret it wrote: a pod serving TLS with shop/frontend-tls
#      (openssl s_server, files read again for every connection) behind a Service, and a
#      client pod that verifies it by DNS name against the mounted ca.crt and checks
#      revocation against the CRL fetched by name from the certplane Service at the URL
#      the certificate names;
#   4. a renewal (the renew annotation): the serving pod's mounted files change to the
#      new serial within the kubelet's sync period and a new connection sees it, with
#      the pod never restarted; a revocation then fails the client's CRL check;
#   5. `helm upgrade` to a rebuilt image: the pods roll one at a time (never fewer than
#      two Ready), no certificate is reissued, and CRL and ACME requests sent every
#      100 ms through the Service during the rollout all succeed.
# Prints its measurements as "MEASURED" lines on stderr.
#
#   tests/e2e/node_chart/chart_on_node_test.sh
set -euo pipefail
# shellcheck source=../node/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../node/lib.sh"

node_up "$@"
controller_image=$(build_image controller)
openssl_image=$(build_image openssl)

# --- 1. The chart on the node.
install_chart "$controller_image"
ready=$("$kubectl" get deployment certplane -n "$release_ns" -o jsonpath='{.status.readyReplicas}')
[[ $ready == 2 ]] || fail "the Deployment has $ready Ready replicas, not 2"
mapfile -t pods < <(controller_pods)
((${#pods[@]} == 2)) || fail "expected 2 running controller pods, found ${#pods[*]}: ${pods[*]}"
wait_until 60 "a replica holding the Lease" lease_held
holder=$(lease_holder)
[[ " ${pods[*]} " == *" $holder "* ]] || fail "the Lease holder '$holder' is none of the pods ${pods[*]}"
leaders=0
for pod in "${pods[@]}"; do
  ip=$("$kubectl" get pod -n "$release_ns" "$pod" -o jsonpath='{.status.podIP}')
  # The host is the bridge's gateway: it reaches pod IPs directly.
  status=$(curl -fsS -m 5 "http://$ip:9402/metrics" | awk '/^certplane_leader_election_status/ {print $2}')
  [[ $status == 1 || $status == 0 ]] || fail "$pod's metrics have no certplane_leader_election_status"
  if [[ $status == 1 ]]; then
    ((leaders += 1))
    [[ $pod == "$holder" ]] || fail "$pod says it leads, but the Lease names $holder"
  fi
  pid=$(controller_pid "$pod") || fail "found no certplane-controller process of $pod on the host"
  uid=$(ps -o uid= -p "$pid" | tr -d ' ')
  [[ $uid == 65532 ]] || fail "$pod's controller process $pid runs as UID $uid, not 65532"
  out=$("$kubectl" exec -n "$release_ns" "$pod" -- sh -c 'echo x >/probe' 2>&1) &&
    fail "$pod could write to its root filesystem"
  [[ $out == *"Read-only file system"* ]] || fail "a write to / in $pod failed, but not as read-only: $out"
done
((leaders == 1)) || fail "$leaders replicas say they lead, not exactly one"
say "2 replicas Ready; $holder holds the Lease; both run as UID 65532 on a read-only root"

# --- 2. The examples, unchanged.
"$kubectl" apply -f "$node_repo/examples/" >/dev/null
"$kubectl" wait --for=condition=Ready --timeout=120s cpca/example-root cpca/example-issuing cpprofile/web >/dev/null ||
  fail "the examples' CAs and profile did not become Ready"
"$kubectl" wait --for=condition=Ready --timeout=120s cpcert/frontend -n shop >/dev/null ||
  fail "the example Certificate shop/frontend did not become Ready"
say "the examples are Ready"

# --- 3. Workloads mounting shop/frontend-tls.
# s_server reads its files once, at start; like a server that reloads on change, the
# pod restarts it when the kubelet swaps the mounted Secret (the ..data link moves).
"$kubectl" apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata: {name: frontend, namespace: shop}
spec:
  selector: {app: frontend}
  ports: [{name: https, port: 443, targetPort: 8443}]
---
apiVersion: v1
kind: Pod
metadata: {name: frontend, namespace: shop, labels: {app: frontend}}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
  - name: server
    image: $openssl_image
    imagePullPolicy: Never
    command:
    - sh
    - -c
    - |
      serve() {
        awk '/BEGIN CERTIFICATE/ {n++} n > 1' /tls/tls.crt >/tmp/chain.pem
        openssl s_server -quiet -accept 8443 -www -cert /tls/tls.crt -key /tls/tls.key \
          -cert_chain /tmp/chain.pem </dev/null >/dev/null 2>&1 &
        pid=\$!
      }
      loaded=\$(readlink /tls/..data); serve
      while sleep 1; do
        now=\$(readlink /tls/..data)
        if [ "\$now" != "\$loaded" ] || ! kill -0 \$pid 2>/dev/null; then
          kill \$pid 2>/dev/null; wait \$pid; loaded=\$now; serve
        fi
      done
    volumeMounts: [{name: tls, mountPath: /tls, readOnly: true}]
  volumes:
  - name: tls
    secret: {secretName: frontend-tls}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
  - name: client
    image: $openssl_image
    imagePullPolicy: Never
    command: [sleep, infinity]
    volumeMounts: [{name: ca, mountPath: /ca, readOnly: true}]
  volumes:
  - name: ca
    secret:
      secretName: frontend-tls
      items: [{key: ca.crt, path: ca.crt}]
EOF
"$kubectl" wait --for=condition=Ready --timeout=90s pod/frontend pod/client -n shop >/dev/null ||
  fail "the workload pods did not start"
server_uid=$("$kubectl" get pod frontend -n shop -o jsonpath='{.metadata.uid}')

# What the client runs: connect by DNS name, verify against the mounted ca.crt (a
# failed verification aborts the handshake), keep what the server sent, print the
# leaf's serial. The request makes the server (-www) answer and close, and so the
# client exit. The Service may need a moment for a new endpoint, and the server a moment
# when it restarts on a new certificate: a few attempts, each bounded.
connect_script='
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  if printf "GET / HTTP/1.0\r\n\r\n" | timeout 20 openssl s_client -connect frontend.shop.svc.cluster.local:443 \
      -servername frontend.shop.svc.cluster.local -verify_hostname frontend.shop.svc.cluster.local \
      -CAfile /ca/ca.crt -verify_return_error -showcerts >/tmp/out 2>/tmp/err; then
    sed -n "/BEGIN CERTIFICATE/,/END CERTIFICATE/p" /tmp/out >/tmp/served.pem
    awk "/BEGIN CERTIFICATE/ {n++} n == 1" /tmp/served.pem >/tmp/leaf.pem
    awk "/BEGIN CERTIFICATE/ {n++} n > 1" /tmp/served.pem >/tmp/chain.pem
    openssl x509 -in /tmp/leaf.pem -noout -serial
    exit 0
  fi
  sleep 1
done
cat /tmp/err >&2
exit 1'
# The CRL check: the URL from the served certificate, fetched by name, then verify.
# shellcheck disable=SC2016 # expanded in the pod
crl_script='
url=$(openssl x509 -in /tmp/leaf.pem -noout -ext crlDistributionPoints | grep -o "URI:[^ ]*" | head -n 1 | cut -c5-)
echo "url=$url"
curl -fsS -m 10 -o /tmp/crl.der "$url" || exit 2
openssl crl -inform DER -in /tmp/crl.der -out /tmp/crl.pem || exit 2
openssl verify -crl_check -CAfile /ca/ca.crt -untrusted /tmp/chain.pem -CRLfile /tmp/crl.pem /tmp/leaf.pem 2>&1'
in_client() { timeout 300 "$kubectl" exec -n shop client -- sh -c "$1"; }
# Serial numbers compared as upper-case hex without leading zeros.
normal_serial() { echo "$1" | sed 's/^serial=//; s/[^0-9A-Fa-f]//g' | tr a-f A-F | sed 's/^0*//'; }
status_serial() { normal_serial "$("$kubectl" get cpcert frontend -n shop -o jsonpath='{.status.serialNumber}')"; }

first=$(in_client "$connect_script") || fail "the client could not connect to frontend.shop.svc.cluster.local and verify it"
first=$(normal_serial "$first")
[[ $first == "$(status_serial)" ]] || fail "the server serves serial $first, the Certificate's status says $(status_serial)"
crl=$(in_client "$crl_script") || fail "the client's CRL check failed: $crl"
[[ $crl == "url=http://certplane.certplane-system.svc/crl/"* ]] ||
  fail "the certificate's CRL URL is not the certplane Service's: $crl"
[[ $crl == *"/tmp/leaf.pem: OK"* ]] || fail "openssl verify -crl_check did not pass: $crl"
say "the client verified frontend.shop.svc.cluster.local (serial $first) and its CRL from $(head -n 1 <<<"$crl" | cut -c5-)"

# --- 4. Renewal seen by the running server; then a revocation seen by the client.
sync_period=$(awk '/^syncFrequency:/ {print $2}' "$CERTPLANE_NODE_DIR/kubelet/config.yaml")
sync_period=${sync_period:-1m}  # the kubelet's default
"$kubectl" annotate cpcert frontend -n shop --overwrite "certplane.io/renew-requested-at=$(date -u +%FT%TZ)" >/dev/null
renew_start=$SECONDS
renewed() { [[ $(status_serial) != "$first" ]]; }
wait_until 60 "the Certificate renewed" renewed
second=$(status_serial)
# Within the sync period, plus the time a pod sync and the atomic volume update take.
mounted() { normal_serial "$("$kubectl" exec -n shop frontend -- openssl x509 -in /tls/tls.crt -noout -serial)"; }
mounted_is() { [[ $(mounted) == "$1" ]]; }
wait_until 150 "the serving pod's mounted tls.crt changing to serial $second (kubelet sync period $sync_period)" \
  mounted_is "$second"
mount_seconds=$((SECONDS - renew_start))
[[ $(mounted) == "$second" ]] || fail "the mounted serial is $(mounted), not $second"
sleep 2  # the server notices the swap within a second
seen=$(normal_serial "$(in_client "$connect_script")") || fail "the client could not connect after the renewal"
[[ $seen == "$second" ]] || fail "a new connection after the renewal sees serial $seen, not $second"
restarts=$("$kubectl" get pod frontend -n shop -o jsonpath='{.status.containerStatuses[0].restartCount}')
[[ $restarts == 0 && $("$kubectl" get pod frontend -n shop -o jsonpath='{.metadata.uid}') == "$server_uid" ]] ||
  fail "the serving pod was restarted or replaced"
report "renewal reached the serving pod's files and a new connection in $mount_seconds s (kubelet sync period $sync_period), no restart"

crl=$(in_client "$crl_script") || fail "the CRL check of the renewed certificate failed: $crl"
"$kubectl" patch cpcert frontend -n shop --type=merge -p '{"spec":{"revocation":{"reason":"keyCompromise"}}}' >/dev/null
"$kubectl" wait --for=condition=Revoked --timeout=60s cpcert/frontend -n shop >/dev/null ||
  fail "the Certificate did not become Revoked"
# The client's leaf is still the renewed one: its CRL check now fails.
revoked_check() { out=$(in_client "$crl_script" 2>&1) && return 1; [[ $out == *"certificate revoked"* ]]; }
wait_until 60 "the client's CRL check reporting serial $second revoked" revoked_check
say "after the revocation the client's CRL check fails: certificate revoked"

# --- 5. helm upgrade to a rebuilt image, under traffic.
"$kubectl" create namespace upgrade >/dev/null
for i in $(seq 1 20); do
  cat <<EOF
apiVersion: certplane.io/v1alpha1
kind: Certificate
metadata: {name: app-$i, namespace: upgrade}
spec:
  profileRef: {name: web}
  secretName: app-$i-tls
  commonName: app-$i.example.com
  dnsNames: [app-$i.example.com]
  privateKey: {algorithm: ECDSA-P256}
---
EOF
done | "$kubectl" apply -f - >/dev/null
"$kubectl" apply -f - >/dev/null <<'EOF'
apiVersion: certplane.io/v1alpha1
kind: CertificateProfile
metadata: {name: web-acme}
spec:
  caRef: {name: example-issuing}
  templateRef: {name: web-server}
  enrollment:
    acme:
      challenges: [http-01]
EOF
"$kubectl" wait --for=condition=Ready --timeout=60s cpprofile/web-acme >/dev/null || fail "profile web-acme not Ready"
wait_until 120 "the 20 upgrade Certificates Ready" at_least_ready upgrade 20
revisions() {
  "$kubectl" get cpcert -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name} {.status.revision} {.status.serialNumber}{"\n"}{end}' | sort
}
before=$(revisions)

# A prober in the release namespace (it mounts the serving CA the controller
# publishes there): a CRL and an ACME directory request through the Service, every
# 100 ms, until told to stop.
"$kubectl" apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: rollout-prober, namespace: $release_ns}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
  - name: prober
    image: $openssl_image
    imagePullPolicy: Never
    command:
    - sh
    - -c
    - |
      svc=certplane.$release_ns.svc
      while [ ! -e /tmp/stop ]; do
        crl=\$(curl -s -o /dev/null -w '%{http_code}' -m 2 http://\$svc/crl/example-issuing.crl)
        acme=\$(curl -s -o /dev/null -w '%{http_code}' -m 2 --cacert /serving-ca/ca.crt https://\$svc/acme/web-acme/directory)
        echo "probe crl=\$crl acme=\$acme"
        sleep 0.1
      done
      echo "prober stopped"
      sleep infinity
    volumeMounts: [{name: serving-ca, mountPath: /serving-ca, readOnly: true}]
  volumes:
  - name: serving-ca
    configMap: {name: certplane-serving-ca}
EOF
"$kubectl" wait --for=condition=Ready --timeout=60s "pod/rollout-prober" -n "$release_ns" >/dev/null ||
  fail "the rollout prober did not start"
prober_logged() { "$kubectl" logs -n "$release_ns" rollout-prober | grep -q "$1"; }
wait_until 30 "the prober's first successful round" prober_logged 'crl=200 acme=200'

rebuilt=$(build_image controller --tag "${controller_image##*:}-rebuilt")
# Sampled through the rollout: Ready pods not being deleted, pods not being deleted,
# and pods being deleted (they serve on through the chart's shutdown delay).
(
  while :; do
    "$kubectl" get pods -n "$release_ns" -l app.kubernetes.io/name=certplane \
      -o jsonpath='{range .items[*]}{.metadata.deletionTimestamp}|{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' 2>/dev/null |
      awk -F'|' '$1 == "" { live++ } $1 == "" && $2 == "True" { ready++ } $1 != "" { going++ }
        END { print ready + 0, live + 0, going + 0 }'
    sleep 0.5
  done
) >"$work/rollout-samples" &
sampler=$!
upgrade_start=$SECONDS
"$helm" upgrade certplane "$node_repo/charts/certplane" -n "$release_ns" --reuse-values \
  --set-string image.tag="${rebuilt##*:}" --wait --timeout 5m >"$work/helm-upgrade.log" 2>&1 ||
  { cat "$work/helm-upgrade.log" >&2; fail "helm upgrade failed"; }
controller_pods_are() { [[ $("$kubectl" get pods -n "$release_ns" -l app.kubernetes.io/name=certplane -o name | wc -l) == "$1" ]]; }
wait_until 120 "the old pods gone" controller_pods_are 2
rollout_seconds=$((SECONDS - upgrade_start))
sleep 2
kill "$sampler"
"$kubectl" exec -n "$release_ns" rollout-prober -- touch /tmp/stop
wait_until 10 "the prober stopping" prober_logged 'prober stopped'
probes=$("$kubectl" logs -n "$release_ns" rollout-prober | grep '^probe ')
total=$(grep -c . <<<"$probes")
ok=$(grep -c '^probe crl=200 acme=200$' <<<"$probes" || true)
report "rollout of 2 replicas in $rollout_seconds s; $ok of $total probe rounds succeeded ($((2 * ok)) of $((2 * total)) CRL and ACME requests)"
((total >= 20)) || fail "only $total probe rounds ran during the rollout"
((ok == total)) || fail "$((total - ok)) probe rounds failed during the rollout: $(grep -v 'crl=200 acme=200' <<<"$probes" | sort | uniq -c | tr '\n' ';')"
min_ready=$(awk 'NR == 1 || $1 < m { m = $1 } END { print m }' "$work/rollout-samples")
max_live=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$work/rollout-samples")
max_going=$(awk '$3 > m { m = $3 } END { print m + 0 }' "$work/rollout-samples")
report "during the rollout: at least $min_ready Ready replicas, at most $max_live pods not terminating and $max_going terminating at once ($(wc -l <"$work/rollout-samples") samples)"
((min_ready >= 2)) || fail "the rollout left only $min_ready Ready replicas at one point"
# One at a time: never a second new pod before an old one has gone. (Pods already
# terminating are out of the Service; two may overlap in their shutdown delay.)
((max_live <= 3)) || fail "the rollout replaced more than one pod at a time"
((max_going >= 1)) || fail "the sampler never saw a pod terminating: it did not watch the rollout"
mapfile -t images < <("$kubectl" get pods -n "$release_ns" -l app.kubernetes.io/name=certplane -o jsonpath='{range .items[*]}{.spec.containers[0].image}{"\n"}{end}')
[[ ${images[*]} == "docker.io/library/$rebuilt docker.io/library/$rebuilt" || ${images[*]} == "$rebuilt $rebuilt" ]] ||
  fail "after the upgrade the pods run ${images[*]}, not $rebuilt"
lease_held_by_a_pod() { "$kubectl" get pods -n "$release_ns" -o name | grep -qx "pod/$(lease_holder)"; }
wait_until 60 "a new pod holding the Lease" lease_held_by_a_pod
after=$(revisions)
[[ $after == "$before" ]] || fail "certificates changed during the upgrade: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -n 6 | tr '\n' ';')"
say "upgrade: no certificate reissued ($(grep -c . <<<"$after") unchanged)"
say "PASS"
