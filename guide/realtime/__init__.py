"""Socket.IO handlers. Thin: authenticate, then hand envelopes to ``services.envelopes``."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from guide.realtime import widget  # noqa: F401  (registers the /widget handlers)
