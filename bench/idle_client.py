"""Holds N idle /widget sockets, in a process of its own (its memory is not the server's).

    python bench/idle_client.py URL TOKEN N [DEFLATE_BITS]

Offers permessage-deflate as browsers do (window bits 15; 0: no compression).

Speaks Engine.IO 4 / Socket.IO 5 over aiohttp WebSockets, answers pings, and
prints one JSON line ``{"held": n, "seconds": s}`` once every socket is joined
(or refused); it closes them all when its standard input closes or a line arrives.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time

import aiohttp

CONCURRENCY = 100


async def hold(session: aiohttp.ClientSession, ws_url: str, auth: str,
               joined: asyncio.Future[bool], compress: int) -> None:
    try:
        async with session.ws_connect(ws_url, heartbeat=None, timeout=30,
                                      compress=compress) as ws:
            opened = await ws.receive_str(timeout=30)
            assert opened.startswith("0"), opened
            await ws.send_str(f"40/widget,{auth}")
            reply = await ws.receive_str(timeout=30)
            joined.set_result(reply.startswith("40/widget"))
            async for message in ws:  # idle: only Engine.IO pings arrive
                if message.type == aiohttp.WSMsgType.TEXT and message.data == "2":
                    await ws.send_str("3")
    except Exception:
        pass
    finally:
        if not joined.done():
            joined.set_result(False)


async def main(url: str, token: str, target: int, compress: int) -> None:
    ws_url = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    auth = json.dumps({"token": token})
    gate = asyncio.Semaphore(CONCURRENCY)
    connector = aiohttp.TCPConnector(limit=0)
    tasks: list[asyncio.Task[None]] = []
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector) as session:

        async def start_one() -> bool:
            async with gate:
                joined: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
                tasks.append(asyncio.create_task(hold(session, ws_url, auth, joined, compress)))
                return await joined

        held = sum(await asyncio.gather(*(start_one() for _ in range(target))))
        print(json.dumps({"held": held, "seconds": round(time.perf_counter() - started, 1)}),
              flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]),
                     int(sys.argv[4]) if len(sys.argv) > 4 else 15))
