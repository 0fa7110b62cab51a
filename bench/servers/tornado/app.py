"""Tornado peer for gale's benchmarks (Debian's python3-tornado).

    python3 app.py --port N --workers N --static-root DIR

The same routes as gale's built-in app, written the way Tornado's own docs
write them: GET / "Hello, world", GET /sleep?ms=N (await asyncio.sleep),
GET /static/... (StaticFileHandler). Like gale, the parent binds the socket
and forks the workers (tornado.process.fork_processes), then only
supervises. Access logging is off.

Stopping: SIGTERM to the parent makes it SIGTERM its whole process group
(its workers) and exit, so that bench/run can stop it by its own pid and
find nothing left behind. (A bare fork_processes parent dies alone and
leaves its children running.)
"""
import argparse
import asyncio
import os
import signal

import tornado.httpserver
import tornado.ioloop
import tornado.netutil
import tornado.process
import tornado.web


class HelloHandler(tornado.web.RequestHandler):
    def get(self):
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.write("Hello, world")


class SleepHandler(tornado.web.RequestHandler):
    async def get(self):
        try:
            ms = int(self.get_argument("ms", "0"))
        except ValueError:
            raise tornado.web.HTTPError(400)
        ms = max(0, min(ms, 60000))
        await asyncio.sleep(ms / 1000.0)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.write("slept %d" % ms)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--static-root", required=True)
    args = ap.parse_args()

    parent = os.getpid()

    def on_term(signum, frame):
        if os.getpid() == parent:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            try:
                os.killpg(os.getpgid(0), signal.SIGTERM)
            finally:
                os._exit(0)
        os._exit(0)

    signal.signal(signal.SIGTERM, on_term)

    sockets = tornado.netutil.bind_sockets(args.port, args.host, backlog=1024)
    tornado.process.fork_processes(args.workers)

    app = tornado.web.Application(
        [
            (r"/", HelloHandler),
            (r"/sleep", SleepHandler),
            (r"/static/(.*)", tornado.web.StaticFileHandler,
             {"path": args.static_root}),
        ],
        log_function=lambda handler: None,  # access log off
    )

    async def serve():
        server = tornado.httpserver.HTTPServer(
            app, idle_connection_timeout=75)
        server.add_sockets(sockets)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
