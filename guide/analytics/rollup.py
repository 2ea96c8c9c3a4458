"""The worker's rollup pass: new events folded into the rollup tables, a bounded batch at a time.

Each batch is its own transaction: take the workspace's watermark row (a
write first, so a second worker waits for it and then sees the new
watermark), read up to ``batch`` events above the watermark in id order,
fold them from the rolled runs of their users, add the tally to the tables
and move the watermark to the last event folded, then commit. A crash
anywhere rolls the whole batch back; nothing is ever counted twice.

Settling: only events at least SETTLE old (server time) are folded, and a
batch stops at the first younger one. On PostgreSQL ids come from a sequence
and a transaction may commit after one holding a higher id; once an event is
past the watermark nothing below it may still appear, and an envelope's
transaction lasts milliseconds, far below SETTLE. Reports read what is not
rolled yet (the tail) themselves, so settling delays no number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from guide.analytics import (
    account_rollup,
    event_rows,
    onboarding,
    signups,
    store,
    survey_reach,
)
from guide.analytics.facts import Folder
from guide.analytics.reactive_people import last_stage
from guide.analytics.tally import Tally
from guide.extensions import db
from guide.models import Workspace
from guide.models.analytics import ROLLUPS
from guide.models.base import utcnow

log = logging.getLogger("guide.analytics")

BATCH = 10_000
# Per worker round, over all workspaces: the rest waits for the next round.
MAX_BATCHES = 10
SETTLE = timedelta(seconds=60)


@dataclass
class Rolled:
    events: dict[str, int] = field(default_factory=dict)
    # Users and milestones folded into the signup rollup (``signups``), per workspace.
    signups: dict[str, int] = field(default_factory=dict)
    more: bool = False

    @property
    def total(self) -> int:
        return sum(self.events.values())


def roll_batch(workspace_id: int, timezone: ZoneInfo, cutoff: datetime, batch: int) -> int:
    """Fold one batch of the workspace's settled events; how many were folded."""
    after = store.lock_watermark(workspace_id)
    rows = event_rows.events_after(workspace_id, after, batch)
    settled = next((i for i, row in enumerate(rows) if row.created_at > cutoff), len(rows))
    rows = rows[:settled]
    if not rows:
        db.session.rollback()
        return 0
    folder = Folder(timezone, store.runs_of(
        workspace_id, {row.user_id for row in rows if row.user_id is not None}))
    tally = Tally()
    for row in rows:
        tally.extend(folder.fold(row))
    tally.users |= survey_reach.user_days(workspace_id, timezone, rows)
    store.save(workspace_id, tally, folder.runs, folder.changed, rows[-1].id)
    db.session.commit()
    return len(rows)


def rollup(now: datetime | None = None, *, workspace_id: int | None = None,
           batch: int = BATCH, max_batches: int | None = MAX_BATCHES) -> Rolled:
    """Fold settled events into the rollups, at most ``max_batches`` batches (None: all)."""
    cutoff = (now or utcnow()) - SETTLE
    query = sa.select(Workspace).order_by(Workspace.id)
    if workspace_id is not None:
        query = query.where(Workspace.id == workspace_id)
    workspaces = [(ws.id, ws.key, ws.timezone, last_stage(ws))
                  for ws in db.session.scalars(query)]
    db.session.rollback()  # end the read: each batch is its own transaction
    report, budget = Rolled(), max_batches
    for ws_id, key, timezone, last in workspaces:
        zone = ZoneInfo(timezone)
        while store.pending(ws_id, cutoff):
            if budget is not None and budget <= 0:
                report.more = True
                return report
            folded = roll_batch(ws_id, zone, cutoff, batch)
            if folded:
                report.events[key] = report.events.get(key, 0) + folded
            budget = None if budget is None else budget - 1
            if folded < batch:
                break
        if account_rollup.behind(ws_id):
            account_rollup.refresh(ws_id, cutoff)
        # The news of the hot path's rows: users, milestones (their first_seen, stage...).
        folds = ((partial(signups.pending, ws_id, timezone),
                  partial(signups.roll, ws_id, timezone, batch)),
                 (partial(onboarding.pending, ws_id, timezone, last),
                  partial(onboarding.roll, ws_id, timezone, last, batch)))
        for pending, roll in folds:
            while pending():
                if budget is not None and budget <= 0:
                    report.more = True
                    return report
                folded, more = roll()
                report.signups[key] = report.signups.get(key, 0) + folded
                budget = None if budget is None else budget - 1
                if not more:
                    break
    return report


def rollup_due(now: datetime | None = None) -> int:
    """The worker's call, every round: new settled events folded, a bounded amount."""
    report = rollup(now)
    if report.total:
        log.info("analytics: %d event(s) rolled up%s", report.total,
                 " (more left)" if report.more else "")
    return report.total


def rebuild(workspace_id: int) -> None:
    """Forget the workspace's rollups, committed: the next pass folds every event again."""
    store.reset(workspace_id)
    db.session.commit()


# Folded at once (``flask guide analytics rollup``), more rows than this may leave the
# planner's statistics far behind the tables until autovacuum comes round: a report's
# join then planned for one row (a nested loop) took minutes at 10 million events.
ANALYZE_AFTER = 100_000


# Tables whose ``rolled`` flags (or rolled columns) a catch-up rewrites: with stale
# statistics PostgreSQL planned the news reads as scans of every row.
FLAGGED = ("end_user", "user_milestone", "scenario_firing", "escalation")


def analyze() -> None:
    """Refresh the planner's statistics of the rollup tables, committed."""
    for table in (*(model.__tablename__ for model in ROLLUPS), *FLAGGED):
        db.session.execute(sa.text(f"ANALYZE {table}"))
    db.session.commit()

