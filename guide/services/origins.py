"""Which web origins may call a workspace's widget API and socket."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request

from guide.models import Workspace


def own_origin() -> str:
    """The origin this server is reached at, e.g. ``http://127.0.0.1:5000``."""
    parts = urlsplit(request.host_url)
    return f"{parts.scheme}://{parts.netloc}"


def origin_allowed(workspace: Workspace, origin: str | None) -> bool:
    """True when a browser on ``origin`` may talk to ``workspace``.

    No Origin header means a non-browser client (a backend, curl): origin
    checks protect users' browsers, and identity is enforced separately.
    """
    if origin is None:
        return True
    origin = origin.rstrip("/")
    allowed = {o.rstrip("/") for o in workspace.allowed_origins or []}
    allowed.update(current_app.config["GUIDE_EXTRA_ORIGINS"])
    return origin == own_origin() or origin in allowed or "*" in allowed
