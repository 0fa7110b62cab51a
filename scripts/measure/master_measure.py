#!/usr/bin/env python3
"""Process-level measurements of gale's master (issue 3), with nginx and
Apache prefork from the same run where a comparison means something.

    scripts/measure/master_measure.py --gale BUILD/master/gale [what ...]

what: reload (wrk socket errors over 3 SIGHUPs and over a graceful stop,
gale and nginx), worker-kill, master-kill, balance, memory; all of them by
default. Every server runs on 127.0.0.1 on a free port, with a private
config in a temporary directory, in a session of its own, and is killed
(the whole session) when its measurement ends. Prints a Markdown table per
measurement; nothing is asserted.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

WRK = shutil.which("wrk")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
APACHE_MODULES = "/usr/lib/apache2/modules"


# ---- processes -----------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        s.listen(1)
        return True
    except OSError:
        return False
    finally:
        s.close()


def stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            line = f.read()
    except OSError:
        return None
    rest = line[line.rfind(")") + 2:].split()
    return {"state": rest[0], "ppid": int(rest[1]), "pgrp": int(rest[2])}


def alive(pid):
    s = stat(pid)
    return s is not None and s["state"] not in "ZX"


def scan(pred):
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            s = stat(int(name))
            if s and s["state"] not in "ZX" and pred(s):
                out.append(int(name))
    return sorted(out)


def children(pid):
    return scan(lambda s: s["ppid"] == pid)


def session_members(sid):
    out = []
    for pid in scan(lambda s: True):
        try:
            if os.getsid(pid) == sid:
                out.append(pid)
        except OSError:
            pass
    return out


def pss_kb(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def wait_until(pred, timeout, every=0.01):
    deadline = time.monotonic() + timeout
    while True:
        if pred():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)


class Server:
    """A server process in a session of its own, killed with it at the end."""

    def __init__(self, argv, run_dir, port, env=None):
        self.run_dir = run_dir
        self.port = port
        self.log = open(os.path.join(run_dir, "server.log"), "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL,
                                     start_new_session=True, cwd=run_dir,
                                     env=env)
        self.pid = self.proc.pid

    def wait_ready(self, workers, timeout=15):
        ok = wait_until(lambda: http_get(self.port, "/")[0] == 200
                        and len(children(self.pid)) >= workers, timeout, 0.05)
        if not ok:
            self.kill()
            raise RuntimeError(f"{self.argv0()} did not start")

    def argv0(self):
        return os.path.basename(self.proc.args[0])

    def signal(self, sig):
        os.kill(self.pid, sig)

    def kill(self):
        for pid in session_members(self.pid) + [self.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        wait_until(lambda: not session_members(self.pid), 5)
        self.log.close()
        shutil.rmtree(self.run_dir, ignore_errors=True)


def gale_yaml(port, workers, extra=""):
    return (f"listen:\n  - host: 127.0.0.1\n    port: {port}\n"
            f"workers: {workers}\nlog:\n  access_log: \"off\"\n"
            f"  level: warning\n{extra}")


def start_gale(binary, workers, extra=""):
    run_dir = tempfile.mkdtemp(prefix="gale-measure-")
    port = free_port()
    conf = os.path.join(run_dir, "gale.yaml")
    with open(conf, "w") as f:
        f.write(gale_yaml(port, workers, extra))
    s = Server([os.path.abspath(binary), "--config", conf], run_dir, port)
    s.wait_ready(workers)
    return s


NGINX_CONF = """daemon off;
master_process on;
worker_processes {workers};
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    keepalive_timeout 75s;
    keepalive_requests 10000;
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location = / {{
            default_type "text/plain; charset=utf-8";
            return 200 "Hello, world";
        }}
    }}
}}
"""


def start_nginx(workers):
    run_dir = tempfile.mkdtemp(prefix="nginx-measure-")
    port = free_port()
    conf = os.path.join(run_dir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(workers=workers, run=run_dir, port=port))
    s = Server([NGINX, "-p", run_dir, "-e", run_dir + "/error.log", "-c",
                conf], run_dir, port)
    s.wait_ready(workers)
    return s


APACHE_CONF = """ServerRoot "{run}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{run}/apache.pid"
DefaultRuntimeDir "{run}"
ErrorLog "{run}/error.log"
LogLevel warn
User www-data
Group www-data
KeepAlive On
KeepAliveTimeout 75
MaxKeepAliveRequests 10000
LoadModule mpm_prefork_module {mods}/mod_mpm_prefork.so
LoadModule authz_core_module {mods}/mod_authz_core.so
LoadModule alias_module {mods}/mod_alias.so
ServerLimit {workers}
StartServers {workers}
MinSpareServers 1
MaxSpareServers {workers}
MaxRequestWorkers {workers}
MaxConnectionsPerChild 0
DocumentRoot "{run}/www"
<Directory "{run}/www">
    Require all granted
