#!/usr/bin/env python3
"""Counters and samples for hack/bench/compare/run.sh.

  metrics.py scrape OUT.json
      kube-apiserver's apiserver_request_total, summed by (verb, resource, subresource)
      for the resources the controllers and the bench touch, into OUT.json.
  metrics.py sample --pid PID --out FILE [--interval 1]
      Until SIGTERM: one JSON line per interval with the time, the process's VmRSS,
      VmHWM and CPU seconds (from /proc), and the request counters' total.
  metrics.py delta BEFORE.json AFTER.json --n N [--subtract "POST certificates=N" ...]
      API requests per certificate between two scrapes: total, writes, reads and by
      verb, less the requests the bench made itself (--subtract, --subtract-json); and
      how many of them were lost races (HTTP 409), which the counts include.
  metrics.py settle --pid PID [--max 180]
      Waits until the process's CPU use stays under 2% of a core for 6 s (or --max
      seconds pass); prints {"settle_seconds", "rss_mib", "hwm_mib", "cpu_seconds"}.
  metrics.py proc --pid PID
      Prints {"rss_mib", "hwm_mib", "cpu_seconds"} now.
  metrics.py rate SAMPLES
      From a sample file: the peak request rate over one interval, the highest 10 s
      average and the mean, in requests per second (all API clients counted).

The API server is reached with the admin client certificate of the control plane in
$CERTPLANE_CONTROL_PLANE_DIR (hack/control-plane), at the port it records there.
"""
import argparse
import json
import os
import re
import signal
import ssl
import sys
import time
import urllib.request

# What the controllers (and the bench) do work with. kube-apiserver's own traffic
# (leases, endpoints, its RBAC bootstrap) is left out.
RESOURCES = {
    "certificates", "certificaterequests", "secrets", "events", "issuers", "clusterissuers",
    "orders", "challenges", "certificateauthorities", "certificateprofiles", "certificatetemplates",
    "configmaps", "namespaces", "subjectaccessreviews",
}
WRITE_VERBS = {"POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION"}
LINE = re.compile(r'^apiserver_request_total\{(.*)\} ([0-9.e+]+)$')
LABEL = re.compile(r'(\w+)="([^"]*)"')
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _context():
    state = os.environ["CERTPLANE_CONTROL_PLANE_DIR"]
    ctx = ssl.create_default_context(cafile=f"{state}/pki/serving-ca.crt")
    ctx.load_cert_chain(f"{state}/pki/admin.crt", f"{state}/pki/admin.key")
    port = open(f"{state}/apiserver-port").read().strip()
    return ctx, f"https://127.0.0.1:{port}/metrics"


# Keys counted apart from the requests they are part of (scrape's "<code> <verb> <resource>").
APART = ("409 ", "429 ", "5xx ")


def scrape(ctx_url):
    ctx, url = ctx_url
    text = urllib.request.urlopen(url, context=ctx, timeout=30).read().decode()
    out = {}
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        labels = dict(LABEL.findall(m.group(1)))
        if labels.get("resource") not in RESOURCES:
            continue
        key = f'{labels.get("verb")} {labels.get("resource")}'
        if labels.get("subresource"):
            key += "/" + labels["subresource"]
        out[key] = out.get(key, 0) + float(m.group(2))
        code = labels.get("code", "")
        if code == "409":  # lost optimistic-concurrency races, counted apart too
            out["409 " + key] = out.get("409 " + key, 0) + float(m.group(2))
        elif code == "429":  # told to slow down (priority and fairness)
            out["429 " + key] = out.get("429 " + key, 0) + float(m.group(2))
        elif code.startswith("5"):  # server errors and timeouts (504)
            out["5xx " + key] = out.get("5xx " + key, 0) + float(m.group(2))
    return out


def proc(pid):
    status = open(f"/proc/{pid}/status").read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
    # Fields 14 and 15 of stat (utime, stime), counted after the ")" that ends comm.
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return {"rss_mib": round(rss / 1024, 1), "hwm_mib": round(hwm / 1024, 1), "cpu_seconds": round(cpu, 2)}


def cmd_scrape(args):
    json.dump(scrape(_context()), open(args.out, "w"), indent=1, sort_keys=True)


def cmd_sample(args):
    ctx_url = _context()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(args.out, "a") as f:
        while True:
            final = bool(stop)  # one last row after SIGTERM, so short cells have two
            t = time.time()
            row = {"t": round(t, 3)}
            try:
                row.update(proc(args.pid))
            except (OSError, AttributeError):
                pass
            try:
                row["requests"] = sum(v for k, v in scrape(ctx_url).items() if not k[:4] in APART)
            except Exception:  # the API server may be busy; a gap in the series is fine
                pass
            f.write(json.dumps(row) + "\n")
            f.flush()
            if final:
                break
            deadline = t + args.interval
            while not stop and time.time() < deadline:
                time.sleep(0.05)


