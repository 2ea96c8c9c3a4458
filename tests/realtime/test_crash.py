"""Nothing lost, nothing doubled: a server killed with SIGKILL mid-stream, restarted, again.

A client streams N envelopes through the HTTP batch endpoint and resends any
batch whose response it did not get. Every acknowledged envelope must survive
the kills, and the resends must not record anything twice.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa

from guide.config import normalize_database_url
from tests import live

N = 300
BATCH = 10
KILLS = 3


class Streamer(threading.Thread):
    """Sends batches in order; a batch counts as acknowledged only on a 200 with its results."""

    def __init__(self, token: str, n: int = N) -> None:
        super().__init__(daemon=True)
        self.token = token
        self.n = n
        self.url = ""
        self.url_ready = threading.Condition()
        self.acked = 0
        self.progress = threading.Condition()
        self.resends = 0
        self.error: BaseException | None = None
        self.ids = [str(uuid.uuid4()) for _ in range(n)]

    def point_at(self, url: str) -> None:
        with self.url_ready:
            self.url = url
            self.url_ready.notify_all()

    def run(self) -> None:
        try:
            for start in range(0, self.n, BATCH):
                self._send_until_acked(self.ids[start:start + BATCH])
                with self.progress:
                    self.acked = start + BATCH
                    self.progress.notify_all()
        except BaseException as error:  # reported by the test
            self.error = error

    def _send_until_acked(self, ids: list[str]) -> None:
        body = json.dumps({"envelopes": [
            {"type": "event:track", "data": {"id": i, "name": "crash_test", "props": {"n": n}}}
            for n, i in enumerate(ids)
        ]}).encode()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            request = urllib.request.Request(
                f"{self.url}/api/v1/widget/events", data=body,
                headers={"Content-Type": "application/json",
                         "Authorization": f"Bearer {self.token}"})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    results = json.loads(response.read())["results"]
                assert all(r["ok"] for r in results), results
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
                self.resends += 1
                with self.url_ready:  # the server is down: wait for the next one
                    self.url_ready.wait(timeout=0.5)
        raise TimeoutError("batch never acknowledged")

    def wait_acked(self, count: int, timeout: float = 60) -> None:
        with self.progress:
            assert self.progress.wait_for(lambda: self.acked >= count or self.error, timeout)


def crash_run(tmp_path: Path, n: int = N, kills: int = KILLS) -> dict[str, int]:
    """Stream ``n`` envelopes, SIGKILL the server ``kills`` times; count what was recorded."""
    with live.database(tmp_path, "crash") as url:
        # One user streams far past the per-user envelope limit: durability, not limits, is tested.
        env = live.server_env(url, tmp_path / "instance", GUIDE_RATE_LIMITS="off")
        live.prepare(env)
        with live.run_server(env, tmp_path / "s0.log") as server:
            streamer = Streamer(live.bootstrap(server, "crash-user")["socket"]["token"], n)
            streamer.point_at(server.url)
            streamer.start()
            streamer.wait_acked(n // (kills + 1))
            server.process.kill()  # SIGKILL: no cleanup, no flush
        for round_ in range(1, kills + 1):
            with live.run_server(env, tmp_path / f"s{round_}.log") as server:
                streamer.point_at(server.url)
                if round_ < kills:
                    streamer.wait_acked(n * (round_ + 1) // (kills + 1))
                    server.process.kill()
                else:
                    streamer.join(timeout=600)
        assert streamer.error is None, streamer.error
        engine = sa.create_engine(normalize_database_url(url))
        try:
            with engine.connect() as conn:
                total, distinct = conn.execute(sa.text(
                    "SELECT count(*), count(DISTINCT client_id) FROM event WHERE name = 'crash_test'"
                )).one()
        finally:
            engine.dispose()
    return {"sent": n, "kills": kills, "resends": streamer.resends, "recorded": total,
            "distinct": distinct}


def test_acknowledged_envelopes_survive_sigkill_and_resends_record_nothing_twice(tmp_path: Path):
    result = crash_run(tmp_path)
    assert (result["recorded"], result["distinct"]) == (N, N)
    print(f"crash test: {result}")
