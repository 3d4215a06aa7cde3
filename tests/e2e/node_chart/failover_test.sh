#!/usr/bin/env bash
# Failover between the chart's two real replicas on a node, with the API server's audit
# log as the witness of every request they make:
#   1. while 500 Certificates are being issued, the leader pod is deleted: the other
#      replica takes the Lease within the lease duration, all 500 become Ready, each at
#      revision 1 with a chain that verifies, and the 409 Conflicts the controller got
#      stay few (counted in the audit log, reported);
#   2. while 100 more are being issued, the leader's process is frozen (SIGSTOP from the
#      host) until the other replica has taken the Lease, then let run (SIGCONT): from
#      the takeover on, it writes nothing (its pod IP's writes in the audit log: 0), and
#      it exits instead of carrying on, as controller-runtime's manager does; the 100
#      still all become Ready at revision 1.
# Prints its measurements as "MEASURED" lines on stderr.
#
#   tests/e2e/node_chart/failover_test.sh
set -euo pipefail
# shellcheck source=../node/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../node/lib.sh"

# Metadata of every request but the read-only ones' bodies: who, verb, resource, code,
# source IP and when.
cat >"$work/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
EOF
audit_log=$work/audit.log
node_up --audit-policy-file="$work/audit-policy.yaml" --audit-log-path="$audit_log" \
  --audit-log-format=json --audit-log-mode=blocking
controller_image=$(build_image controller)
install_chart "$controller_image"
"$kubectl" apply -f "$node_repo/examples/" >/dev/null
"$kubectl" wait --for=condition=Ready --timeout=120s cpca/example-root cpca/example-issuing cpprofile/web >/dev/null ||
  fail "the examples' CAs and profile did not become Ready"
lease_duration=15  # the chart's controller.leaderElection.leaseDuration

certificates() { # NAMESPACE COUNT
  local i
  for i in $(seq 1 "$2"); do
    cat <<EOF
apiVersion: certplane.io/v1alpha1
kind: Certificate
metadata: {name: c-$i, namespace: $1}
spec:
  profileRef: {name: web}
  secretName: c-$i-tls
  commonName: c-$i.$1.example.com
  dnsNames: [c-$i.$1.example.com]
  privateKey: {algorithm: ECDSA-P256}
---
EOF
  done
}

# Every Certificate of NAMESPACE Ready at revision 1, and every Secret's chain verifying
# against its ca.crt: prints "ok N", or what is wrong.
check_namespace() { # NAMESPACE COUNT
  "$kubectl" get cpcert -n "$1" -o json >"$work/$1-certs.json"
  "$kubectl" get secrets -n "$1" -o json >"$work/$1-secrets.json"
  python3 - "$work/$1-certs.json" "$work/$1-secrets.json" "$2" "$work/$1-verify" <<'EOF'
import base64, json, os, subprocess, sys
certs, secrets, want, folder = json.load(open(sys.argv[1]))["items"], json.load(open(sys.argv[2]))["items"], int(sys.argv[3]), sys.argv[4]
os.makedirs(folder, exist_ok=True)
by_name = {s["metadata"]["name"]: s for s in secrets}
problems = []
for c in certs:
    name, status = c["metadata"]["name"], c.get("status", {})
    ready = [x for x in status.get("conditions", []) if x["type"] == "Ready"]
    if not ready or ready[0]["status"] != "True":
        problems.append(f"{name} not Ready"); continue
    if status.get("revision") != 1:
        problems.append(f"{name} at revision {status.get('revision')}"); continue
    secret = by_name.get(c["spec"]["secretName"])
    if secret is None:
        problems.append(f"{name}: no Secret"); continue
    data = {k: base64.b64decode(v) for k, v in secret["data"].items()}
    pems = data["tls.crt"].decode().split("-----END CERTIFICATE-----")
    leaf = pems[0] + "-----END CERTIFICATE-----\n"
    chain = "-----END CERTIFICATE-----\n".join(pems[1:]).strip()
    paths = {n: os.path.join(folder, f"{name}.{n}") for n in ("leaf", "chain", "ca")}
    open(paths["leaf"], "w").write(leaf)
    open(paths["chain"], "w").write(chain + "\n" if chain else "")
    open(paths["ca"], "wb").write(data["ca.crt"])
    args = ["openssl", "verify", "-CAfile", paths["ca"]]
    if chain:
        args += ["-untrusted", paths["chain"]]
    r = subprocess.run(args + [paths["leaf"]], capture_output=True, text=True)
    if r.returncode != 0:
        problems.append(f"{name}: openssl verify: {r.stdout.strip()} {r.stderr.strip()}")
if len(certs) != want:
    problems.append(f"{len(certs)} Certificates, not {want}")
print("ok", len(certs)) if not problems else print("; ".join(problems[:5]), f"({len(problems)} problems)")
EOF
}

# Requests in the audit log, filtered: prints the count.
audit_count() { # python condition over `e` (an audit event) and `ts` (epoch seconds)
  python3 - "$audit_log" "$1" <<'EOF'
import json, sys, datetime
cond = compile(sys.argv[2], "cond", "eval")
n = 0
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    ts = datetime.datetime.fromisoformat(e["requestReceivedTimestamp"].replace("Z", "+00:00")).timestamp()
    if eval(cond, {"e": e, "ts": ts}):
        n += 1
print(n)
EOF
}
controller_user="system:serviceaccount:$release_ns:certplane"
writes='e["verb"] in ("create", "update", "patch", "delete", "deletecollection")'

