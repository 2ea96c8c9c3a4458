"""Liveness and readiness for load balancers, orchestrators and the test harness."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app

from guide.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up and serving requests (it does not touch the database)."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Ready to serve: the database answers, and the message queue when one is configured."""
    checks = {"database": _check(_database), "queue": _check(_queue)}
    ready = all(value in ("ok", "not configured") for value in checks.values())
    return {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503


def _check(probe: Any) -> str:
    try:
        return probe()
    except Exception as error:  # any failure means "not ready", with the reason shown
        current_app.logger.warning("readiness check failed: %s", error)
        return f"error: {type(error).__name__}"


def _database() -> str:
    db.session.execute(sa.text("SELECT 1"))
    db.session.rollback()
    return "ok"


def _queue() -> str:
    url = current_app.config["GUIDE_MESSAGE_QUEUE"]
    if not url:
        return "not configured"
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
