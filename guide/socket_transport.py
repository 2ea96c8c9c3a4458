"""The WebSocket transport under gevent: an idle socket costs one greenlet and no zlib.

python-engineio's gevent mode (with simple-websocket) keeps four greenlets per
open WebSocket (the request's, simple-websocket's reader, Engine.IO's writer
and a ping timer), each with its saved C stack and its own Python frame stack,
and accepts permessage-deflate, whose zlib compressor (about 100 KB) lives as
long as the socket once the first message is sent. Every browser offers
deflate: an idle widget socket cost about 170 KB (docs/BENCHMARKS.md, "Memory
per idle socket"). Here, with the same wire protocol:

- :class:`WebSocket` reads frames in the request's own greenlet (wsproto, as
  simple-websocket does) and declines permessage-deflate, as Socket.IO's own
  server does by default: the widget's frames are small JSON;
- :class:`LeanSocket` runs a writer greenlet only while packets wait to be sent,
  and its pings come from one task per process (every socket has the same
  interval, so a FIFO queue is in deadline order). Engine.IO's service task
  still closes sockets whose client answers no ping.

Installed by :func:`install` for the gevent mode only (gunicorn's gevent worker,
as ``guide serve`` runs it); the threading mode keeps the library's classes.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import deque
from typing import Any

from engineio import socket as eio_socket
from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    Request,
    TextMessage,
)
from wsproto.frame_protocol import CloseReason
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

RECEIVE_BYTES = 4096
PINGER_IDLE = 1.0  # seconds the ping task waits when no socket is due


class WebSocket:
    """Engine.IO's ``websocket`` class: ``wait`` reads the socket in the calling greenlet."""

    def __init__(self, handler: Any, server: Any) -> None:
        self.app, self.server = handler, server
        self.connected = False

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.sock = environ.get("gunicorn.socket")
        if self.sock is None:  # another server: the library's own class
            from engineio.async_drivers.gevent import WebSocketWSGI

            return WebSocketWSGI(self.app, self.server)(environ, start_response)
        self.ws = WSConnection(ConnectionType.SERVER)
        self.lock = threading.Lock()  # the writer and the reader's pongs share the socket
        self.received: deque[str | bytes] = deque()
        self.partial: list[str | bytes] = []
        self.size = 0
        self.connected = self._handshake(environ)
        if self.connected:
            self.app(self)
        raise StopIteration()  # gunicorn: the response was the upgrade; close the connection

    def _handshake(self, environ: dict[str, Any]) -> bool:
        lines = [b"GET / HTTP/1.1"] + [
            "-".join(p.capitalize() for p in key[5:].split("_")).encode() + b": "
            + str(value).encode("latin-1") for key, value in environ.items()
            if key.startswith("HTTP_")]
        try:
            self.ws.receive_data(b"\r\n".join(lines) + b"\r\n\r\n")
            return self._handle_events()
        except (LocalProtocolError, RemoteProtocolError, UnicodeEncodeError):
            return False

    def _handle_events(self) -> bool:
        out = b""
        for event in self.ws.events():
            if isinstance(event, Request):
                out += self.ws.send(AcceptConnection())  # no extensions: no deflate
                self.connected = True
            elif isinstance(event, CloseConnection):
                if self.ws.state is ConnectionState.REMOTE_CLOSING:
                    out += self.ws.send(event.response())
                self.connected = False
            elif isinstance(event, Ping):
                out += self.ws.send(event.response())
            elif isinstance(event, (TextMessage, BytesMessage)):
                self._message(event)
        if out:
            self._write(out)
        return self.connected or bool(self.received)

    def _message(self, event: Message[Any]) -> None:
        self.partial.append(event.data)
        self.size += len(event.data)
        if self.size > self.server.max_http_buffer_size:  # dropped, as Engine.IO would
            self.close(CloseReason.MESSAGE_TOO_BIG)
        elif event.message_finished:
            self.received.append(self.partial[0] if len(self.partial) == 1
                                 else self.partial[0][:0].join(self.partial))
        else:
            return
        self.partial, self.size = [], 0

    def _write(self, data: bytes) -> None:
        with self.lock:
            self.sock.sendall(data)

    def wait(self) -> str | bytes | None:
        """The next message, or None once the connection is closed."""
        while not self.received:
            if not self.connected:
                return None
            try:
                data = self.sock.recv(RECEIVE_BYTES)
            except OSError:
                data = b""
            if not data:
                self.connected = False
                return None
            try:
                self.ws.receive_data(data)
                self._handle_events()
            except (LocalProtocolError, RemoteProtocolError, OSError):
                self.connected = False
        return self.received.popleft()

    def send(self, message: str | bytes) -> None:
        if not self.connected:
            raise OSError("the WebSocket is closed")
        event = BytesMessage(data=message) if isinstance(message, bytes) \
            else TextMessage(data=message)
        self._write(self.ws.send(event))

    def close(self, reason: CloseReason = CloseReason.NORMAL_CLOSURE) -> None:
        if not self.connected:
            return
        self.connected = False
        with contextlib.suppress(LocalProtocolError, OSError):
            self._write(self.ws.send(CloseConnection(reason)))


