"""Two tabs completing different steps of one guide at the same moment: both are kept.

Each envelope reads the user's progress and writes it back; without a lock
taken up front one tab's change would overwrite the other's (a lost update).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import socketio
import sqlalchemy as sa

from guide.config import normalize_database_url
from tests import live

STEPS = ("schedule-report", "set-alert")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.LiveServer]:
    with live.demo_server(tmp_path_factory.mktemp("race"), "race") as server:
        yield server


def tab(server: live.LiveServer, token: str) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(server.url, namespaces=["/widget"], transports=["websocket"],
                   auth={"token": token}, wait_timeout=10)
    return client


def test_simultaneous_completions_from_two_tabs_are_both_kept(server):
    users = [f"racer-{n}" for n in range(8)]
    for user in users:
        # pro-features is offered to the pro plan only: completions outside it are refused.
        token = live.bootstrap(server, user, {"plan": "pro"})["socket"]["token"]
        tabs = [tab(server, token), tab(server, token)]
        start = threading.Barrier(2)
        acks: list[object] = []

        def complete(client: socketio.Client, step: str, start: threading.Barrier = start,
                     acks: list[object] = acks) -> None:
            start.wait(timeout=10)
            acks.append(client.call("step:complete", {"id": str(uuid.uuid4()),
                                                      "guide": "pro-features", "step": step},
                                    namespace="/widget", timeout=20))

        threads = [threading.Thread(target=complete, args=(c, s))
                   for c, s in zip(tabs, STEPS, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        for client in tabs:
            client.disconnect()
        assert all(isinstance(a, dict) and a["ok"] for a in acks), acks
    engine = sa.create_engine(normalize_database_url(server.env["GUIDE_DATABASE_URL"]))
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT u.external_id, p.completed_steps FROM progress p "
                "JOIN end_user u ON u.id = p.user_id JOIN guide g ON g.id = p.guide_id "
                "WHERE g.key = 'pro-features'")).all()
    finally:
        engine.dispose()
    kept = {user: str(steps) for user, steps in rows}
    assert set(kept) == set(users)
    for user, steps in kept.items():
        assert all(step in steps for step in STEPS), (user, steps)
