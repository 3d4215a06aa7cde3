#!/usr/bin/env python3
"""Runs the shell blocks of README.md and docs/*.md that are marked runnable.

A runnable block is a fenced block whose info string is `sh runnable` (or `bash
runnable`). Every such block runs, in file order, against the local control plane the
test suite started (KUBECONFIG), with a certplane-controller this test starts in
namespace certplane-system, as `hack/quickstart.sh` leaves things: the examples
applied and Ready. A block fails the test, named by file and line, when it exits
non-zero or outlives its timeout.

  usage: runnable_docs_test.py [--list] [FILE...]

FILE... (paths from the source folder) replaces the default list, README.md then
docs/*.md in name order; so does CERTPLANE_DOCS_FILES (space-separated), which lets
`ctest` run it over another README: CERTPLANE_DOCS_FILES="README.new.md docs/*.md".
--list prints the runnable blocks and exits without running anything.

What a block gets (CONTRIBUTING.md says the same for authors):
  - bash with `set -euo pipefail`: every command must succeed, not only the last;
  - a fresh, empty working folder in which the repository's top-level entries are
    links (examples/, charts/, crds/, hack/, ...) and build/ is the build folder, so
    repository paths work as written and files a block writes are thrown away;
  - PATH with the pinned kubectl and helm, the kubectl plugin, openssl, curl, jq and
    keytool; KUBECONFIG; CERTPLANE_HTTP and CERTPLANE_HTTPS, the controller's public
    HTTP and HTTPS base URLs (what the quickstart prints; in a cluster the Service's);
  - CERTPLANE_CONTROL_PLANE_DIR pointing into its working folder, so a block may start
    a control plane of its own (it is stopped after the block if the block did not);
  - the examples applied and Ready: CertificateAuthorities example-root and
    example-issuing, template web-server, profile web, Certificate shop/frontend.

After each block the test restores that state: namespaces and cluster-scoped
certplane objects the block created (those whose names it mentions) are deleted, and
when anything in namespaces shop or certplane-system or any example object changed,
the controller is restarted on a clean slate and the examples applied again.

Environment (ctest sets these): CERTPLANE_SOURCE_DIR, CERTPLANE_BINARY_DIR,
KUBECONFIG, PATH; CERTPLANE_DOCS_BLOCK_TIMEOUT (seconds, default 180).
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

CONTROLLER_NS = "certplane-system"
EXAMPLE_NS = "shop"
# The objects of examples/, which every block may take as given.
EXAMPLE_OBJECTS = [
    ("certificateauthorities.certplane.io", "example-root", ""),
    ("certificateauthorities.certplane.io", "example-issuing", ""),
    ("certificatetemplates.certplane.io", "web-server", ""),
    ("certificateprofiles.certplane.io", "web", ""),
    ("certificates.certplane.io", "frontend", EXAMPLE_NS),
]
CLUSTER_KINDS = ["certificateauthorities.certplane.io", "certificatetemplates.certplane.io",
                 "certificateprofiles.certplane.io"]
# What a block may create in shop or certplane-system; a change to these names means
# the block changed the shared state.
WATCHED_KINDS = "secrets,configmaps,serviceaccounts,roles.rbac.authorization.k8s.io," \
                "rolebindings.rbac.authorization.k8s.io,certificates.certplane.io,certificatesyncs.certplane.io"
PURGED_KINDS = WATCHED_KINDS + ",events,events.events.k8s.io,leases.coordination.k8s.io"
REQUIRED_TOOLS = ["bash", "kubectl", "helm", "openssl", "curl", "jq", "keytool", "base64", "timeout"]
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")


def log(msg):
    print(f"runnable-docs: {msg}", file=sys.stderr, flush=True)


class Failure(Exception):
    pass


def env_or_fail(name):
    value = os.environ.get(name)
    if not value:
        raise Failure(f"{name} is not set (ctest sets it; run this test through ctest)")
    return value


# --- Finding the blocks ------------------------------------------------------------

def find_blocks(path, display):
    """The runnable blocks of one Markdown file: (display, line of the fence, text)."""
    blocks, fence, start, body, runnable = [], None, 0, [], False
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            m = FENCE.match(line.rstrip("\n"))
            if fence is None:
                if m:
                    fence, start, body = m.group(2), number, []
                    words = m.group(3).split()
                    runnable = "runnable" in words
                    if runnable and (not words or words[0] not in ("sh", "bash")):
                        raise Failure(f"{display}:{number}: 'runnable' marks a {words[0] if words else 'plain'} "
                                      "block; only sh and bash blocks run")
                continue
            if m and m.group(2)[0] == fence[0] and len(m.group(2)) >= len(fence) and not m.group(3).strip():
                if runnable:
                    blocks.append((display, start, "".join(body)))
                fence = None
                continue
            body.append(line)
    if fence is not None:
        raise Failure(f"{display}:{start}: the fenced block is never closed")
    return blocks


def doc_files(source, args):
    names = args or os.environ.get("CERTPLANE_DOCS_FILES", "").split()
    if not names:
        names = ["README.md"] + sorted(os.path.join("docs", n) for n in os.listdir(os.path.join(source, "docs"))
                                       if n.endswith(".md"))
    files = []
    for name in names:
        path = os.path.join(source, name)
        if not os.path.isfile(path):
            raise Failure(f"{name}: no such file under {source}")
        files.append((path, name))
    return files


# --- The cluster ----------------------------------------------------------------------

def kubectl(*args, check=True, stdin=None, timeout=120):
    r = subprocess.run(["kubectl", "--request-timeout=60s", *args], input=stdin, capture_output=True, text=True,
                       timeout=timeout)
    if check and r.returncode != 0:
        raise Failure(f"kubectl {' '.join(args)}: {r.stderr.strip() or r.stdout.strip()}")
    return r


def names_of(kind, namespace=""):
    args = ["get", kind, "-o", "name"] + (["-n", namespace] if namespace else [])
    r = kubectl(*args, check=False)
    return set(r.stdout.split()) if r.returncode == 0 else set()


def purge_namespace(ns):
    """Deletes a namespace and what is in it. No namespace controller runs on the local
    control plane, so the test empties it, clears finalizers and finalizes it."""
    if kubectl("get", "namespace", ns, check=False).returncode != 0:
        return
    for kind in ("certificates.certplane.io", "certificatesyncs.certplane.io"):
        for name in names_of(kind, ns):
            kubectl("patch", name, "-n", ns, "--type=merge", "-p", '{"metadata":{"finalizers":null}}', check=False)
    kubectl("delete", PURGED_KINDS, "--all", "-n", ns, "--wait=false", check=False)
    kubectl("delete", "namespace", ns, "--wait=false", check=False)
    r = kubectl("get", "namespace", ns, "-o", "json", check=False)
    if r.returncode == 0:
        body = json.loads(r.stdout)
        body["spec"]["finalizers"] = []
        kubectl("replace", "--raw", f"/api/v1/namespaces/{ns}/finalize", "-f", "-", stdin=json.dumps(body),
                check=False)
    deadline = time.monotonic() + 60
    while kubectl("get", "namespace", ns, check=False).returncode == 0:
        if time.monotonic() > deadline:
            raise Failure(f"namespace {ns} is still there a minute after it was deleted")
        time.sleep(0.2)


def delete_cluster_objects(names):
    for name in sorted(names):
        kubectl("patch", name, "--type=merge", "-p", '{"metadata":{"finalizers":null}}', check=False)
        kubectl("delete", name, "--ignore-not-found", "--wait=false", check=False)


def fingerprint():
    """What a block must leave as it found it: the examples' identities and specs (uid,
    generation) and the names of what lives in shop and certplane-system."""
    state = []
    for kind, name, ns in EXAMPLE_OBJECTS:
        args = ["get", kind, name, "-o", "jsonpath={.metadata.uid} {.metadata.generation} "
                "{.metadata.deletionTimestamp}"] + (["-n", ns] if ns else [])
        r = kubectl(*args, check=False)
        state.append((kind, name, r.stdout.strip() if r.returncode == 0 else "absent"))
    for ns in (EXAMPLE_NS, CONTROLLER_NS):
        state.append((ns, tuple(sorted(names_of(WATCHED_KINDS, ns)))))
    return state


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Controller:
    """certplane-controller in certplane-system, on loopback ports chosen once (the URLs
    written into certificates name them)."""

    def __init__(self, binary, log_dir):
        self.binary = binary
        self.ports = {name: free_port() for name in ("http", "https", "health", "metrics")}
        self.log_path = os.path.join(log_dir, f"docs-controller-{time.strftime('%Y%m%d-%H%M%S')}.log")
        self.process = None
        self.http = f"http://127.0.0.1:{self.ports['http']}"
        self.https = f"https://127.0.0.1:{self.ports['https']}"

    def start(self):
        p = self.ports
        argv = [self.binary, "--kubeconfig", os.environ["KUBECONFIG"], "--namespace", CONTROLLER_NS,
                "--leader-elect=false", "--log-level=debug",
                f"--http-bind-address=127.0.0.1:{p['http']}", f"--public-base-url={self.http}",
                f"--https-bind-address=127.0.0.1:{p['https']}", "--https-ip-addresses=127.0.0.1",
                f"--health-probe-bind-address=127.0.0.1:{p['health']}",
                f"--metrics-bind-address=127.0.0.1:{p['metrics']}"]
        with open(self.log_path, "a", encoding="utf-8") as out:
            self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        readyz = f"http://127.0.0.1:{p['health']}/readyz"
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise Failure(f"the controller exited during start-up (exit {self.process.returncode}); "
                              f"log: {self.log_path}")
            try:
                with urllib.request.urlopen(readyz, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise Failure(f"the controller was not ready within 60 s; log: {self.log_path}")
            time.sleep(0.2)

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def tail(self, lines=30):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""


def wait_for(what, predicate, seconds):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise Failure(f"{what} within {seconds} s")
        time.sleep(0.3)


class Cluster:
    def __init__(self, source, controller):
        self.source = source
        self.controller = controller
        self.examples = os.path.join(source, "examples")

    def clean_slate(self):
        """No controller, no examples, no shop, no certplane-system."""
        self.controller.stop()
        kubectl("delete", "-f", self.examples, "--ignore-not-found", "--wait=false", check=False)
        serving = set()
        for kind in CLUSTER_KINDS:
            r = kubectl("get", kind, "-l", f"certplane.io/serving-tls-of={CONTROLLER_NS}", "-o", "name", check=False)
            serving |= set(r.stdout.split())
        delete_cluster_objects(serving)
        purge_namespace(EXAMPLE_NS)
        purge_namespace(CONTROLLER_NS)

    def baseline(self):
        """The state `hack/quickstart.sh` leaves: controller up, examples Ready, the CRL,
        OCSP material and the HTTPS serving CA published."""
        kubectl("create", "namespace", CONTROLLER_NS)
        self.controller.start()
        kubectl("apply", "-f", self.examples)
        for kind, name, ns in EXAMPLE_OBJECTS:
            args = ["wait", "--for=condition=Ready", "--timeout=90s", f"{kind}/{name}"] + (["-n", ns] if ns else [])
            if kubectl(*args, check=False, timeout=100).returncode != 0:
                raise Failure(f"{kind}/{name} did not become Ready; controller log: {self.controller.log_path}\n"
                              f"{self.controller.tail()}")

        def present(kind, name):
            return kubectl("get", kind, name, "-n", CONTROLLER_NS, check=False).returncode == 0

        for kind, name in (("configmap", "certplane-serving-ca"), ("configmap", "certplane-crl-example-issuing"),
                           ("configmap", "certplane-issued-example-issuing"),
                           ("secret", "certplane-ocsp-example-issuing")):
            wait_for(f"{kind} {CONTROLLER_NS}/{name} did not appear", lambda k=kind, n=name: present(k, n), 60)
        # The bundle API and the profile's latest active certificate follow within seconds.
        wait_for("profile web did not name its latest active certificate",
                 lambda: kubectl("get", "cpprofile", "web", "-o", "jsonpath={.status.latestActiveCertificate.name}",
                                 check=False).stdout == "frontend", 30)

    def reset(self):
        start = time.monotonic()
        self.clean_slate()
        self.baseline()
        return time.monotonic() - start


# --- Running one block ------------------------------------------------------------------

def make_workdir(source, binary_dir, parent):
    work = tempfile.mkdtemp(prefix="block-", dir=parent)
    for entry in os.listdir(source):
        if entry == ".git" or entry.startswith("build"):
            continue
        os.symlink(os.path.join(source, entry), os.path.join(work, entry))
    os.symlink(binary_dir, os.path.join(work, "build"))
    return work


def run_block(text, work, env, timeout):
    script = os.path.join(work, ".block.sh")
    with open(script, "w", encoding="utf-8") as f:
        f.write("set -euo pipefail\n" + text)
    block_env = dict(env, CERTPLANE_CONTROL_PLANE_DIR=os.path.join(work, ".control-plane"),
                     CERTPLANE_CONTROL_PLANE_TTL=str(timeout + 60))
    start = time.monotonic()
    p = subprocess.Popen(["bash", script], cwd=work, env=block_env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
        code = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        code = None
    # A control plane the block started and did not stop.
    if os.path.isdir(block_env["CERTPLANE_CONTROL_PLANE_DIR"]):
        subprocess.run([os.path.join(env["CERTPLANE_SOURCE_DIR"], "hack", "control-plane"), "down"], env=block_env,
                       capture_output=True, timeout=60, check=False)
    return code, out, time.monotonic() - start


def mentioned(names, text):
    """The kind/name strings among `names` whose name the block's text mentions."""
    return {n for n in names if re.search(r"(?<![\w.-])" + re.escape(n.split("/", 1)[1]) + r"(?![\w-])", text)}


