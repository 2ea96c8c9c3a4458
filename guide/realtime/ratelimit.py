"""A per-socket rate limit: a moving window per connection, in this process.

A flood gets negative acks that carry ``retry_after`` instead of being
processed, so a misbehaving page cannot hog the database and a well-behaved
client knows when to try again rather than resending at once.

The limits are written as Flask-Limiter writes them (``20/second;300/minute``,
parsed by the `limits` library). The windows themselves live here, one deque
of send times per socket and limit: a socket is served by one process, so no
shared storage is needed, and `limits`' MemoryStorage started a timer thread
every 10 ms that swept every key, which cost more than the envelope itself
under load.
"""

from __future__ import annotations

import time
from collections import deque

from flask import current_app
from limits import RateLimitItem, parse_many

_parsed: dict[str, list[RateLimitItem]] = {}
_windows: dict[str, list[deque[float]]] = {}


def _items() -> list[RateLimitItem]:
    spec = current_app.config["GUIDE_SOCKET_RATE_LIMIT"]
    if spec not in _parsed:
        _parsed[spec] = parse_many(spec)
    return _parsed[spec]


def retry_after(sid: str) -> float | None:
    """Count one envelope for ``sid``; seconds to wait if it is over the limit.

    A refused envelope is not counted, as with `limits`' moving window.
    """
    items = _items()
    now = time.monotonic()
    windows = _windows.get(sid)
    if windows is None or len(windows) != len(items):
        windows = _windows[sid] = [deque() for _ in items]
    for item, sent in zip(items, windows, strict=True):
        span = item.get_expiry()
        while sent and sent[0] <= now - span:
            sent.popleft()
        if len(sent) >= item.amount:
            return max(0.1, round(sent[0] + span - now, 1))
    for sent in windows:
        sent.append(now)
    return None


def forget(sid: str) -> None:
    _windows.pop(sid, None)
