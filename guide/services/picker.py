"""The element picker: a selector clicked in the host product arrives in the editor live.

"Pick element" signs a pick token (author, workspace, guide, step field,
a random session id) and opens the preview URL with ``?guide_pick=<token>``.
The widget, in pick mode, sends ``picker:selected {token, selector, url}`` on
its ``/widget`` socket; that handler calls ``relay_pick``, which checks the
token and the selector and emits ``picker:selected {selector, url, field}`` on
the ``/admin`` namespace to the room of that pick session, which the editor
page joined (``picker:watch``, guide.authoring.realtime).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from marshmallow import ValidationError

from guide.errors import error_body
from guide.extensions import socketio
from guide.schemas.tour import check_selector

PICK_TTL = 15 * 60
SALT = "guide-pick-v1"
ADMIN_NAMESPACE = "/admin"
MAX_URL = 2000


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def pick_room(session_id: str) -> str:
    return f"pick:{session_id}"


def issue_pick_token(author_id: int, workspace_id: int, guide_key: str, field: str) -> str:
    """A token for one pick session; ``field`` is the editor input to fill (e.g. steps-2-target)."""
    return str(_serializer().dumps({"a": author_id, "w": workspace_id, "g": guide_key,
                                    "f": field[:100], "s": secrets.token_urlsafe(12)}))


def read_pick_token(token: Any) -> dict[str, Any] | None:
    """The token's claims, or None if it is forged, expired or not a string."""
    if not isinstance(token, str) or len(token) > 1000:
        return None
    try:
        claims = _serializer().loads(token, max_age=PICK_TTL)
    except (BadSignature, SignatureExpired):
        return None
    return claims if isinstance(claims, dict) else None


def _error(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, **error_body(code, message)}


def relay_pick(token: Any, selector: Any, url: Any,
               workspace_id: int | None = None) -> dict[str, Any]:
    """Send a picked selector to the editor that asked for it; returns the socket ack.

    ``workspace_id``: the workspace of the widget's connection, when known; a
    token of another workspace is refused.
    """
    claims = read_pick_token(token)
    if claims is None:
        return _error("pick_token_invalid", "This pick session has expired or is not valid; "
                                            "click Pick element again.")  # fmt: skip
    if workspace_id is not None and claims["w"] != workspace_id:
        return _error("pick_token_invalid", "This pick session is for another workspace.")
    if not isinstance(selector, str):
        return _error("invalid_payload", "selector must be a CSS selector string.")
    try:
        check_selector(selector)
    except ValidationError as error:
        return _error("invalid_payload", " ".join(error.messages))  # type: ignore[arg-type]
    page = url if isinstance(url, str) and len(url) <= MAX_URL else None
    payload = {"selector": selector, "url": page, "field": claims["f"], "guide": claims["g"]}
    socketio.emit("picker:selected", payload, to=pick_room(claims["s"]),
                  namespace=ADMIN_NAMESPACE)
    return {"ok": True}
