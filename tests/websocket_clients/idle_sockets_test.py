#!/usr/bin/env python3
"""10,000 idle WebSockets held open (issue 11: "thousands of idle sockets in
a few MB"; /ws/echo and / stay fast meanwhile).

Starts the real gale binary on a free port with --workers 2, raises
RLIMIT_NOFILE, and opens N (default 10,000) WebSockets to /ws/echo with raw
non-blocking sockets, a selector and a hand-written handshake (in batches,
within a time bound; every Sec-WebSocket-Accept is checked). While they are
held:
  - a fresh socket's /ws/echo round trips, and GET / (urllib), each answer
    within 2 s;
  - a sample of the held sockets still echo (none was dropped);
  - the PSS of gale's processes (master + workers, from
    /proc/PID/smaps_rollup) is measured before and after; the delta per
    socket is printed, and must stay under a generous ceiling (4 KiB by
    default) so that a regression keeping a read buffer per idle socket
    (e.g. 64 KiB) fails.
Then the held sockets are reset (RST); gale must still answer and exit 0 on
SIGTERM.

Usage: idle_sockets_test.py GALE_BINARY
Environment: GALE_IDLE_SOCKETS (default 10000), GALE_IDLE_MAX_BYTES_PER_SOCKET
(default 4096), GALE_IDLE_MAX_VIRTUAL_PER_SOCKET (default 16384: the
anonymous address space, which sees a per-socket buffer allocated but never
touched, as PSS does not). Prints "N passed, N failed"; exits 1 on any failure, 77 when
the file-descriptor limit cannot be raised far enough (ctest's
SKIP_RETURN_CODE). Every process it starts is stopped by its pid.
"""

import base64
import hashlib
import os
import resource
import selectors
import socket
import struct
import sys
import tempfile
import shutil
import time
import traceback
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "support"))
import gale_process  # noqa: E402
from gale_process import Results  # noqa: E402

SKIP = 77
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
N = int(os.environ.get("GALE_IDLE_SOCKETS", "10000"))
MAX_PER_SOCKET = int(os.environ.get("GALE_IDLE_MAX_BYTES_PER_SOCKET", "4096"))
# Untouched memory is not in PSS: a 64 KiB buffer per socket that is only
# allocated must still fail, on the address space it takes.
MAX_VIRTUAL_PER_SOCKET = int(os.environ.get(
    "GALE_IDLE_MAX_VIRTUAL_PER_SOCKET", "16384"))
BATCH = 500
OPEN_DEADLINE_S = 90      # all N sockets opened within this
FAST_S = 2.0              # each request while they are held


class Server(gale_process.Server):
    """gale on a free port (gale_process.Server), and how much memory its
    processes take."""

    def wait_ready(self, timeout=15):
        """Until /health answers and both workers run."""
        super().wait_ready(timeout, ready=lambda: len(self.pids()) >= 3)

    def pss_bytes(self):
        return sum(self.pss_by_pid().values())

    def pss_by_pid(self):
        total = {}
        for pid in self.pids():
            try:
                with open("/proc/%d/smaps_rollup" % pid) as f:
                    for line in f:
                        if line.startswith("Pss:"):
                            total[pid] = int(line.split()[1]) * 1024
                            break
            except OSError:
                pass
        return total

    def anon_virtual_bytes(self):
        """Address space of the anonymous mappings (heap included) of gale's
        processes: catches a buffer allocated per socket but never touched,
        which PSS does not see."""
        total = 0
        for pid in self.pids():
            try:
                with open("/proc/%d/smaps" % pid) as f:
                    anon = False
                    for line in f:
                        first = line.split(None, 1)[0]
                        if "-" in first and not first.endswith(":"):
                            fields = line.split()
                            anon = len(fields) < 6 or fields[5] == "[heap]"
                        elif first == "Size:" and anon:
                            total += int(line.split()[1]) * 1024
            except OSError:
                pass
        return total


def handshake_request(port, key):
    return ("GET /ws/echo HTTP/1.1\r\n"
            "Host: 127.0.0.1:%d\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Key: %s\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n" % (port, key)).encode()


