"""Envelope ids: each recorded once per workspace, replayed with its first result after.

The event row of an envelope stores its fingerprint (what was sent, minus the
client's clock) and its acknowledgement, so a resend of the same id gets the
same answer and the same id with another payload is refused (``id_conflict``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa

from guide.errors import Conflict
from guide.extensions import db
from guide.models import Event

_EVENT_COLUMNS = frozenset(column.key for column in Event.__table__.columns)


# Built once; run on the session's connection (the transaction's, or its savepoint's): the
# ORM's execute path (its bulk-insert layer, get_bind, autoflush) cost more than the
# statement. Nothing the envelope changed waits in the session for them: the replay check
# runs before any write, and the ORM flushes what the envelope changed (its progress) at
# the commit or the savepoint's release, in the same transaction as the event.
_INSERT = sa.insert(Event.__table__)


def record(event: Event) -> None:
    """Insert the envelope's event row with a Core statement.

    The ORM's unit of work cost several times the INSERT itself on this path.
    The attributes set on ``event`` are inserted; column defaults fill in the
    rest, as the ORM would. An event already in the session (put there by
    something the envelope did) is left to the ORM.
    """
    if event in db.session:
        return
    values = {k: v for k, v in sa.inspect(event).dict.items() if k in _EVENT_COLUMNS}
    db.session.connection().execute(_INSERT, values)


def fingerprint(kind: str, data: dict[str, Any]) -> str:
    # "at" differs between a send and its retry from another tab; ignore it.
    canonical = {k: v for k, v in data.items() if k != "at"}
    text = json.dumps([kind, canonical], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# Three columns, not the ORM entity, in a statement built once: this runs for every envelope.
_RECORDED = db.select(Event.fingerprint, Event.user_id, Event.result).where(
    Event.workspace_id == sa.bindparam("workspace_id"), Event.client_id == sa.bindparam("client_id")
)


def replay(workspace_id: int, user_id: int, client_id: str,
           fingerprint: str) -> dict[str, Any] | None:
    """The recorded ack of ``client_id`` marked ``duplicate``; None if it is new."""
    row = db.session.connection().execute(
        _RECORDED, {"workspace_id": workspace_id, "client_id": client_id}
    ).first()
    if row is None:
        return None
    if row.fingerprint != fingerprint or row.user_id != user_id:
        raise Conflict(
            "This envelope id was already used for a different envelope; generate a new UUID.",
            code="id_conflict",
        )
    return {**(row.result or {}), "duplicate": True}
