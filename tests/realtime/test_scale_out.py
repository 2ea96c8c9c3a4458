"""Two server processes sharing the database and the Redis message queue.

A step completed through process A pushes `progress` to the same user's
widget connected to process B. Needs GUIDE_TEST_REDIS_URL (CI sets it).
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests import live

REDIS_URL = os.environ.get("GUIDE_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="GUIDE_TEST_REDIS_URL is not set: the Redis scale-out test needs Redis"
)


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[live.LiveServer]]:
    tmp = tmp_path_factory.mktemp("scale")
    channel = f"guide-test-{uuid.uuid4().hex[:8]}"
    with ExitStack() as stack:
        url = stack.enter_context(live.database(tmp, "scale"))
        servers = []
        for name in ("a", "b"):
            env = live.server_env(url, tmp / name, GUIDE_MESSAGE_QUEUE=REDIS_URL or "",
                                  GUIDE_MESSAGE_QUEUE_CHANNEL=channel)
            if name == "a":
                live.prepare(env)
            servers.append(stack.enter_context(live.run_server(env, tmp / f"{name}.log")))
        yield servers


def connect(server: live.LiveServer, token: str,
            event: str = "progress") -> tuple[socketio.Client, queue.Queue[Any]]:
    client = socketio.Client(reconnection=False)
    received: queue.Queue[Any] = queue.Queue()
    client.on(event, received.put, namespace="/widget")
    client.connect(server.url, namespaces=["/widget"], transports=["websocket"],
                   auth={"token": token}, wait_timeout=10)
    return client, received


def test_progress_reaches_a_tab_connected_to_the_other_process(two_servers, tmp_path: Path):
    server_a, server_b = two_servers
    on_a = connect(server_a, live.bootstrap(server_a, "ada")["socket"]["token"])[0]
    on_b, pushed = connect(server_b, live.bootstrap(server_b, "ada")["socket"]["token"])
    try:
        ack = on_a.call("step:complete", {"id": str(uuid.uuid4()), "guide": "getting-started",
                                          "step": "welcome"}, namespace="/widget", timeout=10)
        assert ack["ok"] is True, ack
        push = pushed.get(timeout=10)
        assert "welcome" in push["progress"]["getting-started"]["completed"]
    finally:
        on_a.disconnect()
        on_b.disconnect()


def test_a_publish_from_the_cli_reaches_widgets_on_both_processes(two_servers, tmp_path: Path):
    """`flask guide content push` is a third process: its guides:changed goes through Redis."""
    server_a, server_b = two_servers
    on_a, seen_a = connect(server_a, live.bootstrap(server_a, "grace")["socket"]["token"],
                           "guides:changed")
    on_b, seen_b = connect(server_b, live.bootstrap(server_b, "alan")["socket"]["token"],
                           "guides:changed")
    content = tmp_path / "content"
    shutil.copytree(live.ROOT / "content", content)
    guide_file = content / "guides" / "getting-started.yaml"
    guide_file.write_text(guide_file.read_text().replace("priority: 0", "priority: 1", 1))
    try:
        subprocess.run([str(live.BIN / "flask"), "--app", "wsgi", "guide", "content", "push",
                        str(content)], cwd=live.ROOT, env=server_a.env, check=True,
                       capture_output=True, timeout=60)
        assert seen_a.get(timeout=10) == {}
        assert seen_b.get(timeout=10) == {}
    finally:
        on_a.disconnect()
        on_b.disconnect()
