#!/usr/bin/python3
"""The small bounded clients of gale's benchmarks (stdlib only, epoll).

hold      Scenario 5, standing connections. Opens up to --conns keep-alive
          connections to 127.0.0.1:--port, at most --window of them in
          flight at once; on each it sends one `GET /` and reads the whole
          answer, after which the connection stays idle. A connection not
          answered within --reply-timeout seconds is counted `unanswered`
          and closed; after --give-up such failures in a row with no success
          the server is taken to be full and opening stops. Then it prints
          one JSON line {"event": "ready", ...} and holds: it watches every
          idle connection for a close or reset, until a line arrives on
          stdin (or --max-hold seconds pass). Then it checks: every
          connection still open gets a second `GET /`, all at once, and
          those answered within --check-timeout seconds are `held`. It
          prints one JSON line {"event": "done", ...} and closes
          everything.

sleepers  Scenario 6, a slow handler among fast ones. Keeps --conns
          keep-alive connections each sending `GET /sleep?ms=--ms` again as
          soon as the last one is answered, prints {"event": "ready"} once
          every connection has its first request sent, and stops at a line
          on stdin (or --max-hold). The "done" line counts answers, errors
          and the latency of the sleeps (a sleep answered much later than
          --ms means the server queued it).

Every phase is bounded by a deadline; every socket is closed on exit.
Traffic goes to 127.0.0.1 only.
"""
import argparse
import errno
import json
import os
import resource
import select
import socket
import sys
import time

