"""Group commit under concurrency, in the real server (gunicorn, gevent: group commit on).

Many sockets send at once, so envelopes share transactions (the server's
``guide_group_commit_batch_envelopes`` histogram shows batches of several):

- exactly once: every envelope id is sent by two tabs of its user at the same
  instant and resent after; each id is recorded once, one ack of each pair is
  the first (``duplicate: false``) and the other a replay of it;
- ack after commit: the server is SIGKILLed mid-stream; every envelope acked
  before the kill is in the database, and resending the unacknowledged ones to
  the restarted server records nothing twice.
"""

from __future__ import annotations

import asyncio
import re
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp
import socketio
import sqlalchemy as sa

from bench.identities import bootstrap_bodies, demo_secret
from guide.config import normalize_database_url
from tests import live

NS = "/widget"
STEP = {"guide": "getting-started", "step": "welcome"}
METRICS_TOKEN = "group-commit-metrics-token"


def run(coroutine: Any) -> Any:
    """``asyncio.run`` in a thread of its own: in the whole suite, the browser tests'
    Playwright keeps an event loop running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def socket_tokens(url: str, bodies: list[dict[str, Any]]) -> list[str]:
    """Each body's socket token, from the widget's bootstrap (as bench/run.py gets them)."""
    async with aiohttp.ClientSession() as session:
        async def one(body: dict[str, Any]) -> str:
            async with session.post(f"{url}/api/v1/widget/bootstrap", json=body) as resp:
                resp.raise_for_status()
                return (await resp.json())["socket"]["token"]
        return list(await asyncio.gather(*(one(b) for b in bodies)))


def server_env(url: str, tmp: Path) -> dict[str, str]:
    return live.server_env(url, tmp / "instance", GUIDE_RATE_LIMITS="off",
                           GUIDE_MAX_CONNECTIONS_PER_CLIENT="0", GUIDE_WORKER="off",
                           GUIDE_METRICS_TOKEN=METRICS_TOKEN)


async def connect(url: str, token: str) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, namespaces=[NS], transports=["websocket"],
                         auth={"token": token}, wait_timeout=20)
    return client


def tokens(server: live.LiveServer, count: int) -> list[str]:
    """Socket tokens of ``count`` users (the workspace's secret read once, not per user)."""
    bodies = bootstrap_bodies(demo_secret(server), count)
    return run(socket_tokens(server.url, bodies))


def batched(server: live.LiveServer) -> float:
    """Envelopes the server committed in batches of two or more."""
    request = urllib.request.Request(f"{server.url}/metrics",
                                     headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    count = float(re.search(r"^guide_group_commit_batch_envelopes_count (\S+)", text, re.M)[1])
    alone = float(re.search(
        r'^guide_group_commit_batch_envelopes_bucket\{le="1.0"\} (\S+)', text, re.M)[1])
    return count - alone


def recorded(url: str) -> tuple[int, int]:
    engine = sa.create_engine(normalize_database_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT count(*), count(DISTINCT client_id) FROM event "
                "WHERE type = 'step:complete'")).one()
    finally:
        engine.dispose()


def recorded_ids(url: str) -> set[str]:
    engine = sa.create_engine(normalize_database_url(url))
    try:
        with engine.connect() as conn:
            return set(conn.execute(sa.text(
                "SELECT client_id FROM event WHERE type = 'step:complete'")).scalars())
    finally:
        engine.dispose()


async def pairs(url: str, user_tokens: list[str], rounds: int) -> list[tuple[Any, Any]]:
    """Two tabs per user send each envelope id at the same instant, ``rounds`` times."""
    tabs = [[await connect(url, t), await connect(url, t)] for t in user_tokens]
    try:
        async def user(first: Any, second: Any) -> list[tuple[Any, Any]]:
            out = []
            for _ in range(rounds):
                envelope = {"id": str(uuid.uuid4()), **STEP}
                out.append(tuple(await asyncio.gather(
                    first.call("step:complete", envelope, namespace=NS, timeout=30),
                    second.call("step:complete", envelope, namespace=NS, timeout=30))))
                resent = await first.call("step:complete", envelope, namespace=NS, timeout=30)
                assert resent["duplicate"] is True and resent["id"] == envelope["id"], resent
            return out

        results = await asyncio.gather(*(user(*pair) for pair in tabs))
    finally:
        await asyncio.gather(*(c.disconnect() for pair in tabs for c in pair),
                             return_exceptions=True)
    return [pair for one in results for pair in one]


def test_envelopes_sent_twice_at_once_by_many_sockets_are_recorded_once(tmp_path: Path):
    with live.database(tmp_path, "gc_once") as url:
        env = server_env(url, tmp_path)
        live.prepare(env)
        with live.run_server(env, tmp_path / "server.log") as server:
            acks = run(pairs(server.url, tokens(server, 20), rounds=10))
            grouped = batched(server)
        assert len(acks) == 200
        for first, second in acks:
            assert first["ok"] and second["ok"], (first, second)
            assert sorted([first["duplicate"], second["duplicate"]]) == [False, True]
            assert {**first, "duplicate": None} == {**second, "duplicate": None}
        assert recorded(url) == (200, 200)
        assert grouped > 0, "no envelopes shared a commit: group commit was not exercised"


async def stream(url: str, user_tokens: list[str], acked: set[str],
                 pending: dict[str, str]) -> None:
    """Each socket sends envelopes one after the other until the server goes away."""
    clients = [(await connect(url, t), t) for t in user_tokens]

    async def one(client: socketio.AsyncClient, token: str) -> None:
        while True:
            envelope = {"id": str(uuid.uuid4()), **STEP}
            pending[envelope["id"]] = token
            try:
                ack = await client.call("step:complete", envelope, namespace=NS, timeout=10)
            except Exception:
                return  # killed mid-flight: stays pending, resent to the next server
            assert ack["ok"], ack
            del pending[envelope["id"]]
            acked.add(envelope["id"])

    await asyncio.gather(*(one(c, t) for c, t in clients))
    await asyncio.gather(*(c.disconnect() for c, _ in clients), return_exceptions=True)


async def resend(url: str, pending: dict[str, str]) -> list[Any]:
    """Each unacknowledged envelope again, from its own user (as the widget's queue does)."""
    acks = []
    for envelope_id, token in pending.items():
        client = await connect(url, token)
        try:
            acks.append(await client.call("step:complete", {"id": envelope_id, **STEP},
                                          namespace=NS, timeout=30))
        finally:
            await client.disconnect()
    return acks


def test_every_envelope_acked_before_a_sigkill_is_committed(tmp_path: Path):
    acked: set[str] = set()
    pending: dict[str, str] = {}
    with live.database(tmp_path, "gc_kill") as url:
        env = server_env(url, tmp_path)
        live.prepare(env)
        with live.run_server(env, tmp_path / "s0.log") as server:
            user_tokens = tokens(server, 30)

            async def until_killed() -> None:
                task = asyncio.create_task(stream(server.url, user_tokens, acked, pending))
                while len(acked) < 600:
                    await asyncio.sleep(0.01)
                server.process.kill()  # SIGKILL mid-stream: no cleanup, no flush
                await asyncio.wait_for(task, 60)

            run(until_killed())
        stored = recorded_ids(url)
        assert acked <= stored, f"{len(acked - stored)} acked envelopes were not committed"
        assert pending, "the kill found no envelope in flight"
        with live.run_server(env, tmp_path / "s1.log") as server:
            acks = run(resend(server.url, pending))
        assert all(a["ok"] for a in acks), acks
        total, distinct = recorded(url)
        assert total == distinct == len(acked) + len(pending)
