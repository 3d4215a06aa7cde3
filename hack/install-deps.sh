#!/usr/bin/env bash
# Installs every Debian package that building, testing and benchmarking certplane needs.
# Idempotent: when everything is present it only asks dpkg and returns in well under a
# second. Go (for the control-plane binaries) comes with the machine; the Go modules
# themselves are fetched by hack/build-control-plane.sh.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config ccache git
  # libraries
  libcpprest-dev libssl-dev libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # libFuzzer and the sanitizer runtimes for fuzz targets; clang-14's front end also
  # runs the thread-safety analysis of hack/lint.sh
  clang-14 libclang-rt-14-dev
  # real clients the tests check results with
  openssl curl jq ca-certificates default-jdk-headless certbot procps iproute2
  # nsupdate and dig: TSIG-signed dynamic updates to the test DNS responder, as
  # cert-manager's rfc2136 dns-01 provider sends them
  bind9-dnsutils
  # what the HTTPS listener's protocols and suites are checked with, as an auditor would
  sslscan
  # lego (4.9.1, the v4 CLI): not built from its Go module like the control-plane tools,
  # because about 20 of the DNS-provider SDKs its CLI links are not on the module proxy
  lego
  # charts for the benchmark report
  python3-matplotlib
  # the controller image without a daemon or a registry (hack/image.sh): buildah builds
  # the Dockerfile on a Debian base image that debootstrap makes from Debian's packages
  buildah debootstrap
  # lint (hack/lint.sh); clang-format and clang-tidy by their versioned names, which lint
  # runs
  shellcheck clang-format-14 clang-tidy-14
  # the virtual environment of the Python test tools (below), from Debian's Python
  python3-venv
  # hack/node's single-node Kubernetes: the CNI bridge and host-local plugins; iptables
  # for kube-proxy and the kubelet; conntrack, which kube-proxy calls to flush UDP
  # entries; libseccomp-dev to build runc with seccomp (cgo); busybox-static, the one
  # binary of the small test image the node tests run
  containernetworking-plugins iptables conntrack libseccomp-dev busybox-static
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$p")
done

if ((${#missing[@]} > 0)); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Python test tools (hack/tools/python/requirements.txt, every package pinned) in a
# virtual environment under the cache, keyed by that file: moto's server and boto3 for
# the AWS syncs, Azure's SDK for the Key Vault sync. Built once; a changed pin builds a
# new one beside it. From PyPI, since Debian packages neither moto nor Azure's SDK.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
venv=$(python_tools_dir)
if [[ ! -f "$venv/.complete" ]]; then
  echo "install-deps: creating $venv" >&2
  # Built at its final path (a venv's scripts name their interpreter by absolute path);
  # the marker says the install finished, so an interrupted one is redone.
  rm -rf "$venv"
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    -r "$CERTPLANE_REPO_ROOT/hack/tools/python/requirements.txt"
  touch "$venv/.complete"
fi
