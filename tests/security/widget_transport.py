"""One widget envelope over either transport, so an attack is proved on both.

``sender("socket", ...)`` emits on a Socket.IO connection opened with the
socket token (one per token); ``sender("http", ...)`` posts a batch of one to
``/api/v1/widget/events``. Both return the envelope's acknowledgement.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

NS = "/widget"
TRANSPORTS = ("socket", "http")
Send = Callable[[str, str, dict[str, Any]], dict[str, Any]]


def eid() -> str:
    return str(uuid.uuid4())


def sender(transport: str, client: Any, socket_client: Any) -> Send:
    """``send(token, kind, data)`` -> the ack, over ``transport``."""
    sockets: dict[str, Any] = {}

    def over_socket(token: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        if token not in sockets:
            sockets[token] = socket_client(token)
            assert sockets[token].is_connected(NS), sockets[token].connect_error
        ack = sockets[token].emit(kind, data, namespace=NS, callback=True)
        assert isinstance(ack, dict), ack
        return ack

    def over_http(token: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        response = client.post("/api/v1/widget/events", json={
            "envelopes": [{"type": kind, "data": data}]}, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.get_json()
        [result] = response.get_json()["results"]
        return result

    return over_socket if transport == "socket" else over_http