def cmd_delta(args):
    before, after = json.load(open(args.before)), json.load(open(args.after))
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    for s in args.subtract:
        key, _, count = s.rpartition("=")
        delta[key] = delta.get(key, 0) - float(count)
    if args.subtract_json:
        for key, count in json.loads(args.subtract_json).items():
            delta[key] = delta.get(key, 0) - float(count)
    conflicts = {k[4:]: v for k, v in delta.items() if k.startswith("409 ") and v > 0}
    throttled = sum(v for k, v in delta.items() if k.startswith("429 ") and v > 0)
    server_errors = sum(v for k, v in delta.items() if k.startswith("5xx ") and v > 0)
    delta = {k: v for k, v in delta.items() if v > 0 and k[:4] not in APART}
    n = args.n
    writes = sum(v for k, v in delta.items() if k.split()[0] in WRITE_VERBS)
    out = {
        "conflicts_per_certificate": round(sum(conflicts.values()) / n, 3),
        "requests_per_certificate": round(sum(delta.values()) / n, 3),
        "writes_per_certificate": round(writes / n, 3),
        "reads_per_certificate": round((sum(delta.values()) - writes) / n, 3),
        "by_verb": {k: round(v / n, 3) for k, v in sorted(delta.items())},
        # Counts over the whole cell, not per certificate: a healthy API server has none.
        "throttled_429": int(throttled),
        "server_errors_5xx": int(server_errors),
    }
    print(json.dumps(out))


def cmd_settle(args):
    start = time.time()
    quiet_since = None
    last = proc(args.pid)["cpu_seconds"]
    while time.time() - start < args.max:
        time.sleep(2)
        now = proc(args.pid)["cpu_seconds"]
        if now - last < 0.04:  # under 2% of a core over 2 s
            quiet_since = quiet_since or time.time() - 2
            if time.time() - quiet_since >= 6:
                break
        else:
            quiet_since = None
        last = now
    out = proc(args.pid)
    out["settle_seconds"] = round(time.time() - start, 1)
    print(json.dumps(out))


def cmd_proc(args):
    print(json.dumps(proc(args.pid)))


def cmd_rate(args):
    rows = [json.loads(l) for l in open(args.samples) if l.strip()]
    rows = [r for r in rows if "requests" in r]
    out = {"peak_rps": 0.0, "peak_10s_rps": 0.0, "mean_rps": 0.0, "samples": len(rows)}
    if len(rows) >= 2:
        rates = [(b["requests"] - a["requests"]) / max(b["t"] - a["t"], 1e-3) for a, b in zip(rows, rows[1:])]
        out["peak_rps"] = round(max(rates), 1)
        for i, a in enumerate(rows):
            j = next((k for k in range(i + 1, len(rows)) if rows[k]["t"] - a["t"] >= 10), None)
            if j is None:
                break
            out["peak_10s_rps"] = max(out["peak_10s_rps"],
                                      round((rows[j]["requests"] - a["requests"]) / (rows[j]["t"] - a["t"]), 1))
        out["mean_rps"] = round((rows[-1]["requests"] - rows[0]["requests"]) / (rows[-1]["t"] - rows[0]["t"]), 1)
    print(json.dumps(out))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("scrape"); s.add_argument("out"); s.set_defaults(fn=cmd_scrape)
    s = sub.add_parser("sample"); s.add_argument("--pid", type=int, required=True)
    s.add_argument("--out", required=True); s.add_argument("--interval", type=float, default=1.0)
    s.set_defaults(fn=cmd_sample)
    s = sub.add_parser("delta"); s.add_argument("before"); s.add_argument("after")
    s.add_argument("--n", type=int, required=True); s.add_argument("--subtract", action="append", default=[])
    s.add_argument("--subtract-json", help='{"VERB resource": count, ...} to leave out')
    s.set_defaults(fn=cmd_delta)
    s = sub.add_parser("settle"); s.add_argument("--pid", type=int, required=True)
    s.add_argument("--max", type=float, default=180); s.set_defaults(fn=cmd_settle)
    s = sub.add_parser("rate"); s.add_argument("samples"); s.set_defaults(fn=cmd_rate)
    s = sub.add_parser("proc"); s.add_argument("--pid", type=int, required=True); s.set_defaults(fn=cmd_proc)
    args = p.parse_args()
    args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
