#!/usr/bin/python3
"""Turns a bench/run JSON file into the Markdown table and the PNG chart.

    bench/lib/report.py bench/results/2025-01-01-1200.json

writes the .md and .png beside it (bench/run does this itself at the end of
a run). Every figure is a median over the repetitions, with the min-max
range; a ratio is this server's median over nginx's median from the same
run.
"""
import json
import os
import statistics
import sys

THROUGHPUT = [
    ("hello-1core", "1. Hello world, one core, keep-alive"),
    ("hello-2w", "2. Hello world, 2 workers, keep-alive"),
    ("close", "3. Hello world, a new connection per request"),
    ("static-4k", "4a. Static file, 4 KiB"),
    ("static-1m", "4b. Static file, 1 MiB"),
    ("standing", "5b. Hello world while the idle connections are held"),
    ("slow", "6. Hello world while 200 clients hold GET /sleep?ms=1000"),
]
ORDER = ["gale", "nginx", "apache-prefork", "apache-worker", "apache-event",
         "tornado"]


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def rng(xs):
    xs = [x for x in xs if x is not None]
    return (min(xs), max(xs)) if xs else (None, None)


def fmt(x, digits=0, unit=""):
    if x is None:
        return "–"
    if digits == 0:
        return "{:,.0f}{}".format(x, unit)
    return "{:,.{d}f}{}".format(x, unit, d=digits)


def fmt_rng(xs, digits=0):
    lo, hi = rng(xs)
    if lo is None:
        return "–"
    return "%s–%s" % (fmt(lo, digits), fmt(hi, digits))


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return "%.2f×" % (a / b)


def group(data):
    g = {}
    for r in data["results"]:
        g.setdefault((r["scenario"], r["server"]), []).append(r)
    return g


def servers_in(data, g, label):
    seen = {s for (l, s) in g if l == label}
    return [s for s in ORDER if s in seen] + sorted(seen - set(ORDER))


def col(rows, key):
    return [r.get(key) for r in rows]


def digits_for(x):
    if x is None:
        return 0
    return 0 if x >= 100 else (1 if x >= 10 else 2)


def throughput_table(data, g, label, title):
    servers = servers_in(data, g, label)
    if not servers:
        return []
    nginx = g.get((label, "nginx"), [])
    n_rps = med(col(nginx, "rps"))
    n_cpu = med(col(nginx, "cpu_us_per_req"))
    n_p99 = med(col(nginx, "p99_ms"))
    out = ["### %s" % title, ""]
    extra_hdr = ""
    if label == "standing":
        extra_hdr = " × own sc. 2 |"
    if label == "slow":
        extra_hdr = " × own sc. 2 | sleeps answered | sleep p99 ms |"
    out.append("| server | req/s | min–max | × nginx | p50 ms | p99 ms | "
               "p99 × nginx | CPU µs/req | min–max | × nginx | errors |"
               + extra_hdr)
    out.append("|---" * (11 + extra_hdr.count("|")) + "|")
    for s in servers:
        rows = g[(label, s)]
        skipped = [r for r in rows if r.get("skipped")]
        failed = [r for r in rows if r.get("error")]
        ok = [r for r in rows if not r.get("skipped") and not r.get("error")]
        if not ok:
            why = (skipped or failed)[0]
            out.append("| %s | %s |" % (s, why.get("skipped") and
                                         "skipped: " + why["skipped"]
                                         or "failed: " + why["error"]))
            continue
        rps = med(col(ok, "rps"))
        cpu = med(col(ok, "cpu_us_per_req"))
        p50 = med(col(ok, "p50_ms"))
        p99 = med(col(ok, "p99_ms"))
        errs = sum((r.get("socket_errors") or 0) + (r.get("non2xx") or 0)
                   for r in ok)
        line = ("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |"
                % (s, fmt(rps), fmt_rng(col(ok, "rps")), ratio(rps, n_rps),
                   fmt(p50, digits_for(p50)), fmt(p99, digits_for(p99)),
                   ratio(p99, n_p99), fmt(cpu, 2),
                   fmt_rng(col(ok, "cpu_us_per_req"), 2), ratio(cpu, n_cpu),
                   fmt(errs) + ("" if not failed else
                                " (%d runs failed)" % len(failed))
                   + ("" if not any(r.get("wrk_hung") for r in ok) else
                      " (no answer at all in %d of %d runs)"
                      % (sum(1 for r in ok if r.get("wrk_hung")), len(ok)))))
        own = med(col([r for r in g.get(("hello-2w", s), [])
                       if not r.get("error")], "rps"))
        if label == "standing":
            line += " %s |" % ratio(rps, own)
        if label == "slow":
            line += " %s | %s | %s |" % (
                ratio(rps, own), fmt(med(col(ok, "sleeps_answered"))),
                fmt(med(col(ok, "sleep_p99_ms"))))
        out.append(line)
    out.append("")
    return out


