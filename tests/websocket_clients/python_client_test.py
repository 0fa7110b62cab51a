#!/usr/bin/env python3
"""/ws/echo and /ws/chat (SPEC §3) against a strict, real client library.

Debian's python3-websockets (10.x, for /usr/bin/python3) talks to the real
gale binary started on a free port with --workers 2, and checks:
  - /ws/echo echoes text and binary messages of several sizes, up to
    max_message_bytes (1 MiB) exactly; one byte more is closed with 1009;
  - ws.ping() gets its pong;
  - a clean close: code 1000 sent and received (ws.close_code == 1000);
  - /ws/chat: a text message reaches 5 clients, the sender included; when 3
    clients send at once, every client sees every message, in one order;
  - a binary message on /ws/chat is closed with 1003;
  - SIGTERM to gale with sockets open: every client receives close 1001
    (going away), and gale exits 0.

Usage: python_client_test.py GALE_BINARY   (or GALE_BINARY in the environment)
Prints "N passed, N failed"; exits 1 on any failure, 77 when
python3-websockets is missing (ctest's SKIP_RETURN_CODE). Every process it
starts is stopped by its pid.
"""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "support"))
import gale_process  # noqa: E402
from gale_process import Results, have_system_module  # noqa: E402

SKIP = 77
MIB = 1 << 20
TIMEOUT = 10  # seconds, for any single client operation


class Server(gale_process.Server):
    """gale on a free port (gale_process.Server), and which worker holds a
    connection."""

    def worker_of(self, client_port):
        """The worker pid holding the server end of our connection from
        client_port (via /proc/net/tcp and the workers' fds), or None."""
        inode = None
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                parts = line.split()
                local = int(parts[1].split(":")[1], 16)
                remote = int(parts[2].split(":")[1], 16)
                if local == self.port and remote == client_port:
                    inode = parts[9]
                    break
        if inode is None:
            return None
        target = "socket:[%s]" % inode
        for pid in self.workers():
            try:
                for fd in os.listdir("/proc/%d/fd" % pid):
                    try:
                        if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == target:
                            return pid
                    except OSError:
                        pass
            except OSError:
                pass
        return None


def connect(url, **kwargs):
    import websockets
    kwargs.setdefault("compression", None)
    kwargs.setdefault("open_timeout", TIMEOUT)
    kwargs.setdefault("close_timeout", TIMEOUT)
    kwargs.setdefault("ping_interval", None)  # our pings are explicit
    return websockets.connect(url, **kwargs)


async def recv(ws, timeout=TIMEOUT):
    return await asyncio.wait_for(ws.recv(), timeout)


async def expect_close(ws, timeout=TIMEOUT):
    """Waits for the server to close ws; returns (code received, detail)."""
    import websockets
    try:
        while True:
            message = await recv(ws, timeout)
            # A message before the close is not an error here; keep reading.
            del message
    except websockets.ConnectionClosed as e:
        code = e.rcvd.code if e.rcvd is not None else None
        return code, "rcvd=%r sent=%r" % (e.rcvd, e.sent)
    except asyncio.TimeoutError:
        return None, "no close within %d s" % timeout


