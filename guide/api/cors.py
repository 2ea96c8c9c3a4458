"""CORS for the widget endpoints, per workspace.

Preflights arrive without a body, so they are answered for any origin that
some workspace allows; the real request is then checked against its own
workspace before anything is read or written (``services.bootstrap``).
"""

from __future__ import annotations

from flask import Response, g, request

from guide.errors import error_response
from guide.services.origins import any_workspace_allows

ALLOW_HEADERS = "Content-Type, Authorization"


def preflight() -> Response | tuple[Response, int] | None:
    """``before_request`` hook: answer OPTIONS preflights."""
    if request.method != "OPTIONS":
        return None
    origin = request.headers.get("Origin")
    if not origin or not any_workspace_allows(origin):
        return error_response(403, "origin_not_allowed", f"Origin {origin} is not allowed.")
    response = Response(status=204)
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
    response.headers["Access-Control-Max-Age"] = "600"
    response.headers["Vary"] = "Origin"
    return response


def allow(origin: str | None) -> None:
    """Mark the response as readable by ``origin`` (checked by the caller)."""
    g.cors_origin = origin


def add_headers(response: Response) -> Response:
    """``after_request`` hook: echo the origin the view accepted."""
    origin = g.pop("cors_origin", None)
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
    response.vary.add("Origin")
    return response