class Pinger:
    """Sends every socket's ping when its interval has passed: one task per process."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.due: deque[tuple[float, LeanSocket]] = deque()
        self.pid: int | None = None

    def add(self, sock: LeanSocket) -> None:
        self.due.append((time.monotonic() + self.server.ping_interval, sock))
        if self.pid != os.getpid():
            self.pid = os.getpid()
            self.server.start_background_task(self._run)

    def _run(self) -> None:
        while True:
            now = time.monotonic()
            while self.due and self.due[0][0] <= now:
                self.due.popleft()[1].ping()
            wait = self.due[0][0] - now if self.due else PINGER_IDLE
            self.server.sleep(max(wait, 0.01))


class LeanSocket(eio_socket.Socket):
    """An Engine.IO socket with no greenlet of its own while idle (see the module doc)."""

    _ws: Any = None
    _writer: Any = None

    def schedule_ping(self) -> None:
        if self.last_ping:  # only after the previous ping was answered
            self.last_ping = None
            self.server.guide_pinger.add(self)

    def ping(self) -> None:
        if not self.closing and not self.closed:
            self.last_ping = time.time()
            self.send(eio_socket.packet.Packet(eio_socket.packet.PING))

    def send(self, pkt: Any) -> None:
        super().send(pkt)
        self._kick()

    def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        super().close(wait=False, abort=abort, reason=reason)
        self._kick()
        if wait:
            self.queue.join()

    def _kick(self) -> None:
        if self._ws is not None and self._writer is None and not self.queue.empty():
            self._writer = self.server.start_background_task(self._write_queued)

    def _write_queued(self) -> None:
        """Send what is queued, then end (the next ``send`` starts another)."""
        empty = self.server.get_queue_empty_exception()
        try:
            while True:
                try:
                    pkt = self.queue.get(block=False)
                except empty:
                    return
                self.queue.task_done()
                if pkt is None:  # closed: Engine.IO's writer closes the WebSocket here
                    self._ws.close()
                    continue
                if self._ws.connected:
                    try:
                        self._ws.send(pkt.encode())
                    except Exception:
                        self._ws.close()
        finally:
            self._writer = None

    def _websocket_handler(self, ws: Any) -> list[Any]:
        if self.connected:  # an upgrade from polling (not offered): the library's path
            return super()._websocket_handler(ws)
        self.connected = self.upgraded = True
        self._ws = ws
        self._kick()  # the OPEN packet queued at connect
        self.server.logger.info("%s: Upgrade to websocket successful", self.sid)
        while True:
            try:
                data = ws.wait()
                if data is not None and len(data) > self.server.max_http_buffer_size:
                    raise ValueError("packet is too large")
            except Exception as err:
                if not self.closed:
                    self.server.logger.info('%s: Unexpected error "%s", closing connection',
                                            self.sid, err)
                break
            if data is None:
                break
            try:
                self.receive(eio_socket.packet.Packet(encoded_packet=data))
            except eio_socket.exceptions.UnknownPacketError:
                pass
            except eio_socket.exceptions.SocketIsClosedError:
                break
            except Exception:
                self.server.logger.exception("Unknown receive error")
                break
        self.queue.put(None)
        self._kick()
        writer = self._writer
        if writer is not None:
            writer.join()
        self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)
        return []


def install(socketio: Any) -> None:
    """Use these classes for every new WebSocket of ``socketio``'s server (gevent only)."""
    eio = socketio.server.eio
    if eio.async_mode != "gevent":
        return
    eio._async = {**eio._async, "websocket": WebSocket}
    eio.guide_pinger = Pinger(eio)
    inner = eio.handlers["connect"]

    def on_connect(eio_sid: str, environ: dict[str, Any], *args: Any) -> Any:
        sock = eio.sockets.get(eio_sid)
        if type(sock) is eio_socket.Socket:
            sock.__class__ = LeanSocket  # before its ping and its transport start
        return inner(eio_sid, environ, *args)

    eio.on("connect", on_connect)
