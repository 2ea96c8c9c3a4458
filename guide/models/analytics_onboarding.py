"""The onboarding population rolled up by week: users, and accounts with an onboarding
user, per local week (docs/ANALYTICS.md, "Proactive vs reactive").

A user is onboarding in the week of Monday M when their local signup day is in
``[M + 7 - 90, M + 7)`` and they were not in the lifecycle's last stage as M began:
a contiguous range of Mondays (``weeks``), in one account or none.
Per (account, Monday) a count of its onboarding users (``analytics_onboarding_account``),
and per Monday the users and the accounts whose count is above 0
(``analytics_onboarding``): a report reads a row per week.

The scheme of the signup rollup (``guide.analytics.signups``): each user records
what the rollup counted (``end_user.onboarding_*``), an index holds the users who
changed since (``ONBOARDING_NEWS``), the worker folds them (out as counted, in as
they are), and a report adds the ones not folded yet itself with the same code
(``apply`` without writing). The rollup is folded in one timezone and with one last
stage (``AnalyticsWatermark.onboarding_key``): when either changes it starts over.
The privacy erasure takes erased users out (``forget_users``): the report counts
users who exist.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.user import EndUser

# A user is onboarding for 90 local days from their signup day (that day included).
ONBOARDING_DAYS = 90
NO_ACCOUNT = 0  # the account key of users without one (not an account: never counted)
CHUNK = 5000


class AnalyticsOnboarding(db.Model):
    """Per local week (its Monday): onboarding users, and accounts with one."""

    __tablename__ = "analytics_onboarding"

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    monday: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    users: Mapped[int] = mapped_column(sa.Integer)
    accounts: Mapped[int] = mapped_column(sa.Integer)


class AnalyticsOnboardingAccount(db.Model):
    """Per account and local week: how many of its users are onboarding (rows at 0 go)."""

    __tablename__ = "analytics_onboarding_account"

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(primary_key=True)
    monday: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    users: Mapped[int] = mapped_column(sa.Integer)


class Counted(NamedTuple):
    """What a user counts as: the inputs of ``weeks`` and their account."""

    first_seen: datetime
    account_id: int | None
    stage: str | None
    stage_at: datetime | None


def key_of(timezone: str, last_stage: str | None) -> str:
    """The watermark's ``onboarding_key``: what the rollup was folded with."""
    return json.dumps([timezone, last_stage])


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks(user: Counted, zone: ZoneInfo, last_stage: str | None) -> tuple[date, date] | None:
    """The first and last Monday of the weeks ``user`` is onboarding in (None: none):
    from their signup day's week to the week holding its 84th day after (a local
    signup day of ``[M + 7 - 90, M + 7)``), ending before the first week that begins
    at or after their entry to the last stage."""
    signup = user.first_seen.astimezone(zone).date()
    first = _monday(signup)
    last = _monday(signup + timedelta(days=ONBOARDING_DAYS - 7))
    if last_stage is not None and user.stage == last_stage and user.stage_at is not None:
        entered = _monday(user.stage_at.astimezone(zone).date())
        if datetime.combine(entered, time(0), zone) >= user.stage_at:
            entered -= timedelta(days=7)  # entered as its week began: done in it
        last = min(last, entered)
    return (first, last) if first <= last else None


def add(delta: Counter[tuple[int, date]], user: Counted, zone: ZoneInfo,
        last_stage: str | None, sign: int) -> None:
    """Count ``user`` in (+1) or out (-1) of each (account, Monday) it is onboarding in."""
    span = weeks(user, zone, last_stage)
    if span is None:
        return
    account = NO_ACCOUNT if user.account_id is None else user.account_id
    monday = span[0]
    while monday <= span[1]:
        delta[(account, monday)] += sign
        monday += timedelta(days=7)


def apply(workspace_id: int, delta: Counter[tuple[int, date]],
          write: bool) -> dict[date, list[int]]:
    """Each week's change of (users, accounts) that ``delta`` makes; written when ``write``
    (the caller's transaction, holding the rollup lock), else only computed (a report)."""
    delta = Counter({key: n for key, n in delta.items() if n})
    now = _current(workspace_id, delta)
    weekly: dict[date, list[int]] = {}
    for (account, monday), n in delta.items():
        change = weekly.setdefault(monday, [0, 0])
        change[0] += n
        if account != NO_ACCOUNT:
            before = now.get((account, monday), 0)
            change[1] += (before + n > 0) - (before > 0)
    if write:
        _write(workspace_id, delta, now, weekly)
    return weekly


