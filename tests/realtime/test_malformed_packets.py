"""Socket packets no handler can route still get the one error shape as their ack (issue 11).

A host page's Prototype-style ``Array.prototype.toJSON`` made the widget send the event
array as a JSON string; python-socketio found no handler and never acked, so the widget
retried forever. These tests send that exact packet, in process and over a real WebSocket.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import socketio
from socketio import packet

from guide.extensions import db
from guide.models import Event, Progress
from tests import factories, live

NS = "/widget"


def raw_ack(sock: Any, encoded: str) -> Any:
    """Feed one encoded Socket.IO packet to the server as if it came off the wire."""
    sock.acks = None
    sock.socketio.server._handle_eio_message(sock.eio_sid, encoded)
    assert sock.acks is not None, f"no ack for {encoded!r}"
    [ack] = sock.acks["args"]
    return ack


def assert_refused(ack: Any, *words: str) -> None:
    assert ack["ok"] is False, ack
    assert set(ack["error"]) == {"code", "message"}
    assert ack["error"]["code"] == "invalid_payload"
    for word in words:
        assert word in ack["error"]["message"], ack


@pytest.fixture
def sock(app, client, open_workspace, socket_client) -> Any:
    sock = socket_client(factories.socket_token(client, open_workspace, "ada"))
    assert sock.is_connected(NS), sock.connect_error
    return sock


def test_event_array_sent_as_a_string_is_refused_naming_the_event(sock):
    envelope = {"id": str(uuid.uuid4()), "guide": "onboarding", "step": "hello"}
    as_string = json.dumps(json.dumps(["step:complete", envelope]))  # what the page sent
    ack = raw_ack(sock, f"2{NS},7{as_string}")
    assert_refused(ack, "'step:complete'", "JSON string", "toJSON")
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(Event.type != "offer")) == 0
    assert db.session.scalar(db.select(db.func.count(Progress.id))) == 0
    # The connection is still good: the same envelope, sent properly, is recorded.
    ok = sock.emit("step:complete", envelope, namespace=NS, callback=True)
    assert ok["ok"] is True and ok["duplicate"] is False, ok


@pytest.mark.parametrize("encoded, name", [
    ('["step:completed",{"id":"x"}]', "'step:completed'"),  # a typo, or a newer client
    ("[5,{}]", "'5'"),  # an event that is not a string
    ('"hello"', "'hello'"),  # a string that is not an array at all
])
def test_events_no_handler_takes_are_refused_naming_them(sock, encoded, name):
    assert_refused(raw_ack(sock, f"2{NS},3{encoded}"), name)


def test_unknown_event_from_a_client_emit_is_refused(sock):
    ack = sock.emit("progress:reset", {"id": str(uuid.uuid4())}, namespace=NS, callback=True)
    assert_refused(ack, "Unknown event 'progress:reset'")


# Over a real WebSocket against gunicorn, with a client whose serializer does what a
# Prototype page did to the widget's JSON.stringify.

class _PrototypeJSON:
    """``JSON.stringify`` on a page where ``Array.prototype.toJSON`` returns a string."""

    @staticmethod
    def dumps(data: Any, **kwargs: Any) -> str:
        return json.dumps(json.dumps(data, **kwargs) if isinstance(data, list) else data, **kwargs)

    loads = staticmethod(json.loads)


class _PrototypePacket(packet.Packet):
    json = _PrototypeJSON  # a subclass: the real Packet class (shared with the server) is untouched


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.LiveServer]:
    with live.demo_server(tmp_path_factory.mktemp("malformed"), "malformed") as server:
        yield server


def call_once(sock: socketio.Client, server: live.LiveServer, token: str, envelope: Any) -> Any:
    """Connect, send one step:complete with an ack, disconnect."""
    sock.connect(server.url, namespaces=[NS], transports=["websocket"],
                 auth={"token": token}, wait_timeout=10)
    try:
        return sock.call("step:complete", envelope, namespace=NS, timeout=10)
    finally:
        sock.disconnect()


def test_a_prototype_page_gets_a_negative_ack_over_a_real_websocket(server):
    token = live.bootstrap(server, "ada")["socket"]["token"]
    envelope = {"id": str(uuid.uuid4()), "guide": "getting-started", "step": "welcome"}
    polluted = socketio.Client(reconnection=False, serializer=_PrototypePacket)
    assert_refused(call_once(polluted, server, token, envelope), "'step:complete'", "JSON string")
    recorded = call_once(socketio.Client(reconnection=False), server, token, envelope)
    # Not a duplicate: the refused packet recorded nothing.
    assert recorded["ok"] is True and recorded["duplicate"] is False, recorded
    assert recorded["completed"] == [{"guide": "getting-started", "step": "welcome"}]