def standing_table(data, g):
    label = "standing"
    servers = servers_in(data, g, label)
    if not servers:
        return []
    nginx = [r for r in g.get((label, "nginx"), []) if not r.get("error")]
    n_bpc = med(col(nginx, "bytes_per_conn"))
    n_held = med(col(nginx, "held"))
    out = ["### 5a. Standing connections: %s idle keep-alive connections"
           % fmt(data.get("conns_standing", 10000)), "",
           "| server | held at the end | min–max | × nginx | served at open "
           "| PSS before MiB | PSS after MiB | bytes per connection | min–max "
           "| × nginx | closed by server | processes | threads |",
           "|---" * 13 + "|"]
    for s in servers:
        ok = [r for r in g[(label, s)] if not r.get("error")]
        if not ok:
            out.append("| %s | failed: %s |" % (s, g[(label, s)][0]["error"]))
            continue
        held = med(col(ok, "held"))
        bpc = med(col(ok, "bytes_per_conn"))
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s "
                   "| %s | %s |" % (
                       s, fmt(held), fmt_rng(col(ok, "held")),
                       ratio(held, n_held), fmt(med(col(ok, "served"))),
                       fmt(med(col(ok, "pss_kb_before")) / 1024.0, 1),
                       fmt(med(col(ok, "pss_kb_after")) / 1024.0, 1),
                       fmt(bpc), fmt_rng(col(ok, "bytes_per_conn")),
                       ratio(bpc, n_bpc),
                       fmt(med(col(ok, "closed_during_hold"))),
                       fmt(med(col(ok, "processes"))),
                       fmt(med(col(ok, "threads")))))
    out.append("")
    return out


def footprint_table(data, g):
    label = "footprint"
    servers = servers_in(data, g, label)
    if not servers:
        return []
    n = med([r.get("pss_kb") for r in g.get((label, "nginx"), [])
             if not r.get("error")])
    out = ["### 7. Idle footprint (2 workers, at rest)", "",
           "| server | PSS MiB | min–max | × nginx | processes | threads |",
           "|---|---|---|---|---|---|"]
    for s in servers:
        ok = [r for r in g[(label, s)] if not r.get("error")]
        if not ok:
            out.append("| %s | failed: %s |" % (s, g[(label, s)][0]["error"]))
            continue
        p = med(col(ok, "pss_kb"))
        lo, hi = rng(col(ok, "pss_kb"))
        out.append("| %s | %s | %s–%s | %s | %s | %s |" % (
            s, fmt(p / 1024.0, 1), fmt(lo / 1024.0, 1), fmt(hi / 1024.0, 1),
            ratio(p, n), fmt(med(col(ok, "processes"))),
            fmt(med(col(ok, "threads")))))
    out.append("")
    return out


def summary(data, g):
    """gale against nginx, the targets of issues 2 and 5."""
    if not any(s == "gale" for (_, s) in g) or not any(
            s == "nginx" for (_, s) in g):
        return []
    out = ["### gale against nginx (same run)", "",
           "| scenario | gale req/s | nginx req/s | × | gale CPU µs/req | "
           "nginx CPU µs/req | × | gale p99 ms | nginx p99 ms |",
           "|---|---|---|---|---|---|---|---|---|"]
    for label, title in THROUGHPUT:
        a = [r for r in g.get((label, "gale"), []) if r.get("rps")]
        b = [r for r in g.get((label, "nginx"), []) if r.get("rps")]
        if not a or not b:
            continue
        ra, rb = med(col(a, "rps")), med(col(b, "rps"))
        ca, cb = med(col(a, "cpu_us_per_req")), med(col(b, "cpu_us_per_req"))
        pa, pb = med(col(a, "p99_ms")), med(col(b, "p99_ms"))
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, fmt(ra), fmt(rb), ratio(ra, rb), fmt(ca, 2), fmt(cb, 2),
            ratio(ca, cb), fmt(pa, digits_for(pa)), fmt(pb, digits_for(pb))))
    a = [r for r in g.get(("standing", "gale"), []) if not r.get("error")]
    b = [r for r in g.get(("standing", "nginx"), []) if not r.get("error")]
    fa = [r["pss_kb"] for r in g.get(("footprint", "gale"), [])
          if r.get("pss_kb")]
    fb = [r["pss_kb"] for r in g.get(("footprint", "nginx"), [])
          if r.get("pss_kb")]
    if (a and b) or (fa and fb):
        out.append("")
    if fa and fb:
        out.append("- Idle footprint with 2 workers: gale %s MiB, nginx %s "
                   "MiB." % (fmt(med(fa) / 1024.0, 1),
                              fmt(med(fb) / 1024.0, 1)))
    if a and b:
        out.append("- Standing connections: gale held %s at %s bytes each; "
                   "nginx %s at %s bytes each." % (
                       fmt(med(col(a, "held"))),
                       fmt(med(col(a, "bytes_per_conn"))),
                       fmt(med(col(b, "held"))),
                       fmt(med(col(b, "bytes_per_conn")))))
    out.append("")
    return out


