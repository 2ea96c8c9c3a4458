"""Server -> widget pushes, sent only after the change they announce is committed."""

from __future__ import annotations

from typing import Any

from socketio import Manager

from guide.extensions import db, socketio
from guide.models import EndUser
from guide.models.user import workspace_room
from guide.services import progress as rules
from guide.services.unit import Context, Outcome

NAMESPACE = "/widget"


def progress_changed(ctx: Context, outcome: Outcome, payload: dict[str, Any]) -> None:
    """Tell the user's other tabs and devices, and teammates for account-scoped steps.

    ``payload`` is the user's progress as committed (the ack's), so the common
    case costs no query after the commit.
    """
    if not outcome.touched:
        return
    pairs = list(outcome.touched.values())
    if payload:
        _emit("progress", {"progress": payload}, ctx.room, skip_sid=ctx.sid)
    shared = [pair for pair in pairs if pair[0].id in outcome.account_guides]
    if shared and ctx.user.account_id is not None:
        account_progress(ctx.user.account_id, shared, but=ctx.user.id)


def account_progress(account_id: int, pairs: list[Any], but: int | None = None) -> None:
    """After commit: every user of the account (``but`` one) gets their progress on ``pairs``
    (bounded: accounts are teams)."""
    query = db.select(EndUser).where(EndUser.account_id == account_id)
    if but is not None:
        query = query.where(EndUser.id != but)
    for user in db.session.scalars(query.limit(1000)):
        _emit("progress", {"progress": rules.progress_map(user, pairs)}, user.room)


def guides_changed(workspace_id: int) -> None:
    """Published content changed: every connected widget of the workspace bootstraps again."""
    _emit("guides:changed", {}, workspace_room(workspace_id))


def _emit(event: str, payload: dict[str, Any], room: str, skip_sid: str | None = None) -> None:
    if skip_sid is not None and _nobody_else(room, skip_sid):
        return
    socketio.emit(event, payload, to=room, skip_sid=skip_sid, namespace=NAMESPACE)


def _nobody_else(room: str, sid: str) -> bool:
    """True when the room holds no socket but ``sid``, as far as anyone can know.

    Without a message queue this process's rooms are every room there is, and
    python-socketio would encode the packet before finding that its only member
    is skipped (a user with one tab: every ack's progress push). With a queue,
    other processes may hold the room's other sockets: always emit.
    """
    manager = socketio.server.manager
    if type(manager) is not Manager:
        return False
    members = manager.rooms.get(NAMESPACE, {}).get(room)
    return members is None or all(member == sid for member in members)
