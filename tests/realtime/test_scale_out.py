"""Two server processes sharing the database and the Redis message queue.

A step completed through process A pushes `progress` to the same user's
widget connected to process B. Needs GUIDE_TEST_REDIS_URL (CI sets it).
"""

from __future__ import annotations

import json
import os
import queue
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests import live
from tests.pg import PG_URL, temporary_database

REDIS_URL = os.environ.get("GUIDE_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="GUIDE_TEST_REDIS_URL is not set: the Redis scale-out test needs Redis"
)


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[live.LiveServer]]:
    tmp = tmp_path_factory.mktemp("scale")
    database = temporary_database("scale") if PG_URL else nullcontext(f"sqlite:///{tmp / 'g.db'}")
    channel = f"guide-test-{uuid.uuid4().hex[:8]}"
    with ExitStack() as stack:
        url = stack.enter_context(database)
        servers = []
        for name in ("a", "b"):
            env = live.server_env(url, tmp / name, GUIDE_MESSAGE_QUEUE=REDIS_URL or "",
                                  GUIDE_MESSAGE_QUEUE_CHANNEL=channel)
            if name == "a":
                live.prepare(env)
            servers.append(stack.enter_context(live.run_server(env, tmp / f"{name}.log")))
        yield servers


def bootstrap(server: live.LiveServer, user: str) -> dict[str, Any]:
    """An open identity is not allowed on the demo workspace: sign as its backend would."""
    token = _sign_demo(server, user)
    body = json.dumps({"app": "demo", "user": {"id": user}, "token": token}).encode()
    request = urllib.request.Request(f"{server.url}/api/v1/widget/bootstrap", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _sign_demo(server: live.LiveServer, user: str) -> str:
    import subprocess
    import time

    import jwt

    secret = subprocess.run(
        [str(live.BIN / "flask"), "--app", "wsgi", "guide", "workspace", "secret", "demo"],
        cwd=live.ROOT, env=server.env, check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip().splitlines()[-1]
    return jwt.encode({"sub": user, "exp": int(time.time()) + 300}, secret, algorithm="HS256")


def connect(server: live.LiveServer, token: str) -> tuple[socketio.Client, queue.Queue[Any]]:
    client = socketio.Client(reconnection=False)
    received: queue.Queue[Any] = queue.Queue()
    client.on("progress", received.put, namespace="/widget")
    client.connect(server.url, namespaces=["/widget"], transports=["websocket"],
                   auth={"token": token}, wait_timeout=10)
    return client, received


def test_progress_reaches_a_tab_connected_to_the_other_process(two_servers, tmp_path: Path):
    server_a, server_b = two_servers
    on_a = connect(server_a, bootstrap(server_a, "ada")["socket"]["token"])[0]
    on_b, pushed = connect(server_b, bootstrap(server_b, "ada")["socket"]["token"])
    try:
        ack = on_a.call("step:complete", {"id": str(uuid.uuid4()), "guide": "getting-started",
                                          "step": "welcome"}, namespace="/widget", timeout=10)
        assert ack["ok"] is True, ack
        push = pushed.get(timeout=10)
        assert "welcome" in push["progress"]["getting-started"]["completed"]
    finally:
        on_a.disconnect()
        on_b.disconnect()
