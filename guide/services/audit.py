"""The audit log: every content, publish, role, key and settings change, with who and when.

``record`` adds the entry to the current transaction, so an entry exists if
and only if the change it describes was committed.
"""

from __future__ import annotations

from typing import Any

from guide.extensions import db
from guide.models import AuditEntry, Author

PAGE_SIZE = 100


def actor_name(actor: Author | str | None) -> str:
    if isinstance(actor, Author):
        return actor.email
    return actor or "system"


def record(workspace_id: int | None, actor: Author | str | None, action: str,
           target: str | None = None, **details: Any) -> AuditEntry:
    """Add an entry to the session (committed with the change it describes)."""
    entry = AuditEntry(
        workspace_id=workspace_id,
        author_id=actor.id if isinstance(actor, Author) else None,
        actor=actor_name(actor), action=action, target=target, details=details,
    )  # fmt: skip
    db.session.add(entry)
    return entry


def entries(workspace_id: int, *, before: int | None = None,
            limit: int = PAGE_SIZE) -> list[AuditEntry]:
    """Newest first; ``before`` (an entry id) pages further back."""
    query = db.select(AuditEntry).where(AuditEntry.workspace_id == workspace_id)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    return list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))
