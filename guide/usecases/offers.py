"""Offers: the guides bootstrap gave a user, recorded for analytics ("eligible" users).

One ``event`` row of type ``offer`` naming the guide key, at most once per user,
guide and local day in the workspace's timezone (docs/ANALYTICS.md). Bootstrap is
the hottest path and is read-only for a returning user, so the cost is bounded
twice: each process remembers which offers it recorded today and writes nothing
for those again (no statement at all), and what it does write is one multi-row
``INSERT ... ON CONFLICT DO NOTHING`` on the event log's unique
``(workspace_id, client_id)``, whose client id names the user, guide and day, so
other processes (or a forgotten memory) can never record a day's offer twice.
At most one write per user and day per process, whatever the number of pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from guide.extensions import db
from guide.models import EndUser, Event, Workspace
from guide.models.base import utcnow
from guide.models.event import OFFER
from guide.services.published import PublishedGuide
from guide.services.rows import insert_ignoring_conflicts

_MEMORY = "guide.offers"
# Users remembered per process before the memory starts over (a day's offers then
# cost one more INSERT that conflicts and writes nothing).
_REMEMBERED = 50_000


def client_id(user_id: int, guide_id: int, day: date) -> str:
    """The offer's key in the event log: one per user, guide and local day."""
    return f"offer:{user_id}:{guide_id}:{day.isoformat()}"


def record(workspace: Workspace, user: EndUser, guides: Iterable[PublishedGuide]) -> None:
    """Record today's offers of ``guides`` to ``user`` not yet recorded; commits if it writes.

    A failure to record is logged and never fails the bootstrap: it is analytics.
    """
    now = utcnow()
    day = now.astimezone(ZoneInfo(workspace.timezone)).date()
    memory: dict[tuple[int, int], tuple[date, frozenset[int]]] = (
        current_app.extensions.setdefault(_MEMORY, {}))
    key = (workspace.id, user.id)
    known_day, known = memory.get(key, (day, frozenset()))
    if known_day != day:
        known = frozenset()
    new = [g for g in guides if g.id not in known]
    if not new:
        return
    rows = [{"workspace_id": workspace.id, "user_id": user.id, "type": OFFER, "name": g.key,
             "client_id": client_id(user.id, g.id, day), "props": {}, "created_at": now}
            for g in new]
    try:
        insert = insert_ignoring_conflicts(Event)
        if insert is not None:
            db.session.execute(insert, rows)
        else:  # pragma: no cover - PostgreSQL and SQLite take the statement above
            for row in rows:
                with db.session.begin_nested():
                    db.session.add(Event(**row))
        db.session.commit()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("offers of user %s not recorded", user.id, exc_info=True)
        return
    if len(memory) >= _REMEMBERED:
        memory.clear()
    memory[key] = (day, known | {g.id for g in new})
