#!/usr/bin/env python3
"""Turns a hack/bench/compare/run.sh output folder (meta.json, cells.jsonl) into
results.json (every number), results.md (the tables and ratios) and chart.png.

  report.py OUT_DIR

Needs matplotlib (Debian's python3-matplotlib, installed by hack/install-deps.sh).
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CONFIG_ORDER = ["certplane", "certplane-tuned", "cert-manager", "cert-manager-tuned", "floor"]
LABELS = {
    "certplane": "certplane (defaults)",
    "certplane-tuned": "certplane (qps 500)",
    "cert-manager": "cert-manager (defaults)",
    "cert-manager-tuned": "cert-manager (qps 500)",
    "floor": "floor (API only)",
}
COLORS = {"certplane": "#1f77b4", "certplane-tuned": "#0b3d91", "cert-manager": "#ff7f0e",
          "cert-manager-tuned": "#b34700", "floor": "#555555"}


def fmt(v, digits=1):
    if v is None:
        return "–"
    if isinstance(v, (int, float)):
        if abs(v) >= 100:
            return f"{v:,.0f}"
        return f"{v:,.{digits}f}"
    return str(v)


def ratio(a, b, digits=2):
    if a is None or b in (None, 0):
        return "–"
    return f"{a / b:.{digits}f}"


def main(out):
    meta = json.load(open(f"{out}/meta.json"))
    cells = [json.loads(line) for line in open(f"{out}/cells.jsonl") if line.strip()]
    results = dict(meta)
    for scenario in ("issuance", "renewal", "idle", "crl"):
        results[scenario] = [c for c in cells if c["scenario"] == scenario]
    has_cm = bool(meta.get("cert_manager_controller"))
    results["notes"] = notes(meta, has_cm)
    json.dump(results, open(f"{out}/results.json", "w"), indent=2)
    md = markdown(results, has_cm)
    open(f"{out}/results.md", "w").write(md)
    chart(results, f"{out}/chart.png")


def notes(meta, has_cm):
    n = [f"Machine: {meta['machine']['cores']} cores ({meta['machine']['cpu']}), "
         f"{meta['machine']['memory_gib']} GiB; kube-apiserver {meta['kubernetes']} and etcd {meta['etcd']} on "
         "loopback on the same machine as the controller and the bench client, so all share the cores. "
         "`load` is the 1-minute load average before and after each cell."]
    if not has_cm:
        n.append("cert-manager was not given (--cert-manager-controller, --cert-manager-crds): "
                 "certplane and the floor only.")
    else:
        n.append("cert-manager runs out of cluster: its controller only (no webhook, no cainjector), "
                 "a CA Issuer backed by a Secret, --leader-elect=false.")
    return n


def by(cells, **kw):
    return [c for c in cells if all(c.get(k) == v for k, v in kw.items())]


def one(cells, **kw):
    found = [c for c in by(cells, **kw) if "skipped" not in c]
    return found[0] if found else None


def val(cell, *path):
    cur = cell
    for p in path:
        if not isinstance(cur, dict) or p not in cur:
            return None
        cur = cur[p]
    return cur


def writes(cell):
    """Writes per certificate, with the lost optimistic-concurrency races (409) among them."""
    w, lost = val(cell, "requests", "writes_per_certificate"), val(cell, "requests", "conflicts_per_certificate")
    return fmt(w, 2) + (f" ({fmt(lost, 2)} lost to 409)" if lost else "")


def rate_of(cell):
    return val(cell, "per_second") if cell and cell.get("complete") else None


def markdown(r, has_cm):
    lines = []
    m = r["machine"]
    lines.append(f"Run `{r['command']}` at {r['started']} on certplane {r['certplane_revision']}; "
                 f"{m['cores']} cores, {m['memory_gib']} GiB ({m['cpu']}).")
    lines.append("")
    for note in r["notes"][1:]:
        lines.append(note)
        lines.append("")
    iss = r["issuance"]
    if iss:
        lines.append("**Issuance**: N Certificates created at once (16 requests in flight) until every one is "
                     "Ready with its Secret. Requests per certificate are the API server's own "
                     "`apiserver_request_total` before and after, less the bench's own requests (its creates, "
                     "lists and watches); writes include those lost to optimistic-concurrency conflicts (409).")
        lines.append("")
        lines.append("| N | key | configuration | certs/s | all Ready (s) | p50 (s) | p99 (s) | API writes/cert "
                     "| API requests/cert | peak RSS (MiB) | CPU (s) | load before → after |")
        lines.append("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        keys = sorted({(c["n"], c.get("algorithm", "ECDSA-P256")) for c in iss},
                      key=lambda k: (k[1] != "ECDSA-P256", k[0]))
        for n, alg in keys:
            for config in CONFIG_ORDER:
                for c in by(iss, n=n, config=config):
                    if c.get("algorithm", alg) != alg and "skipped" not in c:
                        continue
                    if "skipped" in c:
                        if alg != "ECDSA-P256":
                            continue
                        lines.append(f"| {n:,} | {alg} | {LABELS[config]} | not run: {c['skipped']} "
                                     "| | | | | | | | |")
                        continue
                    done = "" if c.get("complete") else f" (incomplete: {c.get('done', 0)}/{n})"
                    lines.append(
                        f"| {n:,} | {alg} | {LABELS[config]} | {fmt(rate_of(c))}{done} | {fmt(c.get('wall_seconds'))} "
                        f"| {fmt(c.get('p50_seconds'), 2)} | {fmt(c.get('p99_seconds'), 2)} "
                        f"| {writes(c)} "
                        f"| {fmt(val(c, 'requests', 'requests_per_certificate'), 2)} "
                        f"| {fmt(c.get('hwm_mib'))} | {fmt(c.get('cpu_seconds'))} "
                        f"| {c['loadavg_before'].split()[0]} → {c['loadavg_after'].split()[0]} |")
        lines.append("")
        # Requests by verb at the largest ECDSA N every configuration completed.
        ns = sorted({c["n"] for c in iss if c.get("algorithm") == "ECDSA-P256" and c.get("complete")})
        if ns:
            n = max(ns, key=lambda k: (sum(1 for c in by(iss, n=k, algorithm="ECDSA-P256") if c.get("complete")), k))
            row_cells = [c for c in (one(iss, n=n, config=k, algorithm="ECDSA-P256") for k in CONFIG_ORDER) if c]
            verbs = sorted({v for c in row_cells for v in val(c, "requests", "by_verb") or {}})
            lines.append(f"API requests per certificate by verb and resource, N = {n:,} ECDSA P-256:")
            lines.append("")
            lines.append("| request | " + " | ".join(LABELS[c["config"]] for c in row_cells) + " |")
            lines.append("| --- | " + " | ".join("---:" for _ in row_cells) + " |")
            for v in verbs:
                lines.append(f"| {v} | " + " | ".join(fmt(val(c, "requests", "by_verb", v), 2) for c in row_cells)
                             + " |")
            lines.append("")
        lines.extend(ratio_lines(iss, has_cm))
    ren = r["renewal"]
    if ren:
        lines.append(f"**Renewal storm**: every certificate due at once (issued for 1 h; with the controller "
                     f"stopped, renewBefore set to 59m50s); the controller starts again: certplane on its default "
                     f"flags, cert-manager with --kube-api-qps {r['storm_qps']} --kube-api-burst {r['storm_burst']}. "
                     "The API request rate counts every client of the API server, sampled every second; 429 and "
                     "5xx are the API server's own counts of requests it throttled or failed (a healthy storm has "
                     "none).")
        lines.append("")
        lines.append("| product | N | all renewed (s) | renewals/s | p50 (s) | p99 (s) | peak API rate (req/s, 1 s) "
                     "| highest 10 s average | QPS flag (burst) | API writes/renewal | 429 | 5xx | peak RSS (MiB) |")
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for c in ren:
            if "skipped" in c:
                lines.append(f"| {c['config']} | {c['n']:,} | not run: {c['skipped']} | | | | | | | | | | |")
                continue
            done = "" if c.get("complete") else f" (incomplete: {c.get('done', 0)}/{c['n']})"
            lines.append(f"| {c['config']} | {c['n']:,} | {fmt(c.get('wall_seconds'))}{done} | {fmt(rate_of(c))} "
                         f"| {fmt(c.get('p50_seconds'), 2)} | {fmt(c.get('p99_seconds'), 2)} "
                         f"| {fmt(val(c, 'rate', 'peak_rps'))} | {fmt(val(c, 'rate', 'peak_10s_rps'))} "
                         f"| {c['qps_flag']} ({c['burst_flag']}) | {writes(c)} "
                         f"| {fmt(val(c, 'requests', 'throttled_429'), 0)} | {fmt(val(c, 'requests', 'server_errors_5xx'), 0)} "
                         f"| {fmt(c.get('hwm_mib'))} |")
        lines.append("")
    idle = r["idle"]
    if idle:
        lines.append("**Idle cost**: the controller restarted, once its CPU use settles, with N Certificates and "
                     "their Secrets and unrelated Secrets in another namespace.")
        lines.append("")
        lines.append("| product | Certificates + Secrets | unrelated Secrets | RSS settled (MiB) | peak RSS since start "
                     "(MiB) | CPU to settle (s) | settled after (s) |")
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for c in idle:
            if "skipped" in c:
                lines.append(f"| {c['config']} | {c['n']:,} | not run: {c['skipped']} | | | | |")
                continue
            lines.append(f"| {c['config']} | {c['n']:,} | {c['unrelated_secrets']:,} × "
                         f"{c['unrelated_secret_bytes'] // 1024} KiB | {fmt(c['rss_mib'])} | {fmt(c['hwm_mib'])} "
                         f"| {fmt(c['cpu_seconds'])} | {fmt(c['settle_seconds'])} |")
        lines.append("")
    crl = r["crl"]
    if crl:
        lines.append("**CRL**: publishing, the controller's work for one publication apart from the API write "
                     "(crl_publish_bench: ledger to signed DER and PEM). cert-manager publishes no CRLs.")
        lines.append("")
        lines.append("| case | revoked serials | shards | time (ms) | largest ConfigMap payload |")
        lines.append("| --- | ---: | ---: | ---: | ---: |")
        for c in crl:
            lines.append(f"| {c['case']} | {c['serials']:,} | {c['shards']} | {fmt(c['milliseconds'])} "
                         f"| {c['largest_configmap_bytes'] / 1024:,.0f} KiB |")
        lines.append("")
    return "\n".join(lines) + "\n"


def ratio_lines(iss, has_cm):
    lines = ["Ratios (ECDSA P-256 unless noted; certs/s above 1 and writes or memory below 1 favour certplane):", ""]
    head = "| N |"
    sep = "| ---: |"
    if has_cm:
        head += (" certs/s, certplane ÷ cert-manager (defaults) | writes/cert | peak RSS "
                 "| certs/s, certplane ÷ cert-manager (qps 500) | writes/cert | peak RSS |")
        sep += " ---: | ---: | ---: | ---: | ---: | ---: |"
    head += " certplane ÷ floor (defaults) | certplane ÷ floor (qps 500) |"
    sep += " ---: | ---: |"
    lines += [head, sep]
    keys = sorted({(c["n"], c.get("algorithm")) for c in iss if "skipped" not in c},
                  key=lambda k: (k[1] != "ECDSA-P256", k[0]))
    for n, alg in keys:
        get = {k: one(iss, n=n, config=k, algorithm=alg) for k in CONFIG_ORDER}
        floor = one(iss, n=n, config="floor", algorithm="ECDSA-P256")
        row = f"| {n:,}{'' if alg == 'ECDSA-P256' else ' ' + alg} |"
        if has_cm:
            for cp, cm in (("certplane", "cert-manager"), ("certplane-tuned", "cert-manager-tuned")):
                a, b = get[cp], get[cm]
                row += (f" {ratio(rate_of(a), rate_of(b))} "
                        f"| {ratio(val(a, 'requests', 'writes_per_certificate'), val(b, 'requests', 'writes_per_certificate'))} "
                        f"| {ratio(val(a, 'hwm_mib'), val(b, 'hwm_mib'))} |")
        row += f" {ratio(rate_of(get['certplane']), rate_of(floor))} | {ratio(rate_of(get['certplane-tuned']), rate_of(floor))} |"
        lines.append(row)
    lines.append("")
    return lines


def chart(r, path):
    iss = [c for c in r["issuance"] if "skipped" not in c and c.get("algorithm") == "ECDSA-P256"]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    m = r["machine"]
    fig.suptitle(f"certplane vs cert-manager, ECDSA P-256 issuance ({m['cores']} cores, {m['memory_gib']} GiB; "
                 f"{r['started']})", fontsize=11)
    panels = [
        (axes[0][0], "certificates per second (to Ready + Secret)", lambda c: rate_of(c), True),
        (axes[0][1], "API writes per certificate", lambda c: val(c, "requests", "writes_per_certificate"), False),
        (axes[1][0], "controller peak RSS (MiB)", lambda c: c.get("hwm_mib"), False),
        (axes[1][1], "p99 seconds from create to Ready", lambda c: c.get("p99_seconds") if c.get("complete") else None,
         True),
    ]
    for ax, title, get, log in panels:
        for config in CONFIG_ORDER:
            pts = sorted((c["n"], get(c)) for c in iss if c["config"] == config and get(c) is not None)
            if not pts:
                continue
            if config == "floor" and title.startswith("controller"):
                continue
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=LABELS[config],
                    color=COLORS[config], linestyle="--" if config == "floor" else "-")
        ax.set_xscale("log")
        if log:
            ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("N certificates")
        ax.grid(True, which="both", alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=9)
    fig.tight_layout(rect=(0, 0.05, 1, 0.96))
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1])