</Directory>
AliasMatch "^/$" "{run}/www/hello.txt"
"""


def start_apache_prefork(workers):
    run_dir = tempfile.mkdtemp(prefix="apache-measure-")
    os.chmod(run_dir, 0o755)
    os.makedirs(run_dir + "/www")
    with open(run_dir + "/www/hello.txt", "w") as f:
        f.write("Hello, world")
    port = free_port()
    conf = os.path.join(run_dir, "httpd.conf")
    with open(conf, "w") as f:
        f.write(APACHE_CONF.format(run=run_dir, port=port, workers=workers,
                                   mods=APACHE_MODULES))
    s = Server([APACHE, "-d", run_dir, "-f", conf, "-DFOREGROUND"], run_dir,
               port)
    s.wait_ready(workers)
    return s


# ---- HTTP ----------------------------------------------------------------

def read_response(sock, deadline):
    buf = b""
    while True:
        head_end = buf.find(b"\r\n\r\n")
        if head_end >= 0:
            head = buf[:head_end].decode("latin-1")
            status = int(head.split(" ", 2)[1])
            m = re.search(r"(?im)^content-length:\s*(\d+)", head)
            length = int(m.group(1)) if m else 0
            if len(buf) >= head_end + 4 + length:
                return status, buf[head_end + 4:head_end + 4 + length]
        sock.settimeout(max(0.001, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a full response")
        buf += chunk


def http_get(port, target, timeout=2.0):
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection(("127.0.0.1", port), timeout) as s:
            s.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n"
                      "Connection: close\r\n\r\n".encode())
            return read_response(s, deadline)
    except (OSError, ValueError, IndexError):
        return 0, b""


def parse_info(body):
    out = {}
    for key in ("pid", "worker", "generation", "requests"):
        m = re.search(rf'"{key}":(\d+)', body.decode())
        if m:
            out[key] = int(m.group(1))
    return out


def info_burst(port, n, timeout=5.0):
    """Opens n connections at once, then asks /info on each."""
    deadline = time.monotonic() + timeout
    socks = []
    for _ in range(n):
        try:
            socks.append(socket.create_connection(("127.0.0.1", port), 2))
        except OSError:
            pass
    req = b"GET /info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    out = []
    for s in socks:
        try:
            s.sendall(req)
        except OSError:
            pass
    for s in socks:
        try:
            status, body = read_response(s, deadline)
            if status == 200:
                out.append(parse_info(body))
        except (OSError, ValueError):
            pass
        s.close()
    return out


def pids_by_index(port, n, timeout=10):
    seen = {}

    def done():
        for i in info_burst(port, 2 * n + 4, 2):
            seen[i["worker"]] = i
        return all(k in seen for k in range(n))

    wait_until(done, timeout, 0.01)
    return seen


# ---- wrk -----------------------------------------------------------------

def run_wrk(port, seconds, actions=(), threads=2, conns=32, path="/"):
    """Runs wrk, calling each (at_seconds, fn) while it runs."""
    cmd = [WRK, f"-t{threads}", f"-c{conns}", f"-d{seconds}s",
           f"http://127.0.0.1:{port}{path}"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    t0 = time.monotonic()
    for at, fn in actions:
        time.sleep(max(0, at - (time.monotonic() - t0)))
        fn()
    out, _ = proc.communicate(timeout=seconds + 30)
    errors = {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", out)
    if m:
        errors = dict(zip(errors, map(int, m.groups())))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"cmd": " ".join(cmd), "errors": errors,
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "requests": int(total.group(1)) if total else 0,
            "socket_errors_line": bool(m)}


def fmt_errors(r):
    e = r["errors"]
    return (f"connect {e['connect']}, read {e['read']}, write {e['write']}, "
            f"timeout {e['timeout']}; non-2xx {r['non2xx']}; "
            f"{r['requests']} requests")


# ---- measurements --------------------------------------------------------

def measure_reload(args):
    print("\n## wrk -t2 -c32 keep-alive across 3 reloads (at 1.5, 3.5, 5.5 s "
          "of 8 s) and across a graceful stop (at 2 s of 4 s), 2 workers\n")
    print("| server | 3 reloads: socket errors | graceful stop: socket errors |")
    print("|---|---|---|")
    rows = []
    for name in ("gale", "nginx"):
        s = start_gale(args.gale, 2) if name == "gale" else start_nginx(2)
        try:
            hup = lambda: s.signal(signal.SIGHUP)
            r1 = run_wrk(s.port, 8, [(1.5, hup), (3.5, hup), (5.5, hup)])
        finally:
            s.kill()
        s = start_gale(args.gale, 2) if name == "gale" else start_nginx(2)
        # nginx's graceful stop is SIGQUIT (its SIGTERM is a fast stop).
        stop_sig = signal.SIGTERM if name == "gale" else signal.SIGQUIT
        try:
            r2 = run_wrk(s.port, 4, [(2, lambda: s.signal(stop_sig))])
        finally:
            s.kill()
        stop = "SIGTERM" if name == "gale" else "SIGQUIT"
        print(f"| {name} | {fmt_errors(r1)} | {stop}: {fmt_errors(r2)} |")
        rows.append((name, r1, r2))
    print(f"\ncommand: `{rows[0][1]['cmd']}` (port varies). wrk counts a "
          "reconnection refused after the listener closed as a write error "
          "(its connect is non-blocking); a request lost on an open "
          "connection shows as a read error or a timeout.")


def measure_worker_kill(args):
    print("\n## kill -9 of one worker (2 workers)\n")
    # Under load: wrk -t2 -c32 -d6s; at 3 s, kill -9 of the worker that
    # holds the most of wrk's connections (ss).
    s = start_gale(args.gale, 2)
    try:
        workers = children(s.pid)
        held = []

        def kill():
            out = subprocess.run(["ss", "-tnpH", "state", "established",
                                  f"( sport = :{s.port} )"],
                                 capture_output=True, text=True).stdout
            per = {w: sum(1 for line in out.splitlines()
                          if f"pid={w}," in line) for w in workers}
            victim = max(per, key=per.get)
            held.append((per[victim], sorted(per.values(), reverse=True)))
            os.kill(victim, signal.SIGKILL)

        r = run_wrk(s.port, 6, [(3, kill)])
    finally:
        s.kill()
    print(f"under `wrk -t2 -c32 -d6s`, kill -9 at 3 s of the worker holding "
          f"the most connections: {fmt_errors(r)}; it held {held[0][0]} of "
          f"the 32 (split {'/'.join(map(str, held[0][1]))}), each with a "
          f"request in flight or about to be sent\n")
    # Time to the replacement answering, a fresh server per trial (a slot
    # that dies again within a minute is restarted with backoff).
    times = []
    for _ in range(args.trials):
        s = start_gale(args.gale, 2)
        try:
            victim = pids_by_index(s.port, 2)[1]["pid"]
            t0 = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            found = wait_until(
                lambda: any(i["worker"] == 1 and i["pid"] != victim
                            for i in info_burst(s.port, 6, 1)), 5, 0.002)
            if found:
                times.append((time.monotonic() - t0) * 1000)
        finally:
            s.kill()
    print(f"time from kill -9 to the replacement (same index) answering "
          f"/info, {len(times)} trials: median {statistics.median(times):.1f}"
          f" ms, min {min(times):.1f}, max {max(times):.1f}")


def measure_master_kill(args):
    print("\n## kill -9 of the master (2 idle workers)\n")
    times = []
    for _ in range(args.master_trials):
        s = start_gale(args.gale, 2)
        try:
            workers = children(s.pid)
            t0 = time.monotonic()
            s.signal(signal.SIGKILL)
            ok = wait_until(lambda: not any(alive(w) for w in workers)
                            and port_is_free(s.port), 5, 0.001)
            if ok:
                times.append((time.monotonic() - t0) * 1000)
        finally:
            s.kill()
    print(f"gale: no worker left and the port free after median "
          f"{statistics.median(times):.1f} ms ({len(times)} trials, min "
          f"{min(times):.1f}, max {max(times):.1f})")
    s = start_nginx(2)
    try:
        workers = children(s.pid)
        s.signal(signal.SIGKILL)
        time.sleep(2)
        left = [w for w in workers if alive(w)]
        status = http_get(s.port, "/")[0]
        print(f"nginx: 2 s after kill -9 of its master, {len(left)} of "
              f"{len(workers)} workers alive, GET / -> {status or 'no answer'}")
    finally:
        s.kill()


def spread(counts, n):
    values = [counts.get(k, 0) for k in sorted(counts)]
    values += [0] * (n - len(values))
    values.sort(reverse=True)
    ratio = (values[0] / values[-1]) if values[-1] else float("inf")
    return values, ratio


def measure_balance(args):
    print("\n## Accept balance\n")
    print("| mode | 64-connection burst over 4 workers (per worker, 5 "
          "bursts) | max/min (median) |")
    print("|---|---|---|")
    for mode, extra in (("shared listener", ""),
                        ("reuse_port", "reuse_port: true\n")):
        s = start_gale(args.gale, 4, extra)
        try:
            pids_by_index(s.port, 4)
            bursts, ratios = [], []
            for _ in range(5):
                counts = {}
                for i in info_burst(s.port, 64, 10):
                    counts[i["pid"]] = counts.get(i["pid"], 0) + 1
                values, ratio = spread(counts, 4)
                bursts.append("/".join(map(str, values)))
                ratios.append(ratio)
                time.sleep(0.2)
        finally:
            s.kill()
        print(f"| {mode} | {', '.join(bursts)} | "
              f"{statistics.median(ratios):.2f} |")
    print("\n| mode | workers | wrk -t2 -c32 -d5s: requests per worker "
          "(/info counters) | max/min |")
    print("|---|---|---|---|")
    for mode, extra in (("shared listener", ""),
                        ("reuse_port", "reuse_port: true\n")):
        for n in (2, 4):
            s = start_gale(args.gale, n, extra)
            try:
                before = pids_by_index(s.port, n)
                run_wrk(s.port, 5)
                after = pids_by_index(s.port, n)
                counts = {k: after[k]["requests"] - before[k]["requests"]
                          for k in range(n) if k in after and k in before}
            finally:
                s.kill()
            values, ratio = spread(counts, n)
            print(f"| {mode} | {n} | {'/'.join(map(str, values))} | "
                  f"{ratio:.2f} |")


def measure_memory(args):
    print("\n## Idle memory, master + 2 workers (sum of Pss from "
          "/proc/PID/smaps_rollup, after 200 requests and 1 s idle)\n")
    print("| server | processes | Pss total (KB) | per process (KB) |")
    print("|---|---|---|---|")
    starters = (("gale", lambda: start_gale(args.gale, 2)),
                ("nginx", lambda: start_nginx(2)),
                ("apache prefork", lambda: start_apache_prefork(2)))
    for name, start in starters:
        s = start()
        try:
            for _ in range(200):
                http_get(s.port, "/")
            time.sleep(1)
            pids = [s.pid] + children(s.pid)
            values = [pss_kb(p) for p in pids]
        finally:
            s.kill()
        print(f"| {name} | {len(pids)} | {sum(values)} | "
              f"{' + '.join(map(str, values))} |")


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--gale", required=True, help="the gale binary (Release)")
    p.add_argument("--trials", type=int, default=10)
    p.add_argument("--master-trials", type=int, default=5)
    p.add_argument("what", nargs="*",
                   default=["reload", "worker-kill", "master-kill",
                            "balance", "memory"])
    args = p.parse_args()
    table = {"reload": measure_reload, "worker-kill": measure_worker_kill,
             "master-kill": measure_master_kill, "balance": measure_balance,
             "memory": measure_memory}
    for w in args.what:
        table[w](args)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
