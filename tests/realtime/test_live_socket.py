"""The /widget namespace over a real WebSocket against gunicorn: refusals and frame limits."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import socketio

from tests import live


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.LiveServer]:
    with live.demo_server(tmp_path_factory.mktemp("socket"), "socket") as server:
        yield server


def client() -> socketio.Client:
    return socketio.Client(reconnection=False)


def connect(server: live.LiveServer, token: str | None) -> socketio.Client:
    sock = client()
    sock.connect(server.url, namespaces=["/widget"], transports=["websocket"],
                 auth={"token": token} if token else None, wait_timeout=10)
    return sock


def test_forged_token_is_refused_with_its_reason(server):
    sock = client()
    errors: list[object] = []
    sock.on("connect_error", errors.append, namespace="/widget")
    with pytest.raises(socketio.exceptions.ConnectionError):
        sock.connect(server.url, namespaces=["/widget"], transports=["websocket"],
                     auth={"token": "not-a-token"}, wait_timeout=10)
    assert errors == [{"message": "The socket token is invalid.",
                       "data": {"code": "socket_token_invalid",
                                "message": "The socket token is invalid."}}]


def test_frame_over_the_limit_drops_the_connection_and_writes_nothing(server):
    token = live.bootstrap(server, "ada")["socket"]["token"]
    sock = connect(server, token)
    oversized = {"id": str(uuid.uuid4()), "name": "big", "props": {"blob": "x" * 70_000}}
    with pytest.raises(socketio.exceptions.TimeoutError):
        sock.call("event:track", oversized, namespace="/widget", timeout=3)
    sock.disconnect()
    # The server keeps serving: a new connection records a normal envelope.
    again = connect(server, live.bootstrap(server, "ada")["socket"]["token"])
    try:
        small = {"id": str(uuid.uuid4()), "name": "small"}
        ack = again.call("event:track", small, namespace="/widget", timeout=10)
        assert ack["ok"] is True and ack["duplicate"] is False
        replay = again.call("event:track", oversized | {"props": {}}, namespace="/widget",
                            timeout=10)
        assert replay["duplicate"] is False, "the oversized envelope must not have been recorded"
    finally:
        again.disconnect()
