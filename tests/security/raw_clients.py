"""Clients that speak just enough HTTP and WebSocket to hold a server's connections.

Raw sockets, so a test decides exactly what is sent and when: a WebSocket upgrade
that then says nothing, a body that is promised and never comes.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import time

from tests import live


def port_of(server: live.LiveServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


def connect_from(server: live.LiveServer, source: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port_of(server)), timeout=10,
                                    source_address=(source, 0))
    return sock


def read_head(sock: socket.socket) -> bytes:
    """The response's status line and headers (and whatever came with them)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def read_response(sock: socket.socket) -> tuple[bytes, bytes]:
    """One whole response: its head and its body (by Content-Length)."""
    data = read_head(sock)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            break
        body += chunk
    return head, body


def open_handshake(server: live.LiveServer, source: str) -> tuple[socket.socket, bytes]:
    """A WebSocket upgrade to Socket.IO that then says nothing (no namespace, no token)."""
    sock = connect_from(server, source)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((
        f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    return sock, read_head(sock)


def open_slow_body(server: live.LiveServer, source: str) -> socket.socket:
    """A batch whose promised 1,000-byte body never comes (one byte of it does)."""
    sock = connect_from(server, source)
    sock.sendall(b"POST /api/v1/widget/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
    return sock


def pending(sock: socket.socket) -> bytes | None:
    """What the server sent that is not read yet; None once it closed the connection."""
    sock.setblocking(False)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
        return None
    except BlockingIOError:
        return data
    except OSError:
        return None
    finally:
        sock.setblocking(True)


def still_open(sock: socket.socket) -> bool:
    """Open (an upgraded socket may have sent Engine.IO's open packet or a ping)."""
    return pending(sock) is not None


def still_open_and_unanswered(sock: socket.socket) -> bool:
    return pending(sock) == b""


def wait_closed(sock: socket.socket, within: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection; and when it did."""
    started = time.monotonic()
    sock.settimeout(within)
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            return data, time.monotonic() - started
        data += chunk
