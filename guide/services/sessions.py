"""Turn a socket token (socket connect, HTTP batch) into the context envelopes act in."""

from __future__ import annotations

import sqlalchemy as sa

from guide.errors import Forbidden, Unauthorized
from guide.extensions import db
from guide.models import EndUser, Workspace
from guide.services.identity import read_socket_token
from guide.services.origins import Caller, origin_allowed
from guide.services.unit import Context

# Built once, with bind parameters: this runs for every envelope of a connected socket.
_USER_AND_WORKSPACE = (
    db.select(EndUser, Workspace)
    .join(Workspace, Workspace.id == EndUser.workspace_id)
    .where(EndUser.id == sa.bindparam("user_id"), Workspace.id == sa.bindparam("workspace_id"))
)


def context_of(user_id: int, workspace_id: int, sid: str | None = None,
               user_agent: str | None = None) -> Context | None:
    """The user and their workspace in one query; None when either is gone."""
    row = db.session.execute(_USER_AND_WORKSPACE,
                             {"user_id": user_id, "workspace_id": workspace_id}).first()
    if row is None:
        return None
    return Context(workspace=row[1], user=row[0], sid=sid, user_agent=user_agent)


def socket_context(token: object, caller: Caller, sid: str | None = None) -> Context:
    """Raises ``Unauthorized``/``Forbidden`` with the reason a client can act on."""
    return socket_session(token, caller, sid)[0]


def socket_session(token: object, caller: Caller,
                   sid: str | None = None) -> tuple[Context, float]:
    """``socket_context`` and when its token expires (seconds since the epoch)."""
    identity = read_socket_token(token)
    ctx = context_of(identity.user_id, identity.workspace_id, sid, caller.user_agent)
    if ctx is None:
        raise Unauthorized("The socket token names no known user.", code="socket_token_invalid")
    workspace = ctx.workspace
    if not origin_allowed(workspace, caller):
        raise Forbidden(
            f"Origin {caller.origin} is not in this workspace's allowed_origins.",
            code="origin_not_allowed",
        )
    return ctx, identity.expires_at
