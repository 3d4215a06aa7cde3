#!/usr/bin/env bash
# hack/node end to end, in a state folder of its own (never a developer's node):
#   - `up` on a machine missing the node's binaries names what is missing and fails,
#     leaving nothing behind;
#   - `up` brings a node to Ready and prints the export lines, KUBECONFIG last;
#   - a pod (an image of Debian's busybox-static and openssl, imported with the node's
#     ctr) resolves kubernetes.default.svc.cluster.local and the short name
#     kubernetes.default through the cluster DNS, and gets the API server's /version
#     through the `kubernetes` Service over TLS verified against its mounted
#     service-account CA; its log comes back through the kubelet;
#   - every socket the node listens on is on 127.0.0.1 or the bridge's 10.244.0.1;
#   - a second `up` while the node runs exits 1 and says so;
#   - `down` leaves no process, mount, bridge, KUBE-* chain, kubepods cgroup, changed
#     kernel setting (IPv4 forwarding, the kubelet's tunables) or state.
# Prints the timings and the node's memory on stderr (ctest shows them with -V).
#
#   tests/e2e/node_lifecycle/node_test.sh
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
# shellcheck source=../../../hack/lib.sh
source "$repo/hack/lib.sh"
work=$(mktemp -d /tmp/certplane-node-test.XXXXXX)
export CERTPLANE_NODE_DIR="$work/node"
# If this test is killed before its trap runs, the node takes itself down.
export CERTPLANE_NODE_TTL=1200
unset KUBECONFIG CERTPLANE_CONTROL_PLANE_DIR
node=$repo/hack/node
say() { echo "node_test: $*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

cleanup() {
  local rc=$?
  if ((rc != 0)) && [[ -d $CERTPLANE_NODE_DIR/logs ]]; then
    for f in "$CERTPLANE_NODE_DIR"/logs/*.log "$CERTPLANE_NODE_DIR"/control-plane/*.log; do
      [[ -f $f ]] || continue
      echo "--- $f (last 15 lines)" >&2
      tail -n 15 "$f" >&2
    done
  fi
  "$node" down >"$work/down-on-exit.log" 2>&1 || cat "$work/down-on-exit.log" >&2
  rm -rf "$work"
}
trap cleanup EXIT

# --- A machine without the node's binaries: a clear message, a failure, nothing left.
set +e
CERTPLANE_CACHE_DIR=$work/empty-cache "$node" up >"$work/missing.out" 2>"$work/missing.err"
rc=$?
set -e
((rc != 0)) || fail "up without the node's binaries succeeded"
grep -q 'run hack/build-node.sh' "$work/missing.err" || { cat "$work/missing.err" >&2; fail "up did not say what is missing"; }
ip link show certplane0 >/dev/null 2>&1 && fail "a failed up left the bridge certplane0"
[[ -d $CERTPLANE_NODE_DIR ]] && fail "a failed up left $CERTPLANE_NODE_DIR"
say "up without binaries: exit $rc, '$(grep -m1 'build-node' "$work/missing.err" | sed 's/^ *//')'"

# --- Up.
tunables=(net.ipv4.ip_forward vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes)
sysctl_before=$(sysctl "${tunables[@]}")
# Where the kubelet, containerd and CNI write by default: what is absent now must be
# absent after down.
absent=()
for p in /var/lib/kubelet /var/lib/containerd /var/lib/cni /usr/libexec/kubernetes /var/log/pods \
  /var/log/containers /run/netns /run/containerd /var/run/kubernetes /etc/kubernetes /opt/containerd; do
  [[ -e $p ]] || absent+=("$p")
done
start=$SECONDS
"$node" up >"$work/up.out" 2>"$work/up.err" || { cat "$work/up.err" >&2; fail "hack/node up failed"; }
up_seconds=$((SECONDS - start))
[[ $(tail -n 1 "$work/up.out") == "export KUBECONFIG="* ]] || { cat "$work/up.out" >&2; fail "up's last line is not the KUBECONFIG export"; }
grep -q "^export CERTPLANE_NODE_CONTAINERD_ADDRESS=$CERTPLANE_NODE_DIR/" "$work/up.out" || fail "up printed no containerd address"
grep -q "^export CERTPLANE_NODE_DIR=$CERTPLANE_NODE_DIR$" "$work/up.out" || fail "up printed no node dir"
eval "$(cat "$work/up.out")"
[[ "$("$node" env)" == "$(cat "$work/up.out")" ]] || fail "'hack/node env' differs from what up printed"
kubectl=$(tools_dir)/kubectl
say "up took $up_seconds s"

ready=$("$kubectl" get node certplane-node -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')
[[ $ready == True ]] || fail "node certplane-node is not Ready (Ready=$ready)"
version=$("$kubectl" get node certplane-node -o jsonpath='{.status.nodeInfo.kubeletVersion} {.status.nodeInfo.containerRuntimeVersion}')
say "node: $version"
[[ $version == "$KUBERNETES_VERSION containerd://"* ]] || fail "unexpected kubelet/runtime versions: $version"

# --- A pod that uses the cluster DNS and the kubernetes Service.
# busybox's own TLS client cannot talk to kube-apiserver (no ECDSA), so Debian's openssl
# goes in too, with the libraries ldd names.
busybox=/bin/busybox
[[ -x $busybox ]] || fail "$busybox is missing (busybox-static, hack/install-deps.sh)"
[[ -x /usr/bin/openssl ]] || fail "/usr/bin/openssl is missing (hack/install-deps.sh)"
files=("$busybox:/bin/busybox" /usr/bin/openssl:/bin/openssl)
for lib in $(ldd /usr/bin/openssl | grep -o '/[^ ]*'); do files+=("$lib:$lib"); done
args=(--dir /tmp)
for f in "${files[@]}"; do args+=(--file "$f"); done
for a in sh nslookup cat ls tr sleep; do args+=(--symlink "/bin/$a:/bin/busybox"); done
# Keyed by what goes in and how, like the pause image.
key=$({ for f in "${files[@]}" "$repo/hack/single-layer-image.py:"; do cat "${f%%:*}"; done
  echo "${args[*]}"; } | sha256sum | cut -c1-12)
archive=$CERTPLANE_CACHE_DIR/images/node-test-probe-$key.tar
image=certplane.local/node-test-probe:$key
if [[ ! -f $archive ]]; then
  mkdir -p "$(dirname "$archive")"
  python3 "$repo/hack/single-layer-image.py" "$archive.$$" "$image" --entrypoint '["/bin/sh"]' \
    "${args[@]}"
  mv "$archive.$$" "$archive"
fi
"$CERTPLANE_CTR" --address "$CERTPLANE_NODE_CONTAINERD_ADDRESS" -n k8s.io images import "$archive" >/dev/null 2>&1 ||
  fail "ctr could not import $archive"

"$kubectl" apply -f - >/dev/null <<EOF || fail "kubectl could not create the pod"
apiVersion: v1
kind: Pod
metadata: {name: dns-and-service, namespace: default}
spec:
  restartPolicy: Never
  automountServiceAccountToken: true
  containers:
  - name: probe
    image: $image
    imagePullPolicy: Never
    command:
    - sh
    - -c
    - |
      set -e
      echo "resolv: \$(cat /etc/resolv.conf | tr '\n' ' ')"
      nslookup kubernetes.default.svc.cluster.local
      sa=/var/run/secrets/kubernetes.io/serviceaccount
      ls \$sa/token
      get() { # HOST: GET /version, the server's certificate verified for HOST
        printf 'GET /version HTTP/1.0\r\nHost: %s\r\n\r\n' "\$1" |
          openssl s_client -quiet -connect "\$1:443" -CAfile \$sa/ca.crt -verify_return_error \
            -verify_hostname "\$1" 2>/tmp/err || { cat /tmp/err; exit 1; }
      }
      echo "full name: \$(get kubernetes.default.svc.cluster.local | tr -d '\r\n ')"
      # the short name resolves through the search domains (openssl asks the libc)
      echo "short name: \$(get kubernetes.default | tr -d '\r\n ')"
EOF
start=$SECONDS
phase=
while ((SECONDS - start < 90)); do
  phase=$("$kubectl" get pod dns-and-service -o jsonpath='{.status.phase}')
  [[ $phase == Succeeded || $phase == Failed ]] && break
  sleep 1
done
logs=$("$kubectl" logs dns-and-service 2>&1 || true)
while read -r line; do echo "  pod: $line"; done <<<"$logs" >&2
[[ $phase == Succeeded ]] || { "$kubectl" describe pod dns-and-service >&2 || true; fail "the pod ended $phase"; }
echo "$logs" | grep -q 'Address: 10.0.0.1' || fail "kubernetes.default.svc.cluster.local did not resolve to 10.0.0.1"
echo "$logs" | grep -q "full name: HTTP/1.[01]200.*\"gitVersion\":\"$KUBERNETES_VERSION\"" ||
  fail "/version through the Service, by its full name, did not answer"
echo "$logs" | grep -q "short name: HTTP/1.[01]200.*\"gitVersion\":\"$KUBERNETES_VERSION\"" ||
  fail "the short name kubernetes.default did not reach the API server"
echo "$logs" | grep -q 'serviceaccount/token' || fail "the pod got no service-account token"
say "pod ran in $((SECONDS - start)) s"

# A pod still running when down comes: down must delete it and tear its sandbox down.
"$kubectl" run sleeper --image="$image" --image-pull-policy=Never --restart=Never --command -- sleep 3600 >/dev/null
"$kubectl" wait --for=condition=Ready pod/sleeper --timeout=60s >/dev/null ||
  { "$kubectl" describe pod sleeper >&2 || true; fail "the sleeper pod did not start"; }

# --- The node's memory: every daemon of it, and the containerd shims.
pids=$({ cat "$CERTPLANE_NODE_DIR"/run/*.pid "$CERTPLANE_NODE_DIR"/control-plane/*.pid 2>/dev/null
  pgrep -f "containerd-shim-runc-v2 .*$CERTPLANE_NODE_DIR" || true; } | paste -sd, -)
rss=$(ps -o rss=,comm= -p "$pids" || true)
say "resident memory (KiB):"; echo "$rss" >&2
say "total: $(echo "$rss" | awk '{s += $1} END {printf "%d MiB", s / 1024}')"

# --- Loopback and the bridge only: no socket of the node's may face a network.
pid_re=$(echo "$pids" | tr , '|')
listening=$(ss -Hltnu -p | grep -E "pid=($pid_re)," | awk '{print $5}')
[[ -n $listening ]] || fail "found no listening socket of the node's processes"
outside=$(echo "$listening" | grep -vE '^(127\.0\.0\.1|10\.244\.0\.1):[0-9]+$' || true)
[[ -z $outside ]] || fail "the node listens beyond loopback and its bridge: $outside"
say "$(echo "$listening" | wc -l) listening sockets, all on 127.0.0.1 or 10.244.0.1"

# --- A second up while this one runs.
set +e
"$node" up >"$work/second.out" 2>"$work/second.err"
rc=$?
set -e
((rc == 1)) || { cat "$work/second.err" >&2; fail "a second up exited $rc, not 1"; }
grep -q 'already running' "$work/second.err" || { cat "$work/second.err" >&2; fail "a second up did not say a node is running"; }
"$kubectl" get node certplane-node >/dev/null || fail "the second up disturbed the running node"
say "second up: exit 1, '$(head -n1 "$work/second.err")'"

# --- Down, and nothing left.
start=$SECONDS
"$node" down 2>"$work/down.err" || { cat "$work/down.err" >&2; fail "hack/node down failed"; }
say "down took $((SECONDS - start)) s"
left=()
[[ -e $CERTPLANE_NODE_DIR ]] && left+=("the state folder $CERTPLANE_NODE_DIR")
[[ -e /run/certplane-node.dir ]] && left+=("/run/certplane-node.dir")
procs=$(pgrep -af "$CERTPLANE_NODE_DIR" | grep -v node_test || true)
[[ -n $procs ]] && left+=("processes: $procs")
grep -q " $CERTPLANE_NODE_DIR" /proc/self/mountinfo && left+=("mounts under $CERTPLANE_NODE_DIR")
ip link show certplane0 >/dev/null 2>&1 && left+=("the bridge certplane0")
for ipt in iptables-save ip6tables-save; do
  chains=$("$ipt" 2>/dev/null | grep -c '^:KUBE-' || true)
  ((chains == 0)) || left+=("$chains KUBE-* chains in $ipt")
done
for d in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods /sys/fs/cgroup/*/k8s.io; do
  [[ -d $d ]] && left+=("the cgroup $d")
done
shims=$(pgrep -c containerd-shim || true)
((shims == 0)) || left+=("$shims containerd shims")
sysctl_after=$(sysctl "${tunables[@]}")
[[ $sysctl_after == "$sysctl_before" ]] ||
  left+=("changed kernel settings: $(diff <(echo "$sysctl_before") <(echo "$sysctl_after") | grep '^>' | tr '\n' ' ')")
for p in "${absent[@]}"; do [[ -e $p ]] && left+=("$p"); done
((${#left[@]} == 0)) || fail "down left: ${left[*]}"
say "down left nothing behind"
