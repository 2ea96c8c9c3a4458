"""What one client can hold: connections per client, read timeouts, the socket handshake.

A gevent server holds thousands of idle connections at the cost of a greenlet
each, so it takes many to exhaust one; these bounds make sure no single client
gets there (docs/DEPLOY.md, "Limits per client"):

- at most ``GUIDE_MAX_CONNECTIONS_PER_CLIENT`` requests in progress and
  WebSockets per client address (an IPv4 address, or an IPv6 /64, which one
  host usually holds whole); over it a 429 in the error shape, before the
  request reaches the app or upgrades;
- a request body that stalls for ``GUIDE_READ_TIMEOUT`` seconds between two
  packets ends in a 408 and a closed connection (the same bound applies to a
  response the client does not read);
- a WebSocket must join a namespace with a valid token within
  ``GUIDE_SOCKET_CONNECT_TIMEOUT`` seconds of opening, or it is closed.

Headers must arrive within gunicorn's keep-alive time (its gevent worker reads
them under that deadline; see guide/gunicorn_config.py).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.exceptions import RequestTimeout
from werkzeug.wsgi import ClosingIterator

from guide.addresses import client_network
from guide.config import default_async_mode
from guide.errors import error_body

log = logging.getLogger("guide.serving")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
RETRY_AFTER = 10
# Engine.IO closes a WebSocket that answers no ping within interval + timeout; the
# socket itself may stay silent that long, plus the read timeout for slack.
PING_INTERVAL, PING_TIMEOUT = 25, 20


class ClientSlots:
    """Counts what each client holds open; ``take`` refuses past ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> bool:
        with self._lock:
            held = self._held.get(key, 0)
            if self.limit and held >= self.limit:
                return False
            self._held[key] = held + 1
            return True

    def release(self, key: str) -> None:
        with self._lock:
            held = self._held.get(key, 0) - 1
            if held > 0:
                self._held[key] = held
            else:
                self._held.pop(key, None)

    def held(self, key: str) -> int:
        return self._held.get(key, 0)