def tables(data):
    g = group(data)
    out = summary(data, g)
    for label, title in THROUGHPUT:
        if label == "standing":
            out += standing_table(data, g)
        out += throughput_table(data, g, label, title)
    out += footprint_table(data, g)
    return "\n".join(out)


def write(data, base):
    g = group(data)
    v = data["versions"]
    lines = [
        "# gale benchmarks, %s" % data["started"].replace("T", " "), "",
        "Machine: %s; %s RAM; Linux %s." % (v.get("cpu"), v.get("memory"),
                                            v.get("kernel")),
        "Run: `%s` (%s mode), %d repetition(s) of %d s per measurement "
        "(after %d s of warm-up), servers interleaved within each repetition "
        "and their order rotated; %s to %s." % (
            data.get("invocation") or "bench/run", data["mode"],
            data["reps"], data["duration_s"], data["warmup_s"],
            data["started"], data["finished"]),
        "Figures are medians over the repetitions with the min–max range; "
        "× nginx is the ratio of medians to nginx's in this same run. "
        "CPU µs/req is the server's own CPU time (all its processes and "
        "threads, /proc/PID/task/TID/schedstat) over the measurement, "
        "divided by the requests wrk completed. Memory is PSS summed over "
        "the server's processes (/proc/PID/smaps_rollup).",
        "",
        "![charts](%s.png)" % os.path.basename(base), "",
        tables(data), "",
        "## Versions", "",
    ]
    for k, val in v.items():
        lines.append("- %s: %s" % (k, val))
    lines += ["", "## Command lines", "",
              "Each server ($RUN = its private run directory, where its "
              "config from bench/servers/ is rendered; $STATIC = the static "
              "files; $PORT = a free port):", "", "```"]
    for k, cmd in sorted(data["commands"].items()):
        lines.append("%-24s %s" % (k, cmd))
    lines += ["```", "", "Load (wrk and the bounded clients):", "", "```"]
    for k, cmd in sorted(data["wrk_commands"].items()):
        lines.append("%-16s %s" % (k, cmd))
    lines += ["```", ""]
    if data.get("notes") or data.get("problems"):
        lines += ["## Notes and problems", ""]
        lines += ["- note: %s" % n for n in data.get("notes", [])]
        lines += ["- PROBLEM: %s" % p for p in data.get("problems", [])]
        lines.append("")
    md = "\n".join(lines)
    with open(base + ".md", "w") as f:
        f.write(md)
    try:
        chart(data, g, base + ".png")
    except Exception as e:  # the table matters more than the picture
        sys.stderr.write("report: no chart: %s\n" % e)
    return tables(data)


BEGIN = "<!-- latest-results:begin -->"
END = "<!-- latest-results:end -->"


def brief(data):
    """The tables a newcomer reads first: gale against nginx, every server
    on one core, standing connections and the idle footprint."""
    g = group(data)
    out = summary(data, g)
    for label, title in THROUGHPUT[:1]:
        out += throughput_table(data, g, label, title)
    out += standing_table(data, g)
    out += footprint_table(data, g)
    return "\n".join(out)


