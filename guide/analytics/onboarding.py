"""The onboarding population per week, from its rollup plus its news
(``guide.models.analytics_onboarding`` explains the design): what the proactive vs
reactive report reads instead of scanning every user first seen in its span.

The worker folds the news (``roll``); a report adds the news not folded yet
(``populations``), so it is exact at once.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from guide.analytics.reactive_people import People, last_stage
from guide.extensions import db
from guide.models import (
    AnalyticsOnboarding,
    AnalyticsOnboardingAccount,
    AnalyticsWatermark,
    Workspace,
)
from guide.models import EndUser as u
from guide.models.analytics_onboarding import COUNTED, Counted, add, apply, counted, key_of
from guide.models.user import ONBOARDING_NEWS, ONBOARDING_PARTS

BATCH = 5000
# Reads of the rollup and the news before taking the rollup's turn for one.
ATTEMPTS = 3


class News(NamedTuple):
    delta: Counter[tuple[int, date]]  # (account, Monday) -> users in or out
    users: dict[int, Counted]  # user id -> as counted now
    full: bool  # the limit was met: more may be left


def news(workspace_id: int, zone: ZoneInfo, last_stage: str | None,
         limit: int | None = None) -> News:
    """The users not counted as they are now (at most ``limit``): out as counted, in as
    they are."""
    # A statement per part, each read from its own index (guide.models.user).
    ids = sa.union(*(sa.select(u.id).where(u.workspace_id == workspace_id, part)
                     for part in ONBOARDING_PARTS))
    ids = sorted(db.session.scalars(ids if limit is None else ids.limit(limit)))
    rows = []
    for start in range(0, len(ids), BATCH):
        rows += db.session.execute(sa.select(
            u.id, u.first_seen, u.account_id, u.lifecycle_stage, u.stage_entered_at,
            *COUNTED).where(u.id.in_(ids[start:start + BATCH]))).all()
    found = News(Counter(), {}, limit is not None and len(ids) == limit)
    for user_id, *now_and_then in rows:
        now, then = Counted(*now_and_then[:4]), counted(now_and_then[4:])
        found.users[user_id] = now
        add(found.delta, now, zone, last_stage, 1)
        if then is not None:
            add(found.delta, then, zone, last_stage, -1)
    return found


def _folded_with(workspace_id: int) -> str | None:
    return db.session.scalar(sa.select(AnalyticsWatermark.onboarding_key).where(
        AnalyticsWatermark.workspace_id == workspace_id))


def pending(workspace_id: int, timezone: str, last_stage: str | None) -> bool:
    """News to fold, or another timezone or last stage to fold again with? (Reads only.)"""
    # A count per part, each from its index: EXISTS was planned as a scan of every user
    # (PostgreSQL expects nearly every row to match a column compared with a column).
    found = _folded_with(workspace_id) != key_of(timezone, last_stage) or any(
        db.session.scalar(sa.select(sa.func.count()).where(u.workspace_id == workspace_id,
                                                           part))
        for part in ONBOARDING_PARTS)
    db.session.rollback()
    return found


def roll(workspace_id: int, timezone: str, last_stage: str | None,
         limit: int = BATCH) -> tuple[int, bool]:
    """Fold up to ``limit`` users' news, committed: how many, and whether more may be left.
    Folded with another timezone or last stage (or never, or reset), it starts over."""
    AnalyticsWatermark.lock(workspace_id)
    key, folded_with = key_of(timezone, last_stage), _folded_with(workspace_id)
    if folded_with != key:
        if folded_with is not None:
            forget(workspace_id)
        if _unmark(workspace_id, limit):
            db.session.commit()
            return limit, True
        _set_key(workspace_id, key)
    found = news(workspace_id, ZoneInfo(timezone), last_stage, limit)
    apply(workspace_id, found.delta, write=True)
    if found.users:
        table = u.__table__
        # As read: a user changed since stays news.
        db.session.connection().execute(
            sa.update(table).where(table.c.id == sa.bindparam("uid")).values(
                onboarding_seen=sa.bindparam("seen"), onboarding_account_id=sa.bindparam("acc"),
                onboarding_stage=sa.bindparam("stage"),
                onboarding_stage_at=sa.bindparam("at")),
            [{"uid": uid, "seen": c.first_seen, "acc": c.account_id, "stage": c.stage,
              "at": c.stage_at} for uid, c in sorted(found.users.items())])
    db.session.commit()
    return len(found.users), found.full


def _set_key(workspace_id: int, key: str | None) -> None:
    db.session.execute(sa.update(AnalyticsWatermark).where(
        AnalyticsWatermark.workspace_id == workspace_id).values(onboarding_key=key))


def forget(workspace_id: int) -> None:
    """The rollup emptied and not read (nor erased from) until every user is news again:
    ``roll`` takes the marks off, a batch per transaction (the caller's, holding the
    rollup lock). One UPDATE of every user held a million row locks against the hot
    path until it committed."""
    for model in (AnalyticsOnboarding, AnalyticsOnboardingAccount):
        db.session.execute(sa.delete(model).where(model.workspace_id == workspace_id))
    _set_key(workspace_id, None)


UNMARKED = {column.key: None for column in COUNTED}


def _unmark(workspace_id: int, limit: int) -> bool:
    """Take the marks off up to ``limit`` users; False when none were left. Those counted
    as they are now are found by the news index (their news expression is false); the
    few counted and changed since, in one last statement."""
    ids = db.session.scalars(sa.select(u.id).where(
        sa.not_(ONBOARDING_NEWS), u.workspace_id == workspace_id).limit(limit)).all()
    if ids:
        db.session.execute(sa.update(u).where(u.id.in_(ids)).values(UNMARKED)
                           .execution_options(synchronize_session=False))
        return True
    db.session.execute(sa.update(u).where(ONBOARDING_NEWS, u.workspace_id == workspace_id,
                                          u.onboarding_seen.is_not(None)).values(UNMARKED)
                       .execution_options(synchronize_session=False))
    return False


def populations(workspace_id: int, mondays: list[date], timezone: str,
                last_stage: str | None) -> dict[date, tuple[int, int]] | None:
    """Onboarding users and accounts per week, rolled plus news; None while the rollup
    is not folded with this timezone and last stage (read the users instead)."""
    key, w = key_of(timezone, last_stage), AnalyticsWatermark
    state = sa.select(w.onboarding_key, w.rolled_at).where(w.workspace_id == workspace_id)
    for attempt in range(ATTEMPTS + 1):
        if attempt == ATTEMPTS:
            w.lock(workspace_id)
        before = db.session.execute(state).first()
        if before is None or before[0] != key:
            return None
        found = _read(workspace_id, mondays, ZoneInfo(timezone), last_stage)
        if attempt == ATTEMPTS or db.session.execute(state).first() == before:
            return found
        db.session.rollback()
    raise AssertionError("unreachable: the last attempt holds the lock")


def _read(workspace_id: int, mondays: list[date], zone: ZoneInfo,
          last_stage: str | None) -> dict[date, tuple[int, int]]:
    o = AnalyticsOnboarding
    counts = {monday: [0, 0] for monday in mondays}
    for monday, users, accounts in db.session.execute(
            sa.select(o.monday, o.users, o.accounts).where(
                o.workspace_id == workspace_id, o.monday.in_(mondays))):
        counts[monday] = [users, accounts]
    delta = news(workspace_id, zone, last_stage).delta
    change = apply(workspace_id, Counter({key: n for key, n in delta.items()
                                          if key[1] in counts}), write=False)
    for monday, (users, accounts) in change.items():
        if monday in counts:
            counts[monday][0] += users
            counts[monday][1] += accounts
    return {monday: (users, accounts) for monday, (users, accounts) in counts.items()}


def weekly(workspace: Workspace, mondays: list[date],
           users: frozenset[int] | None = None) -> dict[date, tuple[int, int]]:
    """Onboarding users and accounts per week: rolled for the whole workspace, read
    from the users for a filtered report (``users``) or while the rollup is behind."""
    if users is None:
        found = populations(workspace.id, mondays, workspace.timezone, last_stage(workspace))
        if found is not None:
            return found
    return People(workspace, users=users).populations(mondays, ZoneInfo(workspace.timezone))
