"""Event retention: events older than a workspace's ``events_retention_days`` are deleted.

The worker calls ``purge_due`` every round; ``flask guide events purge`` runs a
pass at once. Deletion goes a batch at a time, each batch its own short
transaction, so a table of millions never holds SQLite's write lock (or a
PostgreSQL transaction) for long, and a backlog is worked off over several
rounds. Only events go: progress, milestones and escalations are kept (see
docs/PRIVACY.md for what reads events and how a shorter history changes it).

Only events the analytics rollups have absorbed go: an event above the
workspace's watermark (``AnalyticsWatermark``) waits for the worker's next
rollup pass, however old it is, so no report ever loses it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from guide.extensions import db
from guide.models import AnalyticsWatermark, Event, Workspace
from guide.models.base import utcnow

log = logging.getLogger("guide.retention")

BATCH = 1000
# Per worker round: the rest of a backlog waits for the next round, so deliveries
# and sweeps keep their turn.
MAX_BATCHES = 20
# Between passes once nothing is left to delete.
EVERY_SECONDS = 3600.0


@dataclass
class Purge:
    deleted: dict[str, int] = field(default_factory=dict)
    more: bool = False

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def _purge_batch(workspace_id: int, before: datetime, batch: int) -> int:
    # Oldest first by id: a scan in key order finds the expired rows at its start.
    # No watermark row (nothing rolled yet): the comparison with NULL keeps every event.
    rolled = (sa.select(AnalyticsWatermark.last_event_id)
              .where(AnalyticsWatermark.workspace_id == workspace_id).scalar_subquery())
    expired = (sa.select(Event.id)
               .where(Event.workspace_id == workspace_id, Event.created_at < before,
                      Event.id <= rolled)
               .order_by(Event.id).limit(batch))
    result = db.session.execute(sa.delete(Event).where(Event.id.in_(expired.scalar_subquery()))
                                .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount or 0


def purge(now: datetime | None = None, *, workspace_key: str | None = None,
          batch: int = BATCH, max_batches: int | None = MAX_BATCHES) -> Purge:
    """Delete expired events, at most ``max_batches`` batches (None: until none is left)."""
    now = now or utcnow()
    query = sa.select(Workspace.id, Workspace.key, Workspace.events_retention_days).where(
        Workspace.events_retention_days.is_not(None)).order_by(Workspace.id)
    if workspace_key is not None:
        query = query.where(Workspace.key == workspace_key)
    workspaces = list(db.session.execute(query))
    db.session.rollback()  # end the read: each batch below is its own transaction
    report, budget = Purge(), max_batches
    for workspace_id, key, days in workspaces:
        before = now - timedelta(days=days)
        report.deleted[key] = 0
        while budget is None or budget > 0:
            deleted = _purge_batch(workspace_id, before, batch)
            report.deleted[key] += deleted
            budget = None if budget is None else budget - 1
            if deleted < batch:
                break
        else:
            report.more = True
            break
    return report


_next_pass = 0.0


def purge_due(now: datetime | None = None) -> int:
    """The worker's call: a pass every EVERY_SECONDS, or every round while a backlog is left."""
    global _next_pass
    clock = time.monotonic()
    if clock < _next_pass:
        return 0
    report = purge(now)
    _next_pass = clock if report.more else clock + EVERY_SECONDS
    if report.total:
        log.info("event retention: %d event(s) deleted%s", report.total,
                 " (more left)" if report.more else "")
    return report.total
