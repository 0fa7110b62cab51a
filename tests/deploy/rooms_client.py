"""Rooms across instances, as clients see them: run by rooms_test.py where
nginx is (its namespace). Prints one JSON line with what it saw.

Usage: rooms_client.py NGINX_BASE INSTANCE_BASE...   (http://host:port)

A seed is posted on the first instance; long-polls wait with its id as the
cursor on every instance directly and twice through nginx; WebSockets on
/ws/chat are open on every instance directly and once through nginx. Then
one chat post and one WebSocket message go through nginx, and every
long-poll and socket must get exactly them; the seed's cursor, carried to
every instance, must give exactly the post (nothing lost, nothing twice).
"""

import asyncio
import json
import sys
import urllib.parse
import urllib.request

import websockets


def post(base, path, fields, timeout=35):
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(base + path, data, timeout=timeout) as r:
        return json.loads(r.read())


async def long_poll(base, cursor):
    return await asyncio.to_thread(post, base, "/chat/updates",
                                   {"cursor": cursor})


async def main(nginx, instances):
    seed = post(instances[0], "/chat/new", {"body": "seed"})["id"]
    polls = [asyncio.create_task(long_poll(b, seed))
             for b in instances + [nginx, nginx]]
    sockets = [await websockets.connect(
        b.replace("http://", "ws://") + "/ws/chat", open_timeout=5)
        for b in instances + [nginx]]
    await asyncio.sleep(1.0)  # every long-poll parked, every socket open
    sent = post(nginx, "/chat/new", {"body": "hello across"})
    await sockets[-1].send("ws across")
    out = {"post_id": sent["id"], "polls": [], "sockets": [], "carried": []}
    for p in polls:
        out["polls"].append((await asyncio.wait_for(p, 10))["messages"])
    for ws in sockets:
        got = [await asyncio.wait_for(ws.recv(), 10)]
        try:  # nothing more may come (no duplicate)
            got.append(await asyncio.wait_for(ws.recv(), 0.5))
        except asyncio.TimeoutError:
            pass
        out["sockets"].append(got)
        await ws.close()
    for b in instances:
        out["carried"].append(post(b, "/chat/updates",
                                   {"cursor": seed})["messages"])
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2:]))