LOOPBACK = "127.0.0.1"


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for limit in (max(want, hard), hard):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, limit), limit))
            break
        except (ValueError, OSError):
            continue
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def response_complete(buf):
    """Length of the first complete HTTP response in buf, or 0 if none yet,
    or -1 if it is not a 200 (the caller counts it as an error)."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return 0
    head = buf[:end].decode("latin-1")
    lines = head.split("\r\n")
    status = lines[0].split(" ")
    length = None
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    body_start = end + 4
    if chunked:
        term = buf.find(b"\r\n0\r\n\r\n", body_start - 2)
        if term < 0:
            return 0
        total = term + 7
    else:
        total = body_start + (length or 0)
        if len(buf) < total:
            return 0
    if len(status) < 2 or status[1] != "200":
        return -1
    return total


class Conn:
    __slots__ = ("sock", "state", "buf", "deadline", "sent_at")

    def __init__(self, sock):
        self.sock = sock
        self.state = "connecting"
        self.buf = b""
        self.deadline = 0.0
        self.sent_at = 0.0


def new_socket(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    err = s.connect_ex((LOOPBACK, port))
    if err not in (0, errno.EINPROGRESS):
        s.close()
        raise OSError(err, os.strerror(err))
    return s


def stdin_ready(ep_events, stdin_fd):
    return any(fd == stdin_fd for fd, _ in ep_events)


def run_hold(a):
    limit = raise_nofile(a.conns + 1000)
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    ep = select.epoll()
    stdin_fd = sys.stdin.fileno()
    ep.register(stdin_fd, select.EPOLLIN)
    conns = {}  # fd -> Conn
    st = dict(target=a.conns, nofile=limit, attempted=0, served=0,
              unanswered=0, connect_failed=0, errors=0, closed_during_hold=0,
              held=0, check_unanswered=0)
    t0 = time.monotonic()
    open_deadline = t0 + a.open_timeout
    in_flight = 0
    fails_in_row = 0
    stop_opening = False
    stop_reason = "all opened"

    def drop(c, key):
        nonlocal in_flight
        if c.state in ("connecting", "waiting"):
            in_flight -= 1
        try:
            ep.unregister(c.sock.fileno())
        except (OSError, ValueError):
            pass
        conns.pop(c.sock.fileno(), None)
        c.sock.close()
        if key:
            st[key] += 1

    # Phase 1: open and serve one request on each.
    while True:
        now = time.monotonic()
        if not stop_opening:
            if now > open_deadline:
                stop_opening, stop_reason = True, "open timeout"
            elif fails_in_row >= a.give_up:
                stop_opening, stop_reason = True, "server full"
        while (not stop_opening and in_flight < a.window
               and st["attempted"] < a.conns):
            st["attempted"] += 1
            try:
                s = new_socket(a.port)
            except OSError:
                st["connect_failed"] += 1
                fails_in_row += 1
                continue
            c = Conn(s)
            c.deadline = now + a.reply_timeout
            conns[s.fileno()] = c
            ep.register(s.fileno(), select.EPOLLOUT | select.EPOLLIN
                        | select.EPOLLRDHUP)
            in_flight += 1
        if in_flight == 0 and (stop_opening or st["attempted"] >= a.conns):
            break
        events = ep.poll(0.05)
        for fd, ev in events:
            c = conns.get(fd)
            if c is None:
                continue
            if c.state == "connecting":
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err or ev & (select.EPOLLERR | select.EPOLLHUP):
                    fails_in_row += 1
                    drop(c, "connect_failed")
                    continue
                if ev & select.EPOLLOUT:
                    try:
                        c.sock.send(request)
                    except OSError:
                        fails_in_row += 1
                        drop(c, "errors")
                        continue
                    c.state = "waiting"
                    ep.modify(fd, select.EPOLLIN | select.EPOLLRDHUP)
                continue
            if c.state == "idle":
                # An idle connection became readable: closed or reset.
                try:
                    data = c.sock.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    drop(c, "closed_during_hold")
                continue
            if c.state == "waiting":
                try:
                    data = c.sock.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    fails_in_row += 1
                    drop(c, "errors")
                    continue
                if not data:
                    fails_in_row += 1
                    drop(c, "errors")
                    continue
                c.buf += data
                n = response_complete(c.buf)
                if n < 0:
                    fails_in_row += 1
                    drop(c, "errors")
                elif n > 0:
                    c.buf = b""
                    c.state = "idle"
                    in_flight -= 1
                    st["served"] += 1
                    fails_in_row = 0
        now = time.monotonic()
        for c in [c for c in conns.values()
                  if c.state in ("connecting", "waiting") and now > c.deadline]:
            fails_in_row += 1
            drop(c, "unanswered")
    st["stop_reason"] = stop_reason
    st["open_seconds"] = round(time.monotonic() - t0, 2)
    st["event"] = "ready"
    emit(st)

    # Phase 2: hold; note every close or reset.
    hold_deadline = time.monotonic() + a.max_hold
    while time.monotonic() < hold_deadline:
        events = ep.poll(0.5)
        if stdin_ready(events, stdin_fd):
            sys.stdin.readline()
            break
        for fd, ev in events:
            c = conns.get(fd)
            if c is None:
                continue
            try:
                data = c.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                drop(c, "closed_during_hold")
            # Unsolicited bytes on an idle connection: ignore them.
    st["hold_seconds"] = round(time.monotonic() - t0 - st["open_seconds"], 2)

    # Phase 3: is each one still answered?
    try:
        ep.unregister(stdin_fd)
    except OSError:
        pass
    now = time.monotonic()
    for c in list(conns.values()):
        try:
            c.sock.send(request)
        except OSError:
            drop(c, "closed_during_hold")
            continue
        c.state = "waiting"
    check_deadline = now + a.check_timeout
    while time.monotonic() < check_deadline and any(
            c.state == "waiting" for c in conns.values()):
        for fd, ev in ep.poll(0.05):
            c = conns.get(fd)
            if c is None or c.state != "waiting":
                continue
            try:
                data = c.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                c.state = "dead"
                continue
            c.buf += data
            n = response_complete(c.buf)
            if n != 0:
                c.state = "answered" if n > 0 else "dead"
    for c in conns.values():
        if c.state == "answered":
            st["held"] += 1
        else:
            st["check_unanswered"] += 1
    for c in list(conns.values()):
        c.sock.close()
    conns.clear()
    st["event"] = "done"
    emit(st)


def run_sleepers(a):
    raise_nofile(a.conns + 100)
    request = ("GET /sleep?ms=%d HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
               % a.ms).encode()
    ep = select.epoll()
    stdin_fd = sys.stdin.fileno()
    ep.register(stdin_fd, select.EPOLLIN)
    conns = {}
    st = dict(target=a.conns, ms=a.ms, answered=0, errors=0, reconnects=0)
    latencies = []

    def open_one():
        s = new_socket(a.port)
        c = Conn(s)
        conns[s.fileno()] = c
        ep.register(s.fileno(), select.EPOLLOUT | select.EPOLLIN
                    | select.EPOLLRDHUP)

    def close_one(c):
        try:
            ep.unregister(c.sock.fileno())
        except (OSError, ValueError):
            pass
        conns.pop(c.sock.fileno(), None)
        c.sock.close()

    for _ in range(a.conns):
        open_one()
    t0 = time.monotonic()
    ready = False
    deadline = t0 + a.max_hold
    stopping = False
    while time.monotonic() < deadline and not stopping:
        events = ep.poll(0.1)
        for fd, ev in events:
            if fd == stdin_fd:
                sys.stdin.readline()
                stopping = True
                continue
            c = conns.get(fd)
            if c is None:
                continue
            if c.state == "connecting":
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err or ev & (select.EPOLLERR | select.EPOLLHUP):
                    st["errors"] += 1
                    close_one(c)
                    continue
                if ev & select.EPOLLOUT:
                    try:
                        c.sock.send(request)
                    except OSError:
                        st["errors"] += 1
                        close_one(c)
                        continue
                    c.sent_at = time.monotonic()
                    c.state = "waiting"
                    ep.modify(fd, select.EPOLLIN | select.EPOLLRDHUP)
                continue
            try:
                data = c.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                st["errors"] += 1
                close_one(c)
                continue
            c.buf += data
            n = response_complete(c.buf)
            if n == 0:
                continue
            if n < 0:
                st["errors"] += 1
                close_one(c)
                continue
            st["answered"] += 1
            now = time.monotonic()
            latencies.append(now - c.sent_at)
            c.buf = c.buf[n:]
            try:
                c.sock.send(request)
                c.sent_at = now
            except OSError:
                st["errors"] += 1
                close_one(c)
        # Keep the count up: reopen what the server closed (bounded by the
        # deadline; a refused connect counts as an error).
        while len(conns) < a.conns and not stopping:
            try:
                open_one()
                st["reconnects"] += 1
            except OSError:
                st["errors"] += 1
                break
        if not ready and all(c.state == "waiting" for c in conns.values()):
            ready = True
            emit(dict(event="ready", conns=len(conns),
                      seconds=round(time.monotonic() - t0, 2)))
    in_flight = sum(1 for c in conns.values() if c.state == "waiting")
    for c in list(conns.values()):
        c.sock.close()
    latencies.sort()

    def pct(p):
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1,
                                   int(p * len(latencies)))] * 1000, 1)

    st.update(event="done", ready=ready, in_flight_at_stop=in_flight,
              seconds=round(time.monotonic() - t0, 2),
              latency_ms_p50=pct(0.5), latency_ms_p99=pct(0.99),
              latency_ms_max=(round(latencies[-1] * 1000, 1)
                              if latencies else None))
    emit(st)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=("hold", "sleepers"))
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--conns", type=int, default=10000)
    ap.add_argument("--window", type=int, default=500,
                    help="hold: connections in flight while opening")
    ap.add_argument("--reply-timeout", type=float, default=3.0)
    ap.add_argument("--open-timeout", type=float, default=60.0)
    ap.add_argument("--check-timeout", type=float, default=10.0,
                    help="hold: time for every held connection to answer "
                    "its second request (they are all sent at once)")
    ap.add_argument("--give-up", type=int, default=1000,
                    help="hold: stop opening after this many failures in a row")
    ap.add_argument("--max-hold", type=float, default=120.0)
    ap.add_argument("--ms", type=int, default=1000, help="sleepers: ms")
    a = ap.parse_args()
    if a.conns < 1 or a.conns > 60000:
        ap.error("--conns must be 1..60000")
    if a.mode == "hold":
        run_hold(a)
    else:
        run_sleepers(a)


if __name__ == "__main__":
    main()
