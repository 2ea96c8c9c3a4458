"""Rate limits that hold across transports and processes (docs/DEPLOY.md, "Rate limits").

One Flask-Limiter instance (``guide.extensions.limiter``) owns the storage:
memory in a single process, Redis when several processes share the limits.
HTTP endpoints are limited by its decorators (``bootstrap_limit`` per client
address, ``token_limit`` per socket token). Envelopes, over the socket and in
HTTP batches alike, are counted one by one here against the same storage,
keyed by the end user: every socket, tab, token and process of a user draws
from one budget, and a batch of 1,000 envelopes costs 1,000.

A refused envelope gets a ``rate_limited`` acknowledgement with ``retry_after``
(seconds) instead of being processed; a refused request a ``429`` in the one
error shape with ``Retry-After``. When the storage cannot be reached the
limits are not applied (and that is logged): a Redis outage must not stop
every widget.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from flask_limiter import RateLimitExceeded
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage

from guide.addresses import client_network
from guide.errors import error_body
from guide.extensions import limiter

ESCALATE = "help:escalate"
SWEEP_SECONDS = 1.0
_parsed: dict[str, list[RateLimitItem]] = {}
_storage_failed_at = 0.0


class LeanMemoryStorage(MemoryStorage):
    """``memory://`` without the sweeping thread of limits' MemoryStorage.

    MemoryStorage starts a timer thread 10 ms after a hit that walks every key:
    under steady load a new thread every 10 ms and a walk of every user's
    counters, which halved the hits per second at 20,000 users (and blocks the
    loop under gevent). Here the hit that finds a sweep due does it, at most
    once a second; reads check expiry themselves, so nothing stale is counted.
    """

    STORAGE_SCHEME = ["guide-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 (MemoryStorage's hook)
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    """Bind the limiter to ``app`` with the GUIDE_* settings read by guide.config."""
    url = app.config["GUIDE_RATELIMIT_STORAGE_URL"]
    if url.startswith("memory://"):
        url = "guide-memory://"
    app.config.setdefault("RATELIMIT_STORAGE_URI", url)
    # Keys carry the deployment's channel, so deployments sharing a Redis do not mix.
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config["GUIDE_MESSAGE_QUEUE_CHANNEL"])
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)


def _off() -> bool:
    return not current_app.config["GUIDE_RATE_LIMITS"]


def _address_key() -> str:
    """The client's address (after ProxyFix), an IPv6 client by its /64."""
    return client_network(request.remote_addr)


def _token_key() -> str:
    """The socket token of a widget request (hashed), else the client's address."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not token:
        return _address_key()
    return hashlib.sha256(token.encode()).hexdigest()[:32]


# Bootstrap needs no token, and each one may create a user: per client address.
bootstrap_limit = limiter.limit(
    lambda: current_app.config["GUIDE_BOOTSTRAP_RATE_LIMIT"], key_func=_address_key,
    exempt_when=_off,
)
# Batches and help reads with one socket token share its budget.
token_limit = limiter.shared_limit(
    lambda: current_app.config["GUIDE_TOKEN_RATE_LIMIT"], scope="widget-token",
    key_func=_token_key, exempt_when=_off,
)


def _items(setting: str) -> list[RateLimitItem]:
    spec = current_app.config[setting]
    if spec not in _parsed:
        _parsed[spec] = parse_many(spec)
    return _parsed[spec]


def envelope_refusal(workspace_id: int, user_id: int, kind: str) -> dict[str, Any] | None:
    """Count one envelope of ``kind`` for the user; the ``rate_limited`` ack if over budget.

    ``help:escalate`` also counts against GUIDE_ESCALATION_RATE_LIMIT (each one
    reaches support). A refused envelope is not counted against the limit that
    refused it.
    """
    if _off():
        return None
    budgets = [("envelope", "GUIDE_ENVELOPE_RATE_LIMIT")]
    if kind == ESCALATE:
        budgets.append(("escalation", "GUIDE_ESCALATION_RATE_LIMIT"))
    ids = (current_app.config["GUIDE_MESSAGE_QUEUE_CHANNEL"], str(workspace_id), str(user_id))
    try:
        for scope, setting in budgets:
            for item in _items(setting):
                if not limiter.limiter.hit(item, scope, *ids):
                    return rate_limited(_retry_after(item, scope, *ids), scope)
    except Exception:  # the storage is down: serve without limits rather than not at all
        _storage_failed()
    return None


def _retry_after(item: RateLimitItem, *ids: str) -> float:
    reset_at = limiter.limiter.get_window_stats(item, *ids).reset_time
    return max(0.1, round(reset_at - time.time(), 1))


def rate_limited(wait: float, scope: str = "envelope") -> dict[str, Any]:
    """The negative acknowledgement of a refused envelope (socket or HTTP batch)."""
    what = "help requests" if scope == "escalation" else "events"
    body = error_body("rate_limited", f"Too many {what} from this user; retry after {wait} s.")
    body["error"]["retry_after"] = wait
    return {"ok": False, **body}


def _storage_failed() -> None:
    """Log a storage failure with its traceback, at most once a minute."""
    global _storage_failed_at
    now = time.monotonic()
    if now - _storage_failed_at >= 60:
        _storage_failed_at = now
        current_app.logger.exception("rate-limit storage unreachable; serving without limits")


def _too_many_requests(err: RateLimitExceeded) -> tuple[Response, int]:
    """A refused request: 429 in the one error shape, with Retry-After and retry_after."""
    current = limiter.current_limit
    wait = max(1, math.ceil(current.reset_at - time.time())) if current else 1
    body = error_body("rate_limited", f"Too many requests ({err.description}); "
                                      f"retry after {wait} s.")
    body["error"]["retry_after"] = wait
    response = jsonify(body)
    response.headers["Retry-After"] = str(wait)
    return response, 429
