"""What the python tests share to run gale as a black box (the python side
of tests/support, after gale_process.hpp): a free port, a bounded wait,
processes stopped by their pid, gale on a free port in a session of its
own, and the PASS/FAIL tally each test prints.

The tests run as plain scripts (from ctest, or by hand with the binary as
argument), so each finds this folder through sys.path, relative to its own
file:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(
        __file__)), os.pardir, "support"))
"""

import importlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def have_system_module(name):
    """Whether module `name` imports. When it does not and this is not
    /usr/bin/python3, runs this script again under it instead (and does not
    return): Debian's python3-* packages live in the system interpreter,
    which a pyenv or venv python3 first on PATH does not see."""
    try:
        importlib.import_module(name)
        return True
    except ImportError:
        system = "/usr/bin/python3"
        if os.path.exists(system) and os.path.realpath(sys.executable) != \
                os.path.realpath(system):
            os.execv(system, [system] + sys.argv)
        return False


def alive(pid):
    """Exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return False


def children(pid):
    out = []
    try:
        for task in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, task)) as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def descendants(pid):
    """pid and every process below it."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children(p)
    return out


def stop_pid(pid, timeout=10, sig=signal.SIGTERM):
    """SIGTERM to pid, wait (bounded), then SIGKILL to its process group
    (every process the tests start leads a session of its own)."""
    if pid is None or not alive(pid):
        return
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    if not wait_until(lambda: not alive(pid), timeout):
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        wait_until(lambda: not alive(pid), 5)
    reap()


def reap():
    """Collect our own exited children (processes another started, such as
    masters restarted by a script, are not ours: init reaps them)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


class Server:
    """gale on a free port of 127.0.0.1, in a process group of its own,
    its output in WORKDIR/NAME.log."""

    def __init__(self, binary, workdir, name="gale", workers=2, args=()):
        self.port = free_port()
        self.log_path = os.path.join(workdir, name + ".log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [binary, "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers), "--access-log", "off", *args],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=workdir,
            start_new_session=True)
        self.url = "http://127.0.0.1:%d" % self.port
        self.ws = "ws://127.0.0.1:%d" % self.port

    def wait_ready(self, timeout=15, ready=lambda: True):
        """Until /health answers 200 and `ready()` holds; raises if gale
        exits or the time is up."""
        def healthy():
            if self.proc.poll() is not None:
                raise RuntimeError("gale exited with %s" % self.proc.returncode)
            try:
                with urllib.request.urlopen(self.url + "/health",
                                            timeout=1) as r:
                    return r.status == 200 and ready()
            except OSError:
                return False
        if not wait_until(healthy, timeout, 0.05):
            raise RuntimeError("gale did not become ready")

    def workers(self):
        """The master's children."""
        return children(self.proc.pid)

    def pids(self):
        """The master and every process below it (the workers)."""
        return descendants(self.proc.pid)

    def stop(self, timeout=15):
        """SIGTERM, then SIGKILL to its own group after `timeout`; returns
        the exit status (None when it had to be killed)."""
        status = self.proc.poll()
        if status is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                status = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own group only
                self.proc.wait()
                status = None
        self.log.close()
        return status

    def tail(self, lines=20):
        try:
            with open(self.log_path) as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""


class Results:
    """The PASS/FAIL lines of a test and its "N passed, N failed"."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print("PASS" if ok else "FAIL", name, *([detail] if detail else []),
              flush=True)

    def finish(self):
        """Prints the tally; the exit status: 0 when something passed and
        nothing failed."""
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 0 if self.failed == 0 and self.passed > 0 else 1
