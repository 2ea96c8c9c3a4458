"""The proactive vs reactive report's weekly user and account counts, counted in SQL.

Per week and user: active, progressed and the escalations sent (the week rollup,
``analytics_user_week``), joined with ``end_user`` for who is onboarding that week and
their account; then per week and account; then a row per week leaves the database.
The tail's few facts (events not rolled yet) go in through a temporary table, so
rollups plus tail count exactly as the Python sets did (docs/ANALYTICS.md,
"Proactive vs reactive").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from guide.analytics.facts import ACTIVE, ESCALATED, HELP_OPENED, PROGRESSED
from guide.analytics.filters import among
from guide.analytics.reactive_people import onboarding_in
from guide.analytics.tally import Moment
from guide.analytics.weekly import monday as monday_of
from guide.extensions import db
from guide.models import AnalyticsMoment, AnalyticsUserWeek, EndUser, Workspace

# (users, accounts): (active, needed a human, self-service); escalations.
Counts = tuple[tuple[int, int, int], tuple[int, int, int], int]
# Tail users per IN list.
CHUNK = 5000

_TAIL = sa.Table("reactive_tail", sa.MetaData(),
                 sa.Column("user_id", sa.Integer), sa.Column("wk", sa.Integer),
                 sa.Column("act", sa.Integer), sa.Column("prog", sa.Integer),
                 sa.Column("esc", sa.Integer), prefixes=["TEMPORARY"])


def _tail_rows(mondays: list[date], days: Iterable[tuple[str, date, int]],
               moments: dict[int, Moment]) -> list[dict[str, int]]:
    index = {m + timedelta(days=k): n for n, m in enumerate(mondays) for k in range(7)}
    rows = [{"user_id": u, "wk": index[d], "act": int(m == ACTIVE),
             "prog": int(m == PROGRESSED), "esc": 0}
            for m, d, u in days if d in index and m in (ACTIVE, PROGRESSED)]
    rows += [{"user_id": u, "wk": index[d], "act": 0, "prog": 0, "esc": 1}
             for m, u, _, d in moments.values() if m == ESCALATED and d in index]
    return rows


def _with_tail(rows: list[dict[str, int]]) -> sa.Select[Any] | None:
    """The tail's facts as a select over a temporary table (gone with the connection)."""
    if not rows:
        return None
    conn = db.session.connection()
    _TAIL.create(conn, checkfirst=True)
    conn.execute(_TAIL.delete())
    conn.execute(_TAIL.insert(), rows)
    t = _TAIL.c
    return sa.select(t.user_id, t.wk, t.act, t.prog, t.esc)


def weekly(workspace: Workspace, mondays: list[date], weeks: sa.Subquery,
           tail_days: Iterable[tuple[str, date, int]], tail_moments: dict[int, Moment],
           users: frozenset[int] | None = None) -> dict[date, Counts]:
    """Each week's counts (of ``users`` only, when given); ``weeks``: the weeks as rows
    (``reactive_people.week_table``)."""
    w, k = AnalyticsUserWeek, weeks.c
    rolled = (sa.select(w.user_id, k.wk, w.active.label("act"), w.progressed.label("prog"),
                        w.escalations.label("esc"))
              .join(weeks, k.monday == w.week)
              .where(w.workspace_id == workspace.id, w.week.between(mondays[0], mondays[-1]),
                     among(w.user_id, users)))
    tail = _with_tail(_tail_rows(mondays, tail_days, tail_moments))
    if tail is not None:
        src = sa.union_all(rolled, tail).subquery("src")
        rolled = (sa.select(src.c.user_id, src.c.wk, sa.func.max(src.c.act).label("act"),
                            sa.func.max(src.c.prog).label("prog"),
                            sa.func.sum(src.c.esc).label("esc"))
                  .group_by(src.c.user_id, src.c.wk))
    # Each (user, week) with its week's bounds, then joined with its user. Materialized:
    # PostgreSQL otherwise joined the weeks' bounds with end_user first (every user once
    # per week: seven times the rows).
    r = rolled.subquery("r")
    per_user = (sa.select(r, k.lo, k.hi, k.begins).join(weeks, k.wk == r.c.wk)
                .cte("per_user"))
    if db.session.get_bind().dialect.name == "postgresql":
        per_user = per_user.prefix_with("MATERIALIZED")
    p, e = per_user.c, EndUser
    needed = sa.and_(p.act == 1, p.esc > 0)
    onboard = (sa.select(p.wk, e.account_id, p.act.label("act"),
                         sa.case((needed, 1), else_=0).label("need"),
                         sa.case((sa.and_(p.act == 1, p.prog == 1, p.esc == 0), 1),
                                 else_=0).label("self"), p.esc.label("esc"))
               .join(e, e.id == p.user_id)
               .where(e.workspace_id == workspace.id, onboarding_in(workspace, per_user))
               .subquery("onboard"))
    o = onboard.c
    per_account = (sa.select(o.wk, o.account_id, sa.func.sum(o.act).label("act"),
                             sa.func.sum(o.need).label("need"),
                             sa.func.sum(o.self).label("self"), sa.func.sum(o.esc).label("esc"))
                   .group_by(o.wk, o.account_id).subquery("per_account"))
    a = per_account.c
    known = a.account_id.is_not(None)

    def accounts(cond: Any) -> Any:
        return sa.func.sum(sa.case((sa.and_(known, cond), 1), else_=0))

    query = (sa.select(a.wk, sa.func.sum(a.act), sa.func.sum(a.need), sa.func.sum(a.self),
                       accounts(a.act > 0), accounts(a.need > 0),
                       accounts(sa.and_(a.self > 0, a.need == 0)), sa.func.sum(a.esc))
             .group_by(a.wk))
    out: dict[date, Counts] = {monday: ((0, 0, 0), (0, 0, 0), 0) for monday in mondays}
    for wk, *n in db.session.execute(query):
        n = [int(v or 0) for v in n]
        out[mondays[wk]] = ((n[0], n[1], n[2]), (n[3], n[4], n[5]), n[6])
    return out