def expected_accept(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def check_handshake(head, key):
    """None when head is a good 101 for key, else what is wrong."""
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1.1 101"):
        return "status line %r" % lines[0]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("sec-websocket-accept") != expected_accept(key):
        return "accept %r" % headers.get("sec-websocket-accept")
    if headers.get("upgrade", "").lower() != "websocket":
        return "upgrade %r" % headers.get("upgrade")
    return None


def new_key():
    return base64.b64encode(os.urandom(16)).decode()


def frame(opcode, payload):
    """One masked, final client frame."""
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    key = (mask * (n // 4 + 1))[:n]
    body = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")) \
        .to_bytes(n, "big") if n else b""
    return head + mask + body


def recv_exact(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise ConnectionError("closed by the server")
        out += chunk
    return out


def read_message(sock):
    """The next data frame's (opcode, payload); pings are answered."""
    while True:
        b0, b1 = recv_exact(sock, 2)
        if b1 & 0x80:
            raise ValueError("the server masked a frame")
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", recv_exact(sock, 2))[0]
        elif n == 127:
            n = struct.unpack("!Q", recv_exact(sock, 8))[0]
        payload = recv_exact(sock, n)
        opcode = b0 & 0x0F
        if opcode == 0x9:
            sock.sendall(frame(0xA, payload))
            continue
        if opcode == 0xA:
            continue
        return opcode, payload


def open_blocking(port, timeout=FAST_S):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    key = new_key()
    sock.sendall(handshake_request(port, key))
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed during the handshake")
        head += chunk
    head, _, rest = head.partition(b"\r\n\r\n")
    problem = check_handshake(head, key)
    if problem or rest:
        raise ValueError(problem or "bytes after the 101: %r" % rest)
    return sock


def open_many(port, count, results):
    """count WebSockets opened through a selector, BATCH at a time."""
    sel = selectors.DefaultSelector()
    held, failures = [], []
    started = time.monotonic()
    deadline = started + OPEN_DEADLINE_S
    left = count
    while left and time.monotonic() < deadline:
        pending = 0
        for _ in range(min(BATCH, left)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            key = new_key()
            sel.register(s, selectors.EVENT_WRITE,
                         {"key": key, "request": handshake_request(port, key),
                          "head": b""})
            pending += 1
        left -= pending
        while pending and time.monotonic() < deadline:
            for sk, events in sel.select(timeout=1.0):
                s, st = sk.fileobj, sk.data
                try:
                    if events & selectors.EVENT_WRITE:
                        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                        if err:
                            raise OSError(err, os.strerror(err))
                        sent = s.send(st["request"])
                        st["request"] = st["request"][sent:]
                        if not st["request"]:
                            sel.modify(s, selectors.EVENT_READ, st)
                        continue
                    chunk = s.recv(4096)
                    if not chunk:
                        raise ConnectionError("closed during the handshake")
                    st["head"] += chunk
                    if b"\r\n\r\n" not in st["head"]:
                        continue
                    head, _, rest = st["head"].partition(b"\r\n\r\n")
                    problem = check_handshake(head, st["key"])
                    if problem or rest:
                        raise ValueError(problem or "bytes after the 101")
                    sel.unregister(s)
                    held.append(s)
                    pending -= 1
                except (OSError, ValueError) as e:
                    sel.unregister(s)
                    s.close()
                    failures.append(repr(e))
                    pending -= 1
    for sk in list(sel.get_map().values()):
        failures.append("timed out")
        sk.fileobj.close()
    sel.close()
    took = time.monotonic() - started
    results.check("%d WebSockets opened" % count,
                  len(held) == count and not failures,
                  "%d opened in %.1f s, %d failed %r" %
                  (len(held), took, len(failures), failures[:3]))
    return held, took


# --- the checks -------------------------------------------------------------

def timed(fn):
    start = time.monotonic()
    value = fn()
    return value, time.monotonic() - start


def check_fast(server, results, label):
    port = server.port

    def echo_fresh():
        sock = open_blocking(port)
        try:
            ok = True
            for i in range(20):
                text = ("%s round trip %d" % (label, i)).encode()
                sock.sendall(frame(0x1, text))
                ok = ok and read_message(sock) == (0x1, text)
            data = os.urandom(70000)
            sock.sendall(frame(0x2, data))
            ok = ok and read_message(sock) == (0x2, data)
            sock.sendall(frame(0x8, struct.pack("!H", 1000)))
            opcode, payload = read_message(sock)
            return ok and opcode == 0x8 and payload[:2] == b"\x03\xe8"
        finally:
            sock.close()

    for attempt in range(3):
        try:
            ok, took = timed(echo_fresh)
        except Exception as e:
            ok, took = False, float("nan")
            print("  echo error:", repr(e))
        results.check("%s: fresh /ws/echo socket, 21 round trips + close "
                      "within %.0f s" % (label, FAST_S),
                      ok and took < FAST_S, "%.3f s" % took)

    def get_root():
        with urllib.request.urlopen(server.url + "/", timeout=FAST_S) as r:
            return r.status, r.read()

    for attempt in range(3):
        try:
            (status, body), took = timed(get_root)
        except Exception as e:
            status, body, took = None, repr(e), float("nan")
        results.check("%s: GET / within %.0f s" % (label, FAST_S),
                      status == 200 and body == b"Hello, world"
                      and took < FAST_S, "%.3f s %r" % (took, status))


def check_held_alive(held, results, sample=200):
    step = max(1, len(held) // sample)
    picked = held[::step][:sample]
    bad = []
    started = time.monotonic()
    for i, s in enumerate(picked):
        try:
            s.settimeout(FAST_S)
            text = ("held %d" % i).encode()
            s.sendall(frame(0x1, text))
            if read_message(s) != (0x1, text):
                bad.append(i)
        except Exception as e:
            bad.append((i, repr(e)))
    results.check("%d of the held sockets (spread) still echo" % len(picked),
                  not bad, "%.2f s, bad: %r" % (time.monotonic() - started,
                                                bad[:5]))


def run(binary, results):
    workdir = tempfile.mkdtemp(prefix="gale-idle-")
    server = Server(binary, workdir)
    held = []
    try:
        server.wait_ready()
        # Warm up: each worker's pools and the allocator see some traffic
        # before the baseline.
        for _ in range(3):
            check_fast(server, Results(), "warm-up")
        time.sleep(0.3)
        virtual_before = server.anon_virtual_bytes()
        before_by_pid = server.pss_by_pid()
        before = sum(before_by_pid.values())
        held, took = open_many(server.port, N, results)
        time.sleep(1.0)  # let the workers settle
        after_by_pid = server.pss_by_pid()
        virtual_after = server.anon_virtual_bytes()
        after = sum(after_by_pid.values())
        for pid in sorted(after_by_pid):
            print("  pid %d: PSS %+.0f KiB" % (
                pid, (after_by_pid[pid] - before_by_pid.get(pid, 0)) / 1024))
        per_socket = (after - before) / max(1, len(held))
        print("PSS of gale (%d processes): %.1f MiB before, %.1f MiB with "
              "%d idle WebSockets: %.0f bytes per socket (opened in %.1f s)"
              % (len(server.pids()), before / 2**20, after / 2**20,
                 len(held), per_socket, took), flush=True)
        results.check("PSS delta per idle WebSocket < %d bytes"
                      % MAX_PER_SOCKET,
                      len(held) > 0 and per_socket < MAX_PER_SOCKET,
                      "%.0f bytes" % per_socket)

        check_fast(server, results, "with %d held" % len(held))
        check_held_alive(held, results)
        virtual_per_socket = (virtual_after - virtual_before) / max(1, len(held))
        print("anonymous address space of gale: %.0f bytes per socket"
              % virtual_per_socket, flush=True)
        results.check("anonymous address space per idle WebSocket < %d bytes"
                      % MAX_VIRTUAL_PER_SOCKET,
                      virtual_per_socket < MAX_VIRTUAL_PER_SOCKET,
                      "%.0f bytes" % virtual_per_socket)

        running = server.proc.poll() is None
        results.check("gale still running with the sockets held", running,
                      "" if running else server.tail())

        # Reset them all at once (RST, no close handshake): gale cleans up.
        linger = struct.pack("ii", 1, 0)
        for s in held:
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            except OSError:
                pass
            s.close()
        held = []
        time.sleep(1.0)
        released = server.pss_bytes()
        print("PSS after the %d sockets were reset: %.1f MiB" %
              (N, released / 2**20), flush=True)
        check_fast(server, results, "after the reset")
    except Exception:
        traceback.print_exc()
        results.check("the run completed", False)
    finally:
        for s in held:
            s.close()
        status = server.stop(timeout=20)
        results.check("gale exits 0 on SIGTERM", status == 0,
                      "" if status == 0 else
                      "status=%r\n%s" % (status, server.tail()))
        shutil.rmtree(workdir, ignore_errors=True)


def raise_fd_limit(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < need:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, need))
            return True
        except (ValueError, OSError):
            return False
    if soft == resource.RLIM_INFINITY or soft >= need:
        return True
    resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    return True


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("GALE_BINARY")
    if not binary:
        print(__doc__)
        return 2
    # Ours: N client sockets. gale's (inherited; the master raises its soft
    # limit to the hard one): N accepted sockets, split over the workers,
    # but one worker might take most of them.
    if not raise_fd_limit(N + 1024):
        print("SKIP: RLIMIT_NOFILE cannot be raised to %d" % (N + 1024))
        return SKIP
    results = Results()
    run(os.path.abspath(binary), results)
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
