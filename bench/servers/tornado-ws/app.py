#!/usr/bin/python3
"""Tornado peer of gale's WebSocket benchmarks (bench/websocket/).

One process (Tornado's WebSocket rooms live in one process's memory), the
routes written as Tornado's documentation and its chat demo write them:
  GET /          Hello, world (readiness check)
  GET /ws/echo   echoes every text/binary message
  GET /ws/chat   every text message goes to every connected client, the
                 sender included (binary -> close 1003)
No compression (get_compression_options returns None, the default), no
pings (websocket_ping_interval unset), any Origin accepted (the load tool
sends none anyway). Listens on 127.0.0.1 with a backlog of 1024, like gale.
Stopped by SIGTERM.
"""
import argparse
import asyncio
import signal

import tornado.httpserver
import tornado.ioloop
import tornado.netutil
import tornado.web
import tornado.websocket


class Hello(tornado.web.RequestHandler):
    def get(self):
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.write("Hello, world")


class Echo(tornado.websocket.WebSocketHandler):
    def check_origin(self, origin):
        return True

    def on_message(self, message):
        self.write_message(message, binary=isinstance(message, bytes))


class Chat(tornado.websocket.WebSocketHandler):
    waiters = set()

    def check_origin(self, origin):
        return True

    def open(self):
        Chat.waiters.add(self)

    def on_close(self):
        Chat.waiters.discard(self)

    def on_message(self, message):
        if isinstance(message, bytes):
            self.close(1003)
            return
        for waiter in list(Chat.waiters):
            try:
                waiter.write_message(message)
            except tornado.websocket.WebSocketClosedError:
                pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    a = ap.parse_args()
    app = tornado.web.Application([
        (r"/", Hello), (r"/ws/echo", Echo), (r"/ws/chat", Chat)])
    sockets = tornado.netutil.bind_sockets(a.port, "127.0.0.1",
                                           backlog=1024)
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    loop = tornado.ioloop.IOLoop.current()
    signal.signal(signal.SIGTERM,
                  lambda *_: loop.add_callback_from_signal(loop.stop))
    loop.start()


if __name__ == "__main__":
    main()
