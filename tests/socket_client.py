"""Flask-SocketIO's test client, keeping the data of a refused connection."""

from __future__ import annotations

from typing import Any

from flask_socketio.test_client import SocketIOTestClient
from socketio import packet


class WidgetTestClient(SocketIOTestClient):
    """``connect_error`` holds ``{"message", "data"}`` when the server refused us."""

    connect_error: dict[str, Any] | None = None

    def connect(self, namespace: str | None = None, query_string: str | None = None,
                headers: dict[str, str] | None = None, auth: Any = None) -> None:
        inner = self.socketio.server._send_packet

        def capture(eio_sid: str, pkt: Any) -> None:
            if eio_sid == self.eio_sid and pkt.packet_type == packet.CONNECT_ERROR:
                self.connect_error = pkt.data
            inner(eio_sid, pkt)

        self.socketio.server._send_packet = capture
        try:
            super().connect(namespace=namespace, query_string=query_string, headers=headers,
                            auth=auth)
        finally:
            self.socketio.server._send_packet = inner
