"""Who the proactive vs reactive report counts: onboarding users, their accounts, and the
escalation rows that say where escalations start (docs/ANALYTICS.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from guide.analytics.facts import ESCALATED, HELP_OPENED
from guide.analytics.filters import among
from guide.analytics.ranges import midnight
from guide.analytics.tally import Moment
from guide.extensions import db
from guide.models import EndUser, Escalation, Workspace
from guide.models.analytics_onboarding import ONBOARDING_DAYS
from guide.models.base import UTCDateTime

HELP = HELP_OPENED
# A user is onboarding for this long after they were first seen (local days: midnight
# minus this is midnight of a local day, in the zone's wall time).
ONBOARDING = timedelta(days=ONBOARDING_DAYS)
# Users read per query (a 90-day report may name a million).
CHUNK = 5000


@dataclass(frozen=True)
class Person:
    account_id: int | None
    first_seen: datetime
    stage: str | None
    stage_entered_at: datetime | None


def last_stage(workspace: Workspace) -> str | None:
    """The lifecycle's last stage (onboarding is over there), or None without a lifecycle."""
    stages = (workspace.lifecycle or {}).get("stages") or []
    return str(stages[-1]["key"]) if stages else None


def _week_bounds(monday: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return midnight(monday, zone), midnight(monday + timedelta(days=7), zone)


def onboarding_conditions(workspace: Workspace, mondays: list[date],
                          zone: ZoneInfo) -> list[Any]:
    """For each week, the ``end_user`` condition: onboarding in that week."""
    last, u, conditions = last_stage(workspace), EndUser, []
    for monday in mondays:
        begins, ends = _week_bounds(monday, zone)
        cond = sa.and_(u.first_seen >= ends - ONBOARDING, u.first_seen < ends)
        if last is not None:
            cond = sa.and_(cond, sa.or_(u.lifecycle_stage.is_(None),
                                        u.lifecycle_stage != last,
                                        u.stage_entered_at.is_(None),
                                        u.stage_entered_at > begins))
        conditions.append(cond)
    return conditions


def week_table(mondays: list[date], zone: ZoneInfo) -> sa.Subquery:
    """The weeks as rows to join with: ``wk`` (the week's index in ``mondays``), ``monday``,
    and its bounds: ``lo``..``hi`` for the first seen of those onboarding in it, ``begins``.
    (Joined on, the bounds cost a comparison per row; a CASE over the weeks cost a second
    per 100,000 user-weeks on PostgreSQL.)"""
    rows = []
    for n, monday in enumerate(mondays):
        begins, ends = _week_bounds(monday, zone)
        rows.append(sa.select(sa.literal(n, sa.Integer).label("wk"),
                              sa.literal(monday, sa.Date).label("monday"),
                              sa.literal(ends - ONBOARDING, UTCDateTime).label("lo"),
                              sa.literal(ends, UTCDateTime).label("hi"),
                              sa.literal(begins, UTCDateTime).label("begins")))
    return (sa.union_all(*rows) if len(rows) > 1 else rows[0]).subquery("weeks")


def onboarding_in(workspace: Workspace, weeks: Any) -> Any:
    """The ``end_user`` condition: onboarding in the week of ``weeks`` (``week_table``'s
    columns ``lo``, ``hi``, ``begins``)."""
    u, w, last = EndUser, weeks.c, last_stage(workspace)
    cond = sa.and_(u.first_seen >= w.lo, u.first_seen < w.hi)
    if last is None:
        return cond
    return sa.and_(cond, sa.or_(u.lifecycle_stage.is_(None), u.lifecycle_stage != last,
                                u.stage_entered_at.is_(None), u.stage_entered_at > w.begins))


@dataclass
class People:
    """The users the report's activity names, and the workspace's onboarding population."""

    workspace: Workspace
    people: dict[int, Person] = field(default_factory=dict)
    # The users a report's filters match (None: everyone).
    users: frozenset[int] | None = None

    @classmethod
    def of(cls, workspace: Workspace, days: Iterable[tuple[str, date, int]],
           moments: dict[int, Moment], users: frozenset[int] | None = None) -> People:
        ids = sorted({u for _, _, u in days} | {m[1] for m in moments.values()})
        found = cls(workspace, users=users)
        for first in range(0, len(ids), CHUNK):
            for user_id, *rest in db.session.execute(sa.select(
                    EndUser.id, EndUser.account_id, EndUser.first_seen,
                    EndUser.lifecycle_stage, EndUser.stage_entered_at).where(
                    EndUser.workspace_id == workspace.id,
                    EndUser.id.in_(ids[first:first + CHUNK]))):
                found.people[user_id] = Person(*rest)
        return found

    def onboarding_in(self, monday: date, zone: ZoneInfo, among: set[int]) -> set[int]:
        """The users of ``among`` who are onboarding in the week starting ``monday``."""
        begins, ends = _week_bounds(monday, zone)
        last = last_stage(self.workspace)
        known = ((user, self.people[user]) for user in among if user in self.people)
        return {user for user, p in known
                if ends - ONBOARDING <= p.first_seen < ends
                and not (last is not None and p.stage == last
                         and p.stage_entered_at is not None and p.stage_entered_at <= begins)}

    def populations(self, mondays: list[date], zone: ZoneInfo) -> dict[date, tuple[int, int]]:
        """How many users, and accounts of users, of the workspace (of ``users``, when given)
        are onboarding each week.

        One scan of the users first seen in the span, grouped by account with a count per
        week: a count of distinct accounts per week sorted the users 13 times for a 90-day
        report."""
        u = EndUser
        bounds = [_week_bounds(monday, zone) for monday in mondays]
        conditions = onboarding_conditions(self.workspace, mondays, zone)
        per_account = (sa.select(u.account_id, *(
            sa.func.sum(sa.case((cond, 1), else_=0)).label(f"n{n}")
            for n, cond in enumerate(conditions)))
            .where(u.workspace_id == self.workspace.id,
                   u.first_seen >= bounds[0][1] - ONBOARDING, u.first_seen < bounds[-1][1],
                   among(u.id, self.users))
            .group_by(u.account_id).subquery("per_account"))
        a, columns = per_account.c, []
        for n in range(len(mondays)):
            onboarding = a[f"n{n}"]
            columns += [sa.func.sum(onboarding), sa.func.sum(sa.case(
                (sa.and_(a.account_id.is_not(None), onboarding > 0), 1), else_=0))]
        row = db.session.execute(sa.select(*columns)).one()
        return {monday: (int(row[2 * n] or 0), int(row[2 * n + 1] or 0))
                for n, monday in enumerate(mondays)}

    def accounts_of(self, users: Iterable[int]) -> set[int]:
        return {account for account in (self.people[u].account_id for u in users
                                        if u in self.people) if account is not None}


def escalation_times(moments: dict[int, Moment]) -> dict[int, list[datetime]]:
    """Each user's escalations, by event time."""
    times: dict[int, list[datetime]] = {}
    for metric, user, at, _ in moments.values():
        if metric == ESCALATED:
            times.setdefault(user, []).append(at)
    return times


def _page(url: str | None) -> str | None:
    return (urlsplit(url).path or "/") if url else None


def _ranked(counts: Counter[tuple[Any, ...]], names: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], [str(v) for v in kv[0]]))
    return [{**dict(zip(names, key, strict=True)), "count": n} for key, n in rows]


