"""Help sessions per week and those escalated within 24 hours, kept by the fold.

A help opening (``analytics_moment``) is escalated when its user sent an escalation
from the opening to 24 hours after it (docs/ANALYTICS.md, "Proactive vs reactive"),
whichever batch folds the two. A batch counts its openings in their week, and
checks its openings against the stored escalations of the same users and its
escalations against their stored openings: an opening counts as escalated once,
when the first escalation that covers it is folded. A report reads a row per
week, passes the tail through the same ``change``, and looks one by one only at
the openings less than 24 hours old (pending unless escalated).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from guide.analytics.facts import ESCALATED, HELP_OPENED
from guide.analytics.reactive_weeks import among
from guide.analytics.tally import Moment
from guide.analytics.weekly import monday
from guide.extensions import db
from guide.models import AnalyticsMoment, AnalyticsReactiveWeek

# An escalation this soon after a help opening means the help did not resolve it.
HELP_WINDOW = timedelta(hours=24)


def _covered(at: datetime, escalations: Iterable[datetime]) -> bool:
    return any(at <= t <= at + HELP_WINDOW for t in escalations)


def stored(workspace_id: int, new: dict[int, Moment]) -> list[Moment]:
    """The rolled moments of the users of ``new`` that could escalate or be escalated by
    them (event times within HELP_WINDOW of theirs); ``new`` is not rolled yet (a batch's
    own, or the tail)."""
    if not new:
        return []
    users = sorted({user for _, user, _, _ in new.values()})
    times = [at for _, _, at, _ in new.values()]
    low, high = min(times) - HELP_WINDOW, max(times) + HELP_WINDOW
    m, found = AnalyticsMoment, []
    for cond in among(m.user_id, users):
        found += [tuple(row) for row in db.session.execute(sa.select(
            m.metric, m.user_id, m.at, m.day).where(
            m.workspace_id == workspace_id, cond, m.at.between(low, high)))]
    return found


def change(new: dict[int, Moment], old: list[Moment]) -> dict[date, list[int]]:
    """Each week's (help sessions, escalated) added by the ``new`` moments to the ``old``
    ones (``stored``)."""
    before: dict[int, list[datetime]] = {}
    after: dict[int, list[datetime]] = {}
    for metric, user, at, _ in old:
        if metric == ESCALATED:
            before.setdefault(user, []).append(at)
            after.setdefault(user, []).append(at)
    for metric, user, at, _ in new.values():
        if metric == ESCALATED:
            after.setdefault(user, []).append(at)
    counts: dict[date, list[int]] = {}
    for metric, user, at, day in new.values():
        if metric == HELP_OPENED:
            tally = counts.setdefault(monday(day), [0, 0])
            tally[0] += 1
            tally[1] += _covered(at, after.get(user, ()))
    escalating = {user for metric, user, _, _ in new.values() if metric == ESCALATED}
    for metric, user, at, day in old:
        if (metric == HELP_OPENED and user in escalating
                and not _covered(at, before.get(user, ()))
                and _covered(at, after[user])):
            counts.setdefault(monday(day), [0, 0])[1] += 1
    return counts


def save(workspace_id: int, moments: dict[int, Moment]) -> None:
    """Add a folded batch's help sessions and escalated ones (the caller's transaction)."""
    counts = change(moments, stored(workspace_id, moments))
    if not counts:
        return
    table = AnalyticsReactiveWeek.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    db.session.connection().execute(insert.on_conflict_do_update(
        index_elements=["workspace_id", "week"],
        set_={c: table.c[c] + insert.excluded[c] for c in ("help_sessions", "help_escalated")}), [
        {"workspace_id": workspace_id, "week": week, "help_sessions": s, "help_escalated": e}
        for week, (s, e) in sorted(counts.items())])


def kept(workspace_id: int, mondays: list[date], tail: dict[int, Moment]
         ) -> dict[date, tuple[int, int]]:
    """Each week's (help sessions, escalated): the fold's plus the tail's."""
    r = AnalyticsReactiveWeek
    out = {week: [0, 0] for week in mondays}
    for week, sessions, escalated in db.session.execute(sa.select(
            r.week, r.help_sessions, r.help_escalated).where(
            r.workspace_id == workspace_id, r.week.between(mondays[0], mondays[-1]))):
        if week in out:
            out[week] = [int(sessions), int(escalated)]
    for week, (sessions, escalated) in change(tail, stored(workspace_id, tail)).items():
        if week in out:
            out[week][0] += sessions
            out[week][1] += escalated
    return {week: (s, e) for week, (s, e) in out.items()}


def recent(workspace_id: int, now: datetime, tail: dict[int, Moment]) -> dict[int, Moment]:
    """The openings less than HELP_WINDOW old at ``now`` (rolled and in the tail), with the
    escalations that could cover them: the pending ones are among them."""
    m, since = AnalyticsMoment, now - HELP_WINDOW
    found: dict[int, Moment] = {e: moment for e, moment in tail.items()}
    opened = sa.and_(m.workspace_id == workspace_id, m.metric == HELP_OPENED, m.at > since,
                     m.day >= (since - timedelta(days=1)).date())
    found.update((e, (metric, user, at, day)) for e, metric, user, at, day in db.session.execute(
        sa.select(m.event_id, m.metric, m.user_id, m.at, m.day).where(opened)))
    users = sorted({user for metric, user, _, _ in found.values() if metric == HELP_OPENED})
    for cond in among(m.user_id, users):
        found.update((e, (metric, user, at, day)) for e, metric, user, at, day in
                     db.session.execute(sa.select(m.event_id, m.metric, m.user_id, m.at, m.day)
                                        .where(m.workspace_id == workspace_id,
                                               m.metric == ESCALATED, m.at > since, cond)))
    return found
