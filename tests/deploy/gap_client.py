"""One sequential HTTP/1.1 keep-alive client: GET URL again and again for
at most SECONDS (or until STOP_FILE exists), and print one JSON line:
ok, failed, the longest gap between two successful responses (ms), the
slowest request (ms) and the first few failures.

Usage: gap_client.py URL SECONDS STOP_FILE
"""

import http.client
import json
import os
import sys
import time
import urllib.parse


def main():
    url, seconds, stop_file = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    u = urllib.parse.urlsplit(url)
    path = u.path or "/"
    conn = None
    ok = failed = 0
    failures = []
    start = time.monotonic()
    last_ok = start
    longest_gap = slowest = 0.0
    while time.monotonic() - start < seconds and not os.path.exists(stop_file):
        t0 = time.monotonic()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(u.hostname, u.port,
                                                  timeout=15)
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                raise RuntimeError("status %d" % r.status)
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
            now = time.monotonic()
            ok += 1
            longest_gap = max(longest_gap, now - last_ok)
            slowest = max(slowest, now - t0)
            last_ok = now
        except Exception as e:  # noqa: BLE001 - every failure is counted
            failed += 1
            if len(failures) < 10:
                failures.append("%.3f s: %r" % (time.monotonic() - start, e))
            if conn is not None:
                conn.close()
            conn = None
            time.sleep(0.01)
    print(json.dumps({"ok": ok, "failed": failed,
                      "longest_gap_ms": round(longest_gap * 1000, 1),
                      "slowest_ms": round(slowest * 1000, 1),
                      "failures": failures}), flush=True)


if __name__ == "__main__":
    main()
