"""Socket.IO load: open-loop ack latency (HdrHistogram) and closed-loop throughput."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import socketio
from hdrh.histogram import HdrHistogram

NS = "/widget"


async def connect_all(url: str, tokens: list[str | None], concurrency: int = 50) -> list[Any]:
    gate = asyncio.Semaphore(concurrency)

    async def one(token: str | None) -> Any:
        async with gate:
            client = socketio.AsyncClient(reconnection=False)
            await client.connect(url, namespaces=[NS], transports=["websocket"],
                                 auth={"token": token} if token else None, wait_timeout=30)
            return client

    return list(await asyncio.gather(*(one(t) for t in tokens)))


async def disconnect_all(clients: list[Any]) -> None:
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


def envelope(guide: str, step: str) -> Callable[[int], dict[str, Any]]:
    return lambda i: {"id": str(uuid.uuid4()), "guide": guide, "step": step}


async def open_loop(clients: list[Any], payload: Callable[[int], dict[str, Any]], *,
                    rate: float, seconds: float) -> dict[str, Any]:
    """Send at a fixed schedule whatever the acks do; latency counts from the intended time,
    so a slow server cannot hide its queueing (no coordinated omission)."""
    hist = HdrHistogram(1, 120_000_000, 3)  # microseconds
    loop = asyncio.get_running_loop()
    count = int(rate * seconds)
    start = loop.time() + 0.5
    failures = 0

    async def fire(i: int) -> None:
        nonlocal failures
        intended = start + i / rate
        await asyncio.sleep(max(0.0, intended - loop.time()))
        try:
            ack = await clients[i % len(clients)].call("step:complete", payload(i), namespace=NS,
                                                       timeout=60)
            if not (isinstance(ack, dict) and ack.get("ok")):
                failures += 1
        except Exception:
            failures += 1
        hist.record_value(max(1, int((loop.time() - intended) * 1e6)))

    await asyncio.gather(*(fire(i) for i in range(count)))
    return {
        "sent": count, "failures": failures, "rate": rate,
        "p50_ms": hist.get_value_at_percentile(50) / 1000,
        "p99_ms": hist.get_value_at_percentile(99) / 1000,
        "p999_ms": hist.get_value_at_percentile(99.9) / 1000,
        "max_ms": hist.get_max_value() / 1000,
    }


async def closed_loop(clients: list[Any], payload: Callable[[int], dict[str, Any]], *,
                      seconds: float) -> dict[str, Any]:
    """Each client sends its next envelope when the previous ack arrives: max throughput."""
    deadline = time.monotonic() + seconds
    done = 0

    async def worker(client: Any, offset: int) -> None:
        nonlocal done
        i = offset
        while time.monotonic() < deadline:
            await client.call("step:complete", payload(i), namespace=NS, timeout=60)
            done += 1
            i += len(clients)

    started = time.monotonic()
    await asyncio.gather(*(worker(c, n) for n, c in enumerate(clients)))
    return {"acks_per_s": done / (time.monotonic() - started), "acks": done}
