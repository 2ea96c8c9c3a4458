"""Property: the rollups plus the tail give exactly the numbers of a fold over every raw event,
for the Guide report, the proactive vs reactive report and the help searches.

Random streams of the events the fold reads (guide states, envelopes whose
acks completed steps and guides, tracked system events, escalations, noise),
received around the end of daylight saving time's start in Europe/Paris
(Sunday 29 March 2026, 02:00 -> 03:00), with client times that are late
(some beyond MAX_LATE) or ahead of the server, rolled up at random points in
random batches, compared with the raw computation over random ranges.
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide import analytics
from guide.analytics import event_rows, store, weekly
from guide.analytics.facts import EventRow, Folder, event_time
from guide.analytics.filters import Filters
from guide.analytics.reactive_report import totals
from guide.analytics.tally import Tally
from guide.extensions import db
from guide.models import (
    Account,
    AnalyticsAccountWeek,
    AnalyticsDuration,
    AnalyticsDurationBucket,
    AnalyticsReach,
    AnalyticsReactiveWeek,
    AnalyticsUserWeek,
    AnalyticsWatermark,
    EndUser,
    Event,
)
from guide.models.analytics import ROLLUPS
from guide.services import privacy
from tests import factories
from tests.analytics.conftest import LATER, PARIS, user

# Saturday evening before the clocks go forward in Paris (01:00 UTC on Sunday).
BASE = datetime(2026, 3, 28, 18, 0, tzinfo=UTC)
NOW = BASE + timedelta(days=1)
GUIDES = ("onboarding", "tour")
STEPS = ("hello", "connect", "visit", "team")
STATES = ("active", "completed", "dismissed", "snoozed", "not_started")
TRACKED = ("$guide_shown", "$step_shown", "$target_missing", "$help_open", "$checklist_open",
           "$item_expanded", "$item_clicked", "$article_view", "other")

QUERIES = ("Export CSV", "export\tcsv ", "SSO", "sso", "", "  ", 5, None, "x" * 205,
           "X" * 201 + "y")
RESULTS = (0, 0.0, 2, False, "0", None)

guides, steps = st.sampled_from(GUIDES), st.sampled_from(STEPS)
done = st.lists(st.fixed_dictionaries({"guide": guides, "step": steps}), min_size=1, max_size=2)
# A tour's run: its states and its steps shown (time on a step runs from its show to the
# next one or the run's end, across batches).
tour_kind = st.tuples(st.just("tour"), st.fixed_dictionaries({
    "state": st.sampled_from(["active", "shown", "shown", "completed", "dismissed"]),
    "step": steps}))
kind = st.one_of(
    tour_kind,
    st.tuples(st.just("guide:state"), st.fixed_dictionaries(
        {"guide": guides, "state": st.sampled_from(STATES)})),
    st.tuples(st.sampled_from(["step:complete", "event:track"]), st.fixed_dictionaries({
        "completed": done, "finished": st.sets(guides)})),
    st.tuples(st.just("track"), st.fixed_dictionaries({
        "name": st.sampled_from(TRACKED), "guide": guides, "step": st.none() | steps})),
    st.tuples(st.just("help:escalate"), st.fixed_dictionaries({"guide": guides,
                                                               "step": st.none() | steps})),
    st.tuples(st.sampled_from(["milestone", "plan"]), st.just({})),
    # Bootstrap's offers: a server event naming the guide key, no client time.
    st.tuples(st.just("offer"), st.fixed_dictionaries({"guide": guides})),
    # Help searches: queries that normalise alike or not at all, results that are 0 or not.
    st.tuples(st.sampled_from(["search", "anonymous search"]), st.fixed_dictionaries({
        "query": st.sampled_from(QUERIES), "results": st.sampled_from(RESULTS)})),
)
def events_of(kind: st.SearchStrategy) -> st.SearchStrategy:
    return st.tuples(
        st.integers(0, 2),  # which user
        kind,
        # minutes since the previous event reached the server: a user's days of a metric
        # with days between them (whole days apart too)
        st.integers(0, 240) | st.sampled_from([24 * 60, 2 * 24 * 60]),
        # client clock: on time, late (up to 9 days: some beyond MAX_LATE), or ahead
        st.none() | st.integers(-9 * 24 * 60, 30),
    )


event, tour_event = events_of(kind), events_of(tour_kind)
# Events of the first part sent again 1 to 3 days before it, received once it is rolled:
# days that land before or between rolled days of a user's metric (analytics_reach: the
# next day's previous day changes).
late = st.tuples(st.integers(0, 39), st.integers(1, 4))


def _row(workspace_id: int, users: list[int], at: datetime, item: tuple) -> Event:
    who, (what, data), _, client = item
    client_at = None if client is None else at + timedelta(minutes=client)
    common = {"workspace_id": workspace_id, "user_id": users[who], "created_at": at,
              "client_at": client_at}
    if what == "guide:state":
        return Event(type=what, name=data["guide"], props={**data, "step": None},
                     result={"ok": True, "completed": []}, **common)
    if what in ("step:complete", "event:track"):
        progress = {g: {"state": "completed" if g in data["finished"] else "active"}
                    for g in GUIDES}
        return Event(type=what, name="x", props={},
                     result={"ok": True, "completed": data["completed"], "progress": progress},
                     **common)
    if what == "tour":
        if data["state"] == "shown":
            return Event(type="event:track", name="$step_shown",
                         props={"guide": "tour", "step": data["step"]}, **common)
        return Event(type="guide:state", name="tour", props={"guide": "tour", **data},
                     result={"ok": True, "completed": []}, **common)
    if what == "track":
        return Event(type="event:track", name=data["name"],
                     props={"guide": data["guide"], "step": data["step"]}, **common)
    if what == "help:escalate":
        return Event(type=what, name=what, props=data, **common)
    if what.endswith("search"):
        return Event(type="event:track", name="$help_search", props=data,
                     **{**common, "user_id": None if what.startswith("anon") else users[who]})
    if what == "offer":
        return Event(type=what, name=data["guide"], props={}, **{**common, "client_at": None})
    return Event(type=what, name="onboarded", props={},
                 **{**common, "user_id": None if what == "plan" else users[who]})


def _clear(workspace_id: int) -> None:
    for model in (Event, *ROLLUPS, AnalyticsWatermark):
        db.session.execute(sa.delete(model).where(model.workspace_id == workspace_id))
    db.session.commit()


def _received(items: list[tuple], at: datetime) -> list[datetime]:
    times = []
    for item in items:
        at += timedelta(minutes=item[2])
        times.append(at)
    return times


def _insert(ws, users: list[int], items: list[tuple], at: datetime) -> datetime:
    for item, when in zip(items, _received(items, at), strict=True):
        db.session.add(_row(ws.id, users, when, item))
        db.session.flush()  # one at a time: ids in the order of the stream
    db.session.commit()
    return at if not items else when


def _late(items: list[tuple], late_items: list[tuple[int, int]], at: datetime) -> list[tuple]:
    """``items[i]`` (modulo their number: the same one often comes again) sent ``days``
    earlier, received at ``at``, for each (i, days)."""
    times = _received(items, BASE)
    return [(items[i % len(items)][0], items[i % len(items)][1], 0,
             (times[i % len(items)] - timedelta(days=days) - at) // timedelta(minutes=1))
            for i, days in late_items if items]


def _days(ws) -> list[date]:
    zone = ZoneInfo(PARIS)
    rows = db.session.execute(sa.select(Event.id, Event.user_id, Event.type, Event.name,
                                        Event.props, Event.result, Event.client_at,
                                        Event.created_at).where(Event.workspace_id == ws.id))
    days = sorted({event_time(EventRow(*row)).astimezone(zone).date() for row in rows})
    db.session.rollback()
    return days


@pytest.fixture
def stream_setup(paris):
    """The workspace; ``stream_users()`` makes the stream's users (a test may erase one)."""
    account = Account(workspace_id=paris.id, external_id="acme")
    db.session.add(account)
    factories.publish(paris, {"key": "tour", "kind": "tour", "title": "Tour", "steps": [
        {"id": step, "title": step.title()} for step in STEPS]})
    db.session.commit()
    made = iter(range(10**6))

    def stream_users() -> list[int]:
        """Three users first seen before the stream, two in one account, two with the
        locale fr (a filter's users); the second's 90 days of onboarding end in the
        stream's second week."""
        batch = next(made)
        users = [user(paris, f"p{batch}-{n}") for n in range(3)]
        for n, who in enumerate(users):
            who.first_seen = BASE - timedelta(days=85 if n == 1 else 10)
            who.account_id = account.id if n < 2 else None
            who.locale = "fr" if n != 1 else None
        db.session.commit()
        return [who.id for who in users]

    return paris, stream_users


