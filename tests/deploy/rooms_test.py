"""Rooms that span instances through Redis, behind nginx (issue 12): three
gale instances (2 workers each, pubsub.backend: redis; each in a network
namespace of its own where the test may create them) and a redis-server
where nginx is. A chat post and a /ws/chat message sent through nginx reach
long-polls and sockets on every instance, once; a cursor carried from one
instance to another loses and repeats nothing (rooms_client.py).

Usage: rooms_test.py GALE [--keep] [--no-netns]
Exit 0 pass, 1 fail, 77 skip (no nginx, curl, redis-server or websockets).
"""

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deploy_support as ds  # noqa: E402

REDIS = "/usr/bin/redis-server"


def start_redis(c):
    host = ds.SUBNET + ".1" if c.netns else "127.0.0.1"
    port = 6390 if c.netns else ds.free_port()
    logf = open(os.path.join(c.dir, "redis.log"), "a")
    p = subprocess.Popen(c.in_lb() + [
        REDIS, "--bind", host, "--port", str(port), "--save", "",
        "--appendonly", "no", "--dir", c.dir, "--protected-mode", "no"],
        stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True)
    logf.close()
    c.started.append(p)
    ok = ds.wait_until(lambda: c.run_in_lb(
        ["redis-cli", "-h", host, "-p", str(port), "ping"],
        timeout=5).stdout.strip() == "PONG", 10, 0.1)
    if not ok:
        raise RuntimeError("redis-server did not start:\n" + c.tail(
            "redis.log"))
    return "redis://%s:%d/0" % (host, port)


def check(out, failures):
    post = [{"id": out["post_id"], "body": "hello across"}]
    for k, messages in enumerate(out["polls"]):
        if messages != post:
            failures.append("long-poll %d got %r, want %r" % (k, messages,
                                                              post))
    for k, got in enumerate(out["sockets"]):
        if got != ["ws across"]:
            failures.append("socket %d got %r, want ['ws across'] once"
                            % (k, got))
    for k, messages in enumerate(out["carried"]):
        if messages != post:
            failures.append("the seed's cursor on instance %d gave %r, "
                            "want %r" % (k + 1, messages, post))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gale")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--no-netns", action="store_true")
    a = ap.parse_args()
    python = ds.system_python()
    for tool in ("nginx", "curl", "redis-cli"):
        if not ds.find_tool(tool):
            print("SKIP: %s not installed" % tool)
            return ds.SKIP
    if not os.path.exists(REDIS) or not python:
        print("SKIP: redis-server or python3-websockets not installed")
        return ds.SKIP
    c = ds.Cluster(a.gale, use_netns=not a.no_netns, keep=a.keep)
    failures = []
    try:
        url = start_redis(c)
        c.config = os.path.join(c.dir, "gale.yaml")
        with open(c.config, "w") as f:
            f.write("pubsub:\n  backend: redis\n  redis_url: \"%s\"\n"
                    "  prefix: rooms\n" % url)
        c.start()
        bases = ["http://%s:%d" % hp for hp in zip(c.hosts, c.ports)]
        r = c.run_in_lb([python, os.path.join(ds.HERE, "rooms_client.py"),
                         c.nginx_url] + bases, timeout=90)
        if r.returncode != 0:
            failures.append("rooms_client.py failed: %s" % r.stderr[-2000:])
        else:
            out = json.loads(r.stdout.strip().splitlines()[-1])
            print("FIGURES rooms: %d long-polls and %d sockets over %d "
                  "instances + nginx, each got the post once" % (
                      len(out["polls"]), len(out["sockets"]), c.count),
                  flush=True)
            check(out, failures)
    finally:
        c.close()
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
