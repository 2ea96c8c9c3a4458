"""Signups and their milestones rolled up by local signup day (docs/ANALYTICS.md,
"Milestones and lifecycle"): what the lifecycle report sums instead of joining every
signup of its range to their milestones.

Per (local signup day, milestone, bucket of time to value) a count of users
(``analytics_signup``; milestone "" counts the signups), and per (milestone,
exact seconds, day) another (``analytics_time_to_value``) for the exact quantiles.

The source rows are not events: ``end_user`` and ``user_milestone`` are written
by the hot path. Each row says what the rollup counted of it
(``end_user.rolled_first_seen``, ``user_milestone.rolled``), and partial indexes
hold the rows whose state differs (the *news*: new users and milestones, a
first_seen moved earlier by a signup trait), so neither the worker nor a report
scans for them. The worker folds the news (``roll``); a report adds the news it
finds to the rolled rows (``news``) with the same code, so it is exact at once.
A news row is counted out with what the rollup counted (its rolled first_seen and
rolled milestones) and in as it is now.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from datetime import date, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from guide.analytics import stages, stall_counts
from guide.analytics.milestones import seconds_between
from guide.extensions import db
from guide.models import (
    AnalyticsSignup,
    AnalyticsTimeToValue,
    AnalyticsWatermark,
    EndUser,
    UserMilestone,
)
from guide.models.user import SIGNUP_NEWS, STAGE_NEWS
from guide.schemas.analytics_lifecycle import MAX_WITHIN_DAYS

DAY = 86400
SIGNUP = ""  # the key of the signup rows
# Bucket bounds (seconds): ~6% apart, so the bucket a quantile falls in holds a few
# percent of the values at most, plus every day's end up to MAX_WITHIN_DAYS + 1 (a
# value is "within N days" when it is at most N * DAY: before the bound N * DAY + 1).
# Stored buckets are indexes into this list: changing it needs a rebuild.
BOUNDS = sorted({math.ceil(1.06 ** n) for n in range(400)}
                | {d * DAY + 1 for d in range(1, MAX_WITHIN_DAYS + 2)})
BATCH = 5000


def bucket(seconds: int) -> int:
    """The bucket of a time to value: how many bounds are at or below it."""
    return bisect.bisect_right(BOUNDS, seconds)


def span(index: int) -> tuple[int, int | None]:
    """Seconds ``[low, high)`` of a bucket (high None: no end)."""
    return (BOUNDS[index - 1] if index else 0), (BOUNDS[index] if index < len(BOUNDS) else None)


def within_bucket(days: int) -> int:
    """The last bucket whose values are all at most ``days`` days."""
    return bisect.bisect_left(BOUNDS, days * DAY + 1)


class Change(NamedTuple):
    """+1 or -1 user on a local signup day: a signup (key "") or a milestone reached
    ``seconds`` (at least 0) after it."""

    day: date
    key: str
    seconds: int
    sign: int


class News(NamedTuple):
    changes: list[Change]
    users: dict[int, datetime]  # user id -> the first_seen folded
    milestones: list[int]  # user_milestone ids folded
    fresh: list[int]  # of them, the ones never folded before
    full: list[bool]  # [True] when a limit was met


def _value(seconds: int | None) -> int:
    return max(0, int(seconds or 0))


def news(workspace_id: int, zone: ZoneInfo, limit: int | None = None) -> News:
    """What changed since the rollup last folded: the users whose first_seen it has not
    counted (at most ``limit``; each with all their milestones), then the new milestones
    of the other users."""
    found = News([], {}, [], [], [])
    changes, u, m = found.changes, EndUser, UserMilestone
    query = (sa.select(u.id, u.first_seen, u.rolled_first_seen).where(
        u.workspace_id == workspace_id, SIGNUP_NEWS))
    # No ORDER BY: with it PostgreSQL walked the primary key (every user) instead of the
    # partial index (80 ms against 0.1 at 100,000 users, none of them news).
    users = sorted(db.session.execute(query if limit is None else query.limit(limit)))
    found.full.extend([True] if limit is not None and len(users) == limit else [])
    for user_id, first_seen, rolled in users:
        found.users[user_id] = first_seen
        changes.append(Change(_day(first_seen, zone), SIGNUP, 0, 1))
        if rolled is not None:
            changes.append(Change(_day(rolled, zone), SIGNUP, 0, -1))
    ids = sorted(found.users)
    for start in range(0, len(ids), BATCH):
        for row in db.session.execute(
                sa.select(m.id, m.user_id, m.key, m.rolled, u.rolled_first_seen,
                          seconds_between(m.reached_at, u.first_seen),
                          seconds_between(m.reached_at, u.rolled_first_seen))
                .join(u, u.id == m.user_id).where(m.user_id.in_(ids[start:start + BATCH]))):
            milestone_id, user_id, key, rolled, was, now, before = row
            found.milestones.append(milestone_id)
            if not rolled:
                found.fresh.append(milestone_id)
            changes.append(Change(_day(found.users[user_id], zone), key, _value(now), 1))
            if rolled and was is not None:
                changes.append(Change(_day(was, zone), key, _value(before), -1))
    # The rest: new milestones of users counted as they are (their first_seen unmoved).
    query = (sa.select(m.id, m.key, u.first_seen, seconds_between(m.reached_at, u.first_seen))
             .join(u, u.id == m.user_id)
             .where(u.workspace_id == workspace_id, sa.not_(m.rolled),
                    u.rolled_first_seen == u.first_seen).order_by(m.id))
    rows = db.session.execute(query if limit is None else query.limit(limit)).all()
    found.full.extend([True] if limit is not None and len(rows) == limit else [])
    for milestone_id, key, first_seen, seconds in rows:
        found.milestones.append(milestone_id)
        found.fresh.append(milestone_id)
        changes.append(Change(_day(first_seen, zone), key, _value(seconds), 1))
    return found


def _day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def pending(workspace_id: int, timezone: str) -> bool:
    """Is there news to fold, or a timezone to fold again in? (Reads only: a worker round
    with nothing to do takes no lock.)"""
    zone = db.session.scalar(sa.select(AnalyticsWatermark.signup_zone).where(
        AnalyticsWatermark.workspace_id == workspace_id))
    u, m = EndUser, UserMilestone
    found = zone != timezone or db.session.scalar(sa.select(sa.or_(
        sa.exists().where(u.workspace_id == workspace_id, SIGNUP_NEWS),
        sa.exists().where(u.workspace_id == workspace_id, STAGE_NEWS),
        sa.exists().where(u.id == m.user_id, u.workspace_id == workspace_id,
                          sa.not_(m.rolled)), stall_counts.pending(workspace_id))))
    db.session.rollback()
    return bool(found)


def roll(workspace_id: int, timezone: str, limit: int = BATCH) -> tuple[int, bool]:
    """Fold up to ``limit`` users' and ``limit`` milestones' news, committed: how many rows
    were folded, and whether a limit was met (more may be left). First, when the rollup
    was folded in another timezone (or never, or reset), it starts over: every user and
    milestone is news again."""
    AnalyticsWatermark.lock(workspace_id)
    folded_in = db.session.scalar(sa.select(AnalyticsWatermark.signup_zone).where(
        AnalyticsWatermark.workspace_id == workspace_id))
    if folded_in != timezone:
        forget(workspace_id)
        db.session.execute(sa.update(AnalyticsWatermark).where(
            AnalyticsWatermark.workspace_id == workspace_id).values(signup_zone=timezone))
    zone = ZoneInfo(timezone)
    found = news(workspace_id, zone, limit)
    stalls = stall_counts.fold(workspace_id, zone, found.fresh, limit)  # before the marks
    save(workspace_id, found.changes)
    _mark(found)
    moved = stages.fold(workspace_id, limit)
    db.session.commit()
    return (len(found.users) + len(found.milestones) + len(moved.users)
            + len(stalls.firing_ids) + len(stalls.escalation_ids),
            bool(found.full) or moved.full or stalls.full)


def forget(workspace_id: int) -> None:
    """The workspace's signup rollup and stage counts emptied and every row news again
    (the caller's transaction, holding the rollup lock)."""
    stages.forget(workspace_id)
    stall_counts.forget(workspace_id)
    for model in (AnalyticsSignup, AnalyticsTimeToValue):
        db.session.execute(sa.delete(model).where(model.workspace_id == workspace_id))
    users = sa.select(EndUser.id).where(EndUser.workspace_id == workspace_id)
    db.session.execute(sa.update(UserMilestone).where(UserMilestone.rolled,
                                                      UserMilestone.user_id.in_(users))
                       .values(rolled=False).execution_options(synchronize_session=False))
    db.session.execute(sa.update(EndUser).where(EndUser.workspace_id == workspace_id,
                                                EndUser.rolled_first_seen.is_not(None))
                       .values(rolled_first_seen=None)
                       .execution_options(synchronize_session=False))


def _mark(found: News) -> None:
    """Record what was folded: each user's first_seen as read (moved since: news again)."""
    connection = db.session.connection()
    table = EndUser.__table__
    if found.users:
        connection.execute(
            sa.update(table).where(table.c.id == sa.bindparam("uid"))
            .values(rolled_first_seen=sa.bindparam("seen")),
            [{"uid": uid, "seen": seen} for uid, seen in sorted(found.users.items())])
    ids = sorted(found.milestones)
    for start in range(0, len(ids), BATCH):
        connection.execute(sa.update(UserMilestone.__table__).where(
            UserMilestone.__table__.c.id.in_(ids[start:start + BATCH])).values(rolled=True))


def save(workspace_id: int, changes: list[Change]) -> None:
    """Add changes to the two tables (upserts of summed counts)."""
    counts: Counter[tuple[date, str, int]] = Counter()
    values: Counter[tuple[str, int, date]] = Counter()
    for day, key, seconds, sign in changes:
        counts[(day, key, 0 if key == SIGNUP else bucket(seconds))] += sign
        if key != SIGNUP:
            values[(key, seconds, day)] += sign
    _upsert(AnalyticsSignup, ["workspace_id", "day", "key", "bucket"],
            [{"workspace_id": workspace_id, "day": d, "key": k, "bucket": b, "users": n}
             for (d, k, b), n in sorted(counts.items()) if n])
    _upsert(AnalyticsTimeToValue, ["workspace_id", "key", "seconds", "day"],
            [{"workspace_id": workspace_id, "key": k, "seconds": s, "day": d, "users": n}
             for (k, s, d), n in sorted(values.items()) if n])


def _upsert(model: Any, keys: list[str], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = model.__table__
    stmt = dialect.insert(table)
    for start in range(0, len(rows), BATCH):
        db.session.connection().execute(stmt.on_conflict_do_update(
            index_elements=keys, set_={"users": table.c.users + stmt.excluded.users}),
            rows[start:start + BATCH])
