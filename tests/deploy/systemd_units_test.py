"""deploy/systemd/: the unit files, and gale under the contract they set.

PID 1 here is not systemd, so the units cannot be started for real. What
is checked instead:
  1. `systemd-analyze verify` accepts gale@8001.service and
     gale@8001.socket (ExecStart pointed at the built binary);
  2. gale run the way those units run it: a listening socket held by the
     test (as systemd holds gale@.socket's), passed as LISTEN_FDS=1 with
     LISTEN_PID, a NOTIFY_SOCKET and WATCHDOG_USEC:
       - READY=1 once it serves; WATCHDOG=1 keeps coming;
       - ExecReload (SIGHUP): RELOADING=1, then READY=1, still serving;
       - `systemctl restart` (SIGTERM to the main pid, KillMode=mixed):
         STOPPING=1, exit 0, and a new gale started on the SAME socket
         serves new connections, while a client loop that runs through
         the restart sees no failed request (connections that arrive
         between the two wait in the socket's backlog).

  3. scripts/rolling-restart --systemd against a stand-in systemctl: the
     calls in order, and exit 1 (the next units untouched) when a unit
     fails to restart, is not active, or its /health does not answer 200.

Usage: systemd_units_test.py GALE [--keep] [--detach-filter]
  --detach-filter: remove a socket filter left on the held socket before
  the new start (what gale itself should do; to measure the rest).
Exit 0 pass, 1 fail, 77 skip (systemd-analyze missing skips part 1 only).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deploy_support as ds  # noqa: E402

UNITS = os.path.join(ds.REPO, "deploy", "systemd")


def verify_units(gale, tmp, failures):
    tool = ds.find_tool("systemd-analyze")
    if not tool:
        print("note: systemd-analyze missing: unit verification skipped")
        return
    d = os.path.join(tmp, "units")
    os.makedirs(d)
    for name in ("gale@.service", "gale@.socket"):
        with open(os.path.join(UNITS, name)) as f:
            text = f.read().replace("/usr/local/bin/gale", gale)
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    for inst in ("gale@8001.service", "gale@8001.socket"):
        os.symlink(inst.replace("8001", ""), os.path.join(d, inst))
    env = dict(os.environ, SYSTEMD_UNIT_PATH=d + ":")
    r = subprocess.run([tool, "verify", "--man=no",
                        os.path.join(d, "gale@8001.service"),
                        os.path.join(d, "gale@8001.socket")],
                       capture_output=True, text=True, env=env, timeout=60)
    print("systemd-analyze verify: exit %d %s%s" % (
        r.returncode, r.stdout, r.stderr), flush=True)
    if r.returncode != 0 or r.stderr.strip():
        failures.append("systemd-analyze verify: %s" % r.stderr.strip())
    # The unit's numbers against gale's defaults.
    with open(os.path.join(UNITS, "gale@.service")) as f:
        unit = f.read()
    stop = int(re.search(r"^TimeoutStopSec=(\d+)s?$", unit, re.M).group(1))
    if stop <= 30 + 5:
        failures.append("TimeoutStopSec=%d must exceed graceful_timeout_s "
                        "(30) + 5 s" % stop)
    for line in ("Type=notify", "ExecReload=/bin/kill -HUP $MAINPID",
                 "KillSignal=SIGTERM", "KillMode=mixed"):
        if line not in unit:
            failures.append("gale@.service lacks %s" % line)


class Notify:
    """The NOTIFY_SOCKET end: collects every datagram."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.1)
        self.messages = []
        self.lock = threading.Lock()
        self.done = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.done:
            try:
                m = self.sock.recv(4096).decode()
            except OSError:
                continue
            with self.lock:
                self.messages.append((time.monotonic(), m))

    def wait_for(self, text, since, timeout):
        def seen():
            with self.lock:
                return any(t >= since and text in m
                           for t, m in self.messages)
        return ds.wait_until(seen, timeout)

    def close(self):
        self.done = True
        self.thread.join(2)
        self.sock.close()


