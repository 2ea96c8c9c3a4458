"""Which web origins may call a workspace's widget API and socket."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from guide.models import Workspace


@dataclass(frozen=True)
class Caller:
    """What the services need to know about the browser or client calling, read by the
    edge from its request (``guide.web.caller``): services never read Flask's request."""

    # The Origin header (None: not a browser, e.g. a backend or curl).
    origin: str | None
    # The origin this server is reached at, e.g. ``http://127.0.0.1:5000``.
    server: str
    user_agent: str | None = None


def origin_allowed(workspace: Workspace, caller: Caller) -> bool:
    """True when a browser on ``caller.origin`` may talk to ``workspace``.

    No Origin header means a non-browser client (a backend, curl): origin
    checks protect users' browsers, and identity is enforced separately.
    """
    if caller.origin is None:
        return True
    origin = caller.origin.rstrip("/")
    allowed = {o.rstrip("/") for o in workspace.allowed_origins or []}
    allowed.update(current_app.config["GUIDE_EXTRA_ORIGINS"])
    return origin == caller.server or origin in allowed or "*" in allowed