def _weeks_rolled(ws) -> set[weekly.WeekRow]:
    w = AnalyticsUserWeek
    rows = {tuple(row) for row in db.session.execute(sa.select(
        w.week, w.user_id, w.active, w.progressed, w.escalations).where(
        w.workspace_id == ws.id))}
    db.session.rollback()
    return rows


def _weeks_raw(ws) -> set[weekly.WeekRow]:
    """The week rows one batch folding every event would write."""
    folder, tally = Folder(ZoneInfo(PARIS), {}), Tally()
    for row in event_rows.all_events_after(ws.id, 0):
        tally.extend(folder.fold(row))
    db.session.rollback()
    return set(weekly.week_rows(tally))


def _same(ws, low: date, high: date) -> None:
    """Both reports: rollups plus the tail give what a fold over every event gives."""
    assert analytics.guide_report(ws, "onboarding", low, high) == \
        analytics.raw_guide_report(ws, "onboarding", low, high)
    # The tour: its funnel counts shows, and times each step from its show to the next
    # one or the run's end (runs handed on from batch to batch), filtered or not.
    for filters in (None, Filters.parse(locale="fr")):
        assert analytics.guide_report(ws, "tour", low, high, filters) == \
            analytics.raw_guide_report(ws, "tour", low, high, filters)
    # NOW falls inside the stream: some help openings are not 24 hours old yet.
    assert analytics.reactive_report(ws, low, high, NOW) == \
        analytics.raw_reactive_report(ws, low, high, NOW)
    for top, filters in ((20, None), (1, None), (20, Filters.parse(locale="fr"))):
        assert analytics.help_search_report(ws, low, high, top, filters) == \
            analytics.raw_help_search_report(ws, low, high, top, filters)


