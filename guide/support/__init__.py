"""The support inbox at ``/support/``: escalations with their context, user timelines,
webhook health. Server-rendered, no external assets, strict CSP."""

from __future__ import annotations

from flask import Flask, Response, g

from guide.support import auth
from guide.support.views import bp

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


@bp.after_request
def _headers(response: Response) -> Response:
    if g.pop("support_cookie_dirty", False):
        auth.write_cookie(response, g.support_cookie)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