def where_escalations_start(workspace: Workspace, first: date, last: date,
                            users: frozenset[int] | None = None) -> dict[str, Any]:
    """Escalations users (of ``users``, when given) opened on days ``first..last`` (server
    time), by where they started."""
    zone, e = ZoneInfo(workspace.timezone), Escalation
    counter = Counter[tuple[Any, ...]]
    guides, steps, articles, pages = counter(), counter(), counter(), counter()
    # Grouped in SQL first: a row per (guide, step, article, URL), not per escalation.
    for guide, step, article, url, n in db.session.execute(
            sa.select(e.guide_key, e.step_id, e.article_key, e.url, sa.func.count())
            .where(e.workspace_id == workspace.id, e.origin == "user",
                   e.created_at >= midnight(first, zone),
                   e.created_at < midnight(last + timedelta(days=1), zone),
                   among(e.user_id, users))
            .group_by(e.guide_key, e.step_id, e.article_key, e.url)):
        guides[(guide,)] += n
        if step is not None:
            steps[(guide, step)] += n
        articles[(article,)] += n
        pages[(_page(url),)] += n
    return {"total": sum(guides.values()), "guides": _ranked(guides, ("guide",)),
            "steps": _ranked(steps, ("guide", "step")),
            "articles": _ranked(articles, ("article",)), "pages": _ranked(pages, ("page",))}
