"""CORS for the widget endpoints (``/api/v1/widget/...``), per workspace.

The rule (docs/PROTOCOL.md, "Cross-origin"):

- A success response is readable only by the origin the view accepted for
  its workspace (``allow``), because it carries the user's data.
- An error response (status >= 400) is readable by whichever origin sent the
  request: it carries only the error shape, and without the header a widget
  on another origin sees a network error instead of ``identity_invalid``,
  ``socket_token_expired`` or ``origin_not_allowed`` and cannot act on it.
- Preflights are answered for any origin. They carry no body, so they cannot
  name a workspace; the real request is checked against its own workspace
  before anything is read or written, and a ``text/plain`` request reaches
  the view without any preflight anyway. Refusing preflights protected
  nothing; it only hid the real request's ``403 origin_not_allowed``.

No ``Access-Control-Allow-Credentials``: the widget sends no cookies
(``credentials: "omit"``), so no response is readable with them.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, g, request
from flask.blueprints import BlueprintSetupState
from flask_smorest import Blueprint

PREFIX = "/api/v1/widget/"
ALLOW_HEADERS = "Content-Type, Authorization"


def install(blp: Blueprint, methods: str) -> None:
    """Answer preflights for ``blp``'s routes (allowing ``methods``) and add the headers.

    The headers are added by an app-level ``after_request`` limited to ``PREFIX``,
    not a blueprint one: a 405 or an unknown path under the prefix matches no
    blueprint, so a blueprint hook would never see it.
    """
    blp.before_request(_preflight_hook(methods))
    blp.record_once(_install_after_request)


def allow(origin: str | None) -> None:
    """Mark a success response as readable by ``origin`` (checked by the caller)."""
    g.cors_origin = origin


def add_headers(response: Response) -> Response:
    """``after_request``: echo the accepted origin, or for an error the requesting one."""
    if not request.path.startswith(PREFIX):
        return response
    origin = g.pop("cors_origin", None)
    if response.status_code >= 400:
        origin = request.headers.get("Origin")
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
    response.vary.add("Origin")
    return response


def _preflight_hook(methods: str) -> Callable[[], Response | None]:
    def preflight() -> Response | None:
        """``before_request``: answer a CORS preflight from any origin."""
        origin = request.headers.get("Origin")
        if request.method != "OPTIONS" or not origin:
            return None
        response = Response(status=204)
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = methods
        response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
        return response

    return preflight


def _install_after_request(state: BlueprintSetupState) -> None:
    # Both widget blueprints install it; one copy is enough.
    hooks = state.app.after_request_funcs.setdefault(None, [])
    if add_headers not in hooks:
        hooks.append(add_headers)
