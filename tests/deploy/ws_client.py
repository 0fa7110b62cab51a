"""WebSocket through nginx (Debian's python3-websockets): prints one JSON
line with what worked. Run by balancer_test.py in nginx's namespace.

Usage: ws_client.py BASE_WS_URL   (e.g. ws://127.0.0.1:8080)
"""

import asyncio
import json
import sys

import websockets


async def main(base):
    out = {}
    url = base + "/ws/echo"
    # No Origin (not a browser): allowed.
    async with websockets.connect(url, open_timeout=5) as ws:
        await ws.send("hello through nginx")
        out["text"] = await asyncio.wait_for(ws.recv(), 5)
        await ws.send(b"\x00\x01\xfe\xff" * 1000)
        b = await asyncio.wait_for(ws.recv(), 5)
        out["binary_ok"] = b == b"\x00\x01\xfe\xff" * 1000
        big = "x" * 200000
        await ws.send(big)
        out["big_ok"] = (await asyncio.wait_for(ws.recv(), 5)) == big
        pong = await ws.ping()
        await asyncio.wait_for(pong, 5)
        out["pong"] = True
        await ws.close()
        out["close_code"] = ws.close_code
    # A browser on the page nginx serves: its Origin matches the Host that
    # nginx passes on ($http_host), so gale's same-host check accepts it.
    host = base.split("//", 1)[1]
    async with websockets.connect(url, origin="http://" + host,
                                  open_timeout=5) as ws:
        await ws.send("same origin")
        out["same_origin"] = await asyncio.wait_for(ws.recv(), 5)
    # Another site's page: refused with 403, through nginx too.
    try:
        async with websockets.connect(url, origin="http://evil.example",
                                      open_timeout=5):
            out["foreign_origin"] = "accepted"
    except websockets.InvalidStatusCode as e:
        out["foreign_origin"] = e.status_code
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(sys.argv[1]), 30))