def _current(workspace_id: int, delta: Counter[tuple[int, date]]) -> dict[tuple[int, date], int]:
    """The stored counts of the (account, Monday) pairs ``delta`` names."""
    a, found = AnalyticsOnboardingAccount, {}
    accounts = sorted({account for account, _ in delta if account != NO_ACCOUNT})
    if not accounts:
        return found
    mondays = [monday for _, monday in delta]
    for start in range(0, len(accounts), CHUNK):
        for account, monday, users in db.session.execute(
                sa.select(a.account_id, a.monday, a.users).where(
                    a.workspace_id == workspace_id,
                    a.account_id.in_(accounts[start:start + CHUNK]),
                    a.monday.between(min(mondays), max(mondays)))):
            found[(account, monday)] = users
    return found


def _write(workspace_id: int, delta: Counter[tuple[int, date]],
           now: dict[tuple[int, date], int], weekly: dict[date, list[int]]) -> None:
    a = AnalyticsOnboardingAccount
    rows = [{"workspace_id": workspace_id, "account_id": account, "monday": monday,
             "users": now.get((account, monday), 0) + n}
            for (account, monday), n in sorted(delta.items()) if account != NO_ACCOUNT]
    _upsert(a, ["workspace_id", "account_id", "monday"], [r for r in rows if r["users"]],
            {"users"})
    gone = [(r["account_id"], r["monday"]) for r in rows if not r["users"]]
    for start in range(0, len(gone), CHUNK):
        db.session.execute(sa.delete(a).where(
            a.workspace_id == workspace_id,
            sa.tuple_(a.account_id, a.monday).in_(gone[start:start + CHUNK])))
    table = AnalyticsOnboarding.__table__
    _upsert(AnalyticsOnboarding, ["workspace_id", "monday"], [
        {"workspace_id": workspace_id, "monday": monday, "users": users, "accounts": accounts}
        for monday, (users, accounts) in sorted(weekly.items()) if users or accounts],
        {"users": table.c.users, "accounts": table.c.accounts})


def _upsert(model: Any, keys: list[str], rows: list[dict[str, Any]],
            added: dict[str, Any] | set[str]) -> None:
    """Insert ``rows``; on a conflict set the columns of ``added`` (a set: to the new
    value; a dict name -> column: to the column plus the new value)."""
    if not rows:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(model.__table__)
    values = {name: (stmt.excluded[name] if isinstance(added, set)
                     else added[name] + stmt.excluded[name]) for name in added}
    for start in range(0, len(rows), CHUNK):
        db.session.connection().execute(
            stmt.on_conflict_do_update(index_elements=keys, set_=values),
            rows[start:start + CHUNK])


def counted(row: Any) -> Counted | None:
    """What a user row (``onboarding_*`` columns, in that order) was counted as."""
    seen, account, stage, stage_at = row
    return None if seen is None else Counted(seen, account, stage, stage_at)


COUNTED = (EndUser.onboarding_seen, EndUser.onboarding_account_id, EndUser.onboarding_stage,
           EndUser.onboarding_stage_at)


def forget_users(workspace_id: int, user_ids: Iterable[int], key: str | None) -> None:
    """Take users about to be deleted out of the counts (the privacy erasure, holding
    the rollup lock; ``key``: the watermark's ``onboarding_key``)."""
    if key is None:
        return
    timezone, last_stage = json.loads(key)
    zone, delta = ZoneInfo(timezone), Counter[tuple[int, date]]()
    for row in db.session.execute(sa.select(*COUNTED).where(
            EndUser.workspace_id == workspace_id, EndUser.id.in_(list(user_ids)),
            EndUser.onboarding_seen.is_not(None))):
        add(delta, counted(row), zone, last_stage, -1)  # type: ignore[arg-type]
    apply(workspace_id, delta, write=True)