def update_readme(data, base, readme, results_dir="results", whole=True):
    """Put this run's tables and chart between the README's markers.

    results_dir is the results directory as seen from the README; whole
    picks every table (bench/README.md) or the brief set (the top-level
    README, which links to the rest)."""
    with open(readme) as f:
        text = f.read()
    i, j = text.find(BEGIN), text.find(END)
    if i < 0 or j < i:
        return False
    v = data["versions"]
    name = os.path.basename(base)
    body = "\n".join([
        BEGIN, "",
        "From `%s` on %s: %s, %s RAM, Linux %s; %d repetitions of %d s; "
        "full details in [%s/%s.md](%s/%s.md)." % (
            data.get("invocation") or "bench/run",
            data["started"].replace("T", " "), v.get("cpu"), v.get("memory"),
            v.get("kernel"), data["reps"], data["duration_s"], results_dir,
            name, results_dir, name),
        "", "![charts](%s/%s.png)" % (results_dir, name), "",
        tables(data) if whole else brief(data), END])
    with open(readme, "w") as f:
        f.write(text[:i] + body + text[j + len(END):])
    return True


def chart(data, g, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    servers = [s for s in ORDER if any(k[1] == s for k in g)]
    colors = {"gale": "#d62728", "nginx": "#2ca02c",
              "apache-prefork": "#9467bd", "apache-worker": "#8c564b",
              "apache-event": "#e377c2", "tornado": "#1f77b4"}
    labels = [l for l, _ in THROUGHPUT if any(k[0] == l for k in g)]
    fig, axes = plt.subplots(2, 2, figsize=(15, 10))
    width = 0.8 / max(1, len(servers))

    def bars(ax, key, title, ylabel, log=True):
        for i, s in enumerate(servers):
            xs, ys, lo, hi = [], [], [], []
            for j, l in enumerate(labels):
                rows = [r for r in g.get((l, s), []) if r.get(key)]
                if not rows:
                    continue
                vals = [r[key] for r in rows]
                m = statistics.median(vals)
                xs.append(j + (i - (len(servers) - 1) / 2) * width)
                ys.append(m)
                lo.append(m - min(vals))
                hi.append(max(vals) - m)
            if xs:
                ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, label=s,
                       color=colors.get(s))
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=20)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        if log:
            ax.set_yscale("log")
        ax.grid(axis="y", alpha=0.3)

    bars(axes[0][0], "rps", "Requests per second (median, min–max)", "req/s")
    handles, names = axes[0][0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, names, loc="upper center", ncol=len(names),
                   bbox_to_anchor=(0.5, 0.955), fontsize=9, frameon=False)
    bars(axes[0][1], "cpu_us_per_req",
         "Server CPU per request (median, min–max)", "µs of CPU / request")

    ax = axes[1][0]
    st = [s for s in servers if any(r.get("served") is not None
                                    for r in g.get(("standing", s), []))]
    held = [med([r.get("held") for r in g[("standing", s)]]) or 0 for s in st]
    ax.bar(range(len(st)), held, color=[colors.get(s) for s in st])
    for i, s in enumerate(st):
        bpc = med([r.get("bytes_per_conn") for r in g[("standing", s)]])
        ax.text(i, max(held[i], 1), "%s B/conn" % fmt(bpc), ha="center",
                va="bottom", fontsize=8)
    ax.set_xticks(range(len(st)))
    ax.set_xticklabels(st, rotation=20)
    ax.set_yscale("log")
    ax.set_title("Standing connections held of %s (label: memory per "
                 "connection)" % fmt(data.get("conns_standing", 10000)))
    ax.grid(axis="y", alpha=0.3)

    ax = axes[1][1]
    fp = [s for s in servers if any(r.get("pss_kb")
                                    for r in g.get(("footprint", s), []))]
    vals = [med([r.get("pss_kb") for r in g[("footprint", s)]]) / 1024.0
            for s in fp]
    ax.bar(range(len(fp)), vals, color=[colors.get(s) for s in fp])
    for i, x in enumerate(vals):
        ax.text(i, x, "%.1f" % x, ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(fp)))
    ax.set_xticklabels(fp, rotation=20)
    ax.set_title("Idle footprint, 2 workers (PSS MiB, all processes)")
    ax.set_yscale("linear")
    ax.grid(axis="y", alpha=0.3)

    fig.suptitle("gale benchmarks %s — %s" % (
        data["started"].replace("T", " "), data["versions"].get("cpu")))
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    fig.savefig(path, dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report.py RESULTS.json")
    src = sys.argv[1]
    with open(src) as f:
        d = json.load(f)
    print(write(d, src[:-5] if src.endswith(".json") else src))
