"""Headers for every response: ``nosniff``, and public responses do not vary
on the admin's session cookie.

Flask-Login looks at the session after every request (its remember-cookie
hook), so Flask adds ``Vary: Cookie`` to everything, the widget's bundles
included: a CDN or proxy would then keep one copy of ``guide.js`` per visitor.
The widget's files and API never read the session, so for them a session
that was only looked at, not changed, says nothing about the response.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

PUBLIC_PREFIXES = ("/widget/", "/api/v1/widget/")


class SessionInterface(SecureCookieSessionInterface):
    """The default signed-cookie sessions, minus ``Vary: Cookie`` on public paths."""

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        if not session.modified and request.path.startswith(PUBLIC_PREFIXES):
            session.accessed = False
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()

    @app.after_request
    def _nosniff(response: Response) -> Response:
        # Every response, JSON errors and API bodies included: a browser must never
        # sniff one of them into HTML or script.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
