"""The proactive vs reactive report's weekly counts, kept by the fold (docs/ANALYTICS.md).

Each (user, week) row of ``analytics_user_week`` says, from the first batch that
wrote it, whether the user was onboarding that week and their account then
(``end_user`` read at that moment: first seen fixed, and a stage that never moves
back cannot end onboarding in a week the user was already seen in). When a batch
changes a row, the change of the user's side (active, needed a human,
self-service, escalations) goes to its account's week (``analytics_account_week``:
how many of its users are on each side) and, with the account's own change of
side, to the week's counts (``analytics_reactive_week``). A report reads one row
per week and passes the tail (events not rolled yet) through the same ``apply``
against the stored rows of the tail's users only: rollups plus tail count once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from guide.analytics.ranges import midnight
from guide.analytics.reactive_people import ONBOARDING, last_stage
from guide.analytics.weekly import WeekRow
from guide.extensions import db
from guide.models import (
    AnalyticsAccountWeek,
    AnalyticsReactiveWeek,
    AnalyticsUserWeek,
    EndUser,
    Workspace,
)

# Ids per IN list (as in ``store``).
CHUNK = 5000
# A stored user week: (onboarding, account, active, progressed, escalations).
UserWeek = tuple[int, int | None, int, int, int]
# An account's week: its onboarding users (active, needed a human, self-service).
AccountWeek = tuple[int, int, int]
# The counts of ``analytics_reactive_week``, in this order.
COUNTS = ("users_active", "users_needed", "users_self", "accounts_active",
          "accounts_needed", "accounts_self", "escalations")


def side(row: UserWeek) -> tuple[int, int, int, int]:
    """(active, needed a human, self-service, escalations) the row counts for: nothing
    unless the user was onboarding that week."""
    onboarding, _, active, progressed, escalations = row
    if not onboarding:
        return 0, 0, 0, 0
    return (active, int(bool(active and escalations)),
            int(bool(active and progressed and not escalations)), escalations)


def account_side(week: AccountWeek) -> tuple[int, int, int]:
    """An account is active, needed a human, or self-service (and nobody needed one)."""
    active, needed, self_service = week
    return int(active > 0), int(needed > 0), int(self_service > 0 and needed == 0)


@dataclass
class Change:
    """What a batch (or a report's tail) changes: the rows' new values and each week's
    counts' increments."""

    users: dict[tuple[date, int], UserWeek] = field(default_factory=dict)
    accounts: dict[tuple[date, int], AccountWeek] = field(default_factory=dict)
    counts: dict[date, list[int]] = field(default_factory=dict)


def apply(rows: Iterable[WeekRow], stored: dict[tuple[date, int], UserWeek],
          accounts: dict[tuple[date, int], AccountWeek],
          judged: dict[tuple[date, int], tuple[int, int | None]]) -> Change:
    """Add week rows (``weekly.week_rows``) to the ``stored`` user weeks and ``accounts``
    (those they name; missing: none yet); ``judged``: (onboarding, account) of each new row."""
    change = Change()
    for week, user, active, progressed, escalations in rows:
        key = (week, user)
        old = change.users.get(key) or stored.get(key) or (*judged[key], 0, 0, 0)
        new = (old[0], old[1], max(old[2], active), max(old[3], progressed),
               old[4] + escalations)
        change.users[key] = new
        delta = [b - a for a, b in zip(side(old), side(new), strict=True)]
        counts = change.counts.setdefault(week, [0] * len(COUNTS))
        for n, d in zip((0, 1, 2, 6), delta, strict=True):
            counts[n] += d
        if new[1] is None or not any(delta[:3]):
            continue
        at = (week, new[1])
        before = change.accounts.get(at) or accounts.get(at) or (0, 0, 0)
        after = (before[0] + delta[0], before[1] + delta[1], before[2] + delta[2])
        change.accounts[at] = after
        for n, (a, b) in enumerate(zip(account_side(before), account_side(after),
                                       strict=True)):
            counts[3 + n] += b - a
    return change


def onboarding(week: date, zone: ZoneInfo, last: str | None, first_seen: datetime,
               stage: str | None, entered: datetime | None) -> bool:
    """Onboarding in the week of Monday ``week`` (docs/ANALYTICS.md, "Proactive vs reactive")."""
    begins, ends = midnight(week, zone), midnight(week + timedelta(days=7), zone)
    if not ends - ONBOARDING <= first_seen < ends:
        return False
    return not (last is not None and stage == last and entered is not None
                and entered <= begins)


def among(column: Any, ids: list[int]) -> Iterable[Any]:
    """``column`` in ``ids``: one array on PostgreSQL (5,000 bound ids cost more to render
    than to run), IN lists of CHUNK ids on SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        return [column == sa.any_(sa.literal(ids, postgresql.ARRAY(sa.Integer)))]
    return (column.in_(ids[n:n + CHUNK]) for n in range(0, len(ids), CHUNK))


def read(workspace: Workspace, rows: list[WeekRow]) -> Change:
    """``rows`` applied to what is stored (read for their users and accounts only)."""
    ws, keys = workspace.id, {(week, user) for week, user, *_ in rows}
    if not keys:
        return Change()
    users = sorted({user for _, user in keys})
    weeks = sorted({week for week, _ in keys})
    w, stored = AnalyticsUserWeek, {}
    for cond in among(w.user_id, users):
        for week, user, *values in db.session.execute(sa.select(
                w.week, w.user_id, w.onboarding, w.account_id, w.active, w.progressed,
                w.escalations).where(w.workspace_id == ws, cond,
                                     w.week.between(weeks[0], weeks[-1]))):
            if (week, user) in keys:
                stored[(week, user)] = tuple(values)
    judged = _judge(workspace, keys - stored.keys())
    named = {(week, acc) for (week, _), (_, acc, *_) in stored.items() if acc is not None}
    named |= {(week, acc) for (week, _), (_, acc) in judged.items() if acc is not None}
    a, accounts = AnalyticsAccountWeek, {}
    for cond in among(a.account_id, sorted({acc for _, acc in named})):
        for week, acc, *values in db.session.execute(sa.select(
                a.week, a.account_id, a.active, a.needed, a.self_service).where(
                a.workspace_id == ws, cond,
                a.week.between(weeks[0], weeks[-1]))):
            if (week, acc) in named:
                accounts[(week, acc)] = tuple(values)
    return apply(rows, stored, accounts, judged)


def _judge(workspace: Workspace,
           keys: set[tuple[date, int]]) -> dict[tuple[date, int], tuple[int, int | None]]:
    """(onboarding, account) of new user weeks, from ``end_user`` now."""
    zone, last, u = ZoneInfo(workspace.timezone), last_stage(workspace), EndUser
    people: dict[int, tuple[Any, ...]] = {}
    for cond in among(u.id, sorted({user for _, user in keys})):
        people.update((row[0], tuple(row[1:])) for row in db.session.execute(sa.select(
            u.id, u.account_id, u.first_seen, u.lifecycle_stage, u.stage_entered_at)
            .where(u.workspace_id == workspace.id, cond)))
    judged: dict[tuple[date, int], tuple[int, int | None]] = {}
    for week, user in keys:
        person = people.get(user)
        judged[(week, user)] = (0, None) if person is None else (
            int(onboarding(week, zone, last, person[1], person[2], person[3])), person[0])
    return judged


def save(workspace: Workspace, rows: list[WeekRow]) -> None:
    """A folded batch's week rows, and what they change, written (the caller's transaction)."""
    change = read(workspace, rows)
    if not change.users:
        return
    ws, run = workspace.id, db.session.connection().execute
    user_weeks, account_weeks = AnalyticsUserWeek.__table__, AnalyticsAccountWeek.__table__
    stmt = _insert(user_weeks)
    run(stmt.on_conflict_do_update(index_elements=["workspace_id", "week", "user_id"], set_={
        c: stmt.excluded[c] for c in ("active", "progressed", "escalations")}), [
        {"workspace_id": ws, "week": week, "user_id": user, "onboarding": o,
         "account_id": acc, "active": a, "progressed": p, "escalations": e}
        for (week, user), (o, acc, a, p, e) in sorted(change.users.items())])
    if change.accounts:
        stmt = _insert(account_weeks)
        run(stmt.on_conflict_do_update(
            index_elements=["workspace_id", "week", "account_id"],
            set_={c: stmt.excluded[c] for c in ("active", "needed", "self_service")}), [
            {"workspace_id": ws, "week": week, "account_id": acc, "active": a, "needed": n,
             "self_service": s} for (week, acc), (a, n, s) in sorted(change.accounts.items())])
    counts = AnalyticsReactiveWeek.__table__
    stmt = _insert(counts)
    run(stmt.on_conflict_do_update(index_elements=["workspace_id", "week"], set_={
        c: counts.c[c] + stmt.excluded[c] for c in COUNTS}), [
        {"workspace_id": ws, "week": week, **dict(zip(COUNTS, n, strict=True))}
        for week, n in sorted(change.counts.items())])


def _insert(table: sa.Table) -> Any:
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def counts(workspace_id: int, mondays: list[date]) -> dict[date, list[int]]:
    """The stored counts of the weeks of ``mondays`` (zeros: no row)."""
    r = AnalyticsReactiveWeek
    out = {monday: [0] * len(COUNTS) for monday in mondays}
    for week, *values in db.session.execute(sa.select(
            r.week, *(r.__table__.c[c] for c in COUNTS)).where(
            r.workspace_id == workspace_id, r.week.between(mondays[0], mondays[-1]))):
        if week in out:
            out[week] = [int(v) for v in values]
    return out
