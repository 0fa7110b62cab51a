"""A Tornado long-poll chat, the peer of gale's /chat/* in bench/chat/.

    /usr/bin/python3 app.py --port N [--host 127.0.0.1] [--history 200]

The shape of Tornado's own chat demo (a message cache in the process, a
long-poll handler that waits on it), written for this benchmark with the
same routes and JSON as gale's built-in chat (SPEC §3):

    GET  /                "Hello, world" (the harness's readiness check)
    POST /chat/new        form field body -> {"id": "...", "body": "..."}
    POST /chat/updates    form field cursor (optional) -> {"messages": [...]}
                          at once when newer messages exist, else waits for
                          the next one, or 30 s -> {"messages": []}

One process: Tornado keeps the messages and the waiters in the memory of
the process, so under fork_processes a message posted to one worker would
never reach the waiters of another. Access logging is off. SIGTERM stops
it (Tornado's default handling: the process exits).
"""
import argparse
import asyncio
import collections
import uuid

import tornado.ioloop
import tornado.web

POLL_TIMEOUT = 30.0


class Room:
    """The kept history (bounded) and the futures of the waiting polls."""

    def __init__(self, history):
        self.messages = collections.deque(maxlen=history)
        self.waiting = set()

    def after(self, cursor):
        """Messages newer than cursor; the whole history when the cursor is
        missing or no longer kept (as Tornado's demo)."""
        if not cursor:
            return list(self.messages)
        for i in range(len(self.messages) - 1, -1, -1):
            if self.messages[i]["id"] == cursor:
                return list(self.messages)[i + 1:]
        return list(self.messages)

    def post(self, body):
        message = {"id": str(uuid.uuid4()), "body": body}
        self.messages.append(message)
        waiting, self.waiting = self.waiting, set()
        for fut in waiting:
            if not fut.done():
                fut.set_result([message])
        return message

    def wait(self):
        fut = asyncio.get_running_loop().create_future()
        self.waiting.add(fut)
        return fut

    def forget(self, fut):
        self.waiting.discard(fut)


class HelloHandler(tornado.web.RequestHandler):
    def get(self):
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.write("Hello, world")


class NewHandler(tornado.web.RequestHandler):
    def initialize(self, room):
        self.room = room

    def post(self):
        body = self.get_body_argument("body", None, strip=False)
        if body is None or not (1 <= len(body.encode("utf-8")) <= 4096):
            raise tornado.web.HTTPError(400)
        self.set_header("Cache-Control", "no-store")
        self.write(self.room.post(body))


class UpdatesHandler(tornado.web.RequestHandler):
    def initialize(self, room):
        self.room = room
        self.fut = None

    async def post(self):
        cursor = self.get_body_argument("cursor", None)
        self.set_header("Cache-Control", "no-store")
        messages = self.room.after(cursor)
        if not messages:
            self.fut = self.room.wait()
            try:
                messages = await asyncio.wait_for(self.fut, POLL_TIMEOUT)
            except asyncio.TimeoutError:
                messages = []
            except asyncio.CancelledError:
                return
            finally:
                self.room.forget(self.fut)
            if self.request.connection.stream.closed():
                return
        self.write({"messages": messages})

    def on_connection_close(self):
        # The client left while waiting: drop its future so the room does
        # not keep it until the next message.
        if self.fut is not None and not self.fut.done():
            self.room.forget(self.fut)
            self.fut.cancel()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--history", type=int, default=200)
    args = ap.parse_args()

    room = Room(args.history)
    app = tornado.web.Application(
        [
            (r"/", HelloHandler),
            (r"/chat/new", NewHandler, {"room": room}),
            (r"/chat/updates", UpdatesHandler, {"room": room}),
        ],
        log_function=lambda handler: None,  # access log off
    )

    async def serve():
        app.listen(args.port, args.host, backlog=1024)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
