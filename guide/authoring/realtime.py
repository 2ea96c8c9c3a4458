"""The ``/admin`` Socket.IO namespace: the editor hears picked selectors live.

Authenticated by the admin session cookie (Flask-Login) at connect, and only
from this server's own origin (cookies are ambient, so a page elsewhere must
not be able to open a socket with them). An editor joins a pick session's
room with ``picker:watch {token}``; ``services.picker.relay_pick`` emits
``picker:selected`` there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from guide.errors import error_body
from guide.extensions import socketio
from guide.services.picker import ADMIN_NAMESPACE, pick_room, read_pick_token


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    if origin is None:  # not a browser (test clients, tools): the cookie still has to be valid
        return True
    return urlsplit(origin).netloc == request.host


@socketio.on("connect", namespace=ADMIN_NAMESPACE)
def on_admin_connect(auth: Any = None) -> None:
    if not _same_origin():
        raise ConnectionRefusedError("Cross-origin connections are refused.",
                                     error_body("origin_not_allowed", "Wrong origin.")["error"])
    if not current_user.is_authenticated:
        raise ConnectionRefusedError("Sign in to the admin first.",
                                     error_body("unauthorized", "Sign in first.")["error"])


@socketio.on("picker:watch", namespace=ADMIN_NAMESPACE)
def on_picker_watch(data: Any = None) -> dict[str, Any]:
    """Join the room of a pick session this author started."""
    token = data.get("token") if isinstance(data, dict) else None
    claims = read_pick_token(token)
    if claims is None or not current_user.is_authenticated or claims["a"] != current_user.id:
        return {"ok": False,
                **error_body("pick_token_invalid", "Not a pick session of yours.")}
    join_room(pick_room(claims["s"]))
    return {"ok": True}
