"""The admin at ``/admin/``: authors sign in, edit, preview and publish guides.

Server-rendered pages with a little JavaScript. Every route declares who may
use it (``guide.access.policy``); the blueprint enforces that before the view
runs and refuses routes that declare nothing. CSRF tokens are checked on every
state-changing admin request, and only there: the widget API and Socket.IO
authenticate with their own tokens. The sign-in pages here serve the support
inbox (``/support/``) too: one account, one session.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from guide import access, errors
from guide.schemas.fields import LOCALE_PATTERN, SLUG_PATTERN

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates",
               static_folder="static", static_url_path="/static")
access.protect(bp)


@bp.context_processor
def _patterns() -> dict[str, str]:
    """Input patterns the browser checks before the schema does (schemas/fields.py)."""
    return {"slug_pattern": SLUG_PATTERN, "locale_pattern": LOCALE_PATTERN}


def init_app(app: Flask) -> None:
    """The admin routes; called by ``create_app`` after ``access.init_app``."""
    from guide.authoring import (  # noqa: F401
        views_accounts,
        views_admin,
        views_analytics,
        views_analytics_lifecycle,
        views_analytics_scenarios,
        views_auth,
        views_environments,
        views_guides,
        views_help_searches,
        views_integrations,
        views_members,
        views_privacy,
        views_reactive,
        views_scenarios,
        views_surveys,
        views_theme,
        views_translations,
        views_versions,
    )

    app.register_blueprint(bp)
    # /admin/ URLs that match no route get the admin's 404 page, not Werkzeug's.
    errors.register_error_page(app, "/admin/", views_auth.error_page)
