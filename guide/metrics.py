"""Prometheus metrics at ``/metrics`` (prometheus-client), one set per process.

Scrape every web process (each holds its own sockets). Events per second is
``rate(guide_envelopes_total[1m])``; ack latency is the server's time from
receiving an envelope to acknowledging it, commit included.

Not public (the counters tell an outsider the traffic and the error rate): a
scraper sends ``Authorization: Bearer <GUIDE_METRICS_TOKEN>`` or comes from a
network in ``GUIDE_METRICS_ALLOW_FROM``; with neither configured every request
is refused (docs/DEPLOY.md, "Metrics").
"""

from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from guide.errors import error_response
from guide.extensions import db
from guide.models import OutboxMessage

CONNECTIONS = Gauge("guide_socket_connections", "Open /widget Socket.IO connections.")
ENVELOPES = Counter(
    "guide_envelopes_total", "Envelopes acknowledged, by type and outcome.", ["type", "outcome"]
)
ACK_LATENCY = Histogram(
    "guide_ack_latency_seconds", "Receipt to acknowledgement of an envelope (commit included).",
    ["type"], buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
GROUP_COMMIT_BATCH = Histogram(
    "guide_group_commit_batch_envelopes", "Socket envelopes committed together (group commit).",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
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


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def allowed_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """``GUIDE_METRICS_ALLOW_FROM`` parsed; a bad entry stops the server at start."""
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as error:
        raise ValueError(f"GUIDE_METRICS_ALLOW_FROM: {error} (give addresses or networks, "
                         "comma separated, e.g. 10.0.0.0/8,127.0.0.1)") from error


def refusal() -> tuple[Response, int] | None:
    """None when this request may read the metrics, else the error response."""
    token = current_app.config.get("GUIDE_METRICS_TOKEN")
    networks = allowed_networks(tuple(current_app.config.get("GUIDE_METRICS_ALLOW_FROM") or ()))
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return None
    try:
        client = ipaddress.ip_address((request.remote_addr or "").split("%")[0])
    except ValueError:
        client = None
    if client is not None and any(client in network for network in networks):
        return None
    if not token and not networks:
        return error_response(403, "forbidden", "Metrics are off: set GUIDE_METRICS_TOKEN "
                              "(or GUIDE_METRICS_ALLOW_FROM) on the server to scrape them.")
    if token:
        response, status = error_response(401, "unauthorized",
                                          "Send Authorization: Bearer <GUIDE_METRICS_TOKEN>.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response, status
    return error_response(403, "forbidden", "This address may not read the metrics.")


@bp.get("/metrics")
def metrics() -> Response | tuple[Response, int]:
    refused = refusal()
    if refused is not None:
        return refused
    OUTBOX_BACKLOG.set(db.session.scalar(
        db.select(db.func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending")
    ) or 0)
    db.session.rollback()
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    allowed_networks(tuple(app.config.get("GUIDE_METRICS_ALLOW_FROM") or ()))
    app.register_blueprint(bp)
