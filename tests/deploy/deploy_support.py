"""What the deploy tests share: three gale instances behind nginx.

Where the test may create network namespaces (root, `ip netns`), each gale
instance is its own "host": namespace h1..h3 with one address on a bridge
that lives in a fourth namespace, lb, which runs nginx, wrk and the
clients. Nothing is added to the caller's namespace; deleting the four
namespaces removes the bridge and the veth pairs. Where it may not, every
instance listens on 127.0.0.1 on a port of its own, and so does nginx.

Every process started here is recorded and stopped by its pid (SIGTERM,
bounded wait, then SIGKILL to its own process group); namespaces are
deleted on every exit path (finally, atexit, SIGTERM/SIGINT/SIGHUP).
"""

import atexit
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ROLLING_RESTART = os.path.join(REPO, "scripts", "rolling-restart")
SUBNET = "10.77.0"           # private to the lb namespace
GALE_PORT_NETNS = 8001       # the same port on each "host"

sys.path.insert(0, os.path.join(HERE, os.pardir, "support"))
# What every python test shares; the deploy tests take these from here (ds.*).
from gale_process import (alive, children, free_port, reap,  # noqa: E402,F401
                          stop_pid, wait_until)


def log(*parts):
    print("[%s]" % time.strftime("%H:%M:%S"), *parts, flush=True)


def find_tool(name):
    path = shutil.which(name)
    if not path:
        for d in ("/usr/sbin", "/sbin", "/usr/bin"):
            if os.access(os.path.join(d, name), os.X_OK):
                return os.path.join(d, name)
    return path


def system_python():
    """Debian's python3-websockets lives in /usr/bin/python3."""
    for p in ("/usr/bin/python3", sys.executable):
        if p and os.path.exists(p):
            r = subprocess.run([p, "-c", "import websockets"],
                               capture_output=True)
            if r.returncode == 0:
                return p
    return None


