"""Unbound extensions, bound to the app in ``create_app``."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so Alembic batch migrations on SQLite can alter them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
socketio = SocketIO()
api = Api()


class GuideLimiter(Limiter):
    """Checks nothing while ``GUIDE_RATE_LIMITS`` is off: Flask-Limiter would still sort
    out each request's limits (twice: before the request and in the view's decorator)
    only to find them exempt, ~7% of a bootstrap."""

    def _check_request_limit(self, *args: Any, **kwargs: Any) -> None:
        if current_app.config.get("GUIDE_RATE_LIMITS", True):
            super()._check_request_limit(*args, **kwargs)


# Rate limits (guide.ratelimit): its HTTP decorators and the envelope budgets of the
# socket and batch paths share this one storage. A sliding window counter keeps two
# small counters per key (one Redis round trip a hit), smoothing fixed windows' double
# burst at a boundary without a moving window's list of every hit.
limiter = GuideLimiter(get_remote_address, strategy="sliding-window-counter", swallow_errors=True,
                       headers_enabled=False)