def main(argv):
    list_only = "--list" in argv
    args = [a for a in argv if a != "--list"]
    source = env_or_fail("CERTPLANE_SOURCE_DIR")
    binary_dir = env_or_fail("CERTPLANE_BINARY_DIR")
    blocks = []
    for path, display in doc_files(source, args):
        blocks += find_blocks(path, display)
    if not blocks:
        raise Failure("no runnable blocks found: the marker is ```sh runnable")
    if list_only:
        for display, line, text in blocks:
            print(f"{display}:{line}: {text.splitlines()[0] if text.strip() else '(empty)'}")
        return 0

    missing = [t for t in REQUIRED_TOOLS if shutil.which(t) is None]
    if missing:
        raise Failure(f"not on PATH: {', '.join(missing)} (hack/install-deps.sh and hack/build-control-plane.sh "
                      "provide them)")
    plugin_dir = os.path.join(binary_dir, "plugin")
    binary = os.path.join(binary_dir, "controller", "certplane-controller")
    for exe in (binary, os.path.join(plugin_dir, "kubectl-certplane")):
        if not os.access(exe, os.X_OK):
            raise Failure(f"{exe} is not built")
    kubectl("get", "--raw", "/readyz")
    kubectl("apply", "--server-side", "--force-conflicts", "-f", os.path.join(source, "crds"))
    kubectl("wait", "--for=condition=Established", "--timeout=60s", "-f", os.path.join(source, "crds"))

    log_dir = os.path.join(binary_dir, "e2e-logs")
    os.makedirs(log_dir, exist_ok=True)
    controller = Controller(binary, log_dir)
    cluster = Cluster(source, controller)
    scratch = tempfile.mkdtemp(prefix="runnable-docs-")
    home = os.path.join(scratch, "home")
    os.makedirs(home)
    timeout = int(os.environ.get("CERTPLANE_DOCS_BLOCK_TIMEOUT", "180"))
    # HOME is the block's own (helm and kubectl caches); the tool cache stays where
    # hack/lib.sh finds it under the real HOME.
    cache = os.environ.get("CERTPLANE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "certplane")
    env = dict(os.environ, PATH=plugin_dir + os.pathsep + os.environ["PATH"], HOME=home, CERTPLANE_CACHE_DIR=cache,
               CERTPLANE_HTTP=controller.http, CERTPLANE_HTTPS=controller.https)
    env.pop("CERTPLANE_DOCS_FILES", None)

    failures, resets, started = [], 0, time.monotonic()
    try:
        log(f"{len(blocks)} runnable blocks; controller log: {controller.log_path}")
        cluster.clean_slate()
        cluster.baseline()
        for display, line, text in blocks:
            before = fingerprint()
            namespaces_before = names_of("namespaces")
            cluster_before = set().union(*(names_of(k) for k in CLUSTER_KINDS))
            work = make_workdir(source, binary_dir, scratch)
            code, out, took = run_block(text, work, env, timeout)
            shutil.rmtree(work, ignore_errors=True)
            where = f"{display}:{line}"
            if code == 0:
                log(f"ok   {where} ({took:.1f} s)")
            else:
                why = f"timed out after {timeout} s" if code is None else f"exited {code}"
                failures.append(where)
                tail = "\n".join(out.rstrip().splitlines()[-60:])
                log(f"FAIL {where}: the block {why} ({took:.1f} s). Its output (last 60 lines):\n{tail}\n"
                    f"--- controller log: {controller.log_path} (last 30 lines)\n{controller.tail()}")
            # What the block made: namespaces and cluster-scoped objects it names.
            new_namespaces = mentioned(names_of("namespaces") - namespaces_before, text)
            new_objects = mentioned(set().union(*(names_of(k) for k in CLUSTER_KINDS)) - cluster_before, text)
            for ns in sorted(new_namespaces - {f"namespace/{EXAMPLE_NS}", f"namespace/{CONTROLLER_NS}"}):
                purge_namespace(ns.split("/", 1)[1])
            delete_cluster_objects(new_objects)
            if code != 0 or new_objects or fingerprint() != before:
                resets += 1
                log(f"     restoring the examples after {where} ({cluster.reset():.1f} s)")
    finally:
        try:
            cluster.clean_slate()
        finally:
            controller.stop()
            shutil.rmtree(scratch, ignore_errors=True)
    took = time.monotonic() - started
    log(f"{len(blocks)} blocks, {len(failures)} failed, {resets} restores, {took:.0f} s")
    if failures:
        log("failed: " + ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    # ctest stops a test that outlives its timeout with SIGTERM: clean up on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main(sys.argv[1:]))
    except Failure as e:
        log(f"FAIL: {e}")
        sys.exit(1)