# --- 1. Delete the leader while 500 Certificates are being issued.
"$kubectl" create namespace load >/dev/null
start_ts=$(date +%s.%N)
# Created in the background: the controller issues as they arrive, and the leader goes
# while most are still to come.
certificates load 500 | "$kubectl" apply -f - >"$work/apply-load.log" 2>&1 &
apply=$!
wait_until 300 "the first 50 of 500 Ready" at_least_ready load 50
old_leader=$(lease_holder)
ready_at_delete=$(ready_certificates load)
"$kubectl" delete pod -n "$release_ns" "$old_leader" --wait=false >/dev/null
delete_ts=$(date +%s.%N)
((ready_at_delete < 500)) || fail "all 500 were Ready before the leader went: nothing was being issued"
wait_until "$lease_duration" "another replica holding the Lease after the leader's deletion" \
  lease_moved_from "$old_leader"
takeover_seconds=$(python3 -c "import time; print(f'{time.time() - $delete_ts:.1f}')")
new_leader=$(lease_holder)
report "leader $old_leader deleted with $ready_at_delete of 500 Ready; $new_leader held the Lease $takeover_seconds s later (lease duration ${lease_duration}s)"
issue_start=$SECONDS
wait_until 600 "all 500 Certificates Ready" at_least_ready load 500
wait "$apply" || { cat "$work/apply-load.log" >&2; fail "kubectl apply of the 500 Certificates failed"; }
report "all 500 Ready $((SECONDS - issue_start)) s after the takeover"
result=$(check_namespace load 500)
[[ $result == "ok 500" ]] || fail "after the failover: $result"
conflicts=$(audit_count "e['user']['username'] == '$controller_user' and e.get('responseStatus', {}).get('code') == 409 and ts >= $start_ts")
controller_writes=$(audit_count "e['user']['username'] == '$controller_user' and $writes and ts >= $start_ts")
report "500 Certificates issued across the failover: $controller_writes controller writes, $conflicts answered 409 Conflict"
# A handful of conflicts is what a takeover costs (the new leader's caches trail the
# old leader's last writes); a burst would be one per object or more.
((conflicts <= 25)) || fail "$conflicts 409 Conflicts during the failover: a burst (more than 5% of 500)"
say "failover: every Certificate Ready at revision 1 and verifying"

# --- 2. Freeze the leader while 100 more are being issued.
wait_until 120 "the replacement pod Ready" replicas_ready 2
leader=$(lease_holder)
leader_ip=$("$kubectl" get pod -n "$release_ns" "$leader" -o jsonpath='{.status.podIP}')
pid=$(controller_pid "$leader") || fail "found no process of the leader $leader on the host"
"$kubectl" create namespace frozen >/dev/null
# Frozen with work in hand: some issued, the rest still coming.
certificates frozen 100 | "$kubectl" apply -f - >"$work/apply-frozen.log" 2>&1 &
apply=$!
wait_until 120 "the first 10 of 100 Ready" at_least_ready frozen 10
kill -STOP "$pid"
stop_ts=$(date +%s.%N)
ready_at_stop=$(ready_certificates frozen)
((ready_at_stop < 100)) || fail "all 100 were Ready before the freeze: nothing was being issued"
wait_until $((lease_duration + 20)) "another replica holding the Lease while $leader is frozen" \
  lease_moved_from "$leader"
takeover_ts=$(date +%s.%N)
report "leader $leader frozen with $ready_at_stop of 100 Ready; $(lease_holder) held the Lease $(python3 -c "print(f'{$takeover_ts - $stop_ts:.1f}')") s later"
sleep 3
kill -CONT "$pid"
cont_ts=$(date +%s.%N)
# It must notice and exit; the kubelet then restarts its container.
process_gone() { ! kill -0 "$1" 2>/dev/null; }
wait_until 60 "the thawed process $pid exiting" process_gone "$pid"
exit_seconds=$(python3 -c "import time; print(f'{time.time() - $cont_ts:.1f}')")
restarted() { (($("$kubectl" get pod -n "$release_ns" "$1" -o jsonpath='{.status.containerStatuses[0].restartCount}') >= 1)); }
wait_until 60 "the frozen pod's container restarted" restarted "$leader"
exit_code=$("$kubectl" get pod -n "$release_ns" "$leader" -o jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode}')
report "thawed, the old leader exited $exit_seconds s later with exit code $exit_code"
wait_until 300 "all 100 Certificates Ready" at_least_ready frozen 100
wait "$apply" || { cat "$work/apply-frozen.log" >&2; fail "kubectl apply of the 100 Certificates failed"; }
result=$(check_namespace frozen 100)
[[ $result == "ok 100" ]] || fail "after the freeze: $result"
sleep 2
# Its writes before the freeze show the count is real; after the takeover there must be
# none, from the thawed process or the restarted one (a follower writes nothing).
before_freeze=$(audit_count "e['sourceIPs'][0] == '$leader_ip' and $writes and ts < $stop_ts")
after_takeover=$(audit_count "e['sourceIPs'][0] == '$leader_ip' and $writes and ts >= $takeover_ts")
reads_after=$(audit_count "e['sourceIPs'][0] == '$leader_ip' and not ($writes) and ts >= $cont_ts")
report "the frozen leader's writes: $before_freeze before the freeze, $after_takeover after it lost the Lease ($reads_after reads after the thaw)"
((before_freeze > 0)) || fail "the audit log shows no write from the leader's IP $leader_ip at all: the count is not working"
((after_takeover == 0)) || fail "the old leader wrote $after_takeover times after losing the Lease"
[[ $exit_code != 0 && -n $exit_code ]] || fail "the thawed leader ended with exit code '$exit_code', not an error"
say "PASS"
