"""Turn a socket token (socket connect, HTTP batch) into the context envelopes act in."""

from __future__ import annotations

from guide.errors import Forbidden, Unauthorized
from guide.extensions import db
from guide.models import EndUser, Workspace
from guide.services.envelopes import Context
from guide.services.identity import read_socket_token
from guide.services.origins import origin_allowed


def socket_context(token: object, origin: str | None, sid: str | None = None) -> Context:
    """Raises ``Unauthorized``/``Forbidden`` with the reason a client can act on."""
    return socket_session(token, origin, sid)[0]


def socket_session(token: object, origin: str | None,
                   sid: str | None = None) -> tuple[Context, float]:
    """``socket_context`` and when its token expires (seconds since the epoch)."""
    identity = read_socket_token(token)
    workspace = db.session.get(Workspace, identity.workspace_id)
    user = db.session.get(EndUser, identity.user_id)
    if workspace is None or user is None or user.workspace_id != workspace.id:
        raise Unauthorized("The socket token names no known user.", code="socket_token_invalid")
    if not origin_allowed(workspace, origin):
        raise Forbidden(
            f"Origin {origin} is not in this workspace's allowed_origins.",
            code="origin_not_allowed",
        )
    return Context(workspace=workspace, user=user, sid=sid), identity.expires_at
