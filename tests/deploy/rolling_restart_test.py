"""scripts/rolling-restart under load through nginx: 0 failed requests.

Three gale instances (--workers 2, a pid file each; one network namespace
each where the test can make them) behind nginx configured after
deploy/nginx/gale-upstream.conf. While wrk loads GET PATH through nginx
and a sequential client measures the longest gap between two successful
responses, scripts/rolling-restart (plain mode) restarts the three
instances one by one. The test asserts:
  - the script exits 0 and every instance runs a new master, healthy;
  - wrk: no non-2xx/3xx response and no socket error;
  - the sequential client: no failure.
and prints the figures (requests, failures, longest gap, wrk's max latency).

Usage: rolling_restart_test.py GALE [--path /] [--seconds 20] [--keep]
       [--post BODY] [--reuse-port] [--no-netns] (wrk POSTs BODY to --path; the sequential client GETs /)
Exit 0 pass, 1 fail, 77 skip (no nginx, wrk or curl).
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deploy_support as ds  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gale", nargs="?", default=os.environ.get("GALE_BINARY"))
    ap.add_argument("--path", default="/")
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--pause", default="3")
    ap.add_argument("--post", default=None,
                    help="wrk POSTs this urlencoded body to --path")
    ap.add_argument("--no-netns", action="store_true")
    ap.add_argument("--reuse-port", action="store_true",
                    help="instances with reuse_port: true")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    a = ap.parse_args()
    for tool in ("nginx", "wrk", "curl"):
        if not ds.find_tool(tool):
            print("SKIP: %s is not installed" % tool)
            return ds.SKIP
    if not a.gale:
        print("usage: rolling_restart_test.py GALE")
        return 2

    c = ds.Cluster(a.gale, use_netns=not a.no_netns, keep=a.keep,
                   config_yaml="reuse_port: true\n" if a.reuse_port else None)
    failures = []
    try:
        c.start()
        old = [c.master_pid(i) for i in range(c.count)]
        stop_file = os.path.join(c.dir, "stop-gap-client")
        wrk = ds.run_wrk(c, a.path, a.seconds, a.connections, post=a.post)
        gap = ds.start_gap_client(c, a.path if a.post is None else "/",
                                  a.seconds + 5, stop_file)
        time.sleep(2)  # steady load first

        cmd = [ds.ROLLING_RESTART, "--pause", a.pause,
               "--log-dir", c.dir]
        for i in range(c.count):
            cmd += ["--instance", c.pidfile(i), c.health_url(i),
                    c.gale_command(i)]
        t0 = time.monotonic()
        # In the lb namespace: the script asks each instance's /health.
        # A child recorded by the cluster: stopped first on any exit.
        rr = c.client(cmd)
        rr_out, rr_err = rr.communicate(timeout=180)
        took = time.monotonic() - t0
        ds.log("rolling-restart exit %d in %.1f s\n%s%s" % (
            rr.returncode, took, rr_out, rr_err))
        if rr.returncode != 0:
            failures.append("rolling-restart exited %d" % rr.returncode)

        out, err = wrk.communicate(timeout=a.seconds + 30)
        with open(stop_file, "w"):
            pass
        g = ds.finish_gap_client(gap, timeout=30)
        w = ds.parse_wrk(out)
        if took > a.seconds - 2:
            failures.append("the restart (%.1f s) outlasted the wrk run "
                            "(%d s): raise --seconds" % (took, a.seconds))

        new = [c.master_pid(i) for i in range(c.count)]
        for i in range(c.count):
            if new[i] is None or new[i] == old[i] or not ds.alive(new[i]):
                failures.append("instance %d: master %s -> %s" % (
                    i + 1, old[i], new[i]))
            elif c.health(i) != "200":
                failures.append("instance %d is not healthy after" % (i + 1))
        if w["requests"] is None:
            failures.append("could not read wrk's output: %r %r" % (out, err))
        if w["failed"]:
            failures.append("wrk: %d non-2xx/3xx, %s" % (
                w["non2xx"], w.get("socket_detail", "no socket errors")))
        if g["failed"]:
            failures.append("sequential client: %d failed: %s" % (
                g["failed"], "; ".join(g["failures"])))

        print("FIGURES rolling-restart%s: topology=%s path=%s wrk -t2 -c%d "
              "-d%ds%s: requests=%s failed=%d (non2xx=%d socket=%d) "
              "rps=%s wrk_max_latency_ms=%s | sequential: ok=%d failed=%d "
              "longest_gap_ms=%s slowest_ms=%s | restart took %.1f s" % (
                  " (reuse_port)" if a.reuse_port else "",
                  "netns" if c.netns else "loopback", a.path,
                  a.connections, a.seconds,
                  " POST" if a.post is not None else "", w["requests"], w["failed"],
                  w["non2xx"], w["socket_errors"], w["rps"],
                  w["max_latency_ms"], g["ok"], g["failed"],
                  g["longest_gap_ms"], g["slowest_ms"], took), flush=True)
        if failures:
            print(out)
            print(c.tail("nginx-error.log", 30))
    except Exception as e:  # noqa: BLE001
        failures.append("error: %r" % (e,))
    finally:
        c.close()
    for f in failures:
        print("FAIL:", f)
    print("PASS" if not failures else "FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
