"""An open socket ends when the token it connected with expires.

The token is checked at connect; after that a socket could act for as long as
it stayed open. Now each connection's expiry is remembered: an envelope sent
after it is refused with ``socket_token_expired`` (as the HTTP batch endpoint
answers with its 401) and the socket is disconnected, and one task per
process disconnects idle sockets when their time comes. The widget answers
either by bootstrapping again for a fresh token and reconnecting.

The task is not a greenlet per socket: it keeps the deadlines in a heap and
sleeps until the earliest (at most ``MAX_SLEEP`` seconds), and it stops when
no socket is watched.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from typing import Any

from guide.errors import error_body
from guide.extensions import socketio

log = logging.getLogger(__name__)

MAX_SLEEP = 5.0
# How long a refused envelope's acknowledgement has to leave before the disconnect
# (the client closes its connection on the disconnect and would never read it).
ACK_GRACE = 0.05

_deadlines: dict[str, tuple[float, str]] = {}  # sid -> (deadline, namespace)
_heap: list[tuple[float, str]] = []
_lock = threading.Lock()
_running = False
_wake: Any = None  # set when a socket with an earlier deadline than the task awaits arrives


def now() -> float:
    """Seconds since the epoch, as a token's ``exp`` counts them (tests move it on)."""
    return time.time()


def watch(sid: str, namespace: str, expires_at: float) -> None:
    """Remember when ``sid``'s token expires; starts this process's task if needed."""
    global _running, _wake
    with _lock:
        earliest = not _heap or expires_at < _heap[0][0]
        _deadlines[sid] = (expires_at, namespace)
        heapq.heappush(_heap, (expires_at, sid))
        start, _running = not _running, True
        if start:
            _wake = socketio.server.eio.create_event()  # a threading or gevent Event
        wake = _wake
    if start:
        socketio.start_background_task(_sweeper, wake)
    elif earliest and wake is not None:
        wake.set()


def forget(sid: str) -> None:
    with _lock:
        _deadlines.pop(sid, None)


def refusal(sid: str) -> dict[str, Any] | None:
    """The acknowledgement for an envelope sent after the token expired (and the
    socket's disconnect, right after it), or None while the token is valid."""
    deadline = _deadlines.get(sid)
    if deadline is None or now() < deadline[0]:
        return None
    socketio.start_background_task(_disconnect_after_ack, sid)
    return {"ok": False, **error_body(
        "socket_token_expired",
        "This connection's socket token has expired; bootstrap again for a new one.")}


def sweep(at: float | None = None) -> int:
    """Disconnect every watched socket whose token expired by ``at`` (default: now)."""
    at = now() if at is None else at
    due: list[tuple[str, str]] = []
    with _lock:
        while _heap and _heap[0][0] <= at:
            deadline, sid = heapq.heappop(_heap)
            watched = _deadlines.get(sid)
            if watched is not None and watched[0] == deadline:
                due.append((sid, watched[1]))
    for sid, namespace in due:
        _disconnect(sid, namespace)
    return len(due)


def _disconnect_after_ack(sid: str) -> None:
    socketio.sleep(ACK_GRACE)
    watched = _deadlines.get(sid)
    if watched is not None:
        _disconnect(sid, watched[1])


def _disconnect(sid: str, namespace: str) -> None:
    forget(sid)
    try:
        socketio.server.disconnect(sid, namespace=namespace)
    except Exception:  # the socket went away meanwhile; nothing left to end
        log.debug("disconnecting %s after its token expired failed", sid, exc_info=True)


def _sweeper(wake: Any) -> None:
    """Sleep until the earliest deadline, disconnect what expired, repeat; stop when idle."""
    global _running
    while True:
        with _lock:
            if not _deadlines:
                _heap.clear()
                _running = False
                return
            wait = min(MAX_SLEEP, max(ACK_GRACE, (_heap[0][0] if _heap else 0) - now()))
            wake.clear()
        wake.wait(wait)
        try:
            sweep()
        except Exception:  # never let one failure end the task for every socket
            log.exception("disconnecting sockets with expired tokens failed")
