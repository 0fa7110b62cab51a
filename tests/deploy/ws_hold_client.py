"""WebSocket clients that ride through a rolling restart (python3-websockets).

SOCKETS clients each hold /ws/echo through nginx and send a message every
50 ms, checking the echo. When gale closes a socket (a draining instance
says 1001, going away) the client reconnects at once through nginx, which
sends it to an instance still serving. Runs until STOP_FILE exists (or 120
s), then prints one JSON line: echoes, the close codes seen, reconnects,
failed connection attempts and echo mismatches.

Usage: ws_hold_client.py WS_URL SOCKETS STOP_FILE
"""

import asyncio
import collections
import json
import os
import sys
import time

import websockets


async def one(url, stop_file, stats):
    n = 0
    while not os.path.exists(stop_file):
        try:
            ws = await websockets.connect(url, open_timeout=5)
        except Exception as e:  # noqa: BLE001 - counted
            stats["connect_failures"] += 1
            stats["errors"].append("connect: %r" % (e,))
            await asyncio.sleep(0.1)
            continue
        stats["connects"] += 1
        try:
            while not os.path.exists(stop_file):
                n += 1
                msg = "m%d" % n
                await ws.send(msg)
                got = await asyncio.wait_for(ws.recv(), 5)
                if got != msg:
                    stats["mismatches"] += 1
                stats["echoes"] += 1
                await asyncio.sleep(0.05)
            await ws.close()
        except websockets.ConnectionClosed as e:
            stats["closes"][str(e.code)] += 1
        except Exception as e:  # noqa: BLE001 - counted
            stats["errors"].append("%r" % (e,))
            stats["closes"]["error"] += 1


async def main():
    url, count, stop_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    stats = {"echoes": 0, "connects": 0, "connect_failures": 0,
             "mismatches": 0, "closes": collections.Counter(), "errors": []}
    tasks = [asyncio.create_task(one(url, stop_file, stats))
             for _ in range(count)]
    deadline = time.monotonic() + 120
    while not os.path.exists(stop_file) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    if not os.path.exists(stop_file):
        open(stop_file, "w").close()
    await asyncio.wait(tasks, timeout=15)
    stats["closes"] = dict(stats["closes"])
    stats["errors"] = stats["errors"][:10]
    print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