def help_moments(workspace: Workspace, mondays: list[date], last_moment: date, now: datetime,
                 window: timedelta, tail_moments: dict[int, Moment],
                 users: frozenset[int] | None = None
                 ) -> tuple[dict[int, Moment], dict[date, int]]:
    """The rolled moments the help numbers must look at one by one, and each week's rolled
    help openings (sessions); of ``users`` only, when given.

    A help opening can only be escalated by its user's escalation from its time to
    ``window`` later (so on a day up to ``last_moment``), and only pending when ``now`` is
    within ``window`` of it; every other opening is resolved and is only counted. So only
    the openings followed by an escalation of their user in the span (rolled; or any of a
    user with one in the tail), or within ``window`` of ``now``, leave the database, with
    the escalations of users with an opening."""
    first, last = mondays[0], mondays[-1] + timedelta(days=6)
    m = AnalyticsMoment
    ws = sa.and_(m.workspace_id == workspace.id, among(m.user_id, users))
    opened = sa.and_(ws, m.metric == HELP_OPENED, m.day.between(first, last))
    sessions = {monday: 0 for monday in mondays}
    # Counted by day, added up by week here (a CASE over the weeks per row cost more).
    for day, n in db.session.execute(sa.select(m.day, sa.func.count()).where(opened)
                                     .group_by(m.day)):
        sessions[monday_of(day)] += int(n)
    escalated = sa.and_(ws, m.metric == ESCALATED, m.day.between(first, last_moment))
    e = aliased(AnalyticsMoment)
    escalated_after = sa.exists().where(
        e.workspace_id == workspace.id, e.metric == ESCALATED, e.user_id == m.user_id,
        e.day.between(first, last_moment), e.at >= m.at)
    tail_users = sorted({u for metric, u, _, _ in tail_moments.values() if metric == ESCALATED})
    helped = sa.select(m.user_id).where(opened)
    tail_helped = sorted({u for metric, u, _, _ in tail_moments.values()
                          if metric == HELP_OPENED})
    rows = [sa.and_(opened, sa.or_(m.at > now - window, escalated_after,
                                   *_among(m.user_id, tail_users))),
            sa.and_(escalated, sa.or_(m.user_id.in_(helped), *_among(m.user_id, tail_helped)))]
    found: dict[int, Moment] = {}
    for cond in rows:
        found.update((event_id, (metric, user, at, day)) for event_id, metric, user, at, day
                     in db.session.execute(sa.select(m.event_id, m.metric, m.user_id, m.at,
                                                     m.day).where(cond)))
    return found, sessions


def _among(column: Any, ids: list[int]) -> list[Any]:
    """``column IN ids``, a list of conditions of at most CHUNK ids each (ids: the tail's)."""
    return [column.in_(ids[n:n + CHUNK]) for n in range(0, len(ids), CHUNK)]