def start_gale(gale, listener, notify_path, tmp):
    """As systemd starts gale@.service: fd 3 = the socket, LISTEN_PID =
    the service's own pid (bash sets it, moves the socket to fd 3, then
    execs gale in place). Not a preexec_fn dup2: Popen closes every
    descriptor outside pass_fds after preexec_fn runs."""
    fd = listener.fileno()
    env = dict(os.environ, LISTEN_FDS="1", LISTEN_FDNAMES="gale@8001.socket",
               NOTIFY_SOCKET=notify_path, WATCHDOG_USEC="2000000")
    move = "" if fd == 3 else " 3<&%d %d<&-" % (fd, fd)
    log = open(os.path.join(tmp, "gale.log"), "a")
    p = subprocess.Popen(
        ["bash", "-c",
         'export LISTEN_PID=$$ WATCHDOG_PID=$$; exec "$@"' + move, "bash",
         gale, "--workers", "2", "--access-log", "off", "--static-root", "",
         # Should the socket not arrive, gale would bind this instead of
         # 0.0.0.0:8888; the log check in main() then fails the test.
         "--host", "127.0.0.1", "--port", str(ds.free_port())],
        pass_fds=(fd,), env=env,
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True, cwd=tmp)
    log.close()
    return p


def get(port, timeout=3.0):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            return data.split(b"\r\n", 1)[0].decode(errors="replace")
    except OSError as e:
        return repr(e)


def client_loop(port, stop, results):
    """New connection per request, as many as it can, until stop is set."""
    while not stop.is_set():
        t0 = time.monotonic()
        status = get(port, 5.0)
        results.append((t0, time.monotonic() - t0, status))


FAKE_SYSTEMCTL = """#!/bin/sh
# A stand-in for systemctl: logs its arguments; gale@bad does not start.
echo "$*" >> "$FAKE_SYSTEMCTL_LOG"
case "$1 $2" in
  "restart gale@bad.service") exit 1 ;;
  "is-active gale@inactive.service") echo failed; exit 3 ;;
  "is-active "*) echo active ;;
esac
exit 0
"""


def check_systemd_mode(tmp, failures):
    """scripts/rolling-restart --systemd against a fake systemctl and a
    /health served here: the order of the calls, and a unit that does not
    come back stops the run with exit 1."""
    import http.server
    bindir = os.path.join(tmp, "bin")
    os.makedirs(bindir)
    with open(os.path.join(bindir, "systemctl"), "w") as f:
        f.write(FAKE_SYSTEMCTL)
    os.chmod(os.path.join(bindir, "systemctl"), 0o755)

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/8001/health" or
                               self.path == "/8002/health" else 503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    th = threading.Thread(target=httpd.serve_forever, daemon=True)
    th.start()
    url = "http://127.0.0.1:%d/%%i/health" % httpd.server_address[1]
    calls = os.path.join(tmp, "systemctl.log")
    env = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"],
               FAKE_SYSTEMCTL_LOG=calls)

    def run(*units):
        if os.path.exists(calls):
            os.remove(calls)
        r = subprocess.run([os.path.join(ds.REPO, "scripts",
                                         "rolling-restart"),
                            "--pause", "0", "--ready-timeout", "2",
                            "--health-url", url, "--systemd"] + list(units),
                           capture_output=True, text=True, env=env,
                           timeout=60)
        try:
            with open(calls) as f:
                log = f.read().split("\n")[:-1]
        except OSError:
            log = []
        return r.returncode, log, r.stderr

    try:
        rc, log, err = run("gale@8001", "gale@8002.service")
        want = ["restart gale@8001.service", "is-active gale@8001.service",
                "restart gale@8002.service", "is-active gale@8002.service"]
        print("--systemd gale@8001 gale@8002: exit %d, calls %s" % (rc, log))
        if rc != 0 or log != want:
            failures.append("--systemd: exit %d, calls %s, want 0 and %s %s"
                            % (rc, log, want, err))
        for bad, why in (("gale@bad", "restart fails"),
                         ("gale@inactive", "not active"),
                         ("gale@8009", "/health 503")):
            rc, log, err = run("gale@8001", bad, "gale@8002")
            print("--systemd ... %s (%s): exit %d, stderr %s" % (
                bad, why, rc, err.strip()))
            if rc != 1 or any("8002" in c for c in log):
                failures.append("--systemd with %s (%s): exit %d, calls %s;"
                                " want 1 and gale@8002 untouched" % (
                                    bad, why, rc, log))
    finally:
        httpd.shutdown()
        httpd.server_close()