class _TimedInput:
    """The request body; a read that times out is a 408 and closes the connection."""

    def __init__(self, stream: Any, sock: Any) -> None:
        self._stream, self._sock = stream, sock

    def stop_reading(self) -> None:
        """Whatever else the client sends is not read: the server closes after answering."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RD)

    def _guard(self, read: Callable[..., Any], *args: Any) -> Any:
        try:
            return read(*args)
        except TimeoutError:
            self.stop_reading()  # the rest may still come; nothing after it could be parsed
            raise RequestTimeout("The request body stopped arriving; send it again.") from None

    def read(self, *args: Any) -> bytes:
        return self._guard(self._stream.read, *args)

    def readline(self, *args: Any) -> bytes:
        return self._guard(self._stream.readline, *args)

    def readlines(self, *args: Any) -> list[bytes]:
        return self._guard(self._stream.readlines, *args)

    def __iter__(self) -> _TimedInput:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def finish(self, max_bytes: int, seconds: float) -> None:
        """Read what the app left of the body, within bounds, or stop reading.

        The server would read it anyway before the next request on the connection,
        outside any count and without a deadline: a body answered unread (a 401, a
        429) must not hold the connection longer than one read would.
        """
        read = 0
        try:
            with _deadline(seconds):
                while read <= max_bytes:
                    chunk = self.read(65536)
                    if not chunk:
                        return
                    read += len(chunk)
        except (_Expired, RequestTimeout, OSError, ValueError):
            pass
        self.stop_reading()


class _Expired(Exception):
    """The deadline of ``_deadline`` passed."""


def _deadline(seconds: float) -> Any:
    """A deadline for a whole sequence of reads (a trickle never stalls one of them).

    Under gevent (gunicorn's worker) it interrupts the read in progress; elsewhere
    each read is only bounded by the socket's timeout.
    """
    if default_async_mode() != "gevent":
        return contextlib.nullcontext()
    import gevent

    return gevent.Timeout(seconds, _Expired)


def _has_body(environ: dict[str, Any]) -> bool:
    return (environ.get("CONTENT_LENGTH") or "0") != "0" or \
        "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


class ClientLimit:
    """WSGI middleware: the per-client cap and the read timeouts (see the module doc)."""

    def __init__(self, app: WSGIApp, *, limit: int, read_timeout: float, max_body: int) -> None:
        self.app = app
        self.slots = ClientSlots(limit)
        self.read_timeout, self.max_body = read_timeout, max_body
        self.socket_timeout = PING_INTERVAL + PING_TIMEOUT + read_timeout

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        websocket = environ.get("HTTP_UPGRADE", "").lower() == "websocket"
        # gunicorn's workers pass the connection's socket; other servers keep their own.
        sock = environ.get("gunicorn.socket")
        body = None
        if sock is not None:
            sock.settimeout(self.socket_timeout if websocket else self.read_timeout)
            if not websocket:
                body = environ["wsgi.input"] = _TimedInput(environ["wsgi.input"], sock)
        key = client_network(environ.get("REMOTE_ADDR"))
        if not self.slots.take(key):
            log.info("refused %s %s: %s holds %d connections", environ.get("REQUEST_METHOD"),
                     environ.get("PATH_INFO"), key, self.slots.limit)
            if body is not None and _has_body(environ):
                body.stop_reading()  # over its cap: its body is not waited for either
            return _refuse(start_response, self.slots.limit)
        released = False

        def finish() -> None:
            nonlocal released
            if released:
                return
            released = True
            try:
                if body is not None:
                    body.finish(self.max_body, self.read_timeout)
            finally:
                self.slots.release(key)

        try:
            result = self.app(environ, start_response)
        except BaseException:  # a WebSocket ends here (StopIteration), after its whole life
            finish()
            raise
        return ClosingIterator(result, finish)


def _refuse(start_response: Callable[..., Any], limit: int) -> list[bytes]:
    message = (f"Too many open connections from your address (at most {limit} at once); "
               "close some or retry later.")
    body = json.dumps(error_body("too_many_connections", message)).encode()
    start_response("429 Too Many Requests", [
        ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
        ("Retry-After", str(RETRY_AFTER)), ("X-Content-Type-Options", "nosniff"),
    ])
    return [body]


class HandshakeDeadline:
    """Closes Engine.IO connections that joined no Socket.IO namespace in time.

    Wraps Engine.IO's connect handler to note each new connection; one background
    task per process checks them in order as their deadlines pass.
    """

    def __init__(self, socketio: Any, seconds: float) -> None:
        self.socketio, self.seconds = socketio, seconds
        self.server = socketio.server
        self._pending: deque[tuple[float, str]] = deque()
        self._sweeper_pid: int | None = None
        eio = self.server.eio
        inner = eio.handlers["connect"]

        def on_connect(eio_sid: str, environ: dict[str, Any], *args: Any) -> Any:
            result = inner(eio_sid, environ, *args)
            self._pending.append((time.monotonic() + self.seconds, eio_sid))
            if self._sweeper_pid != os.getpid():
                self._sweeper_pid = os.getpid()
                socketio.start_background_task(self._sweep)
            return result

        eio.on("connect", on_connect)

    def joined(self, eio_sid: str) -> bool:
        manager = self.server.manager
        return any(manager.sid_from_eio_sid(eio_sid, namespace) is not None
                   for namespace in list(manager.get_namespaces()))

    def _sweep(self) -> None:
        while True:
            if not self._pending:
                self.socketio.sleep(min(self.seconds, 1.0))
                continue
            deadline, eio_sid = self._pending[0]
            wait = deadline - time.monotonic()
            if wait > 0:
                self.socketio.sleep(wait)
                continue
            self._pending.popleft()
            try:
                environ = self.server.environ.get(eio_sid)
                if environ is not None and not self.joined(eio_sid):
                    log.info("closing socket %s: no namespace joined in %ss", eio_sid,
                             self.seconds)
                    self.server.eio.disconnect(eio_sid)
                    # Engine.IO sends its close and then waits for the client's answer,
                    # which a client holding the socket on purpose never sends.
                    sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
                    if sock is not None:
                        with contextlib.suppress(OSError):
                            sock.shutdown(socket.SHUT_RD)
            except Exception:  # never let one connection end the sweeper
                log.exception("handshake deadline check failed for %s", eio_sid)


def init_app(app: Flask) -> None:
    """Install the limits; after Socket.IO (so they wrap its upgrades), before ProxyFix."""
    from guide.extensions import socketio

    app.wsgi_app = ClientLimit(  # type: ignore[method-assign]
        app.wsgi_app, limit=app.config["GUIDE_MAX_CONNECTIONS_PER_CLIENT"],
        read_timeout=app.config["GUIDE_READ_TIMEOUT"],
        max_body=app.config["MAX_CONTENT_LENGTH"] or 1 << 20,
    )
    if app.config["GUIDE_SOCKET_CONNECT_TIMEOUT"] > 0 and socketio.server is not None:
        HandshakeDeadline(socketio, app.config["GUIDE_SOCKET_CONNECT_TIMEOUT"])