def _exact_text(size):
    """A text of exactly `size` UTF-8 bytes, multi-byte characters mixed in."""
    unit = "gale é 水 🌬 "
    out = []
    used = 0
    for ch in unit * (size // 4 + 1):
        n = len(ch.encode())
        if used + n > size:
            break
        out.append(ch)
        used += n
    out.append("x" * (size - used))
    text = "".join(out)
    assert len(text.encode()) == size
    return text


SIZES = [0, 1, 125, 126, 65535, 65536, 100000, MIB - 1, MIB]


async def test_echo(server, results):
    async with connect(server.ws + "/ws/echo", max_size=None) as ws:
        for size in SIZES:
            text = _exact_text(size)
            await ws.send(text)
            got = await recv(ws)
            results.check("echo text %d bytes" % size, got == text,
                          "got %s of %d chars" % (type(got).__name__,
                                                  len(got)))
            data = os.urandom(size)
            await ws.send(data)
            got = await recv(ws)
            results.check("echo binary %d bytes" % size, got == data,
                          "got %s of %d bytes" % (type(got).__name__,
                                                  len(got)))
        # Several messages in flight before reading any.
        messages = ["m%d" % i for i in range(200)]
        for m in messages:
            await ws.send(m)
        got = [await recv(ws) for _ in messages]
        results.check("200 pipelined echoes in order", got == messages)

        waiter = await ws.ping(b"are you there")
        try:
            await asyncio.wait_for(waiter, TIMEOUT)
            results.check("ping answered with pong", True)
        except asyncio.TimeoutError:
            results.check("ping answered with pong", False, "no pong")
        # Pings interleaved with a fragmented-free stream of messages.
        waiters = [await ws.ping(("p%d" % i).encode()) for i in range(5)]
        await ws.send("after pings")
        got = await recv(ws)
        done, pending = await asyncio.wait(waiters, timeout=TIMEOUT)
        results.check("5 pings, 5 pongs, echo still works",
                      not pending and got == "after pings",
                      "pending=%d got=%r" % (len(pending), got))

        await ws.close(1000, "bye")
        results.check("clean close: ws.close_code == 1000",
                      ws.close_code == 1000, "close_code=%r" % ws.close_code)
        results.check("clean close: server answered 1000",
                      ws.close_rcvd is not None and ws.close_rcvd.code == 1000,
                      "close_rcvd=%r" % ws.close_rcvd)
        results.check("clean close: we sent 1000 first",
                      ws.close_sent is not None and ws.close_sent.code == 1000
                      and ws.close_rcvd_then_sent is False,
                      "close_sent=%r then_sent=%r" % (ws.close_sent,
                                                      ws.close_rcvd_then_sent))


async def test_fragmented_echo(server, results):
    async with connect(server.ws + "/ws/echo") as ws:
        # websockets sends an iterable as one fragmented message.
        parts = ["frag-", "mented ", "é水", " message"]
        await ws.send(iter(parts))
        got = await recv(ws)
        results.check("fragmented text message reassembled", got ==
                      "".join(parts), repr(got))
        await ws.close()


async def test_too_big(server, results):
    async with connect(server.ws + "/ws/echo", max_size=None) as ws:
        await ws.send(b"\0" * (MIB + 1))
        code, detail = await expect_close(ws)
        results.check("message of max_message_bytes + 1 -> close 1009",
                      code == 1009, detail)


async def test_chat_broadcast(server, results, tag):
    clients = [await connect(server.ws + "/ws/chat") for _ in range(5)]
    try:
        # The broadcast must cross workers: if the kernel gave all five to
        # one worker, add clients until the other worker holds one too.
        workers = {server.worker_of(ws.local_address[1]) for ws in clients}
        while len(workers - {None}) < 2 and len(clients) < 40:
            clients.append(await connect(server.ws + "/ws/chat"))
            workers.add(server.worker_of(clients[-1].local_address[1]))
        results.check("chat: the clients span both workers",
                      len(workers - {None}) == 2,
                      "%d clients on workers %r" % (len(clients), workers))
        await asyncio.sleep(0.2)  # every client subscribed on its worker
        message = "%s hello everyone" % tag
        await clients[2].send(message)
        for i, ws in enumerate(clients):
            got = await next_tagged(ws, tag)
            results.check("chat: client %d%s receives the broadcast" %
                          (i, " (sender)" if i == 2 else ""),
                          got == message, repr(got))
    finally:
        for ws in clients:
            await ws.close()


async def next_tagged(ws, tag, timeout=TIMEOUT):
    """The next message that belongs to this test run (skips others)."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise asyncio.TimeoutError()
        m = await recv(ws, left)
        if isinstance(m, str) and m.startswith(tag):
            return m


async def test_chat_order(server, results, tag):
    clients = [await connect(server.ws + "/ws/chat") for _ in range(5)]
    per_sender = 30
    senders = clients[:3]
    try:
        await asyncio.sleep(0.2)

        async def send_all(index, ws):
            for n in range(per_sender):
                await ws.send("%s s%d n%d" % (tag, index, n))
                if n % 7 == 0:
                    await asyncio.sleep(0)

        async def receive_all(ws):
            got = []
            while len(got) < per_sender * len(senders):
                got.append(await next_tagged(ws, tag))
            return got

        receivers = [asyncio.create_task(receive_all(ws)) for ws in clients]
        await asyncio.gather(*(send_all(i, ws) for i, ws in enumerate(senders)))
        try:
            seen = await asyncio.wait_for(asyncio.gather(*receivers),
                                          2 * TIMEOUT)
        except asyncio.TimeoutError:
            for t in receivers:
                t.cancel()
            results.check("chat: 3 concurrent senders, all messages arrive",
                          False, "timed out")
            return
        expected = sorted("%s s%d n%d" % (tag, i, n)
                          for i in range(len(senders))
                          for n in range(per_sender))
        results.check("chat: 3 concurrent senders, every client gets all %d"
                      % len(expected),
                      all(sorted(s) == expected for s in seen),
                      [len(s) for s in seen])
        results.check("chat: every client sees one and the same order",
                      all(s == seen[0] for s in seen),
                      "first orders: %r" % [s[:6] for s in seen])
        # Each sender's own messages stay in the order it sent them.
        in_order = all(
            [m for m in seen[0] if (" s%d " % i) in m] ==
            ["%s s%d n%d" % (tag, i, n) for n in range(per_sender)]
            for i in range(len(senders)))
        results.check("chat: each sender's messages keep their order",
                      in_order)
    finally:
        for ws in clients:
            await ws.close()


async def test_chat_binary(server, results):
    async with connect(server.ws + "/ws/chat") as ws:
        await ws.send(b"\x01\x02binary")
        code, detail = await expect_close(ws)
        results.check("chat: binary message -> close 1003", code == 1003,
                      detail)
        results.check("chat: ws.close_code == 1003 after the handshake",
                      ws.close_code == 1003, "close_code=%r" % ws.close_code)


async def test_sigterm(binary, workdir, results):
    server = Server(binary, workdir, name="gale-sigterm")
    try:
        server.wait_ready()
        echo = [await connect(server.ws + "/ws/echo") for _ in range(6)]
        chat = [await connect(server.ws + "/ws/chat") for _ in range(6)]
        everyone = echo + chat
        # Every socket is live and answering before the signal.
        for ws in echo:
            await ws.send("before")
            await recv(ws)
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        outcomes = await asyncio.gather(*(expect_close(ws, 15)
                                          for ws in everyone))
        took = time.monotonic() - started
        codes = [code for code, _ in outcomes]
        results.check("SIGTERM: all %d clients receive close 1001"
                      % len(everyone), all(c == 1001 for c in codes),
                      "codes=%r %s" % (codes, outcomes[0][1]))
        results.check("SIGTERM: close_code 1001 on the client side",
                      all(ws.close_code == 1001 for ws in everyone),
                      [ws.close_code for ws in everyone])
        try:
            status = await asyncio.get_running_loop().run_in_executor(
                None, lambda: server.proc.wait(timeout=20))
        except subprocess.TimeoutExpired:
            status = None
        results.check("SIGTERM: gale exits 0", status == 0,
                      "status=%r after %.2f s\n%s" % (status, took,
                                                      server.tail()))
        for ws in everyone:
            await ws.close()
    finally:
        server.stop()


async def run_all(binary, workdir, results):
    server = Server(binary, workdir)
    try:
        server.wait_ready()
        tag = "t%d" % os.getpid()
        for name, coro in [
                ("echo", test_echo(server, results)),
                ("fragmented", test_fragmented_echo(server, results)),
                ("too big", test_too_big(server, results)),
                ("chat broadcast", test_chat_broadcast(server, results,
                                                       tag + "a")),
                ("chat order", test_chat_order(server, results, tag + "b")),
                ("chat binary", test_chat_binary(server, results))]:
            try:
                await asyncio.wait_for(coro, 60)
            except Exception:
                traceback.print_exc()
                results.check("%s: the run completed" % name, False)
        results.check("gale still running after the client tests",
                      server.proc.poll() is None, server.tail())
    finally:
        server.stop()
    try:
        await asyncio.wait_for(test_sigterm(binary, workdir, results), 60)
    except Exception:
        traceback.print_exc()
        results.check("sigterm: the run completed", False)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("GALE_BINARY")
    if not binary:
        print(__doc__)
        return 2
    if not have_system_module("websockets"):
        print("SKIP: python3-websockets is not installed")
        return SKIP
    results = Results()
    workdir = tempfile.mkdtemp(prefix="gale-wsclient-")
    try:
        asyncio.run(run_all(os.path.abspath(binary), workdir, results))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
