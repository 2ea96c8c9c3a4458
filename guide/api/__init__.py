"""The versioned HTTP API under ``/api/v1`` (documented at ``/api/v1/openapi.json``)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from guide.api import (
        analytics_lifecycle,  # noqa: F401 (adds its routes to analytics_blp)
        analytics_surveys,  # noqa: F401 (adds its routes to analytics_blp)
    )
    from guide.api.analytics import blp as analytics_blp
    from guide.api.backend import blp as backend_blp
    from guide.api.escalations import blp as escalations_blp
    from guide.api.guides import blp as guides_blp
    from guide.api.help import blp as help_blp
    from guide.api.plans import blp as plans_blp
    from guide.api.privacy import blp as privacy_blp
    from guide.api.translations import blp as translations_blp
    from guide.api.widget import blp as widget_blp
    from guide.extensions import api

    api.register_blueprint(widget_blp)
    api.register_blueprint(guides_blp)
    api.register_blueprint(help_blp)
    api.register_blueprint(escalations_blp)
    api.register_blueprint(backend_blp)
    api.register_blueprint(plans_blp)
    api.register_blueprint(privacy_blp)
    api.register_blueprint(translations_blp)
    api.register_blueprint(analytics_blp)
