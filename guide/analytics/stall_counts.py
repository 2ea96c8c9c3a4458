"""Where onboarding stalls, rolled up: scenario firings per local day and scenario
(``analytics_firing``), and users' escalations per local day, in all (milestone "")
and after the user had reached each milestone (``analytics_escalation``).

The news scheme of ``guide.analytics.signups``: firings and escalations carry a
``rolled`` flag and a partial index of the ones not folded. An escalation is
counted after milestone M once both are folded, by whichever is folded last: a new
escalation against the user's folded milestones and the milestones folded with it
(``fresh``), a new milestone against the user's folded escalations. Rows are never
taken out: an escalation or firing deleted or anonymised by the privacy erasure
stays counted, anonymously.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from guide.extensions import db
from guide.models import (
    AnalyticsEscalation,
    AnalyticsFiring,
    Escalation,
    ScenarioFiring,
    UserMilestone,
)

ALL = ""  # the key of every escalation
CHUNK = 5000


class Stalls(NamedTuple):
    firings: Counter[tuple[date, int]]  # (day, scenario id) -> firings
    escalations: Counter[tuple[date, str]]  # (day, milestone or ALL) -> escalations
    firing_ids: list[int]
    escalation_ids: list[int]
    full: bool


def news(workspace_id: int, zone: ZoneInfo, fresh: list[int],
         limit: int | None = None) -> Stalls:
    """The firings and escalations not folded yet (at most ``limit`` of each), and what
    the milestones ``fresh`` (not folded yet, folded now) add to folded escalations."""
    f, e, m = ScenarioFiring, Escalation, UserMilestone
    found = Stalls(Counter(), Counter(), [], [], False)
    query = sa.select(f.id, f.scenario_id, f.fired_at).where(f.workspace_id == workspace_id,
                                                             sa.not_(f.rolled))
    firings = db.session.execute(query if limit is None else query.limit(limit)).all()
    for firing_id, scenario_id, fired_at in firings:
        found.firing_ids.append(firing_id)
        found.firings[(fired_at.astimezone(zone).date(), scenario_id)] += 1
    query = sa.select(e.id, e.created_at, e.user_id, e.origin).where(
        e.workspace_id == workspace_id, sa.not_(e.rolled))
    escalations = db.session.execute(query if limit is None else query.limit(limit)).all()
    counted = {}
    for escalation_id, created_at, user_id, origin in escalations:
        found.escalation_ids.append(escalation_id)
        if origin == "user" and user_id is not None:
            counted[escalation_id] = created_at.astimezone(zone).date()
            found.escalations[(counted[escalation_id], ALL)] += 1
    ids, fresh_set = sorted(counted), set(fresh)
    for start in range(0, len(ids), CHUNK):
        for escalation_id, milestone_id, key, rolled in db.session.execute(
                sa.select(e.id, m.id, m.key, m.rolled)
                .join(m, sa.and_(m.user_id == e.user_id, m.reached_at <= e.created_at))
                .where(e.id.in_(ids[start:start + CHUNK]))):
            if rolled or milestone_id in fresh_set:
                found.escalations[(counted[escalation_id], key)] += 1
    for start in range(0, len(fresh), CHUNK):
        for key, created_at in db.session.execute(
                sa.select(m.key, e.created_at)
                .join(e, sa.and_(e.user_id == m.user_id, e.created_at >= m.reached_at))
                .where(m.id.in_(fresh[start:start + CHUNK]), e.rolled, e.origin == "user")):
            found.escalations[(created_at.astimezone(zone).date(), key)] += 1
    full = limit is not None and limit in (len(firings), len(escalations))
    return found._replace(full=full)


def fold(workspace_id: int, zone: ZoneInfo, fresh: list[int], limit: int) -> Stalls:
    """Fold the news (the caller's transaction, holding the rollup lock, before the
    milestones ``fresh`` are marked folded)."""
    found = news(workspace_id, zone, fresh, limit)
    _upsert(AnalyticsFiring, ["workspace_id", "day", "scenario_id"], "firings",
            [{"workspace_id": workspace_id, "day": d, "scenario_id": s, "firings": n}
             for (d, s), n in sorted(found.firings.items())])
    _upsert(AnalyticsEscalation, ["workspace_id", "day", "key"], "escalations",
            [{"workspace_id": workspace_id, "day": d, "key": k, "escalations": n}
             for (d, k), n in sorted(found.escalations.items())])
    for model, ids in ((ScenarioFiring, found.firing_ids), (Escalation, found.escalation_ids)):
        for start in range(0, len(ids), CHUNK):
            db.session.execute(sa.update(model).where(model.id.in_(ids[start:start + CHUNK]))
                               .values(rolled=True).execution_options(synchronize_session=False))
    return found


def _upsert(model: Any, keys: list[str], column: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = model.__table__
    stmt = dialect.insert(table)
    db.session.connection().execute(stmt.on_conflict_do_update(
        index_elements=keys, set_={column: table.c[column] + stmt.excluded[column]}), rows)


def forget(workspace_id: int) -> None:
    """Every firing and escalation news again (the caller's transaction, holding the lock)."""
    for model in (AnalyticsFiring, AnalyticsEscalation):
        db.session.execute(sa.delete(model).where(model.workspace_id == workspace_id))
    for model in (ScenarioFiring, Escalation):
        db.session.execute(sa.update(model).where(model.workspace_id == workspace_id,
                                                  model.rolled)
                           .values(rolled=False).execution_options(synchronize_session=False))


def pending(workspace_id: int) -> Any:
    """SQL: is a firing or an escalation of the workspace not folded yet?"""
    f, e = ScenarioFiring, Escalation
    return sa.or_(sa.exists().where(f.workspace_id == workspace_id, sa.not_(f.rolled)),
                  sa.exists().where(e.workspace_id == workspace_id, sa.not_(e.rolled)))


def counts(workspace_id: int, zone: ZoneInfo, start: date, end: date,
           fresh: list[int]) -> tuple[Counter[int], Counter[str]]:
    """Firings per scenario and escalations (ALL and after each milestone) on the local
    days ``start..end``: the rolled rows plus the news (``fresh``: the milestones not
    folded yet)."""
    f, e = AnalyticsFiring, AnalyticsEscalation
    firings: Counter[int] = Counter(dict(db.session.execute(
        sa.select(f.scenario_id, sa.func.sum(f.firings)).where(
            f.workspace_id == workspace_id, f.day.between(start, end))
        .group_by(f.scenario_id)).all()))
    escalations: Counter[str] = Counter(dict(db.session.execute(
        sa.select(e.key, sa.func.sum(e.escalations)).where(
            e.workspace_id == workspace_id, e.day.between(start, end))
        .group_by(e.key)).all()))
    found = news(workspace_id, zone, fresh)
    for (day, scenario_id), n in found.firings.items():
        if start <= day <= end:
            firings[scenario_id] += n
    for (day, key), n in found.escalations.items():
        if start <= day <= end:
            escalations[key] += n
    return (Counter({s: int(n) for s, n in firings.items() if n}),
            Counter({k: int(n) for k, n in escalations.items()}))

