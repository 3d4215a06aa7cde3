#!/usr/bin/env python3
"""A validating admission webhook that fails some requests on purpose, for tests.

It serves HTTPS on 127.0.0.1 and answers AdmissionReview (admission.k8s.io/v1) POSTs
on /validate. Of the requests that match its filter, it denies every Nth one of each
resource (N given per resource, or --deny-every): allowed=false, code 500, message
"injected failure". Everything else, server-side dry runs included, is allowed.
What it saw is counted and served on GET /stats (and written to --stats-file after
every request), so a test can check that failures really were injected. It stops by
itself after --deadline seconds, so a killed test leaves nothing listening.

  flaky_webhook.py --port 0 --cert tls.crt --key tls.key \\
      --match secrets --match certificates/status=3 --namespace my-ns --deny-every 2 \\
      --deadline 600 --stats-file stats.json

With --port 0 the kernel picks the port; the first line printed is "port <n>" in
every case. Standard library only.
"""

import argparse
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Counters:
    """What the webhook saw. Guarded by `lock`: the server answers on many threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reviewed = 0  # every AdmissionReview received
        self.dry_runs = 0  # those with dryRun set: never denied
        self.matched = 0  # those that matched the filter
        self.denied = 0  # those denied on purpose
        self.by_resource = {}  # "resource[/subresource]" -> [matched, denied]

    def snapshot(self):
        with self.lock:
            return {
                "reviewed": self.reviewed,
                "dry_runs": self.dry_runs,
                "matched": self.matched,
                "denied": self.denied,
                "by_resource": {k: {"matched": v[0], "denied": v[1]} for k, v in self.by_resource.items()},
            }


def resource_of(request):
    resource = request.get("resource", {}).get("resource", "")
    sub = request.get("subResource", "")
    return f"{resource}/{sub}" if sub else resource


def make_handler(args, counters):
    # "resource[/subresource][=N]" -> N: deny every Nth matching request of it.
    matches = {}
    for m in args.match:
        resource, _, every = m.partition("=")
        matches[resource] = int(every) if every else args.deny_every

    def matching(request):
        if resource_of(request) not in matches:
            return False
        if args.namespace and request.get("namespace") != args.namespace:
            return False
        if args.name and request.get("name") != args.name:
            return False
        return True

    def write_stats():
        if not args.stats_file:
            return
        tmp = args.stats_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(counters.snapshot(), f)
        os.replace(tmp, args.stats_file)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            if args.verbose:
                sys.stderr.write("flaky_webhook: " + (fmt % a) + "\n")

        def send_json(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/stats":
                self.send_json(200, counters.snapshot())
            elif self.path == "/healthz":
                self.send_json(200, {"ok": True})
            else:
                self.send_json(404, {"error": "not found"})

        def do_POST(self):
            if self.path.split("?")[0] != "/validate":
                self.send_json(404, {"error": "not found"})
                return
            try:
                length = int(self.headers.get("Content-Length", "0"))
                review = json.loads(self.rfile.read(length))
                request = review["request"]
                uid = request["uid"]
            except (ValueError, KeyError, TypeError) as e:
                self.send_json(400, {"error": f"not an AdmissionReview: {e}"})
                return
            allowed = True
            with counters.lock:
                counters.reviewed += 1
                # Server-side dry runs (a test's probe that the webhook is registered) are
                # counted apart and always allowed, so they do not shift which write fails.
                if request.get("dryRun"):
                    counters.dry_runs += 1
                elif matching(request):
                    counters.matched += 1
                    entry = counters.by_resource.setdefault(resource_of(request), [0, 0])
                    entry[0] += 1
                    # Counted per resource: with one count for all, a client that writes
                    # a Secret and then a status on every attempt could meet a denial on
                    # the same write each time and never get through.
                    if entry[0] % matches[resource_of(request)] == 0:
                        counters.denied += 1
                        entry[1] += 1
                        allowed = False
            response = {"uid": uid, "allowed": allowed}
            if not allowed:
                response["status"] = {"code": 500, "reason": "InternalError", "message": "injected failure"}
            self.send_json(200, {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response})
            if args.verbose:
                sys.stderr.write(f"flaky_webhook: {resource_of(request)} {request.get('operation')} {request.get('namespace')}/{request.get('name')} "
                                 f"allowed={allowed}\n")
            write_stats()

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0, help="loopback port; 0 lets the kernel pick one")
    p.add_argument("--cert", required=True, help="PEM serving certificate (for IP 127.0.0.1)")
    p.add_argument("--key", required=True, help="PEM key of --cert")
    p.add_argument("--match", action="append", required=True,
                   help="resource[/subresource][=N] to count and fail every Nth of (default --deny-every), "
                        "e.g. secrets or certificates/status=3; repeatable")
    p.add_argument("--namespace", default="", help="only requests in this namespace match")
    p.add_argument("--name", default="", help="only requests for this object name match")
    p.add_argument("--deny-every", type=int, default=2, help="deny every Nth matching request of a resource (N >= 1)")
    p.add_argument("--deadline", type=float, required=True, help="seconds after which the server stops by itself")
    p.add_argument("--stats-file", default="", help="JSON file rewritten with the counters after every request")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = p.parse_args()
    for m in args.match:
        every = m.partition("=")[2]
        if not (every or "1").isdigit() or int(every or "1") < 1:
            p.error(f"--match {m}: N must be a whole number of at least 1")
    if args.deny_every < 1:
        p.error("--deny-every must be at least 1")

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)

    class TlsServer(ThreadingHTTPServer):
        daemon_threads = True

        # The TLS handshake happens on the connection's own thread, so one slow or
        # broken client cannot stall the accept loop.
        def finish_request(self, request, client_address):
            request.settimeout(30)
            try:
                tls = context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
            super().finish_request(tls, client_address)

    counters = Counters()
    server = TlsServer(("127.0.0.1", args.port), make_handler(args, counters))

    # Stop by itself: shutdown() from another thread ends serve_forever().
    timer = threading.Timer(args.deadline, server.shutdown)
    timer.daemon = True
    timer.start()
    print(f"port {server.server_address[1]}", flush=True)
    started = time.monotonic()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    if args.verbose:
        sys.stderr.write(f"flaky_webhook: stopped after {time.monotonic() - started:.0f} s: "
                         f"{json.dumps(counters.snapshot())}\n")


if __name__ == "__main__":
    main()
