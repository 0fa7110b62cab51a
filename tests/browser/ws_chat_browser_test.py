#!/usr/bin/env python3
"""/ws/chat (SPEC §3) from a real browser's WebSocket.

Starts gale on a free port with two workers, opens two independent headless
Chromium sessions (separate profiles), navigates each to a page gale serves
(http://127.0.0.1:PORT/, so the handshake's Origin is the same host), and in
each runs `new WebSocket("ws://127.0.0.1:PORT/ws/chat")`. Checks that
  - both sockets open (the same-host Origin is accepted);
  - a message sent by either page reaches the other and comes back to its
    sender, and both pages see the messages in the same order;
  - `ws.close(1000)` on one page gives a close event with code 1000 and
    wasClean == true, and the other page keeps working;
  - a page from a different origin (http://localhost:PORT/ is a different
    host than 127.0.0.1) is refused (SPEC: 403 -> the socket never opens);
  - the browser console has no errors from the allowed sockets.

Usage: ws_chat_browser_test.py GALE_BINARY  (or GALE_BINARY in the env)
Needs Debian's chromium, chromium-driver and python3-selenium; nothing is
downloaded. Prints "N passed, N failed"; exits 1 on any failure, 77 when the
browser is missing (ctest's SKIP_RETURN_CODE). Every process it starts is
stopped by its pid.
"""

import json
import os
import shutil
import sys
import tempfile
import time
import traceback
import urllib.request

SKIP = 77


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import (Results, Server, find,  # noqa: E402
                             have_system_module, new_browser, wait_until)


# Installed in the page: one socket in window.__ws, its events recorded in
# window.__log (messages, open, error, close with code/reason/wasClean).
OPEN_SOCKET = """
const url = arguments[0];
const done = arguments[arguments.length - 1];
window.__log = {opened: false, messages: [], errors: 0, close: null};
const ws = new WebSocket(url);
window.__ws = ws;
ws.onopen = () => { window.__log.opened = true; done("open"); };
ws.onmessage = (e) => { window.__log.messages.push(String(e.data)); };
ws.onerror = () => { window.__log.errors += 1; };
ws.onclose = (e) => {
  window.__log.close = {code: e.code, reason: e.reason, wasClean: e.wasClean};
  if (!window.__log.opened) done("closed before open: " + e.code);
};
"""

SEND = "window.__ws.send(arguments[0]);"
LOG = "return JSON.stringify(window.__log);"
CLOSE = "window.__ws.close(1000, arguments[0]);"


def log_of(driver):
    return json.loads(driver.execute_script(LOG))


def messages(driver):
    return log_of(driver)["messages"]


def appears_within(driver, text, seconds):
    start = time.monotonic()
    ok = wait_until(lambda: text in messages(driver), seconds)
    return ok, time.monotonic() - start


def run(binary, results):
    workdir = tempfile.mkdtemp(prefix="gale-wsbrowser-")
    server = Server(binary, workdir)
    drivers = []
    try:
        server.wait_ready()
        drivers = [new_browser(workdir, 0), new_browser(workdir, 1)]
        alice, bob = drivers
        ws_url = "ws://127.0.0.1:%d/ws/chat" % server.port
        for d in drivers:
            d.get(server.url + "/")
        states = [d.execute_async_script(OPEN_SOCKET, ws_url) for d in drivers]
        results.check("both pages' WebSockets open (same-host Origin)",
                      states == ["open", "open"], repr(states))
        time.sleep(0.2)  # both sockets subscribed on their workers

        ok, took = (False, 0.0)
        alice.execute_script(SEND, "hello from alice")
        ok, took = appears_within(bob, "hello from alice", 2.0)
        results.check("alice -> bob", ok, "%.3f s" % took)
        ok, took = appears_within(alice, "hello from alice", 2.0)
        results.check("alice sees her own message", ok, "%.3f s" % took)

        bob.execute_script(SEND, "hi alice, bob here")
        ok, took = appears_within(alice, "hi alice, bob here", 2.0)
        results.check("bob -> alice", ok, "%.3f s" % took)
        ok, took = appears_within(bob, "hi alice, bob here", 2.0)
        results.check("bob sees his own message", ok, "%.3f s" % took)

        # Both send a burst at once: the same order on both pages.
        for i in range(10):
            alice.execute_script(SEND, "a%d" % i)
            bob.execute_script(SEND, "b%d" % i)
        wait_until(lambda: all(len(messages(d)) >= 22 for d in drivers), 3.0)
        a, b = messages(alice), messages(bob)
        results.check("a burst from both pages arrives on both",
                      len(a) == 22 and len(b) == 22, "%d %d" % (len(a), len(b)))
        results.check("both pages see the same order", a == b,
                      "%r vs %r" % (a, b))

        alice.execute_script(CLOSE, "alice leaves")
        wait_until(lambda: log_of(alice)["close"] is not None, 5.0)
        closed = log_of(alice)["close"]
        results.check("ws.close(1000): close event code == 1000",
                      closed is not None and closed["code"] == 1000,
                      repr(closed))
        results.check("ws.close(1000): wasClean == true",
                      closed is not None and closed["wasClean"] is True,
                      repr(closed))

        bob.execute_script(SEND, "still here")
        ok, _ = appears_within(bob, "still here", 2.0)
        results.check("the other page keeps working after the close", ok)
        results.check("the other page saw no close",
                      log_of(bob)["close"] is None, repr(log_of(bob)["close"]))

        errors = []
        for d in drivers:
            # `/` is plain text; the browser's own favicon.ico probe 404s.
            errors += [e for e in d.get_log("browser")
                       if e.get("level") == "SEVERE"
                       and "favicon.ico" not in e.get("message", "")]
        results.check("no console errors", not errors, repr(errors))

        # A page of another origin: localhost is not 127.0.0.1 (the Origin
        # is http://localhost:PORT, the Host 127.0.0.1:PORT): 403, no open.
        alice.get("http://localhost:%d/" % server.port)
        state = alice.execute_async_script(OPEN_SOCKET, ws_url)
        results.check("a cross-origin page's WebSocket is refused",
                      state.startswith("closed before open"), repr(state))
    except Exception:
        traceback.print_exc()
        results.check("the run completed", False)
    finally:
        for d in drivers:
            try:
                d.quit()
            except Exception:
                pass
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("GALE_BINARY")
    if not binary:
        print(__doc__)
        return 2
    if not have_system_module("selenium"):
        print("SKIP: python3-selenium is not installed")
        return SKIP
    if not find(["chromium", "chromium-browser"]) or not find(["chromedriver"]):
        print("SKIP: chromium or chromium-driver is not installed")
        return SKIP
    results = Results()
    run(os.path.abspath(binary), results)
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
