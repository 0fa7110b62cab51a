#!/usr/bin/env python3
"""gale against nginx on static files (issue 4's closing numbers).

    bench/static_vs_nginx.py [path/to/gale]     # default build-static-rel/master/gale

Both servers run at once with one worker, pinned to CPU 0 (taskset -c 0);
nginx with `sendfile on; tcp_nopush on;`, access log off, a private config
under /tmp/gsb. wrk -t1 -c50 -d5s, pinned to CPU 1, on GET /static/4k.bin
and /static/1m.bin (random bytes, checked byte for byte through curl
first), each after a 1 s warm-up; 3 repetitions, the servers' order
alternating. CPU us/req = utime+stime (/proc/PID/stat) of every process in
the server's session, before and after the run, over wrk's request count.
Env: REPS (3), DUR (5 s). Prints every run and a Markdown table of medians.
"""
import os, re, signal, statistics, subprocess, sys, time, json

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GALE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "build-static-rel/master/gale")
REPS = int(os.environ.get("REPS", "3"))
DUR = os.environ.get("DUR", "5")
D = "/tmp/gsb"
WWW = D + "/www"
os.makedirs(WWW, exist_ok=True)
for name, size in (("4k.bin", 4096), ("1m.bin", 1 << 20)):
    p = f"{WWW}/{name}"
    if not os.path.exists(p) or os.path.getsize(p) != size:
        with open(p, "wb") as f:
            f.write(os.urandom(size))

NGINX_CONF = f"""
daemon off; master_process on; worker_processes 1; pid {D}/nginx.pid;
error_log {D}/nginx-error.log warn;
events {{ worker_connections 4096; use epoll; }}
http {{
  access_log off; server_tokens off; default_type application/octet-stream;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_timeout 75s; keepalive_requests 10000;
  client_body_temp_path {D}/cb; proxy_temp_path {D}/px; fastcgi_temp_path {D}/fc;
  uwsgi_temp_path {D}/uw; scgi_temp_path {D}/sc;
  server {{ listen 127.0.0.1:28081 backlog=1024;
    location /static/ {{ alias {WWW}/; }} }}
}}
"""
open(D + "/nginx.conf", "w").write(NGINX_CONF)

def start(cmd):
    return subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=subprocess.DEVNULL,
                            stderr=open(D + "/" + os.path.basename(cmd[0]) + ".err", "w"),
                            start_new_session=True)

servers = {
    "gale": (start([GALE, "--host", "127.0.0.1", "--port", "28080", "--workers", "1",
                    "--access-log", "off", "--log-level", "warning", "--static-root", WWW]), 28080),
    "nginx": (start(["nginx", "-p", D, "-e", D + "/nginx-error.log", "-c", D + "/nginx.conf"]), 28081),
}
time.sleep(1.5)

def pids_of(session_leader):
    out = []
    for e in os.listdir("/proc"):
        if not e.isdigit(): continue
        try:
            st = open(f"/proc/{e}/stat").read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        if int(fields[3]) == session_leader:  # session id
            out.append(int(e))
    return out

def cpu_ticks(leader):
    t = 0
    for pid in pids_of(leader):
        try:
            st = open(f"/proc/{pid}/stat").read()
        except OSError:
            continue
        f = st[st.rindex(")") + 2:].split()
        t += int(f[11]) + int(f[12])  # utime + stime
    return t

def unit(v, u):
    m = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "KB": 1024, "MB": 1 << 20, "GB": 1 << 30, "B": 1}
    return float(v) * m[u]

def wrk(port, path, dur):
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", "-c50", f"-d{dur}s",
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
    tps = unit(m.group(1), m.group(2))
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: (.*)", out)
    return rps, tps, reqs, (errs.group(1) if errs else "0"), (sock.group(1) if sock else "")

# sanity: both serve the files byte for byte
for name, (p, port) in servers.items():
    for f in ("4k.bin", "1m.bin"):
        body = subprocess.run(["curl", "-sf", f"http://127.0.0.1:{port}/static/{f}"], capture_output=True).stdout
        assert body == open(f"{WWW}/{f}", "rb").read(), (name, f)

hz = os.sysconf("SC_CLK_TCK")
res = {}
order = ["gale", "nginx"]
for rep in range(REPS):
    for name in (order if rep % 2 == 0 else order[::-1]):
        p, port = servers[name]
        for f in ("4k.bin", "1m.bin"):
            wrk(port, "/static/" + f, 1)  # warm-up
            c0 = cpu_ticks(p.pid)
            rps, tps, reqs, errs, sock = wrk(port, "/static/" + f, DUR)
            c1 = cpu_ticks(p.pid)
            us = (c1 - c0) / hz * 1e6 / max(reqs, 1)
            res.setdefault((name, f), []).append((rps, tps, us))
            print(f"rep {rep+1} {name:5} {f:6} {rps:10.0f} req/s {tps/2**20:9.1f} MiB/s {us:7.1f} us/req non2xx={errs} {sock}", flush=True)

for name, (p, port) in servers.items():
    os.killpg(p.pid, signal.SIGTERM)
    p.wait(timeout=15)

print()
print("| file | server | req/s (median, min-max) | transfer MiB/s | CPU us/req | x nginx req/s |")
print("|---|---|---|---|---|---|")
for f in ("4k.bin", "1m.bin"):
    ng = statistics.median(r[0] for r in res[("nginx", f)])
    for name in order:
        rs = res[(name, f)]
        med = statistics.median(r[0] for r in rs)
        print(f"| {f} | {name} | {med:.0f} ({min(r[0] for r in rs):.0f}-{max(r[0] for r in rs):.0f}) | "
              f"{statistics.median(r[1] for r in rs)/2**20:.1f} | {statistics.median(r[2] for r in rs):.1f} | {med/ng:.2f} |")
json.dump({f"{k[0]}/{k[1]}": v for k, v in res.items()}, open(D + "/last.json", "w"))
