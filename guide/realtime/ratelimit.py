"""A per-socket rate limit (the `limits` library, as Flask-Limiter uses for HTTP).

A flood gets negative acks that carry ``retry_after`` instead of being
processed, so a misbehaving page cannot hog the database and a well-behaved
client knows when to try again rather than resending at once.
"""

from __future__ import annotations

import time

from flask import current_app
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

_limiter = MovingWindowRateLimiter(MemoryStorage())
_parsed: dict[str, list[RateLimitItem]] = {}


def _items() -> list[RateLimitItem]:
    spec = current_app.config["GUIDE_SOCKET_RATE_LIMIT"]
    if spec not in _parsed:
        _parsed[spec] = parse_many(spec)
    return _parsed[spec]


def retry_after(sid: str) -> float | None:
    """Count one envelope for ``sid``; seconds to wait if it is over the limit."""
    for item in _items():
        if not _limiter.hit(item, "socket", sid):
            reset = _limiter.get_window_stats(item, "socket", sid).reset_time
            return max(0.1, round(reset - time.time(), 1))
    return None


def forget(sid: str) -> None:
    for item in _items():
        _limiter.clear(item, "socket", sid)