def main():
    gale = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "GALE_BINARY")
    keep = "--keep" in sys.argv
    gale = os.path.abspath(gale)
    tmp = tempfile.mkdtemp(prefix="gale-systemd-")
    failures = []
    procs = []
    notify = None
    listener = None
    try:
        verify_units(gale, tmp, failures)
        check_systemd_mode(tmp, failures)

        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1024)
        port = listener.getsockname()[1]
        notify = Notify(os.path.join(tmp, "notify"))

        t = time.monotonic()
        p = start_gale(gale, listener, notify.path, tmp)
        procs.append(p)
        if not notify.wait_for("READY=1", t, 15):
            failures.append("no READY=1 from the first start")
        if not notify.wait_for("WATCHDOG=1", t, 5):
            failures.append("no WATCHDOG=1 with WATCHDOG_USEC=2000000")
        first = get(port)
        with open(os.path.join(tmp, "gale.log")) as f:
            if "listening sockets from systemd (LISTEN_FDS)" not in f.read():
                failures.append("gale did not take the socket from "
                                "LISTEN_FDS (see its log)")
        print("first start: READY=1, WATCHDOG=1, GET / ->", first, flush=True)
        if "200" not in first:
            failures.append("first start: GET / -> %s" % first)

        t = time.monotonic()
        p.send_signal(signal.SIGHUP)  # ExecReload
        if not notify.wait_for("RELOADING=1", t, 5):
            failures.append("SIGHUP: no RELOADING=1")
        if not notify.wait_for("READY=1", t, 20):
            failures.append("SIGHUP: no READY=1 after the reload")
        after_reload = get(port)
        print("reload: GET / ->", after_reload, flush=True)
        if "200" not in after_reload:
            failures.append("after SIGHUP: GET / -> %s" % after_reload)

        # systemctl restart, with a client loop running through it.
        stop = threading.Event()
        results = []
        th = threading.Thread(target=client_loop, args=(port, stop, results))
        th.start()
        time.sleep(0.5)
        t = time.monotonic()
        p.send_signal(signal.SIGTERM)  # KillMode=mixed: the main pid only
        if not notify.wait_for("STOPPING=1", t, 5):
            failures.append("SIGTERM: no STOPPING=1")
        try:
            rc = p.wait(45)  # TimeoutStopSec
        except subprocess.TimeoutExpired:
            rc = None
        if rc != 0:
            failures.append("SIGTERM: gale exited %s, want 0" % rc)
        # SO_GET_FILTER (26): what a stopping gale left on the socket
        # systemd keeps. A drop-SYN filter left there would make the next
        # gale accept nothing (fixed in worker.cpp: listeners_outlive_us).
        if len(listener.getsockopt(socket.SOL_SOCKET, 26, 8 * 64)) != 0:
            failures.append("SIGTERM: the stopped gale left a socket filter "
                            "on the listener systemd keeps")
        if "--detach-filter" in sys.argv:
            # What the fix in gale would do (see the failure text below).
            listener.setsockopt(socket.SOL_SOCKET, 27, 0)  # SO_DETACH_FILTER
            print("note: --detach-filter: SO_DETACH_FILTER on the held "
                  "socket before the new start", flush=True)
        t = time.monotonic()
        p = start_gale(gale, listener, notify.path, tmp)
        procs.append(p)
        ready = notify.wait_for("READY=1", t, 15)
        if not ready:
            failures.append("the restarted gale sent no READY=1")
        time.sleep(2)
        stop.set()
        th.join(30)
        fresh = get(port)
        bad = [r for r in results if "200" not in r[2]]
        slow = max((r[1] for r in results), default=0)
        print("FIGURES socket-activated restart: %d requests (a new "
              "connection each), %d failed, slowest %.0f ms; GET / after: %s"
              % (len(results), len(bad), slow * 1000, fresh), flush=True)
        if "200" not in fresh:
            failures.append(
                "after a stop and start on the same socket (what `systemctl "
                "restart gale@N` does with gale@.socket), new connections "
                "are not served: GET / -> %s. The stopping gale left its "
                "SYN-dropping filter (worker.cpp stop_new_handshakes, "
                "SO_ATTACH_FILTER) on the socket systemd keeps" % fresh)
        if bad:
            failures.append("%d requests failed during the restart, e.g. %s"
                            % (len(bad), bad[:3]))
    except Exception as e:  # noqa: BLE001
        failures.append("error: %r" % (e,))
    finally:
        for p in procs:
            ds.stop_pid(p.pid, timeout=15)
        if notify:
            notify.close()
        if listener:
            listener.close()
        if keep:
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    print("PASS" if not failures else "FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
