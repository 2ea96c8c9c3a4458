"""Reading events and runs, writing tallies: the rollup tables' one access path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from guide.analytics import (
    bulk,
    durations,
    event_rows,
    reach,
    reactive_help,
    reactive_weeks,
    searches,
    weekly,
)
from guide.analytics.facts import (
    RUN_COLUMNS,
    Folder,
    Run,
)
from guide.analytics.tally import Numbers, Tally
from guide.extensions import db
from guide.models import (
    AnalyticsDaily,
    AnalyticsDuration,
    AnalyticsDurationBucket,
    AnalyticsMoment,
    AnalyticsRun,
    AnalyticsUserDay,
    AnalyticsWatermark,
    Event,
    Workspace,
)
from guide.models.analytics import ROLLUPS, AnalyticsScenarioDay

# Users per IN list.
CHUNK = 5000
# Optimistic reads before a report takes the rollup turn itself (a worker rolled meanwhile).
ATTEMPTS = 3
T = TypeVar("T")


def watermark(workspace_id: int) -> int:
    return db.session.scalar(sa.select(AnalyticsWatermark.last_event_id).where(
        AnalyticsWatermark.workspace_id == workspace_id)) or 0


def pending(workspace_id: int, cutoff: datetime) -> bool:
    """Is the first event above the watermark settled? (A read: no lock when there is none.)"""
    first = db.session.scalar(
        sa.select(Event.created_at).where(Event.workspace_id == workspace_id,
                                          Event.id > watermark(workspace_id))
        .order_by(Event.id).limit(1))
    db.session.rollback()
    return first is not None and first <= cutoff


def _insert(model: Any) -> Any:
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def lock_watermark(workspace_id: int) -> int:
    """Take the workspace's rollup turn (until commit or rollback); its watermark."""
    # The lock before the read: a second worker waits here, then reads the first one's.
    AnalyticsWatermark.lock(workspace_id)
    return watermark(workspace_id)


_PG_RUNS = ("SELECT user_id, guide_key, started_at, last_step_at, shown_step, shown_at "
            "FROM analytics_run "
            "WHERE workspace_id = %(ws)s AND user_id = ANY(CAST(%(ids)s AS integer[]))")


def runs_of(workspace_id: int, user_ids: set[int]) -> dict[tuple[int, str], Run]:
    """The rolled runs of these users (the state the fold continues from)."""
    ids, a = sorted(user_ids), AnalyticsRun
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":  # one statement, an array of ids
        rows = event_rows.driver_rows(_PG_RUNS, {
            "ws": workspace_id, "ids": "{" + ",".join(map(str, ids)) + "}"})
    else:
        rows = [row for start in range(0, len(ids), CHUNK) for row in connection.execute(
            sa.select(a.user_id, a.guide_key, a.started_at, a.last_step_at, a.shown_step,
                      a.shown_at).where(
                a.workspace_id == workspace_id, a.user_id.in_(ids[start:start + CHUNK])))]
    return {(user_id, guide): Run(*times) for user_id, guide, *times in rows}