def _reach() -> list[tuple]:
    r = AnalyticsReach
    return sorted(db.session.execute(sa.select(
        r.workspace_id, r.guide_key, r.day, r.prev_day, r.step_id, r.metric, r.users)).all())


def _backfilled() -> list[tuple]:
    """analytics_reach as the migration's backfill computes it from analytics_user_day."""
    path = Path(__file__).parents[2] / "guide/migrations/versions/0015_analytics_reach.py"
    spec = importlib.util.spec_from_file_location("reach_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(sa.delete(AnalyticsReach))
    migration.backfill(db.session.connection())
    rows = _reach()
    db.session.rollback()
    return rows


def _duration_buckets() -> list[tuple]:
    b = AnalyticsDurationBucket
    return sorted(db.session.execute(sa.select(
        b.workspace_id, b.guide_key, b.day, b.metric, b.step_id, b.bucket, b.count)).all())


def _duration_buckets_backfilled() -> list[tuple]:
    """The duration buckets as the migration's backfill counts them from analytics_duration."""
    path = (Path(__file__).parents[2]
            / "guide/migrations/versions/0022_analytics_duration_bucket.py")
    spec = importlib.util.spec_from_file_location("duration_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(sa.delete(AnalyticsDurationBucket))
    migration.backfill(db.session.connection())
    rows = _duration_buckets()
    db.session.rollback()
    return rows


def _counts() -> list[tuple]:
    """The rows of the weekly counts and of the accounts' weeks, but for zeros."""
    tables = (AnalyticsReactiveWeek.__table__, AnalyticsAccountWeek.__table__)
    rows = sorted((table.name, *row) for table in tables for row in db.session.execute(
        sa.select(table)) if any(row[3:] if table.name == "analytics_account_week"
                                 else row[2:]))
    db.session.rollback()
    return rows


def _counts_backfilled() -> list[tuple]:
    """The weekly counts as the migration's backfill computes them from the week rows."""
    path = Path(__file__).parents[2] / "guide/migrations/versions/0017_analytics_reactive_week.py"
    spec = importlib.util.spec_from_file_location("reactive_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for model in (AnalyticsReactiveWeek, AnalyticsAccountWeek):
        db.session.execute(sa.delete(model))
    migration.backfill(db.session.connection())
    return _counts()


KEPT = ("active", "needed_human", "self_service", "idle", "reactive_share")


def _kept_counts(before: dict, after: dict) -> dict:
    """``after`` with the weekly counts and help sessions of ``before`` (what an erasure
    leaves counted; an erased user's help opening is no longer pending)."""
    for old, new in zip(before["weeks"], after["weeks"], strict=True):
        for side in ("users", "accounts"):
            new[side].update({key: old[side][key] for key in KEPT})
        for key in ("escalations", "escalations_per_100", "above_target"):
            new[key] = old[key]
        opened, escalated, pending = (old["help"]["sessions"], old["help"]["escalated"],
                                      new["help"]["pending"])
        resolved = opened - escalated - pending
        new["help"] = {"sessions": opened, "resolved": resolved, "escalated": escalated,
                       "pending": pending, "resolved_rate": resolved / (opened - pending)
                       if opened - pending else None}
    after["totals"] = totals(after["weeks"])
    return after


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(items=st.lists(event, min_size=1, max_size=40), split=st.integers(0, 40),
       late_items=st.lists(late, max_size=6),
       batches=st.tuples(st.integers(1, 7), st.integers(1, 3), st.integers(1, 7)),
       data=st.data())
def test_rollups_plus_tail_equal_the_raw_computation(stream_setup, items, split, late_items,
                                                     batches, data):
    ws, stream_users = stream_setup
    users = stream_users()
    _clear(ws.id)
    first, second = items[:split], items[split:]
    at = _insert(ws, users, first, BASE)
    analytics.rollup(LATER, batch=batches[0], max_batches=batches[1])  # partly rolled
    _insert(ws, users, _late(first, late_items, at) + second, at)
    analytics.rollup(LATER, batch=batches[2], max_batches=batches[1])
    days = _days(ws)
    start = data.draw(st.sampled_from(days))
    end = data.draw(st.sampled_from([d for d in days if d >= start]))
    for low, high in ((days[0], days[-1]), (start, end)):
        _same(ws, low, high)
    analytics.rollup(LATER, max_batches=None)  # and with nothing left in the tail
    _same(ws, days[0], days[-1])
    # What the rollup kept batch by batch is what the migration backfills at once.
    assert _reach() == _backfilled()
    # The duration buckets too (and they count every duration kept).
    buckets = _duration_buckets()
    assert buckets == _duration_buckets_backfilled()
    assert sum(row[-1] for row in buckets) == db.session.scalar(
        sa.select(sa.func.count()).select_from(AnalyticsDuration))
    # The week rollup, written a batch at a time, holds what one fold of everything gives.
    assert _weeks_rolled(ws) == _weeks_raw(ws)
    # Reset and rolled again (in other batches): the same rows.
    store.reset(ws.id)
    db.session.commit()
    assert _weeks_rolled(ws) == set()
    analytics.rollup(LATER, batch=batches[0], max_batches=None)
    assert _weeks_rolled(ws) == _weeks_raw(ws)
    assert _duration_buckets() == buckets
    # The weekly counts the fold kept are what the migration's backfill counts at once.
    assert _counts() == _counts_backfilled()
    # A user erased: their week rows go with them; the rest still equal the raw fold.
    before = analytics.raw_reactive_report(ws, days[0], days[-1], NOW)
    erased = users[data.draw(st.integers(0, 2))]
    privacy.erase_user(ws, db.session.get(EndUser, erased), "cli")
    assert erased not in {user for _, user, *_ in _weeks_rolled(ws)}
    assert _weeks_rolled(ws) == _weeks_raw(ws)
    # The weekly counts keep them, anonymously; the rest forgets them.
    assert analytics.reactive_report(ws, days[0], days[-1], NOW) == _kept_counts(
        before, analytics.raw_reactive_report(ws, days[0], days[-1], NOW))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(items=st.lists(tour_event, min_size=4, max_size=30), split=st.integers(0, 30),
       batch=st.integers(1, 4))
def test_a_tour_s_time_on_step_from_rollups_plus_tail_is_the_raw_one(stream_setup, items,
                                                                      split, batch):
    """Tour runs alone (the mixed stream holds few): shows timed across batch boundaries,
    partly rolled, the rest in the tail, then all rolled."""
    ws, stream_users = stream_setup
    users = stream_users()
    _clear(ws.id)
    at = _insert(ws, users, items[:split], BASE)
    analytics.rollup(LATER, batch=batch, max_batches=None)
    _insert(ws, users, items[split:], at)
    analytics.rollup(LATER, batch=batch, max_batches=2)
    days = _days(ws)
    for _ in range(2):
        for filters in (None, Filters.parse(locale="fr")):
            assert analytics.guide_report(ws, "tour", days[0], days[-1], filters) == \
                analytics.raw_guide_report(ws, "tour", days[0], days[-1], filters)
        analytics.rollup(LATER, batch=batch, max_batches=None)


def test_an_event_a_day_late_adds_to_the_week_row_of_its_event_time(stream_setup):
    """Rolled after Monday's, Sunday's event (sent on Monday from the offline queue) goes
    to the week before, into the row an earlier batch wrote; escalations add up."""
    ws, stream_users = stream_setup
    who = stream_users()[0]
    sunday = datetime(2026, 3, 29, 10, 0, tzinfo=UTC)
    monday = sunday + timedelta(days=1)
    escalate = {"type": "help:escalate", "name": "help:escalate", "props": {}}
    db.session.add(Event(workspace_id=ws.id, user_id=who, created_at=sunday, **escalate))
    db.session.commit()
    analytics.rollup(LATER, max_batches=None)
    db.session.add(Event(workspace_id=ws.id, user_id=who, created_at=monday, **escalate))
    db.session.add(Event(workspace_id=ws.id, user_id=who, created_at=monday,
                         client_at=sunday + timedelta(hours=1), **escalate))
    db.session.add(Event(workspace_id=ws.id, user_id=who, type="milestone", name="onboarded",
                         props={}, created_at=monday, client_at=sunday))
    db.session.commit()
    analytics.rollup(LATER, max_batches=None)
    assert _weeks_rolled(ws) == {(date(2026, 3, 23), who, 1, 1, 2),
                                 (date(2026, 3, 30), who, 1, 0, 1)} == _weeks_raw(ws)
    assert analytics.reactive_report(ws, date(2026, 3, 23), date(2026, 4, 5), NOW) == \
        analytics.raw_reactive_report(ws, date(2026, 3, 23), date(2026, 4, 5), NOW)


def test_the_days_follow_paris_across_the_change_to_summer_time(paris):
    """23:30 UTC is the next day in Paris in summer (+2) but not in winter (+1)."""
    who = user(paris, "dst").id
    for at in (datetime(2026, 3, 28, 23, 30, tzinfo=UTC),   # 00:30 on the 29th (+1)
               datetime(2026, 3, 29, 21, 30, tzinfo=UTC),   # 23:30 on the 29th (+2)
               datetime(2026, 3, 29, 22, 30, tzinfo=UTC)):  # 00:30 on the 30th (+2)
        db.session.add(Event(workspace_id=paris.id, user_id=who, type="event:track",
                             name="$guide_shown", props={"guide": "onboarding"},
                             created_at=at))
    db.session.commit()
    analytics.rollup(LATER, max_batches=None)
    report = analytics.guide_report(paris, "onboarding", date(2026, 3, 28), date(2026, 3, 30))
    assert [day["seen"] for day in report["days"]] == [0, 2, 1]
    assert report["seen"] == {"total": 3, "unique": 1}
