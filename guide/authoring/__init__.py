"""The admin at ``/admin/``: authors sign in, edit, preview and publish guides.

Server-rendered pages with a little JavaScript. Every route declares who may
use it (``auth.policy``); the blueprint enforces that before the view runs
and refuses routes that declare nothing. CSRF tokens are checked on every
state-changing admin request, and only there: the widget API and Socket.IO
authenticate with their own tokens.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask

from guide.schemas.fields import SLUG_PATTERN

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates",
               static_folder="static", static_url_path="/static")


@bp.context_processor
def _patterns() -> dict[str, str]:
    """Input patterns the browser checks before the schema does (schemas/fields.py)."""
    return {"slug_pattern": SLUG_PATTERN}


def init_app(app: Flask) -> None:
    """Sessions, Flask-Login, CSRF and the admin routes; called by ``create_app``."""
    from guide.authoring import (  # noqa: F401
        auth,
        views_accounts,
        views_admin,
        views_auth,
        views_guides,
        views_members,
        views_privacy,
        views_scenarios,
        views_versions,
    )

    secure = bool(app.config.get("GUIDE_SECURE_COOKIES", False))
    # Session cookies: not readable by scripts, not sent on cross-site requests,
    # and only over HTTPS when GUIDE_SECURE_COOKIES=1 (set it behind TLS).
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        # "Keep me signed in": two weeks by default (Flask-Login's own default is a year).
        REMEMBER_COOKIE_DURATION=timedelta(days=app.config.get("GUIDE_REMEMBER_DAYS", 14)),
    )
    # CSRF is checked by the admin blueprint itself (auth.enforce), not app-wide.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session's lifetime
    auth.login_manager.init_app(app)
    auth.csrf.init_app(app)
    app.register_blueprint(bp)