class Cluster:
    """Three gale instances (2 workers each, a pid file each) and nginx in
    front, configured after deploy/nginx/gale-upstream.conf."""

    def __init__(self, gale, instances=3, workers=2, use_netns=True,
                 keep=False, config_yaml=None):
        self.gale = os.path.abspath(gale)
        self.count = instances
        self.workers = workers
        self.keep = keep
        self.dir = tempfile.mkdtemp(prefix="gale-deploy-")
        os.chmod(self.dir, 0o755)  # nginx workers may run as nobody
        # Extra settings for every instance (e.g. "reuse_port: true\n").
        self.config = None
        if config_yaml:
            self.config = os.path.join(self.dir, "gale.yaml")
            with open(self.config, "w") as f:
                f.write(config_yaml)
        self.namespaces = []
        self.started = []          # Popen of what we started
        self.nginx = None
        self.netns = False
        self.tag = "gd%d" % os.getpid()
        if use_netns and os.geteuid() == 0 and os.environ.get(
                "GALE_DEPLOY_NO_NETNS") != "1":
            try:
                self._make_namespaces()
                self.netns = True
            except (OSError, subprocess.CalledProcessError) as e:
                log("network namespaces unavailable (%s); using 127.0.0.1"
                    % (e,))
                self._delete_namespaces()
        atexit.register(self.close)
        for s in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, self._on_signal)
        if self.netns:
            self.hosts = ["%s.%d" % (SUBNET, 10 + i)
                          for i in range(1, instances + 1)]
            self.ports = [GALE_PORT_NETNS] * instances
        else:
            self.hosts = ["127.0.0.1"] * instances
            self.ports = [free_port() for _ in range(instances)]
        self.nginx_port = 8080 if self.netns else free_port()
        self.nginx_url = "http://127.0.0.1:%d" % self.nginx_port

    # ---- namespaces --------------------------------------------------------

    def ns(self, name):
        return "%s-%s" % (self.tag, name)

    def _ip(self, *args):
        subprocess.run([find_tool("ip")] + list(args), check=True,
                       capture_output=True, timeout=10)

    def _make_namespaces(self):
        if not find_tool("ip"):
            raise OSError("no ip(8)")
        lb = self.ns("lb")
        self._ip("netns", "add", lb)
        self.namespaces.append(lb)
        self._ip("-n", lb, "link", "set", "lo", "up")
        self._ip("-n", lb, "link", "add", "br0", "type", "bridge")
        self._ip("-n", lb, "addr", "add", SUBNET + ".1/24", "dev", "br0")
        self._ip("-n", lb, "link", "set", "br0", "up")
        for i in range(1, self.count + 1):
            h = self.ns("h%d" % i)
            self._ip("netns", "add", h)
            self.namespaces.append(h)
            self._ip("-n", h, "link", "set", "lo", "up")
            self._ip("link", "add", "v%d" % i, "netns", lb, "type", "veth",
                     "peer", "name", "eth0", "netns", h)
            self._ip("-n", lb, "link", "set", "v%d" % i, "master", "br0")
            self._ip("-n", lb, "link", "set", "v%d" % i, "up")
            self._ip("-n", h, "addr", "add", "%s.%d/24" % (SUBNET, 10 + i),
                     "dev", "eth0")
            self._ip("-n", h, "link", "set", "eth0", "up")

    def _delete_namespaces(self):
        for n in reversed(self.namespaces):
            subprocess.run([find_tool("ip") or "ip", "netns", "del", n],
                           capture_output=True, timeout=10)
        self.namespaces = []

    def in_lb(self):
        """Command prefix that runs a client where nginx is."""
        return [find_tool("ip"), "netns", "exec", self.ns("lb")] \
            if self.netns else []

    def in_host(self, i):
        return [find_tool("ip"), "netns", "exec", self.ns("h%d" % (i + 1))] \
            if self.netns else []

    # ---- gale --------------------------------------------------------------

    def pidfile(self, i):
        return os.path.join(self.dir, "gale%d.pid" % (i + 1))

    def health_url(self, i):
        return "http://%s:%d/health" % (self.hosts[i], self.ports[i])

    def gale_command(self, i):
        """The command line of instance i, as rolling-restart re-runs it."""
        host = "0.0.0.0" if self.netns else self.hosts[i]
        argv = self.in_host(i) + [self.gale] + (
            ["--config", self.config] if self.config else []) + [
            "--host", host, "--port", str(self.ports[i]),
            "--workers", str(self.workers), "--pidfile", self.pidfile(i),
            "--access-log", "off", "--static-root", ""]
        return " ".join(shlex.quote(a) for a in argv)

    def start_instance(self, i):
        logf = open(os.path.join(self.dir, "gale%d.log" % (i + 1)), "a")
        p = subprocess.Popen(["bash", "-c", "exec " + self.gale_command(i)],
                             stdout=logf, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, cwd=self.dir,
                             start_new_session=True)
        logf.close()
        self.started.append(p)
        return p.pid

    def master_pid(self, i):
        try:
            with open(self.pidfile(i)) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def health(self, i, timeout=1.0):
        return self.http_status(self.health_url(i), timeout)

    def http_status(self, url, timeout=2.0):
        r = subprocess.run(self.in_lb() + [
            "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
            "--max-time", str(timeout), "--noproxy", "*", url],
            capture_output=True, text=True, timeout=timeout + 5)
        return r.stdout.strip() or "000"

    def wait_healthy(self, i, timeout=20):
        return wait_until(lambda: self.health(i) == "200", timeout, 0.1)

    # ---- nginx -------------------------------------------------------------

    def nginx_conf(self):
        """deploy/nginx/gale-upstream.conf with this run's addresses, a
        listen on 127.0.0.1 and everything nginx writes in self.dir."""
        with open(os.path.join(REPO, "deploy", "nginx",
                               "gale-upstream.conf")) as f:
            site = f.read()
        # Each `server 127.0.0.1:800N ...;` line of the file (both
        # upstream blocks) gets this run's address of instance N.
        addresses = ["%s:%d" % hp for hp in zip(self.hosts, self.ports)]
        site, n = re.subn(
            r"(?m)^(    server )127\.0\.0\.1:800([1-3])( .*\n)",
            lambda m: m.group(1) + addresses[int(m.group(2)) - 1]
            + m.group(3), site)
        assert n == 6, "the upstream blocks of gale-upstream.conf changed"
        site = site.replace("    listen 80;",
                            "    listen 127.0.0.1:%d;" % self.nginx_port)
        # To measure another connect timeout than the file's.
        ct = os.environ.get("GALE_DEPLOY_CONNECT_TIMEOUT")
        if ct:
            site, n = re.subn(r"proxy_connect_timeout [^;]*;",
                              "proxy_connect_timeout %s;" % ct, site)
            assert n == 1
        d = self.dir
        user = "user root;\n" if os.geteuid() == 0 else ""
        return (user +
                "worker_processes 2;\n"
                "error_log %s/nginx-error.log notice;\n"
                "events { worker_connections 4096; }\n"
                "http {\n"
                "  access_log off;\n"
                "  client_body_temp_path %s/client_body;\n"
                "  proxy_temp_path %s/proxy;\n"
                "  fastcgi_temp_path %s/fastcgi;\n"
                "  uwsgi_temp_path %s/uwsgi;\n"
                "  scgi_temp_path %s/scgi;\n"
                "%s\n}\n" % (d, d, d, d, d, d, site))

    def start_nginx(self):
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(self.nginx_conf())
        nginx = find_tool("nginx")
        logf = open(os.path.join(self.dir, "nginx.out"), "w")
        p = subprocess.Popen(
            self.in_lb() + [nginx, "-p", self.dir, "-c", conf, "-g",
                            "daemon off; pid %s/nginx.pid;" % self.dir],
            stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        logf.close()
        self.nginx = p.pid
        self.started.append(p)
        ok = wait_until(
            lambda: self.http_status(self.nginx_url + "/health") == "200"
            or p.poll() is not None, 10, 0.1)
        if not ok or p.poll() is not None:
            raise RuntimeError("nginx did not start: " + self.tail(
                "nginx.out") + self.tail("nginx-error.log"))

    def tail(self, name, n=20):
        try:
            with open(os.path.join(self.dir, name)) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    # ---- the whole -------------------------------------------------------

    def start(self):
        log("topology:", "namespaces lb + h1..h%d on a bridge" % self.count
            if self.netns else "127.0.0.1", "; instances",
            ", ".join("%s:%d" % hp for hp in zip(self.hosts, self.ports)),
            "; nginx", self.nginx_url, "; dir", self.dir)
        for i in range(self.count):
            self.start_instance(i)
        for i in range(self.count):
            if not self.wait_healthy(i, 20):
                raise RuntimeError("gale %d did not become healthy:\n%s" % (
                    i + 1, self.tail("gale%d.log" % (i + 1))))
        self.start_nginx()

    def run_in_lb(self, argv, timeout, **kw):
        return subprocess.run(self.in_lb() + argv, capture_output=True,
                              text=True, timeout=timeout, **kw)

    def client(self, argv, **kw):
        """A client process in the lb namespace, in a session of its own."""
        p = subprocess.Popen(self.in_lb() + argv, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             start_new_session=True, **kw)
        self.started.append(p)
        return p

    def _on_signal(self, sig, frame):
        self.close()
        os._exit(128 + sig)

    def close(self):
        # Clients first (wrk, the restart script: it must not start a new
        # master after we stopped the last one), newest first; then nginx
        # and the masters named by the pid files, twice over, in case a
        # master the script started had not written its pid file yet.
        for p in reversed(self.started):
            # Popen.poll() reaps: a pid is only signalled while still ours.
            if p.poll() is None:
                stop_pid(p.pid, timeout=10)
        self.started = []
        for round_ in range(2 if self.dir else 0):
            for i in range(self.count):
                stop_pid(self.master_pid(i), timeout=10)
            if round_ == 0:
                time.sleep(0.5)
        # Workers leave with their master (PR_SET_PDEATHSIG).
        if self.namespaces:
            self._delete_namespaces()
        if self.dir and os.path.isdir(self.dir) and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def run_wrk(cluster, path, seconds, connections=32, threads=2, post=None):
    """Starts wrk through nginx; returns the Popen (read with parse_wrk).
    post: a body to POST (urlencoded form) instead of GET."""
    extra = []
    if post is not None:
        script = os.path.join(cluster.dir, "post.lua")
        with open(script, "w") as f:
            f.write('wrk.method = "POST"\n'
                    'wrk.body = "%s"\n'
                    'wrk.headers["Content-Type"] = '
                    '"application/x-www-form-urlencoded"\n' % post)
        extra = ["-s", script]
    return cluster.client(["wrk", "-t%d" % threads, "-c%d" % connections,
                           "-d%ds" % seconds, "--timeout", "10s",
                           "--latency"] + extra + [cluster.nginx_url + path])


def parse_wrk(text):
    """requests, failed (non-2xx/3xx + socket errors), max latency (ms)."""
    out = {"requests": None, "non2xx": 0, "socket_errors": 0,
           "max_latency_ms": None, "rps": None, "raw": text}
    m = re.search(r"(\d+) requests in", text)
    if m:
        out["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        out["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", text)
    if m:
        out["socket_errors"] = sum(int(x) for x in m.groups())
        out["socket_detail"] = m.group(0)
    m = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", text)
    if m:
        v = m.group(1)
        scale = {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}
        num = re.match(r"([\d.]+)(\D+)", v)
        if num:
            out["max_latency_ms"] = float(num.group(1)) * scale.get(
                num.group(2), 1)
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        out["rps"] = float(m.group(1))
    out["failed"] = out["non2xx"] + out["socket_errors"]
    return out


def start_gap_client(cluster, path, seconds, stop_file):
    """A sequential keep-alive client (tests/deploy/gap_client.py) that
    records the longest gap between two successful responses."""
    return cluster.client([sys.executable, os.path.join(HERE,
                                                        "gap_client.py"),
                           cluster.nginx_url + path, str(seconds),
                           stop_file])


def finish_gap_client(p, timeout):
    out, err = p.communicate(timeout=timeout)
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError("gap client: %r %r" % (out, err))
