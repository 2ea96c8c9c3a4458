"""Idle WebSocket capacity: how many /widget connections one process holds, and their memory.

Speaks Engine.IO 4 / Socket.IO 5 directly over aiohttp WebSockets (a full
client per connection would cost the load generator more than the server), offering
permessage-deflate as every browser does (``DEFLATE_BITS``), so the memory measured is
that of sockets like the widget's. bench/socket_memory.py measures the same at 10,000
sockets in a client process of its own.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

DEFLATE_BITS = 15  # what browsers offer (the server declines it; docs/BENCHMARKS.md)


async def hold(session: aiohttp.ClientSession, ws_url: str, token: str | None,
               connected: asyncio.Event, stop: asyncio.Event) -> bool:
    try:
        async with session.ws_connect(ws_url, heartbeat=None, timeout=30,
                                      compress=DEFLATE_BITS) as ws:
            opened = await ws.receive_str(timeout=30)
            assert opened.startswith("0"), opened
            auth = json.dumps({"token": token}) if token else ""
            await ws.send_str(f"40/widget,{auth}")
            reply = await ws.receive_str(timeout=30)
            if not reply.startswith("40/widget"):
                return False
            connected.set()
            while not stop.is_set():
                try:
                    message = await ws.receive_str(timeout=1)
                except TimeoutError:
                    continue
                if message == "2":  # ping -> pong keeps the connection alive
                    await ws.send_str("3")
            return True
    except Exception:
        return False


async def capacity(base_url: str, token: str | None, target: int, measure: Any,
                   concurrency: int = 200) -> dict[str, Any]:
    """Open up to ``target`` connections; ``measure()`` reads the server's RSS (KB)."""
    ws_url = base_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    before = measure()
    stop = asyncio.Event()
    gate = asyncio.Semaphore(concurrency)
    opened = 0
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = []

        async def start_one() -> bool:
            nonlocal opened
            ready = asyncio.Event()
            async with gate:
                task = asyncio.create_task(hold(session, ws_url, token, ready, stop))
                tasks.append(task)
                done, _ = await asyncio.wait({task, asyncio.create_task(ready.wait())},
                                             return_when=asyncio.FIRST_COMPLETED, timeout=30)
                ok = ready.is_set()
                opened += ok
                return ok

        results = await asyncio.gather(*(start_one() for _ in range(target)))
        await asyncio.sleep(2)  # let the server settle before reading its memory
        after = measure()
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    held = sum(results)
    per_1000 = (after - before) / held * 1000 if held else 0.0
    return {"target": target, "held": held, "rss_before_kb": before, "rss_after_kb": after,
            "kb_per_connection": (after - before) / held if held else 0.0,
            "mb_per_1000": per_1000 / 1024}
