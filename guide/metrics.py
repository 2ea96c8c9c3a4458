"""Prometheus metrics at ``/metrics`` (prometheus-client), one set per process.

Scrape every web process (each holds its own sockets). Events per second is
``rate(guide_envelopes_total[1m])``; ack latency is the server's time from
receiving an envelope to acknowledging it, commit included.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

CONNECTIONS = Gauge("guide_socket_connections", "Open /widget Socket.IO connections.")
ENVELOPES = Counter(
    "guide_envelopes_total", "Envelopes acknowledged, by type and outcome.", ["type", "outcome"]
)
ACK_LATENCY = Histogram(
    "guide_ack_latency_seconds", "Receipt to acknowledgement of an envelope (commit included).",
    ["type"], buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_BACKLOG = Gauge("guide_outbox_backlog", "Outbox messages waiting for delivery.")

bp = Blueprint("metrics", __name__)


def observe(kind: str, ack: dict[str, Any], seconds: float) -> None:
    if ack.get("ok"):
        outcome = "duplicate" if ack.get("duplicate") else "ok"
    else:
        outcome = str(ack.get("error", {}).get("code", "error"))
    ENVELOPES.labels(kind, outcome).inc()
    ACK_LATENCY.labels(kind).observe(seconds)


@bp.get("/metrics")
def metrics() -> Response:
    from guide.extensions import db
    from guide.models import OutboxMessage

    OUTBOX_BACKLOG.set(db.session.scalar(
        db.select(db.func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending")
    ) or 0)
    db.session.rollback()
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