def save(workspace_id: int, tally: Tally, runs: dict[tuple[int, str], Run],
         changed: set[tuple[int, str]], last_event_id: int) -> None:
    """Add a folded batch to the rollups and move the watermark, in the caller's transaction.

    On PostgreSQL, one statement per table over arrays (``bulk``); on SQLite, Core
    executemany on the session's connection (through the ORM's bulk path the same rows
    took several times longer). The week rows and the weekly counts they change:
    ``reactive_weeks``.
    """
    reach.add(workspace_id, tally.users)  # before the user-days: it reads the rolled ones
    reactive_weeks.save(db.session.get(Workspace, workspace_id), weekly.week_rows(tally))
    reactive_help.save(workspace_id, tally.moments)  # reads the moments rolled before
    searches.roll(workspace_id, watermark(workspace_id), last_event_id)
    if db.session.get_bind().dialect.name == "postgresql":
        bulk.save(workspace_id, tally, runs, changed)
        _move(workspace_id, last_event_id)
        return
    ws, run = {"workspace_id": workspace_id}, db.session.connection().execute
    daily, runs_table = AnalyticsDaily.__table__, AnalyticsRun.__table__
    if tally.counts:
        stmt = _insert(daily)
        run(stmt.on_conflict_do_update(
            index_elements=["workspace_id", "guide_key", "metric", "step_id", "day"],
            set_={"count": daily.c.count + stmt.excluded["count"]}),
            [{**ws, "guide_key": g, "step_id": s, "metric": m, "day": d, "count": n}
             for (g, s, m, d), n in sorted(tally.counts.items())])
    if tally.users:
        run(_insert(AnalyticsUserDay.__table__).on_conflict_do_nothing(), [
            {**ws, "guide_key": g, "step_id": s, "metric": m, "day": d, "user_id": u}
            for g, s, m, d, u in sorted(tally.users)])
    if tally.durations:
        run(_insert(AnalyticsDuration.__table__).on_conflict_do_nothing(), [
            {**ws, "guide_key": g, "step_id": s, "metric": m, "event_id": e, "day": d,
             "seconds": sec} for (g, s, m, e), (d, sec) in sorted(tally.durations.items())])
        stmt = _insert(AnalyticsDurationBucket.__table__)
        run(stmt.on_conflict_do_update(
            index_elements=["workspace_id", "guide_key", "day", "metric", "step_id", "bucket"],
            set_={"count": AnalyticsDurationBucket.count + stmt.excluded["count"]}),
            [{**ws, "guide_key": g, "step_id": s, "metric": m, "day": d, "bucket": b, "count": n}
             for (g, s, m, d, b), n in sorted(durations.buckets(tally.durations).items())])
    if tally.moments:
        run(_insert(AnalyticsMoment.__table__).on_conflict_do_nothing(), [
            {**ws, "event_id": e, "metric": m, "user_id": u, "at": at, "day": d}
            for e, (m, u, at, d) in sorted(tally.moments.items())])
    if changed:
        stmt = _insert(runs_table)
        run(stmt.on_conflict_do_update(
            index_elements=["workspace_id", "user_id", "guide_key"],
            set_={name: stmt.excluded[name] for name in RUN_COLUMNS}),
            [{**ws, "user_id": u, "guide_key": g,
              **{name: getattr(runs[(u, g)], name) for name in RUN_COLUMNS}}
             for u, g in sorted(changed)])
    _move(workspace_id, last_event_id)


def _move(workspace_id: int, last_event_id: int) -> None:
    db.session.execute(sa.update(AnalyticsWatermark).where(
        AnalyticsWatermark.workspace_id == workspace_id).values(last_event_id=last_event_id))


def reset(workspace_id: int) -> None:
    """Forget the workspace's rollups (in the caller's transaction): the next pass folds
    every event again, from the first."""
    for model in (*ROLLUPS, AnalyticsWatermark):
        db.session.execute(sa.delete(model).where(model.workspace_id == workspace_id))
    # Not from events: the settled firings are counted again at once (settling is not redone:
    # an event goal's events may be gone).
    AnalyticsScenarioDay.refill(workspace_id)


def rolled_numbers(workspace_id: int, guide: str, start: date, end: date,
                   tail: int = 0) -> Numbers:
    """One guide's rolled numbers on days ``start..end``; its durations by rank, enough of
    them for a median and p90 with up to ``tail`` more durations per key (``Ranked``)."""
    numbers = Numbers()
    where = (AnalyticsDaily.workspace_id == workspace_id, AnalyticsDaily.guide_key == guide,
             AnalyticsDaily.day.between(start, end))
    for step, metric, day, count in db.session.execute(sa.select(
            AnalyticsDaily.step_id, AnalyticsDaily.metric, AnalyticsDaily.day,
            AnalyticsDaily.count).where(*where)):
        numbers.counts[(step, metric, day)] += count
    for (_, step, metric), users in reach.uniques(workspace_id, start, end, guide).items():
        numbers.uniques[(step, metric)] = users
    numbers.ranked = durations.ranked(workspace_id, guide, start, end, tail)
    return numbers


