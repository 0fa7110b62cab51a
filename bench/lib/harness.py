#!/usr/bin/python3
"""gale's benchmark harness: bench/run builds gale and calls this.

It starts each server on a private config rendered from bench/servers/ into
a run directory, on 127.0.0.1 and a free port, in a session of its own;
runs the scenarios of bench/README.md against it; stops it by its own pid
and checks that no process of its session is left. Servers are interleaved
within each repetition (the order rotates from one repetition to the next)
so that drift on a noisy machine hits all of them alike. The raw results go
to a JSON file that bench/lib/report.py turns into the Markdown table and
the PNG chart.
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH)
SERVERS_DIR = os.path.join(BENCH, "servers")
CLIENT = os.path.join(BENCH, "lib", "connclient.py")
PY = "/usr/bin/python3"  # Debian's, which has python3-tornado
NOFILE = 65536           # for every server, so 10,000 connections fit
ECHO_MODULE = "/usr/lib/nginx/modules/ngx_http_echo_module.so"
APACHE_MODULES = "/usr/lib/apache2/modules"
HELLO = b"Hello, world"

ALL_SERVERS = ["gale", "nginx", "apache-prefork", "apache-worker",
               "apache-event", "tornado"]
QUICK_SERVERS = ["gale", "nginx"]

# Scenarios: id -> (short name, title). Keys are what --only takes.
SCENARIOS = {
    "1": ("hello-1core", "hello world, keep-alive, 1 worker pinned to CPU 0, "
          "wrk -t1 -c50 pinned to CPU 1"),
    "2": ("hello-2w", "hello world, keep-alive, 2 workers, wrk -t2 -c100"),
    "3": ("close", "hello world, a new connection per request "
          "(Connection: close), 2 workers, wrk -t2 -c100"),
    "4": ("static", "static files (4 KiB, 1 MiB), 2 workers, wrk -t2 -c100"),
    "5": ("standing", "10,000 idle keep-alive connections held, "
          "then hello world wrk -t2 -c100, 2 workers"),
    "6": ("slow", "200 clients each holding GET /sleep?ms=1000 while "
          "wrk -t2 -c100 measures GET /, 2 workers"),
    "7": ("footprint", "idle footprint: total PSS at rest, 2 workers"),
}
NAME_TO_ID = {v[0]: k for k, v in SCENARIOS.items()}

# An instance shape: how each server is configured for the scenarios run on
# it. capacity = the connections Apache must serve at once (prefork:
# processes; worker/event: threads in all); event-loop servers ignore it.
SHAPES = [
    ("pin1", dict(workers=1, pin=True, capacity=64), ["1"]),
    ("w2", dict(workers=2, pin=False, capacity=128), ["7", "2", "3", "4"]),
    ("w2-hold", dict(workers=2, pin=False, capacity=256, max_conns=20000),
     ["5"]),
    ("w2-slow", dict(workers=2, pin=False, capacity=320), ["6"]),
]


def log(msg):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


# ---------------------------------------------------------------- /proc

def session_pids(sid):
    """Every live process whose session id is sid (the server's leader)."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        # fields[0] is state (field 3); session is field 6 -> fields[3]
        if fields[0] != "Z" and int(fields[3]) == sid:
            pids.append(int(name))
    return pids


def cpu_ns(pids):
    """Time on CPU of every thread of these processes, in ns
    (/proc/PID/task/TID/schedstat, first field)."""
    total = 0
    for pid in pids:
        try:
            tids = os.listdir("/proc/%d/task" % pid)
        except OSError:
            continue
        for tid in tids:
            try:
                with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                    total += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
    return total


def pss_kb(pids):
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def thread_count(pids):
    n = 0
    for pid in pids:
        try:
            n += len(os.listdir("/proc/%d/task" % pid))
        except OSError:
            pass
    return n


# ---------------------------------------------------------------- helpers

def free_port():
    """A free loopback port outside the ephemeral range (32768-60999), so
    that no client socket of wrk or of the connection client takes it."""
    import random
    rng = random.Random(os.getpid() ^ int(time.time() * 1000))
    for _ in range(200):
        port = rng.randint(20000, 29999)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port in 20000-29999")


def port_open(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(0.5)
    try:
        return s.connect_ex(("127.0.0.1", port)) == 0
    finally:
        s.close()


def curl(url, out_path, timeout=5):
    """GET url with curl; returns (http status or 0, body bytes)."""
    try:
        p = subprocess.run(
            ["curl", "-sS", "-m", str(timeout), "-o", out_path,
             "-w", "%{http_code}", url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            timeout=timeout + 5)
    except subprocess.TimeoutExpired:
        return 0, b""
    try:
        code = int(p.stdout.decode().strip() or "0")
    except ValueError:
        code = 0
    try:
        with open(out_path, "rb") as f:
            body = f.read()
    except OSError:
        body = b""
    return code, body


def render(src, dst, subs):
    with open(src) as f:
        text = f.read()
    for k, v in subs.items():
        text = text.replace("@%s@" % k, str(v))
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise RuntimeError("%s: unrendered %s" % (src, left))
    with open(dst, "w") as f:
        f.write(text)
    os.chmod(dst, 0o644)


def mkdir(path):
    os.makedirs(path, exist_ok=True)
    os.chmod(path, 0o755)


def run_out(cmd, timeout=10):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        return p.stdout.decode(errors="replace").strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return "unavailable (%s)" % e


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def set_nofile():
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))
    except (ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# ---------------------------------------------------------------- wrk

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def _ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m|h)$", text)
    return float(m.group(1)) * _UNITS[m.group(2)] if m else None


def parse_wrk(out):
    r = dict(rps=None, requests=None, p50_ms=None, p99_ms=None,
             socket_errors=0, non2xx=0)
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        r["rps"] = float(m.group(1))
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    if m:
        r["requests"] = int(m.group(1))
    for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
        m = re.search(r"^\s+%s(?:\.000)?%%\s+(\S+)" % pct, out, re.M)
        if m:
            r[key] = _ms(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", out)
    if m:
        r["socket_errors"] = sum(int(x) for x in m.groups())
        r["socket_errors_detail"] = dict(zip(
            ("connect", "read", "write", "timeout"),
            (int(x) for x in m.groups())))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        r["non2xx"] = int(m.group(1))
    return r


# ---------------------------------------------------------------- servers

class StartError(Exception):
    pass


class Instance:
    """One running server: its leader pid is its session id."""

    def __init__(self, server, shape_name, shape, rundir, static_dir, port):
        self.server = server
        self.shape_name = shape_name
        self.shape = shape
        self.dir = rundir
        self.static = static_dir
        self.port = port
        self.proc = None
        self.cmd = None
        self.logf = None

    @property
    def sid(self):
        return self.proc.pid

    def pids(self):
        return session_pids(self.sid)

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)


class Harness:
    def __init__(self, args):
        self.a = args
        self.problems = []   # failures: make the exit status non-zero
        self.notes = []      # skips and warnings, reported, not failures
        self.results = []    # one dict per measurement
        self.commands = {}   # (server, shape) -> server command line
        self.wrk_commands = {}  # scenario key -> wrk command line
        self.live = []       # instances to stop if we are interrupted
        self.run = tempfile.mkdtemp(prefix="gale-bench.")
        os.chmod(self.run, 0o755)
        self.static = os.path.join(self.run, "static")
        mkdir(self.static)
        with open(os.path.join(self.static, "4k.bin"), "wb") as f:
            f.write(os.urandom(4096))
        with open(os.path.join(self.static, "1m.bin"), "wb") as f:
            f.write(os.urandom(1 << 20))
        for name in ("4k.bin", "1m.bin"):
            os.chmod(os.path.join(self.static, name), 0o644)
        self.static_bytes = {}
        for name in ("4k.bin", "1m.bin"):
            with open(os.path.join(self.static, name), "rb") as f:
                self.static_bytes[name] = f.read()
        self.echo = os.path.exists(ECHO_MODULE)
        self.have = self._available()

    # -- which servers can run here
    def _available(self):
        have = {}
        have["gale"] = (self.a.gale if self.a.gale and os.access(
            self.a.gale, os.X_OK) else None)
        have["nginx"] = shutil.which("nginx") or (
            "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
        apache = shutil.which("apache2") or (
            "/usr/sbin/apache2" if os.path.exists("/usr/sbin/apache2")
            else None)
        for mpm in ("prefork", "worker", "event"):
            so = os.path.join(APACHE_MODULES, "mod_mpm_%s.so" % mpm)
            have["apache-" + mpm] = apache if apache and os.path.exists(
                so) else None
        ok = subprocess.run([PY, "-c", "import tornado"],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode == 0
        have["tornado"] = PY if ok else None
        return have

    # -- start / stop
    def start(self, server, shape_name, shape, rep):
        port = free_port()
        d = os.path.join(self.run, "%s-%s-r%d" % (server, shape_name, rep))
        if os.path.exists(d):
            shutil.rmtree(d, ignore_errors=True)
        mkdir(d)
        inst = Instance(server, shape_name, shape, d, self.static, port)
        w = shape["workers"]
        cap = shape["capacity"]
        if server == "gale":
            cmd = [self.have["gale"], "--host", "127.0.0.1", "--port",
                   str(port), "--workers", str(w), "--access-log", "off",
                   "--static-root", self.static]
        elif server == "nginx":
            for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
                mkdir(os.path.join(d, t))
            subs = dict(RUN=d, PORT=port, WORKERS=w, STATIC=self.static,
                        ECHO_MODULE="", SLEEP_LOCATION="",
                        WORKER_CONNECTIONS=shape.get("max_conns", 4096))
            if self.echo:
                subs["ECHO_MODULE"] = "load_module %s;" % ECHO_MODULE
                with open(os.path.join(SERVERS_DIR, "nginx",
                                       "sleep-location.conf")) as f:
                    subs["SLEEP_LOCATION"] = f.read()
            render(os.path.join(SERVERS_DIR, "nginx", "nginx.conf"),
                   os.path.join(d, "nginx.conf"), subs)
            cmd = [self.have["nginx"], "-p", d + "/", "-e",
                   os.path.join(d, "error.log"), "-c",
                   os.path.join(d, "nginx.conf")]
        elif server.startswith("apache-"):
            mpm = server.split("-", 1)[1]
            procs = 1 if mpm == "prefork" else w
            threads = -(-cap // procs)
            subs = dict(RUN=d, PORT=port, STATIC=self.static,
                        CAPACITY=cap if mpm == "prefork" else procs * threads,
                        PROCS=procs, THREADS=threads)
            www = os.path.join(d, "www")
            mkdir(www)
            with open(os.path.join(www, "hello.txt"), "wb") as f:
                f.write(HELLO)
            os.chmod(os.path.join(www, "hello.txt"), 0o644)
            render(os.path.join(SERVERS_DIR, server, "httpd.conf"),
                   os.path.join(d, "httpd.conf"), subs)
            render(os.path.join(SERVERS_DIR, "apache-common", "common.conf"),
                   os.path.join(d, "common.conf"), subs)
            shutil.copy(os.path.join(SERVERS_DIR, "apache-common",
                                     "sleep.lua"), os.path.join(d, "sleep.lua"))
            os.chmod(os.path.join(d, "sleep.lua"), 0o644)
            cmd = [self.have[server], "-d", d, "-f",
                   os.path.join(d, "httpd.conf"), "-DFOREGROUND"]
        elif server == "tornado":
            cmd = [PY, os.path.join(SERVERS_DIR, "tornado", "app.py"),
                   "--port", str(port), "--workers", str(w),
                   "--static-root", self.static]
        else:
            raise StartError("unknown server " + server)
        if shape["pin"]:
            cmd = ["taskset", "-c", "0"] + cmd
        inst.cmd = cmd
        shown = " ".join(cmd).replace(d, "$RUN").replace(
            self.static, "$STATIC").replace(str(port), "$PORT").replace(
            ROOT + "/", "")
        self.commands.setdefault((server, shape_name), shown)
        inst.logf = open(os.path.join(d, "stdio.log"), "wb")
        inst.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=inst.logf,
            stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=set_nofile, cwd=d)
        self.live.append(inst)
        # Ready when GET / answers "Hello, world".
        deadline = time.monotonic() + self.a.start_timeout
        body_path = os.path.join(d, "curl.out")
        last = None
        while time.monotonic() < deadline:
            if inst.proc.poll() is not None:
                break
            if port_open(port):
                code, body = curl(inst.url("/"), body_path, timeout=3)
                last = (code, body[:80])
                if code == 200 and body == HELLO:
                    time.sleep(self.a.settle)
                    if inst.proc.poll() is None:
                        self.check_processes(inst)
                        return inst
                    break
            time.sleep(0.1)
        why = ("exited with status %s" % inst.proc.returncode
               if inst.proc.poll() is not None
               else "GET / did not answer 200 %r within %ss (last: %r)"
               % (HELLO.decode(), self.a.start_timeout, last))
        tail = self.log_tail(inst)
        self.stop(inst)
        raise StartError("%s did not start: %s%s" % (server, why, tail))

    def check_processes(self, inst):
        """An event-loop server should run a parent and one process per
        worker; say so in the notes when it does not (it is not a
        failure: the figures are still what that server did)."""
        if inst.server not in ("gale", "nginx", "tornado"):
            return
        want = inst.shape["workers"] + 1
        got = len(inst.pids())
        if got != want:
            note = ("%s ran %d process(es) for %d worker(s) (expected %d: "
                    "a parent and the workers)" % (
                        inst.server, got, inst.shape["workers"], want))
            if note not in self.notes:
                self.notes.append(note)
                log("note: " + note)

    def log_tail(self, inst):
        out = []
        for name in ("stdio.log", "error.log"):
            p = os.path.join(inst.dir, name)
            try:
                with open(p, "rb") as f:
                    lines = f.read().decode(errors="replace").splitlines()
            except OSError:
                continue
            if lines:
                out.append("\n    %s: %s" % (name, "\n    ".join(lines[-8:])))
        return "".join(out)

    def stop(self, inst):
        """SIGTERM to the leader; then every process of its session must be
        gone within --stop-timeout seconds, or it is a problem (and the
        leftovers are killed)."""
        if inst in self.live:
            self.live.remove(inst)
        if inst.proc.poll() is None:
            try:
                os.kill(inst.sid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + self.a.stop_timeout
        while time.monotonic() < deadline:
            inst.proc.poll()
            if inst.proc.returncode is not None and not inst.pids():
                break
            time.sleep(0.05)
        left = inst.pids()
        ok = True
        if inst.proc.poll() is None or left:
            ok = False
            self.problems.append(
                "%s (%s): not stopped %ss after SIGTERM to pid %d; left: %s"
                % (inst.server, inst.shape_name, self.a.stop_timeout,
                   inst.sid, left or [inst.sid]))
            for pid in set(left + [inst.sid]):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                inst.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        # The port must be free again (nothing listening on it).
        t_end = time.monotonic() + 3
        while port_open(inst.port) and time.monotonic() < t_end:
            time.sleep(0.1)
        if port_open(inst.port):
            ok = False
            self.problems.append("%s (%s): port %d still answers after stop"
                                 % (inst.server, inst.shape_name, inst.port))
        if inst.logf:
            inst.logf.close()
        return ok

    def stop_all(self):
        for inst in list(self.live):
            self.stop(inst)

    # -- checks beyond hello
    def check_route(self, inst, path, want_body=None, want_len=None):
        """None if the route answers as it should. A route the server does
        not have (404, 405, 501) is a skip with a note; anything else (a
        wrong body, 5xx, no answer) is a problem."""
        code, body = curl(inst.url(path), os.path.join(inst.dir, "curl.out"))
        if code in (404, 405, 501):
            return "skipped: GET %s -> %d (route missing)" % (path, code)
        if code != 200:
            return "GET %s -> %s" % (path, code or "no answer")
        if want_body is not None and body != want_body:
            return "GET %s -> body %r" % (path, body[:60])
        if want_len is not None and len(body) != want_len:
            return "GET %s -> %d bytes, want %d" % (path, len(body), want_len)
        return None

    # -- measurements
    def wrk(self, inst, key, threads, conns, path="/", headers=(), pin=False,
            duration=None, warmup=False):
        duration = duration or self.a.duration
        cmd = ["wrk", "-t%d" % threads, "-c%d" % conns,
               "-d%ds" % duration, "--latency"]
        for h in headers:
            cmd += ["-H", h]
        cmd.append(inst.url(path))
        if pin:
            cmd = ["taskset", "-c", "1"] + cmd
        if warmup and self.a.warmup > 0:
            wcmd = list(cmd)
            wcmd[wcmd.index("-d%ds" % duration)] = "-d%ds" % self.a.warmup
            self._run_wrk(wcmd, self.a.warmup)
        shown = " ".join(c if " " not in c else "'%s'" % c for c in cmd)
        self.wrk_commands.setdefault(key, re.sub(
            r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", shown))
        pids = inst.pids()
        c0 = cpu_ns(pids)
        t0 = time.monotonic()
        out = self._run_wrk(cmd, duration)
        wall = time.monotonic() - t0
        c1 = cpu_ns(inst.pids())
        r = parse_wrk(out)
        if r["rps"] is None and "wrk did not stop by itself" in out:
            # Not one request answered during the run: the server is full.
            r.update(rps=0.0, requests=0, wrk_hung=True)
        r["server_cpu_s"] = (c1 - c0) / 1e9
        r["server_cpu_share"] = r["server_cpu_s"] / wall if wall else None
        r["cpu_us_per_req"] = ((c1 - c0) / 1e3 / r["requests"]
                               if r["requests"] else None)
        if r["rps"] is None:
            r["wrk_output"] = out[-600:]
        return r

    @staticmethod
    def _run_wrk(cmd, duration):
        """wrk, bounded: when no connection ever gets an answer (a server
        that is full) wrk does not stop by itself, nor print anything on
        SIGINT: it is interrupted, then killed, and the caller counts 0."""
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        try:
            out, _ = p.communicate(timeout=duration + 4)
        except BaseException as e:
            if not isinstance(e, subprocess.TimeoutExpired):
                p.kill()
                p.wait()
                raise
            p.send_signal(signal.SIGINT)
            try:
                out, _ = p.communicate(timeout=2)
            except subprocess.TimeoutExpired:
                p.kill()
                out, _ = p.communicate()
            out += b"\n(wrk did not stop by itself: interrupted)\n"
        return out.decode(errors="replace")

    def record(self, rep, scenario, server, **kv):
        row = dict(rep=rep, scenario=scenario, server=server)
        row.update(kv)
        self.results.append(row)
        brief = ", ".join(
            "%s=%s" % (k, ("%.1f" % v if isinstance(v, float) else v))
            for k, v in kv.items()
            if k in ("rps", "p99_ms", "cpu_us_per_req", "pss_kb", "held",
                     "bytes_per_conn", "socket_errors", "non2xx", "error",
                     "sleeps_answered"))
        log("  %-15s %-10s %s" % (server, scenario, brief))

    # -- the client of scenarios 5 and 6
    def client(self, mode, inst, extra):
        cmd = [PY, CLIENT, mode, "--port", str(inst.port)] + extra
        return subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE,
                                stderr=open(os.path.join(inst.dir,
                                                         "client.log"), "ab"),
                                start_new_session=True)

    @staticmethod
    def read_event(proc, timeout):
        """Next JSON line from the client within timeout seconds, or None."""
        deadline = time.monotonic() + timeout
        buf = b""
        fd = proc.stdout.fileno()
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return None
                buf += chunk
                if b"\n" in buf:
                    line = buf.split(b"\n", 1)[0]
                    try:
                        return json.loads(line)
                    except ValueError:
                        return None
            elif proc.poll() is not None:
                return None
        return None

    @staticmethod
    def end_client(proc):
        try:
            proc.stdin.write(b"stop\n")
            proc.stdin.flush()
        except OSError:
            pass

    @staticmethod
    def reap_client(proc):
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    # -- the scenarios on one instance
    def run_instance(self, server, shape_name, shape, scen_ids, rep):
        inst = None
        for attempt in (1, 2):
            try:
                inst = self.start(server, shape_name, shape, rep)
                break
            except Exception as e:  # one server's failure must not end the run
                if attempt == 1 and "did not start" in str(e):
                    # Perhaps someone took the free port meanwhile: once
                    # more on another port before calling it a failure.
                    log("  %s; trying once more on another port" % e)
                    continue
                self.problems.append(str(e))
                log("  " + str(e))
        if inst is None:
            for sid in scen_ids:
                labels = (["static-4k", "static-1m"] if sid == "4"
                          else [SCENARIOS[sid][0]])
                for label in labels:
                    self.record(rep, label, server, error="did not start")
            return
        try:
            for sid in scen_ids:
                getattr(self, "scenario_" + sid)(inst, rep)
        finally:
            self.stop(inst)

    def _throughput(self, inst, rep, key, label, **wrk_kw):
        r = self.wrk(inst, key, **wrk_kw)
        self.record(rep, label, inst.server, **r)

    def route_failed(self, inst, rep, label, err):
        if err.startswith("skipped: "):
            note = "%s: %s, so %s is skipped" % (inst.server, err[9:], label)
            if note not in self.notes:
                self.notes.append(note)
            self.record(rep, label, inst.server, skipped=err[9:])
        else:
            self.problems.append("%s: %s" % (inst.server, err))
            self.record(rep, label, inst.server, error=err)

    def scenario_1(self, inst, rep):
        self._throughput(inst, rep, "hello-1core", "hello-1core", threads=1,
                         conns=50, pin=True, warmup=True)

    def scenario_2(self, inst, rep):
        self._throughput(inst, rep, "hello-2w", "hello-2w", threads=2,
                         conns=100, warmup=True)

    def scenario_3(self, inst, rep):
        self._throughput(inst, rep, "close", "close", threads=2, conns=100,
                         headers=("Connection: close",), warmup=True)

    def scenario_4(self, inst, rep):
        for name, label in (("4k.bin", "static-4k"), ("1m.bin", "static-1m")):
            err = self.check_route(inst, "/static/" + name,
                                   want_body=self.static_bytes[name])
            if err:
                self.route_failed(inst, rep, label, err)
                continue
            self._throughput(inst, rep, label, label, threads=2, conns=100,
                             path="/static/" + name, warmup=True)

    def scenario_5(self, inst, rep):
        label = "standing"
        pids = inst.pids()
        before = pss_kb(pids)
        extra = ["--conns", str(self.a.conns), "--window", "500",
                 "--reply-timeout", "3", "--open-timeout",
                 str(self.a.open_timeout), "--give-up", "1000",
                 "--max-hold", str(self.a.duration + 120)]
        self.wrk_commands.setdefault(
            "standing-client", "%s %s hold --port PORT %s" % (
                PY, os.path.relpath(CLIENT, ROOT), " ".join(extra)))
        proc = self.client("hold", inst, extra)
        try:
            ready = self.read_event(proc, self.a.open_timeout + 30)
            if not ready:
                err = "connection client did not get ready"
                self.problems.append("%s: %s" % (inst.server, err))
                self.record(rep, label, inst.server, error=err)
                return
            time.sleep(0.5)
            pids = inst.pids()
            after = pss_kb(pids)
            r = self.wrk(inst, "standing", threads=2, conns=100)
            self.end_client(proc)
            done = self.read_event(proc, 20) or {}
        finally:
            self.end_client(proc)
            self.reap_client(proc)
        served = ready.get("served", 0)
        r.update(
            held=done.get("held"), served=served,
            opened_seconds=ready.get("open_seconds"),
            stop_reason=ready.get("stop_reason"),
            unanswered=ready.get("unanswered"),
            connect_failed=ready.get("connect_failed"),
            closed_during_hold=done.get("closed_during_hold"),
            pss_kb_before=before, pss_kb_after=after,
            bytes_per_conn=((after - before) * 1024.0 / served
                            if served else None),
            processes=len(pids), threads=thread_count(pids))
        self.record(rep, label, inst.server, **r)

    def scenario_6(self, inst, rep):
        label = "slow"
        if inst.server == "nginx" and not self.echo:
            self.record(rep, label, inst.server,
                        skipped="no /sleep: %s not installed" % ECHO_MODULE)
            return
        err = self.check_route(inst, "/sleep?ms=10", want_body=b"slept 10")
        if err:
            self.route_failed(inst, rep, label, err)
            return
        extra = ["--conns", "200", "--ms", "1000",
                 "--max-hold", str(self.a.duration + 60)]
        self.wrk_commands.setdefault(
            "slow-client", "%s %s sleepers --port PORT %s" % (
                PY, os.path.relpath(CLIENT, ROOT), " ".join(extra)))
        proc = self.client("sleepers", inst, extra)
        try:
            ready = self.read_event(proc, 20)
            if not ready:
                err = "sleeper client did not get ready"
                self.problems.append("%s: %s" % (inst.server, err))
                self.record(rep, label, inst.server, error=err)
                return
            time.sleep(0.3)
            r = self.wrk(inst, "slow", threads=2, conns=100)
            self.end_client(proc)
            done = self.read_event(proc, 20) or {}
        finally:
            self.end_client(proc)
            self.reap_client(proc)
        r.update(sleeps_answered=done.get("answered"),
                 sleep_errors=done.get("errors"),
                 sleep_seconds=done.get("seconds"),
                 sleep_p50_ms=done.get("latency_ms_p50"),
                 sleep_p99_ms=done.get("latency_ms_p99"))
        self.record(rep, label, inst.server, **r)

    def scenario_7(self, inst, rep):
        time.sleep(1.0)
        pids = inst.pids()
        self.record(rep, "footprint", inst.server, pss_kb=pss_kb(pids),
                    processes=len(pids), threads=thread_count(pids))

    # -- the whole run
    def versions(self):
        v = {}
        if self.have.get("gale"):
            v["gale"] = run_out([self.have["gale"], "--version"])
        v["nginx"] = run_out(["nginx", "-v"])
        v["nginx echo module"] = ("libnginx-mod-http-echo " + run_out(
            ["dpkg-query", "-W", "-f=${Version}", "libnginx-mod-http-echo"])
            if self.echo else "not installed")
        v["apache2"] = run_out(["apache2", "-v"]).replace("\n", "; ")
        v["tornado"] = run_out([PY, "-c", "import tornado,sys;print("
                                "'tornado', tornado.version, 'on Python', "
                                "sys.version.split()[0])"])
        v["wrk"] = run_out(["wrk", "-v"]).splitlines()[0] if run_out(
            ["wrk", "-v"]) else "?"
        v["kernel"] = platform.release()
        cpu = "?"
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        cpu = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        v["cpu"] = "%s, %d CPUs online" % (cpu, os.cpu_count())
        try:
            with open("/proc/meminfo") as f:
                kb = int(f.readline().split()[1])
                v["memory"] = "%.1f GiB" % (kb / 1048576.0)
        except OSError:
            pass
        return v

    def main(self):
        a = self.a
        servers = []
        for s in a.servers:
            if not self.have.get(s):
                why = {"gale": a.gale_missing or "no gale executable"}.get(
                    s, "not installed")
                self.notes.append("SKIPPED %s: %s" % (s, why))
                log("SKIPPED %s: %s" % (s, why))
                if s != "gale" or a.require_gale:
                    self.problems.append("%s unavailable: %s" % (s, why))
                continue
            servers.append(s)
        if "nginx" in servers and "6" in a.only and not self.echo:
            self.notes.append(
                "nginx is left out of scenario 6: %s (Debian package "
                "libnginx-mod-http-echo) is not installed" % ECHO_MODULE)
        started = datetime.datetime.now()
        for rep in range(1, a.reps + 1):
            k = (rep - 1) % max(1, len(servers))
            order = servers[k:] + servers[:k]
            log("repetition %d/%d, order: %s" % (rep, a.reps,
                                                 ", ".join(order)))
            for shape_name, shape, scen_ids in SHAPES:
                todo = [s for s in scen_ids if s in a.only]
                if not todo:
                    continue
                for server in order:
                    self.run_instance(server, shape_name, shape, todo, rep)
        finished = datetime.datetime.now()
        out = dict(
            started=started.isoformat(timespec="seconds"),
            finished=finished.isoformat(timespec="seconds"),
            mode="quick" if a.quick else "full",
            reps=a.reps, duration_s=a.duration, warmup_s=a.warmup,
            conns_standing=a.conns, servers=servers,
            scenarios=[SCENARIOS[s][0] for s in sorted(a.only)],
            scenario_titles={v[0]: v[1] for v in SCENARIOS.values()},
            versions=self.versions(),
            commands={"%s %s" % k: v for k, v in self.commands.items()},
            wrk_commands=self.wrk_commands,
            argv=sys.argv[1:],
            invocation=a.invocation,
            results=self.results, problems=self.problems, notes=self.notes)
        return out


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="bench/run")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--reps", type=int)
    ap.add_argument("--duration", type=int, help="seconds per wrk run")
    ap.add_argument("--warmup", type=int, help="seconds of wrk before each")
    ap.add_argument("--conns", type=int, default=10000,
                    help="standing connections in scenario 5")
    ap.add_argument("--only", default="",
                    help="scenarios, by number or name, comma-separated")
    ap.add_argument("--servers", default="")
    ap.add_argument("--gale", default="")
    ap.add_argument("--gale-missing", default="")
    ap.add_argument("--require-gale", action="store_true")
    ap.add_argument("--out", default=os.path.join(BENCH, "results"))
    ap.add_argument("--name", default="")
    ap.add_argument("--start-timeout", type=float, default=20.0)
    ap.add_argument("--stop-timeout", type=float, default=15.0)
    ap.add_argument("--open-timeout", type=float, default=60.0)
    ap.add_argument("--settle", type=float, default=1.0)
    ap.add_argument("--keep-run-dir", action="store_true")
    ap.add_argument("--invocation", default="")
    a = ap.parse_args(argv)
    if a.quick:
        a.reps = a.reps or 1
        a.duration = a.duration or 2
        a.warmup = 0 if a.warmup is None else a.warmup
        a.open_timeout = min(a.open_timeout, 30.0)
        default_servers = QUICK_SERVERS
    else:
        a.reps = a.reps or 3
        a.duration = a.duration or 5
        a.warmup = 1 if a.warmup is None else a.warmup
        default_servers = ALL_SERVERS
    if not (1 <= a.reps <= 20 and 1 <= a.duration <= 120
            and 0 <= a.warmup <= 30 and 1 <= a.conns <= 30000):
        ap.error("--reps 1..20, --duration 1..120, --warmup 0..30, "
                 "--conns 1..30000")
    a.servers = [s.strip() for s in a.servers.split(",") if s.strip()] \
        or default_servers
    for s in a.servers:
        if s not in ALL_SERVERS:
            ap.error("unknown server %r (known: %s)" % (s, ", ".join(
                ALL_SERVERS)))
    only = set()
    for tok in (t.strip() for t in a.only.split(",") if t.strip()):
        if tok in SCENARIOS:
            only.add(tok)
        elif tok in NAME_TO_ID:
            only.add(NAME_TO_ID[tok])
        else:
            ap.error("unknown scenario %r (known: %s)" % (tok, ", ".join(
                "%s=%s" % (k, v[0]) for k, v in SCENARIOS.items())))
    a.only = only or set(SCENARIOS)
    return a


def main(argv):
    a = parse_args(argv)
    h = Harness(a)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    code = 0
    try:
        data = h.main()
    except KeyboardInterrupt:
        log("interrupted: stopping the servers still running")
        h.stop_all()
        return 130
    finally:
        h.stop_all()
        if not a.keep_run_dir:
            shutil.rmtree(h.run, ignore_errors=True)
        else:
            log("run directory kept: " + h.run)
    name = a.name or ("%s%s" % ("quick-" if a.quick else "",
                                time.strftime("%Y-%m-%d-%H%M")))
    os.makedirs(a.out, exist_ok=True)
    base = os.path.join(a.out, name)
    with open(base + ".json", "w") as f:
        json.dump(data, f, indent=1)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import report
    md = report.write(data, base)
    print(md)
    full = (not a.quick and a.only == set(SCENARIOS)
            and a.out == os.path.join(BENCH, "results")
            and data["servers"] == ALL_SERVERS and a.reps >= 3)
    if full:
        report.update_readme(data, base, os.path.join(BENCH, "README.md"))
        report.update_readme(data, base,
                             os.path.join(BENCH, "..", "README.md"),
                             results_dir="bench/results", whole=False)
        log("README.md and bench/README.md: latest results updated")
    log("results: %s.md, %s.png, %s.json" % (base, base, base))
    if data["notes"]:
        for n in data["notes"]:
            log("note: " + n)
    if data["problems"]:
        for p in data["problems"]:
            log("PROBLEM: " + p)
        code = 1
    else:
        log("every server that ran (%s) started, answered and stopped "
            "cleanly" % ", ".join(data["servers"]))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
