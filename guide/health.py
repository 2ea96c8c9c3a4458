"""Liveness for load balancers and the test harness."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up and serving requests (it does not touch the database)."""
    return {"status": "ok"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