def rolled_users(workspace_id: int, guide: str, start: date, end: date,
                 user_ids: set[int]) -> set[tuple[str, str, int]]:
    """(step, metric, user) of these users already counted in the rollups on those days."""
    found: set[tuple[str, str, int]] = set()
    ids, u = sorted(user_ids), AnalyticsUserDay
    for first in range(0, len(ids), 500):
        found.update((step, metric, user) for step, metric, user in db.session.execute(
            sa.select(u.step_id, u.metric, u.user_id).distinct()
            .where(u.workspace_id == workspace_id, u.guide_key == guide,
                   u.day.between(start, end), u.user_id.in_(ids[first:first + 500]))))
    return found


def consistent(workspace_id: int, read: Callable[[int], T]) -> T:
    """``read(watermark)`` of rolled rows plus the tail above it, against one watermark.

    A rollup batch commits its rows and its new watermark together; if the
    watermark is the same after the read as before, the read saw one state.
    After ATTEMPTS changes, the caller takes the rollup turn itself for one read.
    """
    for attempt in range(ATTEMPTS + 1):
        locked = attempt == ATTEMPTS
        after = lock_watermark(workspace_id) if locked else watermark(workspace_id)
        result = read(after)
        if locked or watermark(workspace_id) == after:
            db.session.rollback()
            return result
        db.session.rollback()
    raise AssertionError("unreachable: the last attempt holds the lock")


def tail_tally(workspace: Workspace, after: int, guide_key: str | None,
               users: frozenset[int] | None = None) -> Tally:
    """The facts about ``guide_key`` (or ``WORKSPACE``; None: every guide and the workspace)
    in the events the rollups have not absorbed yet (ids above ``after``), folded from the
    users' saved runs; only the facts of ``users`` when given (a report's filters)."""
    tail = list(event_rows.all_events_after(workspace.id, after))
    folder = Folder(ZoneInfo(workspace.timezone), runs_of(
        workspace.id, {row.user_id for row in tail if row.user_id is not None}))
    tally = Tally()
    for row in tail:
        tally.extend(fact for fact in folder.fold(row)
                     if (guide_key is None or fact.guide == guide_key)
                     and (users is None or fact.user_id in users))
    return tally


# ---------------------------------------------------------------- a filtered report's reads


def rolled_user_days(workspace_id: int, guide: str, start: date, end: date,
                     users: frozenset[int]) -> set[tuple[str, str, date, int]]:
    """(step, metric, day, user) of ``users`` in one guide's rollups on days ``start..end``."""
    u = AnalyticsUserDay
    rows = db.session.execute(sa.select(u.step_id, u.metric, u.day, u.user_id).where(
        u.workspace_id == workspace_id, u.guide_key == guide, u.day.between(start, end)))
    return {(step, metric, day, user) for step, metric, day, user in rows if user in users}


def rolled_durations_of(workspace_id: int, guide: str, start: date, end: date,
                        users: frozenset[int]) -> dict[tuple[str, str], list[float]]:
    """One guide's rolled durations on days ``start..end`` whose ending event, still kept,
    is one of ``users``' (the retention may have deleted the event: then it is not known)."""
    d, durations = AnalyticsDuration, {}
    for step, metric, seconds, user in db.session.execute(
            sa.select(d.step_id, d.metric, d.seconds, Event.user_id)
            .join(Event, Event.id == d.event_id)
            .where(d.workspace_id == workspace_id, d.guide_key == guide,
                   d.day.between(start, end))):
        if user in users:
            durations.setdefault((step, metric), []).append(seconds)
    return durations
