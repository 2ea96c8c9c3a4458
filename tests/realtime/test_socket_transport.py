"""The lean WebSocket transport (guide/socket_transport.py): same protocol, less per socket.

In process: an Engine.IO socket with a stand-in WebSocket, to see its greenlets
and pings at a short interval. Against gunicorn (`guide serve`): deflate is
declined, and fragmented messages and WebSocket pings work as before.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import engineio
import gevent
import gevent.queue
import pytest
import websocket
from engineio import packet

from guide import socket_transport
from tests import live

INTERVAL = 0.2


class StandInWebSocket:
    """What ``LeanSocket`` needs of a WebSocket; the test plays the client."""

    def __init__(self) -> None:
        self.connected = True
        self.sent: list[str] = []
        self.inbox: gevent.queue.Queue[str | None] = gevent.queue.Queue()

    def send(self, message: str) -> None:
        self.sent.append(message)

    def wait(self) -> str | None:
        return self.inbox.get()

    def close(self) -> None:
        self.connected = False
        self.inbox.put(None)


def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        gevent.sleep(0.01)  # lets the socket's greenlets run; polls the condition


@pytest.fixture
def lean() -> Iterator[tuple[socket_transport.LeanSocket, StandInWebSocket, gevent.Greenlet,
                              float]]:
    server = engineio.Server(async_mode="gevent", ping_interval=INTERVAL, ping_timeout=5)
    server.guide_pinger = socket_transport.Pinger(server)
    sock = socket_transport.LeanSocket(server, "sid-1")
    sock.send(packet.Packet(packet.OPEN, {"sid": "sid-1"}))  # as Engine.IO's connect does
    scheduled = time.monotonic()
    sock.schedule_ping()
    ws = StandInWebSocket()
    handler = gevent.spawn(sock._websocket_handler, ws)
    until(lambda: bool(ws.sent))
    yield sock, ws, handler, scheduled
    handler.kill()


def test_an_idle_socket_keeps_no_writer_greenlet(lean):
    sock, ws, _, _ = lean
    assert ws.sent == ['0{"sid":"sid-1"}']
    assert sock._writer is None, "the writer ends once the queue is empty"
    sock.send(packet.Packet(packet.MESSAGE, "40/widget,{}"))
    until(lambda: len(ws.sent) == 2)
    assert ws.sent[1] == "440/widget,{}"
    assert sock._writer is None


def test_pings_come_at_the_interval_from_the_shared_task_while_the_client_answers(lean):
    sock, ws, _, scheduled = lean
    until(lambda: "2" in ws.sent)
    assert time.monotonic() - scheduled >= INTERVAL
    ws.inbox.put("3")  # pong: the next ping is scheduled
    until(lambda: ws.sent.count("2") == 2)
    until(lambda: sock.last_ping is not None)
    assert len(sock.server.guide_pinger.due) == 0, "no pong yet: no further ping is due"


def test_a_socket_closed_by_its_client_ends_its_greenlet_and_closes(lean):
    sock, ws, handler, _ = lean
    ws.inbox.put(None)
    handler.join(timeout=5)
    assert handler.dead and sock.closed


def test_a_socket_closed_by_the_server_sends_close_and_closes_the_websocket(lean):
    sock, ws, handler, _ = lean
    sock.close(wait=False)
    handler.join(timeout=5)
    assert handler.dead and not ws.connected and sock.closed


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.LiveServer]:
    with live.demo_server(tmp_path_factory.mktemp("transport"), "transport") as server:
        yield server


def open_socket(server: live.LiveServer) -> websocket.WebSocket:
    url = server.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    ws = websocket.create_connection(url, timeout=10, header=[
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"])
    assert ws.recv().startswith("0{")
    return ws


def test_permessage_deflate_is_declined_and_the_widget_namespace_joins(server):
    token = live.bootstrap(server, "ada")["socket"]["token"]  # before: sockets must join in 10 s
    ws = open_socket(server)
    try:
        assert "sec-websocket-extensions" not in {k.lower() for k in ws.getheaders()}
        ws.send("40/widget," + json.dumps({"token": token}))
        assert ws.recv().startswith('40/widget,{"sid":')
    finally:
        ws.close()


def test_fragmented_messages_and_websocket_pings_are_answered(server):
    token = live.bootstrap(server, "ada")["socket"]["token"]
    ws = open_socket(server)
    try:
        joined = "40/widget," + json.dumps({"token": token})
        ws.send_frame(websocket.ABNF.create_frame(joined[:10], websocket.ABNF.OPCODE_TEXT, 0))
        ws.send_frame(websocket.ABNF.create_frame(joined[10:], websocket.ABNF.OPCODE_CONT, 1))
        assert ws.recv().startswith('40/widget,{"sid":')
        ws.ping("are you there")
        opcode, frame = ws.recv_data_frame(control_frame=True)
        assert opcode == websocket.ABNF.OPCODE_PONG and frame.data == b"are you there"
    finally:
        ws.close()
