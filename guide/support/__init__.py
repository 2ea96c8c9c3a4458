"""The support inbox at ``/support/``: escalations with their context, user timelines,
webhook health. Server-rendered, no external assets, strict CSP.

People sign in with their admin account (one session with ``/admin``, whose
login page the inbox sends them to); the ``support`` and ``admin`` roles of a
workspace see its inbox (``guide.access``), nobody signs in with an API key.
"""

from __future__ import annotations

from flask import Flask, Response

from guide.support.views import bp

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
